// Types of compiledServer.mjs (plain JavaScript: the test runner loads it before tsx is in play).
export function compiledMain(): string;
