// Realtime benchmark: latency from a task's creation (REST request sent) to its reservation.created message
// arriving on the worker's WebSocket, with N connected workers and tasks created at a target rate. The server
// runs as a separate process on a loopback port with its SQLite file (durable commits), like production.
// What is measured is the steady state: tasks are first created at the same rate for `warmup` seconds, unmeasured
// (a fresh process compiles its request path during its first second, when latencies are several times higher).
// The tasks are created over keep-alive node:http connections: this process shares the machine's cores with the
// server, and fetch() cost about 500 µs of CPU per request here, a third of the machine at 1,000 tasks/s. Both
// processes' CPU per task is printed.
// It also counts the offers later than 10 ms and how many of them this process's own garbage collector paused
// (a frame that arrives during a pause is stamped when the pause ends): the part of the tail that is the load's.
// With REALTIME_ORIGIN and REALTIME_PID it drives a server already running instead (bench/floor.ts runs it so
// against its no-work server, to find the latency this machine and this load give a server that does nothing).
// Run: node --import tsx bench/realtime.ts [workers=1000] [tasksPerSecond=1000] [seconds=5] [warmup=2]
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { benchCalls, startBenchServer } from './benchServer.ts';
import { machine, median } from './machine.ts';
import { cpuMicrosPerOp, processCpuSeconds } from './processCpu.ts';

const [workerCount = 1000, rate = 1000, seconds = 5, warmup = 2] = process.argv.slice(2).map(Number);
/** An offer later than this is "late" (issue 17's p99 target). */
const LATE_MS = 10;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-rt-'));
const account = { sid: 'AC' + 'c3'.repeat(16), token: 'bench-token-123456' };
/** The server driven: its origin, its process (for its CPU) and how it stops. */
const { server, auth, form: call } = process.env.REALTIME_ORIGIN
  ? { server: { origin: process.env.REALTIME_ORIGIN, process: { pid: Number(process.env.REALTIME_PID) }, kill: async (_signal: string) => undefined }, ...benchCalls(process.env.REALTIME_ORIGIN, account) }
  : await startBenchServer(join(dir, 'bench.db'), account, { SWITCHBOARD_SYNC: process.env.SWITCHBOARD_SYNC ?? 'full' });

