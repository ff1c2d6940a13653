// Types of postgres.mjs (plain JavaScript: the test runner loads it before tsx is in play).
export function postgresBinDir(): string | undefined;
export function startPostgres(options?: { maxConnections?: number }): Promise<{ url: string; port: number; pid(): number; restart(): Promise<void>; stop(): Promise<void> }>;
