// The HTTP benchmarks' load generator, run as its own process so its CPU is not the server's. Keep-alive
// connections (node:http Agent, one socket per concurrent stream).
//   create     C streams, each POSTing tasks back to back (no worker is available, so tasks wait)
//   lifecycle  C streams, each: POST a task, wait for its reservation.created on a worker's WebSocket, accept
//              it, complete the task, repeat
//   flow       C streams POST tasks back to back while the workers accept and complete every reservation that
//              reaches their sockets (producer and consumers independent, as a job queue runs)
// Input: one JSON argument {origin, auth, workspace, mode, connections, workers: [{sid, token}]}.
// The measured window comes later, on stdin (bench/load/loadRun.ts runs these): the process opens its workers'
// sockets, prints READY and starts its load at once, unmeasured (it warms up: this process, like the server,
// compiles its hot paths during its first seconds); then a line `startMs endMs` (epoch milliseconds) says
// which operations count: those finished inside it. The load stops at endMs, and the process prints one JSON
// line with its count.
import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';
import type { LoadInput } from './loadRun.ts';

const input = JSON.parse(process.argv[2]!) as LoadInput;
const agent = new Agent({ keepAlive: true, maxSockets: input.connections });
const url = new URL(input.origin);

function post(path: string, form: Record<string, string>): Promise<any> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { authorization: input.auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => (res.statusCode! < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const tasksPath = `/v1/Workspaces/${input.workspace}/Tasks`;

/** Opens every worker's EventBridge socket (resolved once its init arrives) and reports each reservation.created. */
function connectWorkers(onOffer: (workerSid: string, reservationSid: string, taskSid: string) => void): Promise<WebSocket[]> {
  return Promise.all(
    input.workers.map(
      (w) =>
        new Promise<WebSocket>((resolve, reject) => {
          const sock = new WebSocket(`${input.origin.replace('http', 'ws')}/v1/wschannels?token=${w.token}&setWorkerOfflineIfDisconnected=false`);
          sock.on('message', (data) => {
            const text = data.toString();
            if (!text.trim()) return;
            const msg = JSON.parse(text);
            if (msg.event_type === 'init') return resolve(sock);
            if (msg.event_type === 'reservation.created') onOffer(w.sid, msg.payload.sid, msg.payload.task.sid);
          });
          sock.once('error', reject);
        }),
    ),
  );
}
/** The measured window, once stdin gives it; until then nothing counts and the load runs on. */
const window = { start: Infinity, end: Infinity };
let stdinText = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  stdinText += chunk;
  if (!stdinText.includes('\n')) return;
  const line = stdinText.slice(0, stdinText.indexOf('\n'));
  const [start, end] = line.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw new Error(`bad window: ${line}`);
  window.start = start!;
  window.end = end!;
  process.stdin.destroy();
});
/** Whether the load goes on: until the window's end. */
const running = () => Date.now() < window.end;
let done = 0;
/** Counts an operation that finished now, if now is inside the window. */
const finished = () => {
  const now = Date.now();
  if (now >= window.start && now < window.end) done++;
};

if (input.mode === 'create') {
  console.log('READY');
  await Promise.all(
    Array.from({ length: input.connections }, async () => {
      while (running()) {
        await post(tasksPath, { Attributes: '{"type":"bench","skills":["en"]}' });
        finished();
      }
    }),
  );
} else if (input.mode === 'flow') {
  let stopping = false;
  const finishing = new Set<Promise<unknown>>();
  const sockets = await connectWorkers((worker, reservationSid, taskSid) => {
    if (stopping) return;
    const one = post(`/v1/Workspaces/${input.workspace}/Workers/${worker}/Reservations/${reservationSid}`, { ReservationStatus: 'accepted' })
      .then(() => post(`${tasksPath}/${taskSid}`, { AssignmentStatus: 'completed' }))
      .then(finished)
      .finally(() => finishing.delete(one));
    finishing.add(one);
  });
  console.log('READY');
  await Promise.all(
    Array.from({ length: input.connections }, async () => {
      while (running()) await post(tasksPath, { Attributes: '{"type":"bench","skills":["en"]}' });
    }),
  );
  stopping = true;
  await Promise.allSettled([...finishing]);
  for (const s of sockets) s.terminate();
} else {
  // A reservation may reach its socket before the create response tells the stream its task SID.
  const offered = new Map<string, { worker: string; reservation: string }>();
  const waiting = new Map<string, (offer: { worker: string; reservation: string }) => void>();
  const sockets = await connectWorkers((worker, reservationSid, taskSid) => {
    const offer = { worker, reservation: reservationSid };
    const wake = waiting.get(taskSid);
    if (wake) wake(offer);
    else offered.set(taskSid, offer);
  });
  console.log('READY');
  await Promise.all(
    Array.from({ length: input.connections }, async () => {
      while (running()) {
        const task = await post(tasksPath, { Attributes: '{"type":"bench","skills":["en"]}' });
        const offer =
          offered.get(task.sid) ??
          (await new Promise<{ worker: string; reservation: string }>((resolve) => waiting.set(task.sid, resolve)));
        offered.delete(task.sid);
        waiting.delete(task.sid);
        await post(`/v1/Workspaces/${input.workspace}/Workers/${offer.worker}/Reservations/${offer.reservation}`, { ReservationStatus: 'accepted' });
        await post(`${tasksPath}/${task.sid}`, { AssignmentStatus: 'completed' });
        finished();
      }
    }),
  );
  for (const s of sockets) s.terminate();
}
const seconds = (window.end - window.start) / 1000;
console.log(JSON.stringify({ done, seconds, perSecond: done / seconds }));
agent.destroy();