try {
  const ws = (await call('POST', '/v1/Workspaces', { FriendlyName: 'bench', Template: 'FIFO' })).sid;
  const available = (await call('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).activities[0].sid;
  const t0 = performance.now();
  const workers: string[] = [];
  for (let i = 0; i < workerCount; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, workerCount - i) }, (_, k) => call('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i + k}`, ActivitySid: available })),
    );
    workers.push(...batch.map((w) => w.sid));
  }
  // Capacity so the run never waits for completions: every offer is the first routing decision for its task.
  await Promise.all(workers.map((wk) => call('POST', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/default`, { Capacity: '50' })));
  const setupS = (performance.now() - t0) / 1000;

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  /** The measured offers' [sent, arrived], and this process's garbage-collection pauses [start, end]. */
  const offers: [number, number][] = [];
  const pauses: [number, number][] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([e.startTime, e.startTime + e.duration]);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  /** Only tasks sent from then on count (a warm-up task's offer arriving late is not a measured latency). */
  let measuredSince = Infinity;
  const record = (sent: number, arrived: number) => {
    if (sent < measuredSince) return;
    latencies.push(arrived - sent);
    offers.push([sent, arrived]);
  };
  const early = new Map<string, number>(); // message before the REST response told us the sid
  const sockets: WebSocket[] = [];
  await Promise.all(
    workers.map(async (wk) => {
      const { token } = await call('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: wk });
      const sock = new WebSocket(`${server.origin.replace('http', 'ws')}/v1/wschannels?token=${token}&setWorkerOfflineIfDisconnected=false`);
      sockets.push(sock);
      sock.on('message', (data) => {
        // Arrival is when the frame is handed to this process, before it decodes it; only offers are decoded
        // (each task also pushes task.created to its worker).
        const at = performance.now();
        const text = data.toString();
        if (!text.includes('reservation.created')) return;
        const msg = JSON.parse(text);
        if (msg.event_type !== 'reservation.created') return;
        const sid = msg.payload.task.sid;
        const start = sentAt.get(sid);
        if (start === undefined) early.set(sid, at);
        else record(start, at);
      });
      await new Promise((resolve, reject) => {
        sock.once('message', resolve); // init
        sock.once('error', reject);
      });
    }),
  );

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const origin = new URL(server.origin);
  const body = new URLSearchParams({ Attributes: '{"bench":true}' }).toString();
  const createTask = () =>
    new Promise<{ sid: string }>((resolve, reject) => {
      const req = request(
        { host: origin.hostname, port: origin.port, path: `/v1/Workspaces/${ws}/Tasks`, method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text)) : reject(new Error(`create: ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  /** Creates `total` tasks at the target rate; each request's send time is when its latency starts. */
  const createAtRate = async (total: number) => {
    let created = 0;
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    while (created < total) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (created < Math.min(due, total)) {
        created++;
        const sent = performance.now();
        inflight.push(
          createTask().then((task) => {
            sentAt.set(task.sid, sent);
            const arrived = early.get(task.sid);
            if (arrived !== undefined) record(sent, arrived);
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
    return (performance.now() - start) / 1000;
  };
  await createAtRate(Math.round(rate * warmup));
  await new Promise((r) => setTimeout(r, 500));
  const total = rate * seconds;
  measuredSince = performance.now();
  const serverBefore = processCpuSeconds(server.process.pid!);
  const ownBefore = process.cpuUsage();
  const elapsed = await createAtRate(total);
  const own = process.cpuUsage(ownBefore);
  const serverUs = cpuMicrosPerOp(serverBefore, processCpuSeconds(server.process.pid!), total);
  await new Promise((r) => setTimeout(r, 500));
  agent.destroy();
  gcObserver.disconnect();
  const late = offers.filter(([sent, arrived]) => arrived - sent > LATE_MS);
  const ownPauses = pauses.filter(([, end]) => end > measuredSince);
  const pausedLate = late.filter(([sent, arrived]) => ownPauses.some(([start, end]) => end > sent && start < arrived)).length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(`realtime benchmark on ${machine()}`);
  console.log(`${workerCount} workers connected (setup ${setupS.toFixed(1)} s); ${total} tasks in ${elapsed.toFixed(2)} s = ${Math.round(total / elapsed)} tasks/s (target ${rate}/s)`);
  console.log(`CPU per task: server ${Math.round(serverUs)} µs, this process (the load: creates and ${workerCount} sockets) ${Math.round((own.user + own.system) / total)} µs; after ${warmup} s of warm-up at the same rate`);
  console.log(`task create -> reservation.created at the worker socket: p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, p99.9 ${pct(99.9).toFixed(2)} ms, median ${median(latencies).toFixed(2)} ms (${latencies.length} offers)`);
  const pauseMs = ownPauses.map(([start, end]) => end - start);
  console.log(`offers later than ${LATE_MS} ms: ${late.length} (${((100 * late.length) / Math.max(1, latencies.length)).toFixed(1)}%), ${pausedLate} of them during a pause of this process's garbage collector (${ownPauses.length} pause${ownPauses.length === 1 ? '' : 's'}, ${pauseMs.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, longest ${Math.max(0, ...pauseMs).toFixed(1)} ms)`);
  console.log(`RESULT ${JSON.stringify({ bench: 'realtime', workers: workerCount, rateAsked: rate, rateReached: total / elapsed, p50: pct(50), p99: pct(99), p999: pct(99.9), serverCpuUs: serverUs, late: late.length, lateDuringLoadGc: pausedLate })}`);
  for (const s of sockets) s.terminate();
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
