// Renders docs/errors.md from the error registry (src/core/errors.ts). `node --import tsx scripts/render-errors.ts`
// rewrites the file; test/core/errors.test.ts fails when the file and the registry disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERRORS, type ErrorKind, errorName, spaceoneCode } from '../src/core/errors.ts';

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([kind, e]) => `| ${e.code} | ${e.status} | \`${kind}\` | \`${errorName(kind as ErrorKind)}\` | ${e.message} |`);
  return [
    '# Errors',
    '',
    'Every error Switchboard returns comes from one registry (`src/core/errors.ts`). On the TaskRouter face the',
    'body is Twilio\'s: `{"code": 20404, "message": "...", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`.',
    'The message below is the default; most errors carry a specific message naming the parameter or resource.',
    '',
    'On the Workflow face (`/api/...`) the body is LUSID\'s problem details:',
    '`{"name": "TaskNotFound", "errorDetails": [{"id": "..."}], "code": 21404, "type": "<link to this table>", "title": "<default message>",',
    '"status": 404, "detail": "<specific message>", "instance": "urn:switchboard:request:<lusid-meta-requestId>"}`. `name` is the',
    'column below; `errorDetails` names the offending field, state, trigger or JSON path. LUSID\'s own numeric codes are not',
    'public, so the Workflow codes (21xxx) are Switchboard\'s; clients should match on `name` and `status`.',
    '',
    'On the Opsflow face (`/opsflow/v1/...`) the body is SpaceONE\'s (python-core\'s FastAPI answer, which the Cloudforet',
    'console reads as `response.data.detail`): `{"detail": {"code": "ERROR_NOT_FOUND", "message": "...", "details":',
    '[{"key": "task_id", "value": "..."}]}}`; `code` is the name column for the Opsflow errors (22xxx) and the SpaceONE',
    'code of the table at the end for the shared ones; `details` (Switchboard\'s) names the offending key.',
    '',
    '| code | HTTP status | kind | name (Workflow and Opsflow faces) | default message |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'The shared errors on the Opsflow face, by SpaceONE\'s code (the others are `ERROR_` and the kind in capitals):',
    '',
    '| kind | SpaceONE code |',
    '|---|---|',
    ...Object.entries(ERRORS).filter(([, e]) => 'spaceone' in e).map(([kind]) => `| \`${kind}\` | \`${spaceoneCode(kind as ErrorKind)}\` |`),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
}
