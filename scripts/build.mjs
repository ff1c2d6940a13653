// `npm run build` (and `npm install`, through `prepare`): compiles src/ to dist/ with TypeScript (the sources'
// `.ts` import paths rewritten to `.js`), copies what the compiled server reads at run time (SQL migrations, the
// SQLite checkpoint worker), and bundles every browser script the server serves (the SDK, the console) into
// dist/assets/, so the package runs with plain `node`: no TypeScript loader, no bundling on a request.
// Plain JavaScript, so it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// Files the compiled code opens beside itself (new URL(..., import.meta.url)): everything under src/ that is
// not TypeScript.
function copyRuntimeFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyRuntimeFiles(path);
    else if (!name.endsWith('.ts') && !name.endsWith('.c')) {
      const target = join(dist, relative(join(root, 'src'), path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
copyRuntimeFiles(join(root, 'src'));

// The SQLite WAL write-coalescing shim (src/store/sqlite/walCoalesce.c), compiled against the headers of the
// SQLite that better-sqlite3 embeds. Optional: without a C compiler the server runs without it (and says so).
function buildWalCoalescing() {
  const source = join(root, 'src', 'store', 'sqlite', 'walCoalesce.c');
  const target = join(dist, 'store', 'sqlite', 'walCoalesce.so');
  const headers = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
  const compiler = process.env.CC || 'cc';
  const result = spawnSync(compiler, ['-O2', '-fPIC', '-shared', '-I', headers, '-o', target, source], { encoding: 'utf8' });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim();
    console.warn(`build: the SQLite WAL coalescing shim was not compiled (${why}); the server runs without it`);
  }
}
buildWalCoalescing();

// The browser scripts: whatever the server registers (serveBundledScript), bundled with the same options. The
// compiled server is built once on an in-memory database so every route module has registered its scripts.
const { buildServer } = await import(pathToFileURL(join(dist, 'server.js')).href);
const { SqliteStore } = await import(pathToFileURL(join(dist, 'store/sqlite/sqliteStore.js')).href);
const { registeredBundles, bundleOptions, prebuiltUrl } = await import(pathToFileURL(join(dist, 'api/common/bundledScript.js')).href);
const store = new SqliteStore(':memory:');
const app = await buildServer({ store, logLevel: 'silent' });
await app.close();
store.close();
const { build } = await import('esbuild');
const bundles = registeredBundles();
for (const bundle of bundles) {
  const result = await build(bundleOptions(bundle));
  const target = fileURLToPath(prebuiltUrl(bundle.path));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, result.outputFiles[0].text);
}
console.log(`built dist/ (${bundles.map((b) => b.path.replace(/^\//, '')).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
