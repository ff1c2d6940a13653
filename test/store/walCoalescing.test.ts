// The SQLite WAL write-coalescing shim (src/store/sqlite/walCoalesce.c, loaded by walCoalescing.ts): the build
// compiles it and the store loads it; a commit's frames reach the WAL in a few system calls instead of two per
// page; what it writes is a WAL that SQLite without the shim reads and recovers, whole, after a clean close and
// after a kill -9 in the middle of a stream of commits (every commit acknowledged before the kill is there).
// The write counts come from /proc/self/io (syscw: the process's write system calls), so these run on Linux.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { WAL_COALESCE_LIBRARY, enableWalCoalescing } from '../../src/store/sqlite/walCoalescing.ts';

const linux = process.platform === 'linux';
const repoRoot = new URL('../..', import.meta.url).pathname;

/** A child process's script (CommonJS, run from the repository so better-sqlite3 resolves): with COALESCE set it
 *  loads the shim first. Then it does what MODE says on DB and prints JSON lines. */
const CHILD = String.raw`
const Database = require('better-sqlite3');
const fs = require('node:fs');
if (process.env.COALESCE) { const l = new Database(':memory:'); l.loadExtension(process.env.COALESCE); l.close(); }
const writes = () => Number(/syscw: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))[1]);
const db = new Database(process.env.DB);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
db.pragma('wal_autocheckpoint = 0');
const mode = process.env.MODE;
if (mode === 'commit') {
  db.exec('CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, v TEXT)');
  db.exec('BEGIN');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < 100; i++) insert.run('x'.repeat(3900));
  const before = writes();
  db.exec('COMMIT');
  console.log(JSON.stringify({ writes: writes() - before }));
} else if (mode === 'stream') {
  db.exec('CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (i, v) VALUES (?, ?)');
  for (let n = 1; ; n++) {
    // Transactions of 1 to 80 rows of 10 to 3,000 bytes: commits of one page to a few hundred KiB.
    db.transaction(() => { for (let k = 0; k < 1 + (n * 37) % 80; k++) insert.run(n * 1000 + k, String(n).repeat(10 + (n * 131 + k) % 3000 / String(n).length | 0)); })();
    console.log(JSON.stringify({ committed: n }));
  }
} else if (mode === 'check') {
  const integrity = db.pragma('integrity_check', { simple: true });
  const rows = db.prepare('SELECT i, v FROM t ORDER BY i').all();
  const transactions = new Set(rows.map((r) => Math.floor(r.i / 1000)));
  let whole = true;
  for (const n of transactions) {
    const expected = 1 + (n * 37) % 80;
    const got = rows.filter((r) => Math.floor(r.i / 1000) === n);
    if (got.length !== expected || got.some((r, k) => r.v !== String(n).repeat(10 + (n * 131 + k) % 3000 / String(n).length | 0))) whole = false;
  }
  console.log(JSON.stringify({ integrity, transactions: transactions.size, highest: Math.max(0, ...transactions), whole }));
}
`;

function runChild(env: Record<string, string>): string {
  const result = spawnSync(process.execPath, ['-e', CHILD], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!);

test('the build compiles the shim and a store loads it', { skip: !linux }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-coalesce-'));
  try {
    const store = new SqliteStore(join(dir, 'db.sqlite'));
    try {
      assert.deepEqual(store.walCoalescing, { active: true }, `${WAL_COALESCE_LIBRARY}: ${store.walCoalescing.reason}`);
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a commit's WAL frames are written with a few system calls, not two per page", { skip: !linux }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-coalesce-'));
  try {
    // 100 rows of 3,900 bytes: about 100 pages, so about 200 writes without the shim.
    const plain = lastJson(runChild({ DB: join(dir, 'plain.db'), MODE: 'commit' })).writes;
    const coalesced = lastJson(runChild({ DB: join(dir, 'coalesced.db'), MODE: 'commit', COALESCE: WAL_COALESCE_LIBRARY })).writes;
    assert.ok(plain >= 200, `without the shim: ${plain} writes`);
    // About 410 KiB in writes of at most 120 KiB.
    assert.ok(coalesced <= 8, `with the shim: ${coalesced} writes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a WAL written through the shim is read and recovered whole by SQLite without it, after a kill -9', { skip: !linux, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-coalesce-'));
  const db = join(dir, 'db.sqlite');
  try {
    const child = spawn(process.execPath, ['-e', CHILD], { cwd: repoRoot, env: { ...process.env, DB: db, MODE: 'stream', COALESCE: WAL_COALESCE_LIBRARY }, stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    let buffered = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) acknowledged = JSON.parse(line).committed;
        // Killed mid-stream, after enough commits to have passed 128 KiB writes and buffer refills many times.
        if (acknowledged >= 400 && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    // Read by SQLite without the shim, as a restart after a crash would: recovery from the WAL alone.
    const check = lastJson(runChild({ DB: db, MODE: 'check' }));
    assert.equal(check.integrity, 'ok');
    assert.equal(check.whole, true, 'every recovered transaction has all of its rows, each as written');
    assert.ok(check.highest >= acknowledged, `commit ${acknowledged} was acknowledged; recovered up to ${check.highest}`);
    assert.equal(check.transactions, check.highest, 'the recovered commits are 1..n, none missing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the library the store opens as before and says why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-coalesce-'));
  try {
    assert.match(enableWalCoalescing(join(dir, 'missing.so')).reason ?? '', /is not built/);
    const notALibrary = join(dir, 'text.so');
    writeFileSync(notALibrary, 'not a shared library');
    const refused = enableWalCoalescing(notALibrary);
    assert.equal(refused.active, false);
    assert.match(refused.reason ?? '', /did not load/);
    const store = new SqliteStore(join(dir, 'db.sqlite'), { coalesceWal: false });
    store.close();
    assert.ok(readFileSync(join(dir, 'db.sqlite')).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SWITCHBOARD_SQLITE_COALESCE_WAL: on unless off; anything else is refused at start', () => {
  assert.equal(loadConfig([], {}).coalesceWal, true);
  assert.equal(loadConfig([], { SWITCHBOARD_SQLITE_COALESCE_WAL: 'off' }).coalesceWal, false);
  assert.equal(loadConfig([], { SWITCHBOARD_SQLITE_COALESCE_WAL: 'ON' }).coalesceWal, true);
  for (const bad of ['', 'no', '0']) assert.throws(() => loadConfig([], { SWITCHBOARD_SQLITE_COALESCE_WAL: bad }), /invalid SWITCHBOARD_SQLITE_COALESCE_WAL/);
});
