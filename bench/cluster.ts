// Cluster benchmark: full task lifecycles/s (create over REST, reservation.created on a worker's WebSocket,
// accept over REST, complete over REST) with one SQLite node, then 1, 2 and 3 Switchboard nodes on one
// PostgreSQL server, and in the same run graphile-worker (a PostgreSQL job queue) doing add -> run -> complete
// for the same duration. Each line also gives the CPU the nodes (and the PostgreSQL server) spent per
// lifecycle. Everything runs on this one machine: PostgreSQL, the nodes, the load generators
// (bench/load/httpLoad.ts, one process per workspace) and graphile-worker.
//
// Six workspaces spread over the nodes by their leases (6, 3 or 2 per node); each workspace's load talks to the
// node that routes it, as a load balancer routing by workspace would (the `forwarded` line shows the cost of
// landing on another node, requests and sockets: each request is forwarded to the owner's URL and each socket
// relayed to it, or through the database when the nodes publish no URL: SWITCHBOARD_NODE_URL=off).
// Each configuration first runs the same load for `warmup` seconds, unmeasured, and so does graphile-worker: a
// fresh node compiles its request path while it serves its first few thousand lifecycles (V8 tiers a function up
// once it has run often enough), and in the first 8 s on three PostgreSQL nodes, each seeing a third of the
// load, 20-30% of the nodes' CPU went to the optimizing compiler (perf record). Measured cold, the run compared
// warm-ups, and three nodes paid three of them. The load generators warm up with them: the same processes
// run on into the measured window (bench/load/loadRun.ts), not fresh ones that compile their own code in it.
// The machine's speed drifts by up to 1.7x within minutes, and one slow spell in one configuration's window made
// a ratio of two configurations say more about the spell than about the configurations (3 nodes / 1 node 0.84
// and 1.23 in two runs 10 minutes apart): so the configurations run in `rounds` rounds, each in the reverse
// order of the one before, each ratio is taken within a round, and the figures are the rounds' medians.
// Run: node --import tsx bench/cluster.ts [seconds=8] [connectionsPerWorkspace=6] [warmup=15] [rounds=3]
//   CLUSTER_CONFIGS=nodes1,nodes3 runs only those configurations (of sqlite1, nodes1, nodes2, nodes3, graphile;
//   the forwarded line runs with all of them), and CLUSTER_MAIN=path/to/dist/main.js runs another build's
//   server: `npm run bench:compare -- A B cluster` alternates two revisions through both.
import { compiledMain } from '../scripts/compiledServer.mjs';
import pg from 'pg';
import { Logger, makeWorkerUtils, run as runGraphile } from 'graphile-worker';
import { type ChildServer, startChild } from '../test/support/childServer.ts';
import { BENCH_SERVER_ENV } from './benchServer.ts';
import { freshDatabase as freshDatabaseOn, withPostgresClient } from '../test/support/postgres.ts';
import { startPostgres } from '../scripts/postgres.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMasterKey, newMasterKey } from '../src/auth/secretBox.ts';
import { machine, median } from './machine.ts';
import { commitGroupsBetween, type CommitGroups, commitTotals, type CommitTotals, describeCommitGroups } from './commitGroups.ts';
import { cpuMicrosPerOp, processCpuSeconds, treeCpuSeconds, treePids } from './processCpu.ts';
import { contextSwitches, type Switches, switchesPerOp } from './contextSwitches.ts';
import { runLoads } from './load/loadRun.ts';

