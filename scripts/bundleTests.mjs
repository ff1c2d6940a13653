// Compiles the test files (and the sources they import) to plain JavaScript in .testbuild/<pid>/ before a run, so that
// each test file runs under plain `node --test` instead of through tsx's loader. Node's test runner starts one
// process per file, and tsx cost each of them about 1.3 CPU-s more than plain JavaScript (registering its
// loader thread, then every module's resolve and load crossing to it): about 170 CPU-s over the suite's 133
// files, about 85 s of CI's wall time on 2 cores.
//
// The output is the same code, not a different build of it:
// * esbuild is the compiler tsx itself runs, with the same tsconfig.json;
// * every `import.meta.url` of a source keeps the source's own address, so files found beside a module (SQL
//   migrations, fixtures, worker scripts, the README) are found where they are, and the server keeps serving
//   its browser scripts as it does from the sources;
// * packages stay imports, resolved from node_modules as before;
// * stack traces point at the sources (inline source maps, `--enable-source-maps`).
// Plain JavaScript, so the test runner loads it before anything is compiled.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEST_BUILDS = join(ROOT, '.testbuild');

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Each run builds into a folder of its own (.testbuild/<pid>), removed when it exits, so that two runs in one
 *  checkout do not replace each other's files; folders of runs that were killed are removed by the next. */
function ownBuildFolder() {
  for (const name of existsSync(TEST_BUILDS) ? readdirSync(TEST_BUILDS) : []) {
    if (!/^\d+$/.test(name) || !isRunning(Number(name))) rmSync(join(TEST_BUILDS, name), { recursive: true, force: true });
  }
  const folder = join(TEST_BUILDS, String(process.pid));
  process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** An esbuild plugin: each of the repository's own modules sees its source's address as import.meta.url. */
const sourceAddresses = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: /\.m?ts$/.test(args.path) ? 'ts' : 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/** Compiles the given test files (paths under test/); the compiled file of each, by the path given. */
export async function bundleTests(files) {
  const { build } = await import('esbuild');
  const outdir = ownBuildFolder();
  const testRoot = join(ROOT, 'test');
  await build({
    absWorkingDir: ROOT,
    entryPoints: files.map((f) => resolve(f)),
    outdir,
    outbase: testRoot,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    plugins: [sourceAddresses],
    logLevel: 'warning',
  });
  return new Map(files.map((f) => [f, join(outdir, relative(testRoot, resolve(f))).replace(/\.ts$/, '.mjs')]));
}
