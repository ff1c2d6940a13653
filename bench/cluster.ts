// Cluster benchmark: full task lifecycles/s (create over REST, reservation.created on a worker's WebSocket,
// accept over REST, complete over REST) with one SQLite node, then 1, 2 and 3 Switchboard nodes on one
// PostgreSQL server, and in the same run graphile-worker (a PostgreSQL job queue) doing add -> run -> complete
// for the same duration. Each line also gives the CPU the nodes (and the PostgreSQL server) spent per
// lifecycle. Everything runs on this one machine: PostgreSQL, the nodes, the load generators
// (bench/load/httpLoad.ts, one process per workspace) and graphile-worker.
//
// Six workspaces spread over the nodes by their leases (6, 3 or 2 per node); each workspace's load talks to the
// node that routes it, as a load balancer routing by workspace would (a `random` line shows the cost of landing
// on another node: the request is forwarded through the database).
// Each configuration first runs the same load for `warmup` seconds, unmeasured, and so does graphile-worker: a
// fresh node compiles its request path while it serves its first few thousand lifecycles (V8 tiers a function up
// once it has run often enough), and in the first 8 s on three PostgreSQL nodes, each seeing a third of the
// load, 20-30% of the nodes' CPU went to the optimizing compiler (perf record). Measured cold, the run compared
// warm-ups, and three nodes paid three of them. The load generators warm up with them: the same processes
// run on into the measured window (bench/load/loadRun.ts), not fresh ones that compile their own code in it.
// Run: node --import tsx bench/cluster.ts [seconds=8] [connectionsPerWorkspace=6] [warmup=15]
import { compiledMain } from './compiledServer.ts';
import pg from 'pg';
import { Logger, makeWorkerUtils, run as runGraphile } from 'graphile-worker';
import { type ChildServer, startChild } from '../test/support/childServer.ts';
import { freshDatabase as freshDatabaseOn } from '../test/support/postgres.ts';
import { startPostgres } from '../scripts/postgres.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMasterKey, newMasterKey } from '../src/auth/secretBox.ts';
import { machine } from './machine.ts';
import { cpuMicrosPerOp, processCpuSeconds, treeCpuSeconds } from './processCpu.ts';
import { runLoads } from './load/loadRun.ts';

