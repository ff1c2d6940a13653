// Workflow-face benchmark against the real server process (durable SQLite), driven over HTTP from this process:
//   * transitions/s: 16 concurrent clients each create a task with a trigger (create + transition) and fire a
//     second trigger, for `seconds`;
//   * asAt reads: p50/p99 of GET /api/tasks/{id}?asAt= on a task with 50 versions;
//   * list: p50/p99 of a filtered GET /api/tasks page over `listTasks` tasks of one account;
//   * actions/s: transitions that submit a CreateChildTasks action, until every child exists.
// Run: node --import tsx bench/workflow.ts [seconds=5] [listTasks=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './benchServer.ts';
import { latencies, machine } from './machine.ts';

const [seconds = 5, listTasks = 10_000] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-workflow-'));
const account = { sid: 'AC' + 'e5'.repeat(16), token: 'bench-token-workflow' };
const { server, json: call } = await startBenchServer(join(dir, 'bench.db'), account);

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

  // A filtered list page over listTasks tasks (the transitions phase made some already).
  const have = (await call('GET', `/api/tasks?limit=5000`)).values.length;
  for (let i = have; i < listTasks; i += 16) await Promise.all(Array.from({ length: Math.min(16, listTasks - i) }, (_, k) => create(i + k)));
  const filter = encodeURIComponent("state eq 'A' and fields['n'] gte 9990 and fields['n'] lt 10000");
  const list = await latencies(30, () => call('GET', `/api/tasks?filter=${filter}&limit=10`));

  // CreateChildTasks: 500 transitions that each submit one (8 clients), until every child exists: the
  // submit path and the runner share the process, so this is their combined throughput.
  const a0 = performance.now();
  const parents: string[] = [];
  for (let i = 0; i < 500; i += 8) parents.push(...(await Promise.all(Array.from({ length: Math.min(8, 500 - i) }, (_, k) => create(i + k, 'spawn')))).map((t) => t.id));
  for (const id of parents) {
    while ((await call('GET', `/api/tasks/${id}`)).childTasks.length === 0) await new Promise((r) => setTimeout(r, 2));
  }
  const actionsPerSecond = 500 / ((performance.now() - a0) / 1000);

  console.log(`Workflow-face benchmark on ${machine()} (server process with durable SQLite, client in this process)`);
  console.log(`  transitions/s (16 clients, create+trigger then trigger): ${Math.round(transitionsPerSecond)}`);
  console.log(`  GET task asAt (50 versions): p50 ${asAt.p50.toFixed(2)} ms  p99 ${asAt.p99.toFixed(2)} ms`);
  console.log(`  filtered list page over ${listTasks} tasks: p50 ${list.p50.toFixed(1)} ms  p99 ${list.p99.toFixed(1)} ms`);
  console.log(`  CreateChildTasks: transition + action + child, end to end: ${Math.round(actionsPerSecond)}/s`);
  console.log(`RESULT ${JSON.stringify({ bench: 'workflow', transitionsPerSecond, asAtP50: asAt.p50, asAtP99: asAt.p99, listP50: list.p50, listP99: list.p99, listTasks, actionsPerSecond })}`);
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
