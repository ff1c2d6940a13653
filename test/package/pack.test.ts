// The package as a user installs it: `npm pack` (which builds dist/ through `prepare`), the tarball installed
// into an empty directory with its runtime dependencies only, then `npx switchboard serve` from there until
// /readyz answers. The installed tree has no TypeScript loader, compiler or bundler, so this proves the package
// runs compiled JavaScript, ships its SQL migrations (the database is created at start) and serves the browser
// SDK and the console from the bundles built into it.
//
// Kept fast for CI: dependencies come from npm's cache (`--prefer-offline`; `npm ci` has just filled it), and
// install scripts are skipped, with better-sqlite3's native addon copied from the repository's own install (the
// same pinned version for the same Node) instead of compiling SQLite again for a minute.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-pack-'));
let server: ChildProcess | undefined;
after(() => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const npm = (cwd: string, ...args: string[]) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 240_000 });

it('npm pack, install into an empty directory, npx switchboard serve answers /readyz from compiled JavaScript', { timeout: 300_000 }, async (t) => {
  const phase = (name: string, since: number) => t.diagnostic(`${name}: ${((Date.now() - since) / 1000).toFixed(1)} s`);
  let since = Date.now();
  // `prepare` (the build) prints its own lines before npm's JSON.
  // Packed from a copy of the checkout: the build (`prepare`) starts by deleting dist/, which the tests running
  // beside this one use (bin/switchboard.js). The copy shares the checkout's node_modules.
  const checkout = join(dir, 'checkout');
  cpSync(ROOT, checkout, { recursive: true, filter: (source) => !/[/\\](node_modules|dist|\.git)$/.test(source) });
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
  const packOutput = npm(checkout, 'pack', '--json', '--pack-destination', dir);
  const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
  phase('npm pack (with the build)', since);
  const files = packed[0]!.files.map((f) => f.path);
  assert.ok(files.includes('dist/main.js'), 'compiled entry point');
  assert.ok(files.includes('dist/store/sqlite/migrations/0001_init.sql'), 'SQLite migrations');
  assert.ok(files.includes('dist/store/postgres/migrations/0001_init.sql'), 'PostgreSQL migrations');
  assert.ok(files.includes('dist/store/sqlite/checkpointWorker.mjs'), "SQLite's checkpoint worker");
  assert.ok(files.includes('web/src/console.css'), "the console's stylesheet");
  for (const asset of ['dist/assets/sdk/taskrouter.js', 'dist/assets/sdk/taskrouter.min.js', 'dist/assets/console/app.js']) assert.ok(files.includes(asset), asset);
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources');

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'switchboard-install-check', private: true }));
  since = Date.now();
  npm(app, 'install', '--prefer-offline', '--ignore-scripts', '--omit=dev', join(dir, packed[0]!.filename));
  phase('npm install of the tarball', since);
  const modules = join(app, 'node_modules');
  for (const devOnly of ['tsx', 'esbuild', 'typescript', 'preact']) assert.ok(!existsSync(join(modules, devOnly)), `${devOnly} is not installed with the package`);
  const addon = 'better-sqlite3/build/Release/better_sqlite3.node';
  mkdirSync(dirname(join(modules, addon)), { recursive: true });
  cpSync(join(ROOT, 'node_modules', addon), join(modules, addon));

  // The package's library export runs as compiled JavaScript too.
  const exported = execFileSync(process.execPath, ['--input-type=module', '-e', "const t = await import('switchboard/tokens'); const m = await import('switchboard'); console.log(typeof t.signAccessToken, typeof m.signCapabilityToken)"], { cwd: app, encoding: 'utf8' });
  assert.equal(exported.trim(), 'function function');

  server = spawn('npx', ['--offline', 'switchboard', 'serve', '--port', '0', '--db', './data/switchboard.db'], { cwd: app, env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (out += d));
  const started = Date.now();
  let origin: string | undefined;
  while (!origin) {
    assert.ok(server.exitCode === null, `server exited: ${out}`);
    assert.ok(Date.now() - started < 30_000, `no listening line: ${out}`);
    origin = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
    if (!origin) await new Promise((r) => setTimeout(r, 25));
  }
  const ready = await fetch(`${origin}/readyz`);
  assert.equal(ready.status, 200);
  phase('npx switchboard serve until /readyz', started);

  // The database was created from the shipped migrations; the printed credentials work.
  assert.ok(existsSync(join(app, 'data/switchboard.db')));
  const sid = /SWITCHBOARD_ACCOUNT_SID=(AC\w+)/.exec(out)![1]!;
  const token = /SWITCHBOARD_AUTH_TOKEN=(\w+)/.exec(out)![1]!;
  const created = await fetch(`${origin}/v1/Workspaces`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'FriendlyName=Installed&Template=FIFO',
  });
  assert.equal(created.status, 201);

  // Browser scripts come from the prebuilt bundles (esbuild is not installed here).
  for (const path of ['/sdk/taskrouter.js', '/sdk/taskrouter.min.js', '/console/app.js']) {
    const res: Response = await fetch(`${origin}${path}`);
    assert.equal(res.status, 200, path);
    const body = await res.text();
    assert.equal(body, readFileSync(join(modules, 'switchboard/dist/assets', path), 'utf8'), `${path} is the prebuilt file`);
  }
  const stylesheet: Response = await fetch(`${origin}/console/app.css`);
  assert.equal(stylesheet.status, 200, 'the console stylesheet');
  assert.ok((await stylesheet.text()).includes(readFileSync(join(modules, 'switchboard/web/src/console.css'), 'utf8')), "the console's own stylesheet is in it");

  // A graceful stop: SIGTERM to the process group (npx and the server under it).
  const exited = new Promise<void>((resolve) => server!.once('exit', () => resolve()));
  process.kill(-server.pid!, 'SIGTERM');
  await exited;
  server = undefined;
  assert.match(out, /switchboard stopping/);
});