const [seconds = 8, perWorkspace = 6, warmup = 15] = process.argv.slice(2).map(Number);
const WORKSPACES = 6;
const account = { sid: 'AC' + 'e5'.repeat(16), token: 'bench-token-cluster' };
const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.token}`).toString('base64');

const server = await startPostgres({ maxConnections: 300 });
/** The databases of the configurations run so far. */
const earlierDatabases: string[] = [];
/**
 * A database for the next configuration, on a server with nothing left to write. Every configuration writes a few
 * hundred MiB of WAL, so the server's own checkpoint (at max_wal_size, 1 GiB) fell in whichever ran third: the
 * checkpointer wrote back ~2,000 buffers during the 3-node window (pg_stat_bgwriter), and 3 nodes measured
 * 0.61 to 0.83 of 1 node in runs where a fresh server gave 0.95 to 1.0. A CHECKPOINT before each configuration
 * starts them all alike (and restarts the 5-minute timer of the next one). The earlier configurations'
 * databases are dropped first: autovacuum would otherwise work through their tables during a later window
 * (graphile-worker, last, once measured 436 jobs/s at 3,522 µs of PostgreSQL CPU per job in a run where it
 * usually does 800 to 990 at about 1,000).
 */
async function freshDatabase(): Promise<string> {
  const db = new pg.Client({ connectionString: server.url });
  await db.connect();
  try {
    for (const name of earlierDatabases.splice(0)) await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const url = await freshDatabaseOn('bench', server.url);
    earlierDatabases.push(new URL(url).pathname.slice(1));
    await db.query('CHECKPOINT');
    return url;
  } finally {
    await db.end();
  }
}

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

/** Starts `n` nodes on a fresh database (or one on a SQLite file), creates the workspaces and waits until
 *  the leases are spread. */
async function cluster(n: number, sqlite?: string) {
  // Every node holds the same master key of the stored secrets.
  const url = sqlite ?? (await freshDatabase());
  const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, SWITCHBOARD_RATE_LIMIT: '1000000', SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) };
  const nodes: ChildServer[] = [await startChild(env, [], compiledMain())];
  for (let i = 1; i < n; i++) nodes.push(await startChild(env, [], compiledMain()));
  const workspaces: { sid: string; workers: { sid: string; token: string }[] }[] = [];
  for (let w = 0; w < WORKSPACES; w++) {
    const origin = nodes[w % n]!.origin;
    const sid = (await call(origin, 'POST', '/v1/Workspaces', { FriendlyName: `bench-${w}`, Template: 'FIFO' })).sid;
    workspaces.push({ sid, workers: [] });
  }
  if (sqlite) {
    const owners = new Map(workspaces.map((ws) => [ws.sid, nodes[0]!]));
    await addWorkers(workspaces, owners);
    return { nodes, workspaces, owners };
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
  await addWorkers(workspaces, owners);
  return { nodes, workspaces, owners };
}

/** Workers and their tokens, created through the owner (any node would do). */
async function addWorkers(workspaces: { sid: string; workers: { sid: string; token: string }[] }[], owners: Map<string, ChildServer>) {
  for (const ws of workspaces) {
    const origin = owners.get(ws.sid)!.origin;
    const available = (await call(origin, 'GET', `/v1/Workspaces/${ws.sid}/Activities?FriendlyName=Available`)).activities[0].sid;
    for (let i = 0; i < perWorkspace * 2; i++) {
      const sid = (await call(origin, 'POST', `/v1/Workspaces/${ws.sid}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: available })).sid;
      ws.workers.push({ sid, token: (await call(origin, 'POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws.sid, WorkerSid: sid })).token });
    }
  }
}

/** Runs one load process per workspace at once, first for `warmup` seconds unmeasured, then for `seconds`
 *  (the same processes, warm: bench/load/loadRun.ts); returns lifecycles/s summed, the lifecycles completed,
 *  and the CPU per lifecycle of the nodes and of the PostgreSQL server over the measured window. */
async function load(workspaces: { sid: string; workers: { sid: string; token: string }[] }[], originOf: (ws: string) => string, nodes: ChildServer[]) {
  const nodesCpu = () => nodes.reduce((sum, node) => sum + processCpuSeconds(node.process.pid!), 0);
  const before = { nodes: 0, pg: 0 };
  const after = { nodes: 0, pg: 0 };
  const results = await runLoads(
    workspaces.map((ws) => ({ origin: originOf(ws.sid), auth, workspace: ws.sid, mode: 'lifecycle' as const, connections: perWorkspace, workers: ws.workers })),
    {
      warmup,
      seconds,
      onOpen: () => Object.assign(before, { nodes: nodesCpu(), pg: treeCpuSeconds(server.pid()) }),
      onClose: () => Object.assign(after, { nodes: nodesCpu(), pg: treeCpuSeconds(server.pid()) }),
    },
  );
  const done = results.reduce((a, r) => a + r.done, 0);
  return {
    perSecond: results.reduce((a, r) => a + r.perSecond, 0),
    done,
    nodesCpuUs: cpuMicrosPerOp(before.nodes, after.nodes, done),
    pgCpuUs: cpuMicrosPerOp(before.pg, after.pg, done),
  };
}

/** graphile-worker for `warmup` seconds unmeasured, then `seconds`: `adders` concurrent producers add jobs back
 *  to back while a runner with `concurrency` workers runs them (each job completes at once); jobs completed in
 *  the measured window per second, and the PostgreSQL server's CPU per job. */
async function graphile(adders: number, concurrency: number): Promise<{ perSecond: number; pgCpuUs: number }> {
  const connectionString = await freshDatabase();
  const logger = new Logger(() => () => undefined);
  // One pool for both, ended here (graphile-worker's own pools outlive stop() and fail when the server stops).
  const pgPool = new pg.Pool({ connectionString, max: 20 });
  pgPool.on('error', () => undefined);
  const utils = await makeWorkerUtils({ pgPool, logger });
  await utils.migrate();
  let completed = 0;
  let counting = false;
  const runner = await runGraphile({
    pgPool,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger,
    taskList: {
      lifecycle: async () => {
        if (counting) completed++;
      },
    },
  });
  let next = 0;
  const addFor = (duration: number) => {
    const deadline = performance.now() + duration * 1000;
    return Promise.all(
      Array.from({ length: adders }, async () => {
        while (performance.now() < deadline) await utils.addJob('lifecycle', { n: ++next });
      }),
    );
  };
  if (warmup > 0) await addFor(warmup);
  const pgBefore = treeCpuSeconds(server.pid());
  counting = true;
  await addFor(seconds);
  counting = false;
  const pgCpuUs = cpuMicrosPerOp(pgBefore, treeCpuSeconds(server.pid()), completed);
  await runner.stop();
  await utils.release();
  await pgPool.end();
  return { perSecond: completed / seconds, pgCpuUs };
}

const rows: string[] = [];
const figures: Record<string, number> = {};
const cpu = (r: { nodesCpuUs: number; pgCpuUs?: number }) => `; CPU per lifecycle: nodes ${Math.round(r.nodesCpuUs)} µs${r.pgCpuUs === undefined ? '' : `, PostgreSQL ${Math.round(r.pgCpuUs)} µs`}`;
const sqliteDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-cluster-'));
try {
  // One SQLite node in the same run, for the PostgreSQL node to be compared with.
  {
    const { nodes, workspaces } = await cluster(1, join(sqliteDir, 'one.db'));
    try {
      const one = await load(workspaces, () => nodes[0]!.origin, nodes);
      figures.sqlite1 = one.perSecond;
      figures.sqlite1CpuUs = one.nodesCpuUs;
      rows.push(`  1 node on SQLite      ${Math.round(one.perSecond)} lifecycles/s (${one.done} in ${seconds} s)${cpu({ nodesCpuUs: one.nodesCpuUs })}`);
    } finally {
      for (const node of nodes) await node.kill('SIGTERM');
    }
  }
  for (const n of [1, 2, 3]) {
    const { nodes, workspaces, owners } = await cluster(n);
    try {
      const sticky = await load(workspaces, (ws) => owners.get(ws)!.origin, nodes);
      figures[`nodes${n}`] = sticky.perSecond;
      figures[`nodes${n}CpuUs`] = sticky.nodesCpuUs;
      figures[`nodes${n}PgCpuUs`] = sticky.pgCpuUs;
      rows.push(`  ${n} node${n > 1 ? 's' : ' '} on PostgreSQL ${Math.round(sticky.perSecond)} lifecycles/s (${sticky.done} in ${seconds} s)${cpu(sticky)}`);
      if (n === 3) {
        // The same load sent to a node that does not route the workspace: every request is forwarded.
        const other = (ws: string) => nodes.find((node) => node !== owners.get(ws))!.origin;
        const forwarded = await load(workspaces, other, nodes);
        figures.nodes3Forwarded = forwarded.perSecond;
        rows.push(`  3 nodes, forwarded   ${Math.round(forwarded.perSecond)} lifecycles/s with every request sent to a node that does not route its workspace${cpu(forwarded)}`);
      }
    } finally {
      for (const node of nodes) await node.kill('SIGTERM');
    }
  }
  const g = await graphile(WORKSPACES * perWorkspace, WORKSPACES * perWorkspace);
  figures.graphileJobs = g.perSecond;
  figures.graphilePgCpuUs = g.pgCpuUs;
  figures.ratio = figures.nodes3! / g.perSecond;
  figures.pgToSqlite = figures.nodes1! / figures.sqlite1!;
  figures.threeToOne = figures.nodes3! / figures.nodes1!;
  console.log(`Cluster benchmark on ${machine()} (PostgreSQL 15, nodes, load generators and graphile-worker on this machine)`);
  console.log(`  ${WORKSPACES} workspaces, ${perWorkspace} concurrent lifecycles per workspace, ${seconds} s per run after ${warmup} s of warm-up`);
  for (const row of rows) console.log(row);
  console.log(`  graphile-worker 0.16  ${Math.round(g.perSecond)} jobs/s (add -> run -> complete for ${seconds} s, ${WORKSPACES * perWorkspace} producers, concurrency ${WORKSPACES * perWorkspace}); PostgreSQL CPU ${Math.round(g.pgCpuUs)} µs per job`);
  console.log(`  1 PostgreSQL node / 1 SQLite node: ${figures.pgToSqlite.toFixed(2)}   3 nodes / 1 node: ${figures.threeToOne.toFixed(2)}   3 nodes / graphile-worker: ${figures.ratio.toFixed(2)}`);
  console.log(`RESULT ${JSON.stringify({ bench: 'cluster', ...figures })}`);
} finally {
  rmSync(sqliteDir, { recursive: true, force: true });
  await server.stop();
}
