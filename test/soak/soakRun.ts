// Soak: one node (the compiled server, as `npm start` runs it, on a durable SQLite file) under a constant,
// open-loop load for a long time, to see that nothing drifts. The load generator starts `rate` full lifecycles
// per second on a fixed schedule whatever the server's answers do (open loop: a slower server gets a growing
// backlog, not a gentler load): create a task over REST, wait for its reservation.created on the worker's
// WebSocket, accept it, complete the task. Beside them: workspace Statistics (2/s by default), a TaskQueue's
// CumulativeStatistics (half as often) and a task list `Tasks?PageSize=50` (4/s).
// Measured client side (process.hrtime): every request's latency, each lifecycle's create-to-push time (from
// sending the create to the reservation arriving on the socket) and the statistics requests' time; the server
// child's RSS from /proc/<pid>/status every second, and its V8 heap in use from its /metrics every 10 s (RSS that
// grows while the heap does not is memory outside the JavaScript heap: native allocations, fragmentation). One row
// per `rowSeconds`; the first window after the warm-up and the last window are compared (RSS and heap means, p99
// request latency, p99 create-to-push, median statistics time).
// An error is any non-2xx answer, a failed request, or a created task that never reached a socket by the end.
// With `nodes`, the same load runs against a cluster of that many nodes on one PostgreSQL server (started for the
// run): requests go to the nodes in turn and the workers' sockets are spread over them, so most requests are
// forwarded to the node that routes the workspace and most pushes reach their socket through another node; RSS is
// the nodes' total, and the end counts the rows of the cluster's bookkeeping tables (they must stay bounded).
// Used by test/soak/soak.test.ts (2 minutes in CI) and scripts/soak.ts (`npm run soak`, the long run).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import pg from 'pg';
import { BENCH_SERVER_ENV, benchCalls, startBenchServer } from '../../bench/benchServer.ts';
import { compiledMain } from '../../scripts/compiledServer.mjs';
import { machine } from '../../bench/machine.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase } from '../support/postgres.ts';
import { scrapeMetrics } from '../support/metricsScrape.ts';
import { lineChartSvg } from './svgChart.ts';

export interface SoakOptions {
  seconds: number;
  /** Full lifecycles started per second. */
  rate: number;
  rowSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** `Minutes` of the statistics requests; TaskRouter's default (15) when unset. */
  statisticsMinutes?: number;
  /** Workspace Statistics requests per second (default 2); the queue's CumulativeStatistics at half that. */
  statisticsRate?: number;
  /** A cluster of this many nodes on PostgreSQL instead of one node on SQLite. */
  nodes?: number;
  /** Seconds a finished task stays before it is removed (default SOAK_RETENTION_SECONDS; TaskRouter's is 300). */
  retentionSeconds?: number;
  log?: (line: string) => void;
}

export interface SoakRow {
  /** End of the row, seconds since the load started. */
  at: number;
  lifecycles: number;
  requests: number;
  errors: number;
  rssMb: number;
  heapMb: number;
  requestP50: number;
  requestP99: number;
  pushP50: number;
  pushP99: number;
  statisticsMedian: number;
  statisticsP99: number;
}

export interface SoakWindow {
  from: number;
  to: number;
  rssMb: number;
  heapMb: number;
  requestP99: number;
  pushP99: number;
  /** The median of the window's rows' p99s: a burst of a neighbour's CPU in one row moves it little, a drift
   *  (every row slower) as much as the window's p99. */
  requestRowsP99: number;
  pushRowsP99: number;
  statisticsMedian: number;
}

export interface SoakResult {
  machine: string;
  rate: number;
  started: number;
  lifecycles: number;
  requests: number;
  errors: number;
  /** The first errors, each with when (seconds into the load), which node was asked and how long it took. */
  errorSamples: string[];
  /** With errors: each server's last output lines (its log says why a node answered 503, a lease it lost). */
  serverLogs: string[];
  rows: SoakRow[];
  first: SoakWindow;
  last: SoakWindow;
  ratios: { rss: number; heap: number; requestP99: number; pushP99: number; requestRowsP99: number; pushRowsP99: number; statistics: number };
  /** A cluster's nodes, and the rows its bookkeeping tables hold at the end. */
  nodes?: number;
  bookkeeping?: Record<string, number>;
}

/** The cluster's own tables, whose rows come and go with requests, sockets and nodes (not with the data). */
const BOOKKEEPING_TABLES = ['forwarded_requests', 'worker_sockets', 'cluster_nodes', 'workspace_leases'];

