// The compiled server (dist/main.js, what `npm start` and `npx switchboard serve` run under plain node), rebuilt
// first when a source is newer than it. Benchmarks measure it (tsx's loader adds its own work to every module
// and stack), and the test runner starts child servers from it: each starts on about 0.9 s less CPU than the
// sources through tsx, and a run of the suite starts hundreds. Plain JavaScript, so the test runner loads it
// before tsx is in play.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'main.js');
/** What the build reads: the server's sources, the console's and the browser SDK's, and the build itself. */
const SOURCES = [join(ROOT, 'src'), join(ROOT, 'web', 'src'), join(ROOT, 'sdk', 'src'), join(ROOT, 'scripts', 'build.mjs'), join(ROOT, 'tsconfig.build.json')];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

let checked = false;

/** dist/main.js, built now if it is missing or older than a file the build reads. */
export function compiledMain() {
  if (checked) return MAIN;
  const sources = Math.max(...SOURCES.map(newestMtime));
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < sources) {
    process.stderr.write('dist/ is older than the sources; running npm run build\n');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  checked = true;
  return MAIN;
}
