// Floor benchmark: what the TaskRouter wire protocol alone costs on this machine, beside what the server costs.
// It captures one lifecycle from the real server (each answer's status, headers and body, and the frames each
// step pushes to the worker's socket), then drives, with the HTTP benchmarks' load generator (bench/load/), the
// real server and a server that does no work (bench/floorServer.mjs: it parses each request and answers with
// the captured documents, serialized again, and pushes the captured frames at once) on node:http and on fastify
// 5 with formbody (the server's stack): task creates and full lifecycles, 32 connections. Each line gives the
// server process's CPU per operation and the whole machine's (every process and the kernel, from /proc/stat:
// the load generator included), whose reciprocal bounds what the two cores can do:
//   2 cores x 1,000,000 µs / (machine µs per operation) = operations per second at best.
// A target below the no-work server's figures cannot be met by any server on this machine; the gap between the
// no-work server and the real one is what routing, storage, events and durability cost.
// Then bench/realtime.ts (1,000 workers' sockets, tasks created at 1,000/s, the time from a create to its
// reservation.created at the worker's socket) against the real server and the no-work servers: the latency
// this machine and this load give a server that does nothing.
// Run: node --import tsx bench/floor.ts [seconds=5] [runs=3] [warmup=2]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { type BenchServer, loadWorkspace, startBenchServer } from './benchServer.ts';
import { type LoadInput, runLoads } from './load/loadRun.ts';
import { machine, median } from './machine.ts';
import { processCpuSeconds } from './processCpu.ts';
import { runBench } from './runBench.ts';

const [seconds = 5, runs = 3, warmup = 2] = process.argv.slice(2).map(Number);
const FLOOR_SERVER = fileURLToPath(new URL('./floorServer.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-floor-'));
const account = { sid: 'AC' + 'd4'.repeat(16), token: 'bench-token-floor' };

/** CPU seconds the whole machine has spent so far (every CPU's user, nice, system, irq and softirq time). */
function machineCpuSeconds(): number {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq!) / 100;
}

interface Step {
  status: number;
  headers: Record<string, string>;
  body: string;
  frames: string[];
}

/** One lifecycle against the real server: each step's answer and the frames it pushed to the worker. */
async function captureLifecycle(bench: BenchServer): Promise<Record<'create' | 'accept' | 'complete', Step>> {
  const { ws, workers } = await loadWorkspace(bench, 1);
  const worker = workers[0]!;
  const origin = new URL(bench.server.origin);
  const socket = new WebSocket(`${bench.server.origin.replace('http', 'ws')}/v1/wschannels?token=${worker.token}&setWorkerOfflineIfDisconnected=false`);
  await new Promise((resolve, reject) => {
    socket.once('message', resolve); // init
    socket.once('error', reject);
  });
  let frames: string[] = [];
  socket.on('message', (data) => {
    const text = data.toString();
    if (text.trim()) frames.push(text); // not the heartbeat's blank frame
  });
  const post = (path: string, form: Record<string, string>) =>
    new Promise<Step>((resolve, reject) => {
      const body = new URLSearchParams(form).toString();
      const req = request({ host: origin.hostname, port: origin.port, path, method: 'POST', headers: { authorization: bench.auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: text, frames: [] }));
      });
      req.on('error', reject);
      req.end(body);
    });
  /** A step's answer, with the frames that reached the socket within 300 ms. */
  const stepOf = async (path: string, form: Record<string, string>) => {
    frames = [];
    const step = await post(path, form);
    await new Promise((r) => setTimeout(r, 300));
    if (step.status >= 300) throw new Error(`${path}: ${step.status} ${step.body}`);
    return { ...step, frames };
  };
  const tasks = `/v1/Workspaces/${ws}/Tasks`;
  const create = await stepOf(tasks, { Attributes: '{"type":"bench","skills":["en"]}' });
  const offer = create.frames.map((f) => JSON.parse(f)).find((m) => m.event_type === 'reservation.created');
  if (!offer) throw new Error('no reservation.created reached the worker');
  const accept = await stepOf(`/v1/Workspaces/${ws}/Workers/${worker.sid}/Reservations/${offer.payload.sid}`, { ReservationStatus: 'accepted' });
  const complete = await stepOf(`${tasks}/${JSON.parse(create.body).sid}`, { AssignmentStatus: 'completed' });
  socket.terminate();
  return { create, accept, complete };
}

interface Figures {
  rate: number;
  serverUs: number;
  machineUs: number;
}

/** One load against a server process: operations/s, and its CPU and the machine's per operation. */
async function measureOnce(pid: number, input: LoadInput): Promise<Figures> {
  let server = 0;
  let all = 0;
  const [result] = await runLoads([input], {
    warmup,
    seconds,
    onOpen: () => {
      server = processCpuSeconds(pid);
      all = machineCpuSeconds();
    },
    onClose: () => {
      server = processCpuSeconds(pid) - server;
      all = machineCpuSeconds() - all;
    },
  });
  return { rate: result!.perSecond, serverUs: (server * 1e6) / result!.done, machineUs: (all * 1e6) / result!.done };
}

const medians = (list: Figures[]): Figures => ({ rate: median(list.map((f) => f.rate)), serverUs: median(list.map((f) => f.serverUs)), machineUs: median(list.map((f) => f.machineUs)) });

/** A no-work server on `kind`'s stack, for the length of `work`. */
async function withFloorServer<T>(capture: string, kind: 'node' | 'fastify', work: (origin: string, pid: number) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, [FLOOR_SERVER, capture, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('LISTENING ') && resolve(line.slice('LISTENING '.length)));
      child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
    });
    return await work(`http://127.0.0.1:${port}`, child.pid!);
  } finally {
    child.kill();
  }
}