/** Finished tasks are removed 20 s after they finish instead of TaskRouter's 5 minutes: CI's 2-minute soak then
 *  holds the removal a server under a steady load makes for every lifecycle (its reservations and the task
 *  deleted, with the finished tasks held in memory near their bound of 4,096 at 200 lifecycles/s), which it
 *  never reached before. `npm run soak -- --retention 300` runs TaskRouter's. */
export const SOAK_RETENTION_SECONDS = 20;

/** The servers a soak drives: one node on a SQLite file, or `nodes` nodes on a PostgreSQL server of its own. */
async function startServers(dir: string, account: { sid: string; token: string }, nodes: number | undefined, retentionSeconds: number) {
  const retention = { SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS: String(retentionSeconds) };
  if (!nodes) {
    const bench = await startBenchServer(join(dir, 'soak.db'), account, retention);
    return { servers: [bench.server], calls: bench, stop: async () => void (await bench.server.kill('SIGTERM')), stopDatabase: async () => undefined, bookkeeping: async () => undefined };
  }
  const postgres = await startPostgres();
  try {
    const url = await freshDatabase('soak', postgres.url);
    // Every node holds the same master key of the stored secrets.
    const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, ...BENCH_SERVER_ENV, ...retention, SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) };
    const servers: ChildServer[] = [];
    for (let i = 0; i < nodes; i++) servers.push(await startChild(env, [], compiledMain()));
    const bookkeeping = async () => {
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const counts: Record<string, number> = {};
        for (const table of BOOKKEEPING_TABLES) counts[table] = Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
        return counts;
      } finally {
        await db.end();
      }
    };
    const stop = async () => {
      for (const s of servers) await s.kill('SIGTERM');
      await postgres.stop();
    };
    return { servers, calls: benchCalls(servers[0]!.origin, account), stop, stopDatabase: () => postgres.stop(), bookkeeping };
  } catch (err) {
    await postgres.stop();
    throw err;
  }
}

const WORKERS = 100;
/** How long the end waits for what was started to finish. */
const OFFER_TIMEOUT_MS = 60_000;

/** The q-quantile (0..1) of unsorted values, 0 when there are none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}

const rssMbOf = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

/** Samples of one row of time. */
interface Bucket {
  lifecycles: number;
  errors: number;
  requests: number[];
  pushes: number[];
  statistics: number[];
  rss: number[];
  heap: number[];
}
const newBucket = (): Bucket => ({ lifecycles: 0, errors: 0, requests: [], pushes: [], statistics: [], rss: [], heap: [] });

const mean = (values: number[]) => (values.length ? values.reduce((a, v) => a + v, 0) / values.length : 0);

/** A node's V8 heap in use, in MB, from prom-client's default metrics on its /metrics. */
async function heapMbOf(origin: string): Promise<number> {
  const [heap] = (await scrapeMetrics(origin)).samples('nodejs_heap_size_used_bytes');
  if (!heap) throw new Error(`${origin}/metrics: no nodejs_heap_size_used_bytes`);
  return heap.value / 1024 / 1024;
}

/** A node's last log lines, without the HTTP server's JSON line for each request answered with an error (the
 *  errors are listed already, and 40 of them pushed out what the node said about why). */
