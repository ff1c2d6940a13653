// Cluster benchmark: full task lifecycles/s (create over REST, reservation.created on a worker's WebSocket,
// accept over REST, complete over REST) with 1, 2 and 3 Switchboard nodes on one PostgreSQL server, and in
// the same run graphile-worker (a PostgreSQL job queue) doing add -> run -> complete of as many jobs as the
// 3-node run completed lifecycles. Everything runs on this one machine: PostgreSQL, the nodes, the load
// generators (bench/load/httpLoad.ts, one process per workspace) and graphile-worker.
//
// Six workspaces spread over the nodes by their leases (6, 3 or 2 per node); each workspace's load talks to the
// node that routes it, as a load balancer routing by workspace would (a `random` line shows the cost of landing
// on another node: the request is forwarded through the database).
// Run: node --import tsx bench/cluster.ts [seconds=8] [connectionsPerWorkspace=6]
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { Logger, makeWorkerUtils, run as runGraphile } from 'graphile-worker';
import { type ChildServer, startChild } from '../test/support/childServer.ts';
import { freshDatabase as freshDatabaseOn } from '../test/support/postgres.ts';
import { startPostgres } from '../scripts/postgres.mjs';
import { formatMasterKey, newMasterKey } from '../src/auth/secretBox.ts';
import { machine } from './machine.ts';

