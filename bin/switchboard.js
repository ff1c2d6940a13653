#!/usr/bin/env node
// The `switchboard` command: runs the compiled server (dist/, built by `npm run build`, which `npm install` runs
// through `prepare`). No TypeScript loader at run time; in a checkout, `npm run dev` runs the sources with tsx.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('switchboard: dist/ is missing; run `npm run build` (or `npm install`) first\n');
  process.exit(1);
}
await import(main.href);
