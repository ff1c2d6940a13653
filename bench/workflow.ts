// Workflow-face benchmark against the real server process (durable SQLite), driven over HTTP from this process:
//   * transitions/s: 16 concurrent clients each create a task with a trigger (create + transition) and fire a
//     second trigger, for `seconds`;
//   * asAt reads: p50/p99 of GET /api/tasks/{id}?asAt= on a task with 50 versions;
//   * actions/s: transitions that submit a CreateChildTasks action, until every child exists;
//   * lists: p50/p99 of GET /api/tasks pages over `listTasks` tasks of one account (the tasks beyond those the
//     other phases made are written straight into the database while the server is stopped, then it restarts):
//     a filtered page (state and a range of a Decimal field), the same sorted by that field, and a board-like
//     page (one state, newest first) whose filter matches most of the tasks. Filtered, sorted and paged in SQL.
// Run: node --import tsx bench/workflow.ts [seconds=5] [listTasks=100000] [listRuns=200]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './benchServer.ts';
import { latencies, machine } from './machine.ts';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { createTask } from '../src/workflow/taskCommands.ts';

/** CPU time (user + system) a process has used, in ms, from /proc (Linux; clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Brings the account's tasks up to `total` with tasks of bench/flow in state A (n = 0, 1, ...), written
 *  through the same command the API runs, straight into the stopped server's database. */
function seedTasks(path: string, accountSid: string, total: number): number {
  const store = new SqliteStore(path, { synchronous: 'NORMAL' });
  try {
    let count = store.read((repo) => repo.count('wfTask', { accountSid }));
    for (let n = 0; count < total; ) {
      store.transaction((repo) => {
        for (let i = 0; i < 2000 && count < total; i++, n++, count++) {
          createTask(repo, { accountSid, userId: accountSid, requestId: `seed-${n}`, now: Date.now() }, { scope: 'bench', code: 'flow' }, { fields: [{ name: 'n', value: n }] });
        }
      });
    }
    return count;
  } finally {
    store.close();
  }
}

const [seconds = 5, listTasks = 100_000, listRuns = 200] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-workflow-'));
const account = { sid: 'AC' + 'e5'.repeat(16), token: 'bench-token-workflow' };
const db = join(dir, 'bench.db');
let { server, json: call } = await startBenchServer(db, account);

const definition = {
  id: { scope: 'bench', code: 'flow' },
  displayName: 'Bench flow',
  states: [{ name: 'A' }, { name: 'B' }, { name: 'C' }, { name: 'D' }],
  fieldSchema: [{ name: 'n', type: 'Decimal' }, { name: 'note', type: 'String' }],
  initialState: { name: 'A', requiredFields: ['n'] },
  triggers: [{ name: 'start' }, { name: 'finish' }, { name: 'spawn' }, { name: 'touch' }],
  transitions: [
    { fromState: 'A', toState: 'B', trigger: 'start', guard: "fields['n'] gte 0" },
    { fromState: 'B', toState: 'C', trigger: 'finish', guard: 'UserCreated eq CurrentUser' },
    { fromState: 'A', toState: 'D', trigger: 'spawn', action: 'children' },
    { fromState: 'A', toState: 'A', trigger: 'touch' },
  ],
  actions: [{ name: 'children', actionDetails: { type: 'CreateChildTasks', childTaskConfigurations: [{ taskDefinitionId: { scope: 'bench', code: 'child' } }] } }],
};

