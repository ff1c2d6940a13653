import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS } from '../../src/core/errors.ts';
import { renderErrorsDoc } from '../../scripts/render-errors.ts';

it('docs/errors.md is rendered from the registry (run scripts/render-errors.ts after changing it)', () => {
  assert.equal(readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8'), renderErrorsDoc());
});

it('error codes are unique and statuses are HTTP error statuses', () => {
  const codes = Object.values(ERRORS).map((e) => e.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const e of Object.values(ERRORS)) assert.ok(e.status >= 400 && e.status < 600);
});