const [seconds = 8, perWorkspace = 6, warmup = 15, rounds = 3] = process.argv.slice(2).map(Number);
/** The server the nodes run: this checkout's build, or another's (bench/compare.ts). */
const MAIN = process.env.CLUSTER_MAIN || compiledMain();
// Checked before PostgreSQL starts, so that a mistyped name leaves nothing running.
const ALL_CONFIGURATIONS: Configuration[] = ['sqlite1', 'nodes1', 'nodes2', 'nodes3', 'graphile'];
const asked = process.env.CLUSTER_CONFIGS ? process.env.CLUSTER_CONFIGS.split(',').filter(Boolean) : ALL_CONFIGURATIONS;
const CONFIGURATIONS = ALL_CONFIGURATIONS.filter((c) => asked.includes(c));
if (CONFIGURATIONS.length === 0 || asked.some((c) => !ALL_CONFIGURATIONS.includes(c as Configuration))) {
  throw new Error(`CLUSTER_CONFIGS=${process.env.CLUSTER_CONFIGS}: a comma-separated list of ${ALL_CONFIGURATIONS.join(', ')}`);
}
const everyConfiguration = CONFIGURATIONS.length === ALL_CONFIGURATIONS.length;
const ran = (c: Configuration) => CONFIGURATIONS.includes(c);
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
  return withPostgresClient(server.url, async (db) => {
    for (const name of earlierDatabases.splice(0)) await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const url = await freshDatabaseOn('bench', server.url);
    earlierDatabases.push(new URL(url).pathname.slice(1));
    await db.query('CHECKPOINT');
    return url;
  });
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
  const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, ...BENCH_SERVER_ENV, SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) };
  const nodes: ChildServer[] = [await startChild(env, [], MAIN)];
  for (let i = 1; i < n; i++) nodes.push(await startChild(env, [], MAIN));
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
  return { nodes, workspaces, owners, database: url };
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

/**
 * ANALYZE of a configuration's database, halfway through its warm-up. Its tables are new, and autovacuum visits a
 * database once a minute at most, so within a configuration's 25 s nothing analyzed them: a node's prepared
 * statements kept the generic plans made while the tables were a few pages long, and in one 3-node run one
 * node's batched reservation updates scanned the whole table (642 sequential scans, 3 million rows read in the
 * window, 960 µs a statement against 80 in another run). A database in service has been analyzed since its
 * tables grew (docs/operations.md, "A young database"); an ANALYZE invalidates the cached plans.
 */
async function analyze(url: string): Promise<void> {
  await withPostgresClient(url, (db) => db.query('ANALYZE'));
}

/** The next transaction id PostgreSQL will assign: only transactions that write take one, so the difference
 *  over a window counts the commit groups (and the nodes' lease renewals and other background writes). */
async function nextTransactionId(url: string): Promise<number> {
  return withPostgresClient(url, async (db) => Number((await db.query('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')).rows[0].x));
}

/** Runs one load process per workspace at once, first for `warmup` seconds unmeasured, then for `seconds`
 *  (the same processes, warm: bench/load/loadRun.ts); returns lifecycles/s summed, the lifecycles completed,
 *  and per lifecycle over the measured window: the CPU of the nodes and of the PostgreSQL server, the
 *  PostgreSQL transactions that wrote (commit groups, mostly), and the processes' context switches. */