function nodeLog(name: string, output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const told = lines.filter((line) => !line.startsWith('{'));
  return `${name}, its last ${Math.min(40, told.length)} log lines (${lines.length - told.length} JSON lines of failed requests left out):\n${told.slice(-40).join('\n')}`;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-soak-'));
  const account = { sid: 'AC' + '5a'.repeat(16), token: 'soak-token' };
  const { servers, calls, stop, stopDatabase, bookkeeping } = await startServers(dir, account, options.nodes, options.retentionSeconds ?? SOAK_RETENTION_SECONDS);
  const { auth, form } = calls;
  const agent = new Agent({ keepAlive: true, maxSockets: 128 * servers.length });
  const urls = servers.map((s) => new URL(s.origin));
  /** Requests go to the nodes in turn. */
  let nextNode = 0;
  const sockets: WebSocket[] = [];
  // Interrupted (Ctrl-C), the server children, a cluster's PostgreSQL and their files go too.
  const interrupted = () => {
    for (const s of servers) s.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    void stopDatabase().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // Setup: a workspace, its default queue, WORKERS available workers (capacity 1) with EventBridge sockets.
    const ws = (await form('POST', '/v1/Workspaces', { FriendlyName: 'soak', Template: 'FIFO' })).sid as string;
    const available = (await form('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).activities[0].sid as string;
    const queue = (await form('GET', `/v1/Workspaces/${ws}/TaskQueues`)).task_queues[0].sid as string;
    // The workers take every offer their socket brings (accept, then complete), as desks do; a lifecycle is done
    // when its task is completed. The create-to-push time pairs the offer with its create, whichever of the
    // create's answer and the push arrives first.
    const createdAt = new Map<string, number>();
    const pushedAt = new Map<string, number>();
    let onOffer: (worker: string, reservation: string, task: string) => void = () => undefined;
    for (let i = 0; i < WORKERS; i++) {
      const sid = (await form('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: available, Attributes: '{"skills":["en"]}' })).sid as string;
      const token = (await form('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: sid, Ttl: String(Math.max(3600, options.seconds + 600)) })).token as string;
      sockets.push(
        await new Promise<WebSocket>((resolve, reject) => {
          const node = servers[i % servers.length]!;
          const sock = new WebSocket(`${node.origin.replace('http', 'ws')}/v1/wschannels?token=${token}&setWorkerOfflineIfDisconnected=false`);
          sock.on('message', (data) => {
            const text = data.toString();
            if (!text.trim()) return;
            const msg = JSON.parse(text);
            if (msg.event_type === 'init') return resolve(sock);
            if (msg.event_type === 'reservation.created') onOffer(sid, msg.payload.sid, msg.payload.task.sid);
          });
          sock.once('error', reject);
        }),
      );
    }

    const buckets: Bucket[] = [];
    const started = performance.now();
    const bucket = () => {
      const i = Math.floor((performance.now() - started) / 1000 / options.rowSeconds);
      while (buckets.length <= i) buckets.push(newBucket());
      return buckets[i]!;
    };
    let requests = 0;
    let errors = 0;
    const errorSamples: string[] = [];
    const failed = (text: string) => {
      errors++;
      bucket().errors++;
      if (errorSamples.length < 20) errorSamples.push(text);
    };
    /** One request; its latency (ms) joins `into` (request latencies by default). Throws after counting an error. */
    const call = (method: string, path: string, body?: Record<string, string>, into: 'requests' | 'statistics' = 'requests'): Promise<any> => {
      const encoded = body ? new URLSearchParams(body).toString() : undefined;
      const t0 = process.hrtime.bigint();
      requests++;
      const asked = nextNode++ % urls.length;
      const url = urls[asked]!;
      const fail = (text: string) => failed(`at ${((performance.now() - started) / 1000).toFixed(1)} s, node ${asked}, after ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms: ${text}`);
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: url.hostname, port: url.port, path, method, agent,
            headers: { authorization: auth, ...(encoded ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(encoded) } : {}) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => {
              bucket()[into].push(Number(process.hrtime.bigint() - t0) / 1e6);
              if (res.statusCode! < 300) return resolve(JSON.parse(text));
              fail(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
              reject(new Error('answered with an error'));
            });
          },
        );
        req.on('error', (err) => {
          fail(`${method} ${path}: ${err.message}`);
          reject(err);
        });
        req.end(encoded);
      });
    };
    const tasks = `/v1/Workspaces/${ws}/Tasks`;
    const statisticsRate = options.statisticsRate ?? 2;
    const minutes = options.statisticsMinutes === undefined ? '' : `?Minutes=${options.statisticsMinutes}`;
    const pushed = (t0: number, at: number) => bucket().pushes.push(at - t0);
    const lifecycle = async () => {
      const t0 = performance.now();
      const task = await call('POST', tasks, { Attributes: '{"type":"soak","skills":["en"]}' });
      const at = pushedAt.get(task.sid);
      if (at === undefined) createdAt.set(task.sid, t0);
      else {
        pushedAt.delete(task.sid);
        pushed(t0, at);
      }
    };
    const take = async (worker: string, reservation: string, task: string) => {
      await call('POST', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations/${reservation}`, { ReservationStatus: 'accepted' });
      await call('POST', `${tasks}/${task}`, { AssignmentStatus: 'completed', Reason: 'soak' });
      bucket().lifecycles++;
    };
    // The open-loop schedule: every 10 ms, start what the rate says should have started by now.
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      const q = p.catch(() => undefined).finally(() => inFlight.delete(q));
      inFlight.add(q);
    };
    onOffer = (worker, reservation, task) => {
      const t0 = createdAt.get(task);
      if (t0 === undefined) pushedAt.set(task, performance.now());
      else {
        createdAt.delete(task);
        pushed(t0, performance.now());
      }
      track(take(worker, reservation, task));
    };
    let launched = 0;
    const due = (perSecond: number) => Math.floor(((performance.now() - started) / 1000) * perSecond);
    const side = { statistics: 0, cumulative: 0, lists: 0 };
    const tick = setInterval(() => {
      for (; launched < due(options.rate); launched++) track(lifecycle());
      for (; side.statistics < due(statisticsRate); side.statistics++) track(call('GET', `/v1/Workspaces/${ws}/Statistics${minutes}`, undefined, 'statistics'));
      for (; side.cumulative < due(statisticsRate / 2); side.cumulative++) track(call('GET', `/v1/Workspaces/${ws}/TaskQueues/${queue}/CumulativeStatistics${minutes}`, undefined, 'statistics'));
      for (; side.lists < due(4); side.lists++) track(call('GET', `${tasks}?PageSize=50`));
    }, 10);
    const rss = setInterval(() => {
      try {
        bucket().rss.push(servers.reduce((total, s) => total + rssMbOf(s.process.pid!), 0));
      } catch (err) {
        failed(`RSS of the server: ${(err as Error).message}`);
      }
    }, 1000);
    const heap = setInterval(() => {
      const into = bucket();
      Promise.all(servers.map((s) => heapMbOf(s.origin)))
        .then((mbs) => into.heap.push(mbs.reduce((a, v) => a + v, 0)))
        .catch((err) => failed(`heap of the server: ${(err as Error).message}`));
    }, 10_000);
    const rowsDone = () => Math.floor((performance.now() - started) / 1000 / options.rowSeconds);
    let logged = 0;
    options.log?.(TABLE_HEAD);
    const logger = setInterval(() => {
      for (; logged < Math.min(rowsDone(), buckets.length); logged++) options.log?.(formatRow(rowOf(buckets[logged]!, (logged + 1) * options.rowSeconds), options.rowSeconds));
    }, 500);
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    clearInterval(tick);
    clearInterval(rss);
    clearInterval(heap);
    clearInterval(logger);
    // What was started finishes (counted in the row it ends in, which is not compared): every created task is
    // offered, accepted and completed.
    const settle = Date.now() + OFFER_TIMEOUT_MS;
    while ((inFlight.size > 0 || createdAt.size > 0) && Date.now() < settle) await new Promise((r) => setTimeout(r, 50));
    if (createdAt.size > 0) failed(`${createdAt.size} created tasks never reached a worker's socket within ${OFFER_TIMEOUT_MS / 1000} s of the end`);
    for (const s of servers) if (s.process.exitCode !== null) failed(`a server exited with ${s.process.exitCode}: ${s.stdout().slice(-300)}`);

    const rowCount = Math.floor(options.seconds / options.rowSeconds);
    const rows = buckets.slice(0, rowCount).map((b, i) => rowOf(b, (i + 1) * options.rowSeconds));
    const window = (from: number): SoakWindow => {
      const b = buckets.slice(Math.floor(from / options.rowSeconds), Math.floor((from + options.windowSeconds) / options.rowSeconds));
      const all = (k: 'requests' | 'pushes' | 'statistics' | 'rss' | 'heap') => b.flatMap((x) => x[k]);
      return {
        from,
        to: from + options.windowSeconds,
        rssMb: mean(all('rss')),
        heapMb: mean(all('heap')),
        requestP99: quantile(all('requests'), 0.99),
        pushP99: quantile(all('pushes'), 0.99),
        requestRowsP99: quantile(b.map((x) => quantile(x.requests, 0.99)), 0.5),
        pushRowsP99: quantile(b.map((x) => quantile(x.pushes, 0.99)), 0.5),
        statisticsMedian: quantile(all('statistics'), 0.5),
      };
    };
    const first = window(options.warmupSeconds);
    const last = window(rowCount * options.rowSeconds - options.windowSeconds);
    return {
      machine: machine(),
      rate: options.rate,
      started: launched,
      lifecycles: buckets.reduce((a, b) => a + b.lifecycles, 0),
      requests,
      errors,
      errorSamples,
      serverLogs: errors > 0 ? servers.map((server, i) => nodeLog(`node ${i} (${server.origin})`, server.stdout())) : [],
      rows,
      first,
      last,
      ratios: { rss: last.rssMb / first.rssMb, heap: last.heapMb / first.heapMb, requestP99: last.requestP99 / first.requestP99, pushP99: last.pushP99 / first.pushP99,
        requestRowsP99: last.requestRowsP99 / first.requestRowsP99, pushRowsP99: last.pushRowsP99 / first.pushRowsP99, statistics: last.statisticsMedian / first.statisticsMedian },
      nodes: options.nodes,
      bookkeeping: await bookkeeping(),
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const s of sockets) s.terminate();
    agent.destroy();
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rowOf(b: Bucket, at: number): SoakRow {
  return {
    at,
    lifecycles: b.lifecycles,
    requests: b.requests.length + b.statistics.length,
    errors: b.errors,
    rssMb: mean(b.rss),
    heapMb: mean(b.heap),
    requestP50: quantile(b.requests, 0.5),
    requestP99: quantile(b.requests, 0.99),
    pushP50: quantile(b.pushes, 0.5),
    pushP99: quantile(b.pushes, 0.99),
    statisticsMedian: quantile(b.statistics, 0.5),
    statisticsP99: quantile(b.statistics, 0.99),
  };
}

export const TABLE_HEAD = '     t  lifecycles/s  req/s  errors  RSS MB  heap MB  req p50  req p99  push p50  push p99  stats p50  stats p99  (ms)';

export function formatRow(r: SoakRow, rowSeconds = 1): string {
  const n = (v: number, w: number, d = 1) => v.toFixed(d).padStart(w);
  return `${n(r.at, 5, 0)}s  ${n(r.lifecycles / rowSeconds, 12)}  ${n(r.requests / rowSeconds, 5, 0)}  ${n(r.errors, 6, 0)}  ${n(r.rssMb, 6)}  ${n(r.heapMb, 7)}  ${n(r.requestP50, 7)}  ${n(r.requestP99, 7)}  ${n(r.pushP50, 8)}  ${n(r.pushP99, 8)}  ${n(r.statisticsMedian, 9)}  ${n(r.statisticsP99, 9)}`;
}

/** The rows as a table (rates per second) and the two windows with their ratios. */
export function soakReport(result: SoakResult, rowSeconds: number): string {
  const w = (x: SoakWindow) => `RSS ${x.rssMb.toFixed(1)} MB (heap ${x.heapMb.toFixed(1)} MB), p99 request ${x.requestP99.toFixed(1)} ms, p99 create-to-push ${x.pushP99.toFixed(1)} ms, statistics median ${x.statisticsMedian.toFixed(1)} ms`;
  return [
    `soak on ${result.machine}${result.nodes ? `, ${result.nodes} nodes on PostgreSQL` : ''}: ${result.rate} lifecycles/s target, ${result.started} started, ${result.lifecycles} completed, ${result.requests} requests, ${result.errors} errors`,
    TABLE_HEAD,
    ...result.rows.map((r) => formatRow(r, rowSeconds)),
    `first window ${result.first.from}-${result.first.to} s: ${w(result.first)}`,
    `last window  ${result.last.from}-${result.last.to} s: ${w(result.last)}`,
    `last/first: RSS ${result.ratios.rss.toFixed(2)} (heap ${result.ratios.heap.toFixed(2)}), p99 request ${result.ratios.requestP99.toFixed(2)}, p99 create-to-push ${result.ratios.pushP99.toFixed(2)} (the rows' median p99s: request ${result.ratios.requestRowsP99.toFixed(2)}, create-to-push ${result.ratios.pushRowsP99.toFixed(2)}), statistics ${result.ratios.statistics.toFixed(2)}`,
    ...(result.bookkeeping ? [`rows of the cluster's bookkeeping tables at the end: ${Object.entries(result.bookkeeping).map(([t, n]) => `${t} ${n}`).join(', ')}`] : []),
    ...result.errorSamples.map((e) => `  error: ${e}`),
    ...result.serverLogs,
  ].join('\n');
}

/** The series as an SVG line chart, the compared windows shaded. */
export function soakChart(result: SoakResult, rowSeconds: number): string {
  const rows = result.rows;
  return lineChartSvg({
    title: `Soak${result.nodes ? ` of ${result.nodes} nodes on PostgreSQL` : ''}: ${result.rate} lifecycles/s, ${rows.length * rowSeconds} s, ${result.errors} errors (${result.machine})`,
    x: rows.map((r) => r.at - rowSeconds / 2),
    series: [
      { label: result.nodes ? 'RSS of the nodes' : 'server RSS', unit: 'MB', values: rows.map((r) => r.rssMb) },
      { label: result.nodes ? 'V8 heap in use, the nodes' : 'V8 heap in use', unit: 'MB', values: rows.map((r) => r.heapMb) },
      { label: 'p99 request latency', unit: 'ms', values: rows.map((r) => r.requestP99) },
      { label: 'p99 create-to-push', unit: 'ms', values: rows.map((r) => r.pushP99) },
      { label: 'statistics request, median', unit: 'ms', values: rows.map((r) => r.statisticsMedian) },
      { label: 'completed lifecycles', unit: '/s', values: rows.map((r) => r.lifecycles / rowSeconds) },
    ],
    windows: [
      { from: result.first.from, to: result.first.to, label: 'first window' },
      { from: result.last.from, to: result.last.to, label: 'last window' },
    ],
  });
}
