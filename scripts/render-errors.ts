// Renders docs/errors.md from the error registry (src/core/errors.ts). `node --import tsx scripts/render-errors.ts`
// rewrites the file; test/core/errors.test.ts fails when the file and the registry disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../src/core/errors.ts';

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([kind, e]) => `| ${e.code} | ${e.status} | \`${kind}\` | ${e.message} |`);
  return [
    '# Errors',
    '',
    'Every error Switchboard returns comes from one registry (`src/core/errors.ts`). On the TaskRouter face the',
    'body is Twilio\'s: `{"code": 20404, "message": "...", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`.',
    'The message below is the default; most errors carry a specific message naming the parameter or resource.',
    '',
    '| code | HTTP status | kind | default message |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
}