const [seconds = 8, perWorkspace = 6] = process.argv.slice(2).map(Number);
const WORKSPACES = 6;
const LOAD = fileURLToPath(new URL('./load/httpLoad.ts', import.meta.url));
const exec = promisify(execFile);
const account = { sid: 'AC' + 'e5'.repeat(16), token: 'bench-token-cluster' };
const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.token}`).toString('base64');

const server = await startPostgres({ maxConnections: 300 });
const freshDatabase = () => freshDatabaseOn('bench', server.url);

async function call(origin: string, method: string, path: string, form?: Record<string, string>): Promise<any> {
  const res = await fetch(origin + path, {
    method,
    headers: { authorization: auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const body = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Starts `n` nodes on a fresh database, creates the workspaces and waits until the leases are spread. */
async function cluster(n: number) {
  const url = await freshDatabase();
  // Every node holds the same master key of the stored secrets.
  const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, SWITCHBOARD_RATE_LIMIT: '1000000', SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) };
  const nodes: ChildServer[] = [await startChild(env)];
  for (let i = 1; i < n; i++) nodes.push(await startChild(env));
  const workspaces: { sid: string; workers: { sid: string; token: string }[] }[] = [];
  for (let w = 0; w < WORKSPACES; w++) {
    const origin = nodes[w % n]!.origin;
    const sid = (await call(origin, 'POST', '/v1/Workspaces', { FriendlyName: `bench-${w}`, Template: 'FIFO' })).sid;
    workspaces.push({ sid, workers: [] });
  }
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const share = Math.ceil(WORKSPACES / n);
  let owners = new Map<string, ChildServer>();
  for (let tries = 0; ; tries++) {
    const { rows } = await db.query(`SELECT workspace_sid, node_id FROM workspace_leases WHERE workspace_sid LIKE 'WS%' AND expires_at > now()`);
    owners = new Map(rows.map((r) => [r.workspace_sid, nodes.find((node) => r.node_id.includes(`-${node.process.pid}-`))!]));
    const perNode = nodes.map((node) => [...owners.values()].filter((o) => o === node).length);
    if (owners.size === WORKSPACES && perNode.every((c) => c <= share)) break;
    if (tries > 100) throw new Error(`leases did not spread: ${perNode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await db.end();
  // Workers and their tokens, created through the owner (any node would do).
  for (const ws of workspaces) {
    const origin = owners.get(ws.sid)!.origin;
    const available = (await call(origin, 'GET', `/v1/Workspaces/${ws.sid}/Activities?FriendlyName=Available`)).activities[0].sid;
    for (let i = 0; i < perWorkspace * 2; i++) {
      const sid = (await call(origin, 'POST', `/v1/Workspaces/${ws.sid}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: available })).sid;
      ws.workers.push({ sid, token: (await call(origin, 'POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws.sid, WorkerSid: sid })).token });
    }
  }
  return { nodes, workspaces, owners };
}

/** Runs one load process per workspace at once; returns lifecycles/s summed and the lifecycles completed. */
async function load(workspaces: { sid: string; workers: { sid: string; token: string }[] }[], originOf: (ws: string) => string) {
  const results = await Promise.all(
    workspaces.map(async (ws) => {
      const input = { origin: originOf(ws.sid), auth, workspace: ws.sid, mode: 'lifecycle', connections: perWorkspace, seconds, workers: ws.workers };
      const { stdout } = await exec(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(input)], { maxBuffer: 1 << 20 });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as { done: number; perSecond: number };
    }),
  );
  return { perSecond: results.reduce((a, r) => a + r.perSecond, 0), done: results.reduce((a, r) => a + r.done, 0) };
}

/** graphile-worker: `jobs` jobs added by `adders` concurrent producers while a runner with `concurrency`
 *  workers runs them (each job completes at once); jobs/s from the first add to the last completion. */
async function graphile(jobs: number, adders: number, concurrency: number): Promise<number> {
  const connectionString = await freshDatabase();
  const logger = new Logger(() => () => undefined);
  // One pool for both, ended here (graphile-worker's own pools outlive stop() and fail when the server stops).
  const pgPool = new pg.Pool({ connectionString, max: 20 });
  pgPool.on('error', () => undefined);
  const utils = await makeWorkerUtils({ pgPool, logger });
  await utils.migrate();
  let completed = 0;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const runner = await runGraphile({
    pgPool,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger,
    taskList: {
      lifecycle: async () => {
        if (++completed === jobs) allDone();
      },
    },
  });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: adders }, async () => {
      while (next < jobs) {
        next++;
        await utils.addJob('lifecycle', { n: next });
      }
    }),
  );
  await finished;
  const elapsed = (performance.now() - started) / 1000;
  await runner.stop();
  await utils.release();
  await pgPool.end();
  return jobs / elapsed;
}

const rows: string[] = [];
const figures: Record<string, number> = {};
let completedAt3 = 0;
try {
  for (const n of [1, 2, 3]) {
    const { nodes, workspaces, owners } = await cluster(n);
    try {
      const sticky = await load(workspaces, (ws) => owners.get(ws)!.origin);
      figures[`nodes${n}`] = sticky.perSecond;
      rows.push(`  ${n} node${n > 1 ? 's' : ' '}  ${Math.round(sticky.perSecond)} lifecycles/s (${sticky.done} in ${seconds} s)`);
      if (n === 3) {
        completedAt3 = sticky.done;
        // The same load sent to a node that does not route the workspace: every request is forwarded.
        const other = (ws: string) => nodes.find((node) => node !== owners.get(ws))!.origin;
        const forwarded = await load(workspaces, other);
        figures.nodes3Forwarded = forwarded.perSecond;
        rows.push(`  3 nodes  ${Math.round(forwarded.perSecond)} lifecycles/s with every request sent to a node that does not route its workspace (forwarded)`);
      }
    } finally {
      for (const node of nodes) await node.kill('SIGTERM');
    }
  }
  const jobsPerSecond = await graphile(completedAt3, WORKSPACES * perWorkspace, WORKSPACES * perWorkspace);
  figures.graphileJobs = jobsPerSecond;
  figures.ratio = figures.nodes3! / jobsPerSecond;
  console.log(`Cluster benchmark on ${machine()} (PostgreSQL 15, nodes, load generators and graphile-worker on this machine)`);
  console.log(`  ${WORKSPACES} workspaces, ${perWorkspace} concurrent lifecycles per workspace, ${seconds} s per run`);
  for (const row of rows) console.log(row);
  console.log(`  graphile-worker 0.16  ${Math.round(jobsPerSecond)} jobs/s (add -> run -> complete of ${completedAt3} jobs, ${WORKSPACES * perWorkspace} producers, concurrency ${WORKSPACES * perWorkspace})`);
  console.log(`  ratio Switchboard (3 nodes) / graphile-worker: ${figures.ratio.toFixed(2)}`);
  console.log(`RESULT ${JSON.stringify({ bench: 'cluster', ...figures })}`);
} finally {
  await server.stop();
}
