// Scale benchmark: one workspace at TaskRouter's maximum sizes — 15,000 workers, 5,000 queues — holding 500,000
// pending tasks. Seeds the database in process (the same engine and store commands the API runs, batched in
// large transactions so seeding does not take an hour), then starts the real server on it and measures the
// restart-to-ready time (process start until it answers, with the workspace's router built and its timers
// armed) and the server's resident memory (RSS) once ready and after one routing decision.
// The seeding runs in a child process that has exited before the server starts: done in this process, its
// 1.3 GB heap was still being collected and freed on the same 2 cores while the server loaded, adding 2 to 4 s
// to a restart that takes 8 s on a machine doing nothing else.
// Run: node --import tsx bench/scale.ts [workers=15000] [queues=5000] [tasks=500000]
import { compiledMain } from '../scripts/compiledServer.mjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { ensureBootstrapAccount } from '../src/auth/bootstrap.ts';
import { openStoredSecrets } from '../src/auth/storedSecrets.ts';
import { resolveKeySource } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import { createWorkspace } from '../src/engine/configuration/workspaces.ts';
import { createTaskQueue } from '../src/engine/configuration/taskQueues.ts';
import { createWorker } from '../src/engine/configuration/workers.ts';
import { createWorkflow } from '../src/engine/configuration/workflows.ts';
import { startChild } from '../test/support/childServer.ts';
import { machine } from './machine.ts';

const seeding = process.argv[2] === '--seed';
const [workers = 15_000, queues = 5_000, tasks = 500_000] = process.argv.slice(seeding ? 4 : 2).map(Number);
const dir = seeding ? process.argv[3]! : mkdtempSync(join(tmpdir(), 'switchboard-bench-scale-'));
const db = join(dir, 'scale.db');
const account = { sid: 'AC' + 'f6'.repeat(16), token: 'bench-token-scale' };
const FILTERS = Math.min(100, queues);

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

// 1. Seed (in a child process: this same file with --seed DIR, which prints what the rest needs and exits).
if (!seeding) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed', dir, String(workers), String(queues), String(tasks)], { maxBuffer: 1 << 20 });
  const seeded = JSON.parse(stdout.trim().split('\n').at(-1)!) as { workspaceSid: string; seedS: number; configuredS: number };
  await restart(seeded.workspaceSid, seeded.seedS, seeded.configuredS);
  process.exit(0);
}
const seedStart = performance.now();
const store = new SqliteStore(db);
ensureBootstrapAccount(store, await openStoredSecrets(store, resolveKeySource(undefined, {}, db), () => undefined), { accountSid: account.sid, authToken: account.token }, Date.now());
const engine = new Engine(store, { autoTimers: false });
const ctx = () => ({ accountSid: account.sid, now: Date.now() });
const ws = store.transaction((repo) => createWorkspace(repo, ctx(), { friendlyName: 'scale', template: 'FIFO' }));
// The FIFO template's "Sample Queue" (TargetWorkers 1==1) is queue 0, the all-agents queue.
const queueSids = store.transaction((repo) => [
  ...repo.findAll('taskQueue', { workspaceSid: ws.sid }).map((q) => q.sid),
  ...Array.from({ length: queues - 1 }, (_, i) => createTaskQueue(repo, ctx(), ws.sid, { friendlyName: `q${i + 1}`, targetWorkers: `skill == ${i + 1}` }).sid),
]);
for (let i = 0; i < workers; i += 1000) {
  store.transaction((repo) => {
    for (let k = i; k < Math.min(workers, i + 1000); k++) createWorker(repo, ctx(), ws.sid, { friendlyName: `agent-${k}`, attributes: JSON.stringify({ skill: k % queues }) });
  });
}
const configuration = JSON.stringify({
  task_routing: {
    filters: Array.from({ length: FILTERS }, (_, i) => ({ filter_friendly_name: `f${i}`, expression: `q == ${i}`, targets: [{ queue: queueSids[i] }] })),
    default_filter: { queue: queueSids[0] },
  },
});
const workflow = store.transaction((repo) => createWorkflow(repo, ctx(), ws.sid, { friendlyName: 'spread', configuration }));
await store.durable();
const configuredS = (performance.now() - seedStart) / 1000;
for (let i = 0; i < tasks; i += 5000) {
  engine.run(ctx(), ws.sid, (_repo, router) => {
    for (let k = i; k < Math.min(tasks, i + 5000); k++) router.createTask({ attributes: `{"q":${k % FILTERS}}`, workflowSid: workflow.sid, timeout: 86400 }, Date.now());
  });
  await store.durable();
}
engine.close();
store.close();
console.log(JSON.stringify({ workspaceSid: ws.sid, seedS: (performance.now() - seedStart) / 1000, configuredS }));
process.exit(0);

// 2. Restart: the real server process on that file.
async function restart(workspaceSid: string, seedS: number, configuredS: number): Promise<void> {
  const ws = { sid: workspaceSid };
  const t0 = performance.now();
  const server = await startChild({ SWITCHBOARD_DB: db, SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, SWITCHBOARD_RATE_LIMIT: '1000000' }, [], compiledMain());
  const readyS = (performance.now() - t0) / 1000;
  const pid = server.process.pid!;
  const rssReady = rssMiB(pid);
  // One routing decision: a worker of queue 1 becomes available and is offered that queue's oldest task.
  const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.token}`).toString('base64');
  const headers = { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' };
  const activities = await (await fetch(`${server.origin}/v1/Workspaces/${ws.sid}/Activities?FriendlyName=Available`, { headers })).json();
  const worker = (await (await fetch(`${server.origin}/v1/Workspaces/${ws.sid}/Workers?FriendlyName=agent-1`, { headers })).json()).workers[0];
  const d0 = performance.now();
  const moved = await fetch(`${server.origin}/v1/Workspaces/${ws.sid}/Workers/${worker.sid}`, { method: 'POST', headers, body: `ActivitySid=${activities.activities[0].sid}` });
  const decisionMs = performance.now() - d0;
  const reservations = await (await fetch(`${server.origin}/v1/Workspaces/${ws.sid}/Workers/${worker.sid}/Reservations`, { headers })).json();
  const rssAfter = rssMiB(pid);
  await server.kill('SIGTERM');

  console.log(`scale benchmark on ${machine()}`);
  console.log(`  workspace: ${workers.toLocaleString('en')} workers, ${queues.toLocaleString('en')} queues, ${tasks.toLocaleString('en')} pending tasks (seeded in ${seedS.toFixed(0)} s, configuration ${configuredS.toFixed(1)} s)`);
  console.log(`  restart to ready (process start to first answer, router built): ${readyS.toFixed(1)} s`);
  console.log(`  server RSS: ${rssReady.toFixed(0)} MiB when ready, ${rssAfter.toFixed(0)} MiB after a routing decision`);
  console.log(`  worker made available -> offered its queue's oldest task: ${decisionMs.toFixed(1)} ms (HTTP ${moved.status}, ${reservations.reservations?.length ?? 0} reservation)`);
  console.log(`RESULT ${JSON.stringify({ bench: 'scale', workers, queues, tasks, readyS, rssReadyMiB: rssReady, rssAfterMiB: rssAfter, decisionMs })}`);
  rmSync(dir, { recursive: true, force: true });
}