/** One run of bench/realtime.ts at 1,000 tasks/s with 1,000 workers: against `target` (a server already
 *  running), or against a real server of its own. Its RESULT. */
async function realtimeOnce(target?: { origin: string; pid: number }): Promise<Record<string, number>> {
  const env = target ? { ...process.env, REALTIME_ORIGIN: target.origin, REALTIME_PID: String(target.pid) } : process.env;
  return (await runBench('realtime', ['1000', '1000', String(seconds), String(warmup)], { env, echo: false })) as Record<string, number>;
}

const CONNECTIONS = 32;
/** The no-work server's workers: any SIDs and tokens (it takes every socket and offers to each in turn). */
const FLOOR_WORKERS = Array.from({ length: CONNECTIONS * 2 }, (_, i) => ({ sid: 'WK' + i.toString(16).padStart(32, '0'), token: `floor-${i}` }));
const results: Record<string, Figures> = {};
const bench = await startBenchServer(join(dir, 'bench.db'), account, { SWITCHBOARD_SYNC: process.env.SWITCHBOARD_SYNC ?? 'full' });
try {
  const capture = join(dir, 'lifecycle.json');
  writeFileSync(capture, JSON.stringify(await captureLifecycle(bench)));
  for (const mode of ['create', 'lifecycle'] as const) {
    const real: Figures[] = [];
    for (let r = 0; r < runs; r++) {
      const { ws, workers } = await loadWorkspace(bench, mode === 'lifecycle' ? CONNECTIONS * 2 : 0);
      real.push(await measureOnce(bench.server.process.pid!, { origin: bench.server.origin, auth: bench.auth, workspace: ws, mode, connections: CONNECTIONS, workers }));
    }
    results[`switchboard ${mode}`] = medians(real);
  }
  await bench.server.kill('SIGTERM');
  for (const kind of ['node', 'fastify'] as const) {
    for (const mode of ['create', 'lifecycle'] as const) {
      const floor: Figures[] = [];
      for (let r = 0; r < runs; r++) {
        floor.push(
          await withFloorServer(capture, kind, (origin, pid) =>
            measureOnce(pid, { origin, auth: bench.auth, workspace: 'WS' + '0'.repeat(32), mode, connections: CONNECTIONS, workers: mode === 'lifecycle' ? FLOOR_WORKERS : [] }),
          ),
        );
      }
      results[`${kind} ${mode}`] = medians(floor);
    }
  }
  const realtime: Record<string, Record<string, number>[]> = { switchboard: [], fastify: [], node: [] };
  for (let r = 0; r < runs; r++) {
    realtime.switchboard!.push(await realtimeOnce());
    for (const kind of ['fastify', 'node'] as const) realtime[kind]!.push(await withFloorServer(capture, kind, (origin, pid) => realtimeOnce({ origin, pid })));
  }
  const line = (name: string, key: string) => {
    const f = results[key]!;
    const best = (cpus().length * 1e6) / f.machineUs;
    return `  ${name.padEnd(44)} ${String(Math.round(f.rate)).padStart(6)} /s   server ${String(Math.round(f.serverUs)).padStart(5)} µs   machine ${String(Math.round(f.machineUs)).padStart(5)} µs (at best ${Math.round(best)} /s on ${cpus().length} cores)`;
  };
  console.log(`Floor benchmark on ${machine()}: ${CONNECTIONS} connections, the load generator on the same machine; medians of ${runs} run${runs === 1 ? '' : 's'} of ${seconds} s after ${warmup} s`);
  for (const mode of ['create', 'lifecycle'] as const) {
    console.log(mode === 'create' ? 'task creates:' : 'full lifecycles (create, reservation.created pushed, accept, complete):');
    console.log(line('Switchboard (durable SQLite)', `switchboard ${mode}`));
    console.log(line('no-work server, fastify 5 + formbody + ws', `fastify ${mode}`));
    console.log(line('no-work server, node:http + ws', `node ${mode}`));
  }
  console.log('create -> reservation.created at the worker socket, 1,000 tasks/s, 1,000 workers (bench/realtime.ts):');
  for (const [kind, name] of [['switchboard', 'Switchboard (durable SQLite)'], ['fastify', 'no-work server, fastify 5 + formbody + ws'], ['node', 'no-work server, node:http + ws']] as const) {
    const of = (k: string) => median(realtime[kind]!.map((result) => result[k]!));
    console.log(`  ${name.padEnd(44)} p50 ${of('p50').toFixed(2)} ms   p99 ${of('p99').toFixed(2)} ms   p99.9 ${of('p999').toFixed(2)} ms   server ${Math.round(of('serverCpuUs'))} µs per task   late offers ${of('late')} (${of('lateDuringLoadGc')} in the load's collector)`);
  }
  const flat: Record<string, number> = {};
  for (const [kind, list] of Object.entries(realtime)) {
    for (const k of ['p50', 'p99', 'p999', 'serverCpuUs', 'late', 'lateDuringLoadGc']) flat[`${kind} realtime ${k}`] = median(list.map((result) => result[k]!));
  }
  for (const [key, f] of Object.entries(results)) {
    flat[`${key}`] = f.rate;
    flat[`${key} cpu_us`] = f.serverUs;
    flat[`${key} machine_us`] = f.machineUs;
  }
  console.log(`RESULT ${JSON.stringify({ bench: 'floor', ...flat })}`);
} finally {
  await bench.server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