try {
  await call('POST', '/api/taskdefinitions', { id: { scope: 'bench', code: 'child' }, displayName: 'Child', states: [{ name: 'New' }], initialState: { name: 'New' } });
  await call('POST', '/api/taskdefinitions', definition);
  const create = (n: number, trigger = '') => call('POST', `/api/tasks${trigger ? `?trigger=${trigger}` : ''}`, { taskDefinitionId: { scope: 'bench', code: 'flow' }, fields: [{ name: 'n', value: n }] });

  // Transitions: create-with-trigger then a second trigger, 16 clients.
  let transitions = 0;
  const until = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async (_, c) => {
      for (let i = 0; Date.now() < until; i++) {
        const t = await create(c * 1e6 + i, 'start');
        await call('POST', `/api/tasks/${t.id}?trigger=finish`);
        transitions += 2;
      }
    }),
  );
  const transitionsPerSecond = transitions / ((performance.now() - t0) / 1000);

  // asAt reads of a task with 50 versions.
  const versioned = await create(1);
  const stamps: string[] = [versioned.version.asAtModified];
  for (let i = 0; i < 49; i++) stamps.push((await call('POST', `/api/tasks/${versioned.id}?trigger=touch`, { fields: [{ name: 'note', value: `v${i}` }] })).version.asAtModified);
  const asAt = await latencies(500, (i) => call('GET', `/api/tasks/${versioned.id}?asAt=${stamps[i % stamps.length]}`));

  // CreateChildTasks: 500 transitions that each submit one (8 clients), until every child exists: the
  // submit path and the runner share the process, so this is their combined throughput.
  const a0 = performance.now();
  const parents: string[] = [];
  for (let i = 0; i < 500; i += 8) parents.push(...(await Promise.all(Array.from({ length: Math.min(8, 500 - i) }, (_, k) => create(i + k, 'spawn')))).map((t) => t.id));
  for (const id of parents) {
    while ((await call('GET', `/api/tasks/${id}`)).childTasks.length === 0) await new Promise((r) => setTimeout(r, 2));
  }
  const actionsPerSecond = 500 / ((performance.now() - a0) / 1000);

  // Lists over listTasks tasks: the rest written straight into the database (state A, n = 0, 1, 2, ...).
  await server.kill('SIGTERM');
  const seeded = seedTasks(db, account.sid, listTasks);
  ({ server, json: call } = await startBenchServer(db, account));
  // Each query's latencies, and the server process's CPU time per request (less sensitive to a busy machine).
  const page = async (query: string) => {
    const pid = server.process.pid!;
    await call('GET', `/api/tasks?${query}`);
    const cpu0 = processCpuMs(pid);
    const result = await latencies(listRuns, () => call('GET', `/api/tasks?${query}`));
    return { ...result, cpuMs: (processCpuMs(pid) - cpu0) / listRuns };
  };
  const range = `filter=${encodeURIComponent("state eq 'A' and fields['n'] gte 9990 and fields['n'] lt 10000")}&limit=10`;
  const list = await page(range);
  const sorted = await page(`${range}&sortBy=${encodeURIComponent("fields['n'] DESC")}`);
  const board = await page(`filter=${encodeURIComponent("state eq 'A'")}&sortBy=${encodeURIComponent('version.asAtCreated DESC')}&limit=20`);
  if (sorted.last.values.length !== 10 || board.last.values.length !== 20) throw new Error('the list queries did not find the seeded tasks');

  console.log(`Workflow-face benchmark on ${machine()} (server process with durable SQLite, client in this process)`);
  console.log(`  transitions/s (16 clients, create+trigger then trigger): ${Math.round(transitionsPerSecond)}`);
  console.log(`  GET task asAt (50 versions): p50 ${asAt.p50.toFixed(2)} ms  p99 ${asAt.p99.toFixed(2)} ms`);
  console.log(`  CreateChildTasks: transition + action + child, end to end: ${Math.round(actionsPerSecond)}/s`);
  console.log(`  lists over ${seeded} tasks (${listRuns} runs each, over HTTP):`);
  console.log(`    filtered page (state, field range):         p50 ${list.p50.toFixed(2)} ms  p99 ${list.p99.toFixed(2)} ms  server CPU ${list.cpuMs.toFixed(2)} ms/request`);
  console.log(`    filtered page sorted by the field (DESC):   p50 ${sorted.p50.toFixed(2)} ms  p99 ${sorted.p99.toFixed(2)} ms  server CPU ${sorted.cpuMs.toFixed(2)} ms/request`);
  console.log(`    board page (one state, newest first, 20):   p50 ${board.p50.toFixed(2)} ms  p99 ${board.p99.toFixed(2)} ms  server CPU ${board.cpuMs.toFixed(2)} ms/request`);
  console.log(
    `RESULT ${JSON.stringify({ bench: 'workflow', transitionsPerSecond, asAtP50: asAt.p50, asAtP99: asAt.p99, actionsPerSecond, listTasks: seeded, listP50: list.p50, listP99: list.p99, sortedListP50: sorted.p50, sortedListP99: sorted.p99, boardListP50: board.p50, boardListP99: board.p99, listCpuMs: list.cpuMs, sortedListCpuMs: sorted.cpuMs, boardListCpuMs: board.cpuMs })}`,
  );
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
