// Benchmarks measure the server as users run it: the compiled package (`npm start`, `npx switchboard serve`:
// dist/main.js under plain node), not the sources through tsx, whose loader adds its own work to every module
// and stack. dist/ is rebuilt first when a source is newer than it, so a benchmark never measures stale code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let checked = false;

/** dist/main.js, built now if it is missing or older than a file of src/ or web/src/. */
export function compiledMain(): string {
  if (checked) return MAIN;
  const sources = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'web', 'src')));
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < sources) {
    process.stderr.write('benchmark: dist/ is older than the sources; running npm run build\n');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  checked = true;
  return MAIN;
}
