// V8's background threads run at a lower priority than the thread serving requests (src/backgroundThreads.ts).
// The threads are found by Node's start-up order, so these tests check that order against the Node that runs
// them: the threads reniced are the ones that do V8's collection work, and libuv's pool (which runs the fsyncs)
// is not among them.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { v8PoolSize } from '../../src/backgroundThreads.ts';
import { startChild } from '../support/childServer.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

const linux = process.platform === 'linux';
const MODULE = fileURLToPath(new URL('../../src/backgroundThreads.ts', import.meta.url));

/** Nice value and CPU ticks (user + system) of each thread of a process, from /proc (fields 14, 15, 19). */
function threads(pid: number): { tid: number; nice: number; ticks: number }[] {
  return readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .sort((a, b) => a - b)
    .map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3
      return { tid, nice: Number(f[16]), ticks: Number(f[11]) + Number(f[12]) };
    });
}

it('the setting is 10 unless said otherwise, 0 turns it off, and nice values outside 0-19 are refused', () => {
  assert.equal(loadConfig([], {}).backgroundNice, 10);
  assert.equal(loadConfig([], { SWITCHBOARD_BACKGROUND_NICE: '0' }).backgroundNice, 0);
  assert.equal(loadConfig(['--background-nice', '5'], { SWITCHBOARD_BACKGROUND_NICE: '19' }).backgroundNice, 5);
  for (const bad of ['-1', '20', '2.5', 'low', '']) assert.throws(() => loadConfig([], { SWITCHBOARD_BACKGROUND_NICE: bad }), /invalid background nice value/);
});

it('the V8 pool size is read from the flags and NODE_OPTIONS (the flags win), and left alone when Node picks it', () => {
  assert.equal(v8PoolSize([], undefined), 4);
  assert.equal(v8PoolSize(['--v8-pool-size=2'], undefined), 2);
  assert.equal(v8PoolSize(['--v8-pool-size', '3'], '--v8-pool-size=1'), 3);
  assert.equal(v8PoolSize([], '--max-old-space-size=512 --v8-pool-size=1'), 1);
  assert.equal(v8PoolSize(['--v8-pool-size=0'], undefined), undefined);
});

it('the reniced threads are the ones doing the collector\'s work, and libuv\'s pool keeps its priority', { skip: !linux }, async () => {
  // A process lowers its helpers, then (1) keeps libuv's pool busy while its main thread waits (pbkdf2 runs
  // there), (2) makes garbage for the collector (parallel scavenges and concurrent marking run on V8's helpers),
  // and reports which of its threads worked in each phase.
  const script = `
    import { lowerHelperPriority } from ${JSON.stringify(MODULE)};
    import { pbkdf2 } from 'node:crypto';
    import { readdirSync, readFileSync } from 'node:fs';
    const ticks = () => new Map(readdirSync('/proc/self/task').map((tid) => {
      const f = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ');
      return [Number(tid), Number(f[11]) + Number(f[12])];
    }));
    const busy = (before, after) => [...after].filter(([tid, t]) => tid !== process.pid && t - (before.get(tid) ?? 0) >= 3).map(([tid]) => tid);
    const lowered = lowerHelperPriority(10).threads;
    const t0 = ticks();
    await Promise.all(Array.from({ length: 4 }, () => new Promise((r) => pbkdf2('x', 'salt', 200000, 64, 'sha512', r))));
    const t1 = ticks();
    let keep = [];
    // At least 700 ms of garbage, and up to 4 s until a lowered helper has done some of its collection: on two
    // cores shared with other test files, threads at nice 10 may wait that long for a core.
    const lowSet = new Set(lowered);
    const deadline = Date.now() + 4000;
    let t2;
    for (let window = 700; ; window = 200) {
      const until = Date.now() + window;
      while (Date.now() < until) { keep.push(new Array(64).fill(0).map(() => ({ n: Math.random() }))); if (keep.length > 30000) keep = []; }
      t2 = ticks();
      if (Date.now() > deadline || busy(t1, t2).some((tid) => lowSet.has(tid))) break;
    }
    console.log(JSON.stringify({ lowered, hashing: busy(t0, t1), collecting: busy(t1, t2), pid: process.pid }));
    await new Promise((r) => setTimeout(r, 1000)); // the parent reads the nice values meanwhile
  `;
  const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before reporting: ${out}`)));
  });
  const { lowered, hashing, collecting, pid } = JSON.parse(line) as { lowered: number[]; hashing: number[]; collecting: number[]; pid: number };
  const all = threads(pid);
  await new Promise((resolve) => child.once('exit', resolve));
  const report = JSON.stringify({ lowered, hashing, collecting, all });
  assert.equal(lowered.length, 4, `the four helpers of the default pool: ${report}`);
  for (const t of all) assert.equal(t.nice, lowered.includes(t.tid) ? 10 : 0, `thread ${t.tid}: ${report}`);
  // libuv's four pool threads did the hashing, and none of them was lowered (a V8 helper may work in that phase
  // too, compiling or collecting: CI once saw a lowered helper busy for 30 ms of it, so those are left out; a
  // lowered pool thread would leave fewer than four)...
  const pool = hashing.filter((tid) => !lowered.includes(tid));
  assert.equal(pool.length, 4, `libuv's pool: ${report}`);
  // ...and the collector's work ran on lowered threads only.
  assert.ok(collecting.length > 0, `nothing but the main thread collected: ${report}`);
  assert.deepEqual(collecting.filter((tid) => !lowered.includes(tid)), [], report);
});

it('the server lowers its helpers and its checkpointer at start, and SWITCHBOARD_BACKGROUND_NICE=0 leaves them', { skip: !linux }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-nice-'));
  try {
    for (const [setting, expected] of [['10', 10], ['0', 0]] as const) {
      const server = await startChild({ SWITCHBOARD_DB: join(dir, `nice-${setting}.db`), SWITCHBOARD_BACKGROUND_NICE: setting });
      try {
        const all = threads(server.process.pid!);
        assert.equal(all[0]!.nice, 0, 'the main thread');
        assert.deepEqual(all.slice(2, 6).map((t) => t.nice), [expected, expected, expected, expected]);
        // The fifth is the SQLite checkpointer, a worker started later (the test below).
        const later = all.slice(6).filter((t) => t.nice !== 0);
        assert.deepEqual(later.map((t) => t.nice), expected ? [expected] : []);
      } finally {
        await server.kill();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the SQLite store's checkpoint worker lowers its own thread, and only it", { skip: !linux }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-nice-'));
  const before = new Set(threads(process.pid).map((t) => t.tid));
  const store = new SqliteStore(join(dir, 'checkpoint.db'), { checkpointNice: 7 });
  try {
    let lowered: { tid: number; nice: number }[] = [];
    for (const deadline = Date.now() + 10_000; lowered.length === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      lowered = threads(process.pid).filter((t) => t.nice !== 0);
    }
    assert.equal(lowered.length, 1, `threads at a nice value: ${JSON.stringify(lowered)}`);
    assert.equal(lowered[0]!.nice, 7);
    assert.ok(!before.has(lowered[0]!.tid), 'a thread the store started');
    assert.equal(threads(process.pid)[0]!.nice, 0, 'the main thread keeps its priority');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
