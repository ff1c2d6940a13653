// The floor benchmark's server (bench/floor.ts): the TaskRouter wire protocol of a lifecycle with no work behind
// it. It reads each request as a server must (HTTP, the Basic credentials, the form body), answers with a
// document of the real server's size and shape (the real one's captured answer, copied and serialized again
// with JSON.stringify, the real response headers beside it), and pushes the frames the real server pushes for
// that step to a worker's WebSocket (serialized again, corked into one write, as the real server does). No
// routing, storage, validation, events or durability: what is left is what a lifecycle costs on this machine
// whatever a server does. Plain JavaScript, started with `node bench/floorServer.mjs <capture.json> <node|fastify>`:
//   node      node:http and ws
//   fastify   fastify 5 with @fastify/formbody (the server's stack) and ws
// It prints `LISTENING <port>` once it listens on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const [capturePath, kind = 'node'] = process.argv.slice(2);
/** What bench/floor.ts captured from the real server: each step's answer (status, headers, body) and frames. */
const capture = JSON.parse(readFileSync(capturePath, 'utf8'));

/** The real answer's headers, without those node writes itself. */
const NODE_WRITES = /^(content-length|date|connection|keep-alive|transfer-encoding)$/i;
const step = (name) => {
  const { status, headers, body } = capture[name];
  return { status, headers: Object.fromEntries(Object.entries(headers).filter(([k]) => !NODE_WRITES.test(k))), body: JSON.parse(body), frames: capture[name].frames.map((f) => JSON.parse(f)) };
};
const STEPS = { create: step('create'), accept: step('accept'), complete: step('complete') };

let counter = 0;
const newSid = (prefix) => prefix + (++counter).toString(16).padStart(32, '0');

/** Open worker sockets; tasks are offered to them in turn. */
const sessions = [];
let nextSession = 0;
/** The worker socket and task of each reservation offered and not yet completed (by reservation and by task). */
const offers = new Map();

/** Sends a step's frames for a task and reservation to a worker's socket in one write. */
function push(session, frames, taskSid, reservationSid) {
  if (!session || session.socket.readyState !== session.socket.OPEN) return;
  session.stream.cork();
  for (const frame of frames) {
    const copy = structuredClone(frame);
    if (copy.payload?.task) {
      copy.payload.task.sid = taskSid;
      copy.payload.sid = reservationSid;
    } else if (copy.payload) copy.payload.sid = taskSid;
    session.socket.send(JSON.stringify(copy));
  }
  session.stream.uncork();
}

function authorized(header) {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  return m !== null && Buffer.from(m[1], 'base64').toString('utf8').indexOf(':') > 0;
}

/** One request: [status, headers, document]. Pushes go out after the answer, in a later turn. */
function answer(url, headers, form) {
  if (!authorized(headers.authorization)) return [401, {}, { code: 20003, message: 'Authenticate', status: 401 }];
  // /v1/Workspaces/{ws}/Tasks, /v1/Workspaces/{ws}/Tasks/{task}, /v1/Workspaces/{ws}/Workers/{worker}/Reservations/{reservation}
  const parts = url.split('?')[0].split('/');
  // bench/realtime.ts's setup (a workspace, its Available activity, workers, their channels, their tokens): any
  // SIDs do; a worker's token is its SID.
  if (parts.length === 3 && parts[2] === 'Workspaces') return [201, {}, { sid: newSid('WS') }];
  if (parts[4] === 'Activities') return [200, {}, { activities: [{ sid: newSid('WA') }] }];
  if (parts[4] === 'Workers' && parts.length === 5) return [201, {}, { sid: newSid('WK') }];
  if (parts[6] === 'Channels') return [200, {}, { sid: newSid('WC') }];
  if (parts[1] === 'switchboard' && parts[3] === 'Tokens') return [201, {}, { token: form.get('WorkerSid') }];
  if (parts[4] === 'Tasks' && parts.length === 5) {
    const { status, headers: h, body, frames } = STEPS.create;
    const task = { ...body, sid: newSid('WT'), attributes: form.get('Attributes') ?? '{}' };
    const reservation = newSid('WR');
    const session = sessions[nextSession++ % Math.max(1, sessions.length)];
    offers.set(reservation, { session, task: task.sid });
    setImmediate(() => push(session, frames, task.sid, reservation));
    return [status, h, task];
  }
  if (parts[6] === 'Reservations') {
    const { status, headers: h, body, frames } = STEPS.accept;
    const offer = offers.get(parts[7]);
    offers.delete(parts[7]);
    if (offer) offers.set(offer.task, { ...offer, reservation: parts[7] });
    setImmediate(() => push(offer?.session, frames, offer?.task, parts[7]));
    return [status, h, { ...body, sid: parts[7], reservation_status: form.get('ReservationStatus') }];
  }
  if (parts[4] === 'Tasks') {
    const { status, headers: h, body, frames } = STEPS.complete;
    const offer = offers.get(parts[5]);
    offers.delete(parts[5]);
    setImmediate(() => push(offer?.session, frames, parts[5], offer?.reservation));
    return [status, h, { ...body, sid: parts[5], assignment_status: form.get('AssignmentStatus') }];
  }
  return [404, {}, { code: 20404, message: 'Not found', status: 404 }];
}

let server;
if (kind === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const { default: formbody } = await import('@fastify/formbody');
  const app = Fastify();
  await app.register(formbody);
  const route = async (request, reply) => {
    const [status, headers, doc] = answer(request.url, request.headers, new URLSearchParams(request.body));
    return reply.code(status).headers(headers).send(doc);
  };
  app.post('/v1/Workspaces/:workspace/Tasks', route);
  app.post('/v1/Workspaces/:workspace/Tasks/:task', route);
  app.post('/v1/Workspaces/:workspace/Workers/:worker/Reservations/:reservation', route);
  app.post('/v1/Workspaces', route);
  app.get('/v1/Workspaces/:workspace/Activities', route);
  app.post('/v1/Workspaces/:workspace/Workers', route);
  app.post('/v1/Workspaces/:workspace/Workers/:worker/Channels/:channel', route);
  app.post('/switchboard/v1/Tokens', route);
  await app.ready();
  server = app.server;
} else if (kind === 'node') {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const [status, headers, doc] = answer(request.url, request.headers, new URLSearchParams(body));
      const text = JSON.stringify(doc);
      response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
      response.end(text);
    });
  });
} else {
  throw new Error(`unknown server kind ${kind} (node or fastify)`);
}

const sockets = new WebSocketServer({ noServer: true });
server.on('upgrade', (request, stream, head) =>
  sockets.handleUpgrade(request, stream, head, (socket) => {
    sessions.push({ socket, stream });
    socket.send(JSON.stringify({ event_type: 'init', payload: {} }));
  }),
);
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