async function load(workspaces: { sid: string; workers: { sid: string; token: string }[] }[], originOf: (ws: string) => string, nodes: ChildServer[], database?: string) {
  const nodesCpu = () => nodes.reduce((sum, node) => sum + processCpuSeconds(node.process.pid!), 0);
  const before = { nodes: 0, pg: 0 };
  const after = { nodes: 0, pg: 0 };
  const nodePids = nodes.map((node) => node.process.pid!);
  const switches = () => ({ nodes: contextSwitches(nodePids), pg: contextSwitches(treePids(server.pid())) });
  let switchesBefore = switches();
  let switchesAfter = switchesBefore;
  let transactions: [Promise<number>, Promise<number>] | undefined;
  let commits: [Promise<CommitTotals[]>, Promise<CommitTotals[]>] | undefined;
  const origins = nodes.map((node) => node.origin);
  let analyzed: Promise<void> | undefined;
  const results = await runLoads(
    workspaces.map((ws) => ({ origin: originOf(ws.sid), auth, workspace: ws.sid, mode: 'lifecycle' as const, connections: perWorkspace, workers: ws.workers })),
    {
      warmup,
      seconds,
      onWarmup: () => {
        if (database) setTimeout(() => (analyzed = analyze(database)), (warmup * 1000) / 2);
        // The window's own /metrics scrapes (below), once in the warm-up too: a node's first scrape is a request
        // of another shape (route context, request and reply objects), and V8 threw away the optimized code of
        // the request path when it came (about 30 "wrong map" deoptimizations per node, --log-deopt), which at
        // the window's start left each node running unoptimized code for its first seconds. A node in service is
        // scraped all along. Only the scrape matters here, not its figures: a node that fails to answer it fails
        // the window's own scrape, with its error.
        setTimeout(() => commitTotals(origins).catch(() => undefined), (warmup * 1000) / 2);
      },
      onOpen: () => {
        Object.assign(before, { nodes: nodesCpu(), pg: treeCpuSeconds(server.pid()) });
        switchesBefore = switches();
        if (database) transactions = [nextTransactionId(database), Promise.resolve(0)];
        commits = [commitTotals(origins), Promise.resolve([])];
      },
      onClose: () => {
        Object.assign(after, { nodes: nodesCpu(), pg: treeCpuSeconds(server.pid()) });
        switchesAfter = switches();
        if (transactions) transactions[1] = nextTransactionId(database!);
        if (commits) commits[1] = commitTotals(origins);
      },
    },
  );
  await analyzed;
  const done = results.reduce((a, r) => a + r.done, 0);
  const [first, last] = transactions ? await Promise.all(transactions) : [NaN, NaN];
  const [commitsBefore, commitsAfter] = commits ? await Promise.all(commits) : [[], []];
  return {
    commitGroups: commitGroupsBetween(commitsBefore, commitsAfter, seconds),
    perSecond: results.reduce((a, r) => a + r.perSecond, 0),
    done,
    nodesCpuUs: cpuMicrosPerOp(before.nodes, after.nodes, done),
    pgCpuUs: cpuMicrosPerOp(before.pg, after.pg, done),
    writeTransactions: (last - first) / done,
    nodesSwitches: switchesPerOp(switchesBefore.nodes, switchesAfter.nodes, done),
    pgSwitches: switchesPerOp(switchesBefore.pg, switchesAfter.pg, done),
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
  // Its tables analyzed halfway through the warm-up too, as the nodes' are (see analyze()).
  const analyzed = new Promise((resolve) => setTimeout(resolve, (warmup * 1000) / 2)).then(() => analyze(connectionString));
  if (warmup > 0) await addFor(warmup);
  await analyzed;
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

/** One configuration's measured window. */
interface Measured {
  perSecond: number;
  done: number;
  nodesCpuUs?: number;
  pgCpuUs?: number;
  /** Per node: its commit groups over the window (bench/commitGroups.ts). */
  commitGroups?: CommitGroups[];
  /** Per lifecycle: PostgreSQL transactions that wrote, and context switches. */
  writeTransactions?: number;
  nodesSwitches?: Switches;
  pgSwitches?: Switches;
}
type Configuration = 'sqlite1' | 'nodes1' | 'nodes2' | 'nodes3' | 'graphile';
const measured: Record<Configuration, Measured[]> = { sqlite1: [], nodes1: [], nodes2: [], nodes3: [], graphile: [] };
let forwarded: Measured | undefined;
const sqliteDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-cluster-'));

/** Runs one configuration (the forwarded 3-node line too, when `forward`). */
async function run(configuration: Configuration, round: number, forward: boolean): Promise<Measured> {
  if (configuration === 'graphile') {
    const g = await graphile(WORKSPACES * perWorkspace, WORKSPACES * perWorkspace);
    return { perSecond: g.perSecond, done: Math.round(g.perSecond * seconds), pgCpuUs: g.pgCpuUs };
  }
  const n = Number(configuration.slice(-1));
  // One SQLite node in the same run, for the PostgreSQL node to be compared with.
  const { nodes, workspaces, owners, database } = await cluster(n, configuration === 'sqlite1' ? join(sqliteDir, `one-${round}.db`) : undefined);
  try {
    const sticky = await load(workspaces, (ws) => owners.get(ws)!.origin, nodes, database);
    if (forward) {
      // The same load sent to a node that does not route the workspace: every request is forwarded.
      const other = (ws: string) => nodes.find((node) => node !== owners.get(ws))!.origin;
      forwarded = await load(workspaces, other, nodes, database);
    }
    return configuration === 'sqlite1' ? { perSecond: sticky.perSecond, done: sticky.done, nodesCpuUs: sticky.nodesCpuUs, nodesSwitches: sticky.nodesSwitches } : sticky;
  } finally {
    for (const node of nodes) await node.kill('SIGTERM');
  }
}

const cpu = (r: Measured) =>
  `${r.nodesCpuUs === undefined ? '' : `nodes ${Math.round(r.nodesCpuUs)} µs`}${r.nodesCpuUs !== undefined && r.pgCpuUs !== undefined ? ', ' : ''}${r.pgCpuUs === undefined ? '' : `PostgreSQL ${Math.round(r.pgCpuUs)} µs`}`;
const switched = (s: Switches | undefined) => (s ? `${s.voluntary.toFixed(1)}/${s.involuntary.toFixed(1)}` : '-');
/** Per lifecycle: PostgreSQL write transactions, and context switches (voluntary/involuntary) of the nodes and
 *  of PostgreSQL. */
const costs = (r: Measured) =>
  `${r.writeTransactions === undefined || Number.isNaN(r.writeTransactions) ? '' : `${r.writeTransactions.toFixed(2)} write transactions, `}switches nodes ${switched(r.nodesSwitches)}${r.pgSwitches ? `, PostgreSQL ${switched(r.pgSwitches)}` : ''}`;
try {
  // Rounds alternate the order (the machine's speed drifts within minutes): a ratio is taken within each round,
  // between configurations measured minutes apart at most, and the figures are the rounds' medians.
  for (let round = 0; round < rounds; round++) {
    for (const configuration of round % 2 === 0 ? CONFIGURATIONS : [...CONFIGURATIONS].reverse()) {
      measured[configuration].push(await run(configuration, round, everyConfiguration && round === 0 && configuration === 'nodes3'));
    }
  }
  const figures: Record<string, number> = {};
  const perSecond = (c: Configuration) => measured[c].map((m) => m.perSecond);
  const ratio = (a: Configuration, b: Configuration) => median(measured[a].map((m, i) => m.perSecond / measured[b][i]!.perSecond));
  if (ran('sqlite1')) {
    figures.sqlite1 = median(perSecond('sqlite1'));
    figures.sqlite1CpuUs = median(measured.sqlite1.map((m) => m.nodesCpuUs!));
  }
  // The mean over a configuration's nodes of the groups each had in flight (see bench/commitGroups.ts).
  const inFlight = (c: Configuration) => median(measured[c].map((m) => (m.commitGroups ?? []).reduce((sum, g) => sum + g.inFlight, 0) / (m.commitGroups?.length || NaN)));
  for (const n of [1, 2, 3]) {
    const c = `nodes${n}` as Configuration;
    if (!ran(c)) continue;
    figures[c] = median(perSecond(c));
    figures[`${c}CpuUs`] = median(measured[c].map((m) => m.nodesCpuUs!));
    figures[`${c}PgCpuUs`] = median(measured[c].map((m) => m.pgCpuUs!));
    if (n !== 2) {
      figures[`${c}WriteTransactions`] = median(measured[c].map((m) => m.writeTransactions!));
      figures[`${c}CommitsInFlight`] = inFlight(c);
    }
  }
  if (forwarded) figures.nodes3Forwarded = forwarded.perSecond;
  if (ran('graphile')) {
    figures.graphileJobs = median(perSecond('graphile'));
    figures.graphilePgCpuUs = median(measured.graphile.map((m) => m.pgCpuUs!));
  }
  if (ran('nodes3') && ran('graphile')) figures.ratio = ratio('nodes3', 'graphile');
  if (ran('nodes1') && ran('sqlite1')) figures.pgToSqlite = ratio('nodes1', 'sqlite1');
  if (ran('nodes3') && ran('nodes1')) figures.threeToOne = ratio('nodes3', 'nodes1');
  const line = (label: string, c: Configuration, unit: string) => {
    const m = measured[c];
    return `  ${label} ${Math.round(figures[c === 'graphile' ? 'graphileJobs' : c]!)} ${unit} (rounds: ${m.map((x) => Math.round(x.perSecond)).join(', ')}); CPU per ${c === 'graphile' ? 'job' : 'lifecycle'}: ${m.map(cpu).join(' | ')}`;
  };
  const nodeConfigurations = (['sqlite1', 'nodes1', 'nodes2', 'nodes3'] as const).filter(ran);
  console.log(`Cluster benchmark on ${machine()} (PostgreSQL 15, nodes, load generators and graphile-worker on this machine)`);
  console.log(`  ${WORKSPACES} workspaces, ${perWorkspace} concurrent lifecycles per workspace, ${seconds} s per run after ${warmup} s of warm-up, ${rounds} rounds (medians)${everyConfiguration ? '' : `; only ${CONFIGURATIONS.join(', ')}`}${process.env.CLUSTER_MAIN ? `; server ${MAIN}` : ''}`);
  const labels: Record<Configuration, string> = { sqlite1: '1 node on SQLite     ', nodes1: '1 node  on PostgreSQL', nodes2: '2 nodes on PostgreSQL', nodes3: '3 nodes on PostgreSQL', graphile: '' };
  for (const c of nodeConfigurations) console.log(line(labels[c], c, 'lifecycles/s'));
  if (forwarded) console.log(`  3 nodes, forwarded   ${Math.round(forwarded.perSecond)} lifecycles/s with every request and socket on a node that does not route its workspace; CPU per lifecycle: ${cpu(forwarded)}`);
  console.log('  per lifecycle, by round: PostgreSQL transactions that wrote (commit groups, mostly), context switches voluntary/involuntary');
  for (const c of nodeConfigurations) console.log(`    ${c}: ${measured[c].map(costs).join(' | ')}`);
  console.log('  commit groups of each node, by round (a node sends one group at a time: 1.00 in flight means its commit path was never idle)');
  for (const c of nodeConfigurations.filter((c) => c !== 'sqlite1')) console.log(`    ${c}: ${measured[c].map((m) => describeCommitGroups(m.commitGroups ?? [])).join(' | ')}`);
  if (ran('graphile')) console.log(line(`graphile-worker 0.16 (add -> run -> complete, ${WORKSPACES * perWorkspace} producers, concurrency ${WORKSPACES * perWorkspace})`, 'graphile', 'jobs/s'));
  const perRound = (a: Configuration, b: Configuration) => measured[a].map((m, i) => (m.perSecond / measured[b][i]!.perSecond).toFixed(2)).join(', ');
  const ratios: string[] = [];
  if (figures.pgToSqlite !== undefined) ratios.push(`1 PostgreSQL node / 1 SQLite node: ${figures.pgToSqlite.toFixed(2)} (${perRound('nodes1', 'sqlite1')})`);
  if (figures.threeToOne !== undefined) ratios.push(`3 nodes / 1 node: ${figures.threeToOne.toFixed(2)} (${perRound('nodes3', 'nodes1')})`);
  if (figures.ratio !== undefined) ratios.push(`3 nodes / graphile-worker: ${figures.ratio.toFixed(2)} (${perRound('nodes3', 'graphile')})`);
  if (ratios.length > 0) console.log(`  ${ratios.join('   ')}`);
  console.log(`RESULT ${JSON.stringify({ bench: 'cluster', ...figures })}`);
} finally {
  rmSync(sqliteDir, { recursive: true, force: true });
  await server.stop();
}
