// The EventBridge WebSocket of the twilio-taskrouter Worker SDK (reference §17.5), at /v1/wschannels:
//   connect   ?token=<worker token>&closeExistingSessions=<bool>&setWorkerOfflineIfDisconnected=<bool>
//   server -> {"event_type":"init","payload":{channel_id, account_sid, workspace_sid, token_lifetime}} first,
//             then {"event_type": <TaskRouter event>, "payload": <EB object>} for every event about this worker,
//             its reservations and the tasks it holds, in commit order; a whitespace frame every 15 s as heartbeat.
// Legacy taskrouter.js (v1) connects to /v1/wschannels/{AccountSid}/{channel} (a worker, workspace or task queue
// SID) with ?token=<capability token>&closeExistingSessions=..&disconnectActivitySid=..; it gets no init (it asks
// for `ready` through the HTTP proxy) and its payloads are the public REST representations, a reservation event
// carrying the task with `reservation_sid` mixed in.
// Events come from the durable log (Store.onCommit), so a socket sees exactly what was committed.
// closeExistingSessions closes the worker's older sockets. setWorkerOfflineIfDisconnected (default true) moves
// the worker to the workspace's default activity when its last socket has been gone for the grace period
// (workerPresence.ts decides when, disconnect.ts what; with several nodes the workspace's owner does).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EntityKind, EventRecord } from '../core/entities.ts';
import { ERRORS } from '../core/errors.ts';
import { LIMITS } from '../core/limits.ts';
import type { Repository, Store } from '../core/repository.ts';
import { verifyToken } from '../auth/tokens.ts';
import type { Engine } from '../engine/engine.ts';
import { ebReservation, ebTask, ebWorker, ebWorkerChannel } from './ebFormat.ts';
import { serializeTask } from '../api/taskrouter/tasks.ts';
import { serializeTaskQueue } from '../api/taskrouter/taskQueues.ts';
import { serializeWorker } from '../api/taskrouter/workers.ts';
import { serializeWorkerChannel } from '../api/taskrouter/workerChannels.ts';
import { Heartbeat } from './heartbeat.ts';
import { LocalPresence, OFFLINE_GRACE_MS, type WorkerPresence } from './workerPresence.ts';

export interface WorkerSocketOptions {
  heartbeatMs?: number;
  /** How long a worker may be without a socket before setWorkerOfflineIfDisconnected applies. */
  offlineGraceMs?: number;
  /** Who learns of workers' sockets opening and closing (several nodes: the cluster's, in the database);
   *  by default this process's timers. */
  presence?: WorkerPresence;
  /** Several nodes: relays a socket whose workspace another node routes to that node (cluster/socketRelay.ts). */
  relay?: SocketRelayPort;
}

/** What the socket gateway needs of a relay to other nodes. */
export interface SocketRelayPort {
  /** For an upgrade another node relayed here: serve it ('here') or refuse it (421); 'not relayed' otherwise. */
  arrival(req: IncomingMessage, workspaceSid: string): 'not relayed' | 'here' | 'refuse';
  /** Hands the socket to the node routing the workspace; false when it is to be served here. */
  relay(workspaceSid: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean>;
  /** Drops the relayed sockets (this node is stopping). */
  closeAll(): void;
}


interface Session {
  socket: WebSocket;
  /** The connection under it (the upgrade's socket): corked while one commit's frames are sent, so that they
   *  leave in one write instead of a system call per frame. */
  stream: Duplex;
  protocol: 'eb' | 'v1';
  accountSid: string;
  workspaceSid: string;
  /** The worker, workspace or task queue SID the socket listens to (always a worker for the EB protocol). */
  channel: string;
  /** Where to move the worker when its last socket is gone, if anywhere. */
  offlineActivity: 'default' | string | undefined;
  /** Origin for the absolute URLs of v1 (REST-format) payloads. */
  origin: string;
}

const REFUSALS: Record<number, [code: number, reason: string]> = {
  400: [20001, 'Bad Request'], 401: [20003, 'Unauthorized'], 421: [ERRORS.misdirected.code, 'Misdirected Request'], 429: [20429, 'Too Many Requests'], 503: [ERRORS.serviceUnavailable.code, 'Service Unavailable'],
};

/** Refuses an upgrade with a Twilio error body. */
function reject(socket: Duplex, status: 400 | 401 | 421 | 429 | 503, message: string): void {
  const [code, reason] = REFUSALS[status]!;
  const body = JSON.stringify({ code, message, status });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The EB payload an event pushes, read from the store right after the commit. */
function payloadFor(repo: Repository, e: EventRecord, now: number): unknown | undefined {
  const data = e.eventData;
  if (e.eventType.startsWith('reservation.')) {
    const r = repo.get('reservation', e.resourceSid);
    return r ? ebReservation(repo, r, now) : undefined;
  }
  if (e.eventType === 'worker.capacity.update' || e.eventType === 'worker.channel.availability.update') {
    const wc = repo.findByUniqueKey('workerChannel', { workerSid: String(data.worker_sid), taskChannelSid: String(data.task_channel_sid) });
    return wc ? ebWorkerChannel(repo, wc) : undefined;
  }
  if (e.eventType.startsWith('worker.')) {
    const w = repo.get('worker', e.resourceSid);
    return w ? ebWorker(repo, w) : undefined;
  }
  if (e.eventType.startsWith('task.')) {
    const t = repo.get('task', e.resourceSid);
    return t ? ebTask(repo, t, now) : undefined;
  }
  return undefined;
}

/** The public REST representation an event pushes to a legacy (v1) channel. */
function payloadV1(repo: Repository, e: EventRecord, origin: string, now: number): unknown | undefined {
  const data = e.eventData;
  if (e.eventType.startsWith('reservation.')) {
    const r = repo.get('reservation', e.resourceSid);
    const t = r && repo.get('task', r.taskSid);
    if (!t) return undefined;
    // Added to the new object: a spread of it into another takes V8's slow path (core/entityCopies.ts).
    return Object.assign(serializeTask(repo, origin, t, now), { reservation_sid: r!.sid, reservation_status: r!.reservationStatus, worker_sid: r!.workerSid });
  }
  if (e.eventType === 'worker.capacity.update' || e.eventType === 'worker.channel.availability.update') {
    const wc = repo.findByUniqueKey('workerChannel', { workerSid: String(data.worker_sid), taskChannelSid: String(data.task_channel_sid) });
    return wc ? serializeWorkerChannel(repo, origin, wc) : undefined;
  }
  if (e.eventType.startsWith('worker.')) {
    const w = repo.get('worker', e.resourceSid);
    return w ? serializeWorker(repo, origin, w) : undefined;
  }
  if (e.eventType.startsWith('task.')) {
    const t = repo.get('task', e.resourceSid);
    return t ? serializeTask(repo, origin, t, now) : undefined;
  }
  if (e.eventType.startsWith('task-queue.')) {
    const q = repo.get('taskQueue', e.resourceSid);
    return q ? serializeTaskQueue(repo, origin, q) : data;
  }
  return data;
}

/** The kinds of the documents a push reads, by their SIDs' prefixes. */
const KIND_OF_PREFIX: Partial<Record<string, EntityKind>> = { WR: 'reservation', WT: 'task', WK: 'worker', WQ: 'taskQueue', WW: 'workflow', TC: 'taskChannel', WA: 'activity' };
const SID = /^(WR|WT|WK|WQ|WW|TC|WA)[0-9a-fA-F]{32}$/;

/** What the pushes of one workspace's events read: documents by SID, and the reservations of tasks. */
interface PushReads {
  documents: Map<string, { kind: EntityKind; sid: string }>;
  /** The tasks of task events, whose reservations say which workers hear them (`recipients`). */
  tasksHeld: Set<string>;
}

/** The reads the pushes of these events make, by workspace: each event's resource and the documents its data
 *  names (its task, worker, queue, workflow, channel, activity), and the reservations of the tasks of task
 *  events, fetched together before the pushes (Store.readAhead) where reads are not answered from memory. */
function readsOfPushes(events: readonly EventRecord[]): Map<string, PushReads> {
  const out = new Map<string, PushReads>();
  for (const e of events) {
    let reads = out.get(e.workspaceSid);
    if (!reads) out.set(e.workspaceSid, (reads = { documents: new Map(), tasksHeld: new Set() }));
    if (e.eventType.startsWith('task.')) reads.tasksHeld.add(e.resourceSid);
    for (const value of [e.resourceSid, ...Object.values(e.eventData)]) {
      if (typeof value !== 'string' || !SID.test(value)) continue;
      reads.documents.set(value, { kind: KIND_OF_PREFIX[value.slice(0, 2)]!, sid: value });
    }
  }
  return out;
}

/** The workers an event concerns: the worker it names, or the workers holding the task it is about. */
function recipients(repo: Repository, e: EventRecord): string[] {
  if (e.eventType.startsWith('worker.') || e.eventType.startsWith('reservation.')) {
    const sid = e.eventData.worker_sid;
    return typeof sid === 'string' ? [sid] : [];
  }
  if (e.eventType.startsWith('task.')) {
    return repo.findAll('reservation', { taskSid: e.resourceSid }).map((r) => r.workerSid);
  }
  return [];
}

/** A frame to send on a session's socket. */
interface Push {
  session: Session;
  frame: string;
}

/** Returns the number of open sockets (for metrics) and the workspaces they are in (several nodes read the
 *  other nodes' events of those workspaces: store/postgres/sharedLog.ts). */
export function attachWorkerSockets(app: FastifyInstance, store: Store, engine: Engine, clock: () => number, options: WorkerSocketOptions = {}): { connections: () => number; workspaces: () => Iterable<string> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** Open sessions by channel: a worker SID (both protocols), a workspace or a task queue SID (v1). */
  const byWorker = new Map<string, Set<Session>>();
  const presence = options.presence ?? new LocalPresence(engine, clock, options.offlineGraceMs ?? OFFLINE_GRACE_MS);
  const presenceOf = (s: Session) => ({ accountSid: s.accountSid, workspaceSid: s.workspaceSid, workerSid: s.channel, offlineActivity: s.offlineActivity });
  /** Open sessions per workspace: events of a workspace nobody here listens to are skipped before any read
   *  (with several nodes every node sees every workspace's events). */
  const sessionsPerWorkspace = new Map<string, number>();
  const countSession = (workspaceSid: string, delta: number) => {
    const n = (sessionsPerWorkspace.get(workspaceSid) ?? 0) + delta;
    if (n > 0) sessionsPerWorkspace.set(workspaceSid, n);
    else sessionsPerWorkspace.delete(workspaceSid);
  };

  const heartbeat = new Heartbeat<Session>(options.heartbeatMs ?? 15_000, (s) => {
    if (s.socket.readyState === s.socket.OPEN) s.socket.send(' ');
  });

  /** Pushes of one commit after another's: on PostgreSQL a payload of a workspace another node routes is read
   *  asynchronously, and later commits must not overtake it. */
  let pushing: Promise<void> = Promise.resolve();
  /** Sends a commit's frames. A lifecycle's commit carries several events for the same worker; each frame
   *  written alone costs a system call (the largest cost of a push). The connections written to are corked
   *  until the commit's frames are all queued, then leave in one write each. */
  const send = (frames: readonly Push[]) => {
    const corked = new Set<Duplex>();
    try {
      for (const { session: s, frame } of frames) {
        if (s.socket.readyState !== s.socket.OPEN) continue;
        if (!corked.has(s.stream)) {
          s.stream.cork();
          corked.add(s.stream);
        }
        s.socket.send(frame);
      }
    } finally {
      for (const stream of corked) stream.uncork();
    }
  };
  /** The frames of a commit's events, by socket. Only built here, never sent: on PostgreSQL this runs inside the
   *  store's read replay, which runs it again from the start when a read must be fetched first, and a frame
   *  sent by an attempt that was then run again went out twice (test/cluster/pushOnce.test.ts). */
  const framesOf = (events: EventRecord[], now: number): Push[] =>
    store.read((repo) => {
      const out: Push[] = [];
      for (const e of events) {
        // Channels concerned: the workers named or holding the task, the workspace, the task's queue.
        const channels = new Set(recipients(repo, e));
        channels.add(e.workspaceSid);
        if (typeof e.eventData.task_queue_sid === 'string') channels.add(e.eventData.task_queue_sid);
        const frames: Partial<Record<string, string | null>> = {};
        for (const channel of channels) {
          for (const s of byWorker.get(channel) ?? []) {
            if (s.socket.readyState !== s.socket.OPEN || s.workspaceSid !== e.workspaceSid) continue;
            const key = s.protocol === 'eb' ? 'eb' : `v1 ${s.origin}`;
            if (frames[key] === undefined) {
              const payload = s.protocol === 'eb' ? payloadFor(repo, e, now) : payloadV1(repo, e, s.origin, now);
              frames[key] = payload === undefined ? null : JSON.stringify({ event_type: e.eventType, payload });
            }
            const frame = frames[key];
            if (frame) out.push({ session: s, frame });
          }
        }
      }
      return out;
    });
  const readAhead = store.readsMayMiss ? store.readAhead?.bind(store) : undefined;
  const unsubscribe = store.onCommit((all) => {
    const events = all.filter((e) => sessionsPerWorkspace.has(e.workspaceSid));
    if (events.length === 0) return;
    // Reads answered at once (always on SQLite; the owner's workspaces on PostgreSQL) push now; the rest wait
    // for their reads, in commit order. Only a push that reads ahead reads after an await.
    const remote = readAhead ? events.filter((e) => !store.answersFromMemory?.(e.workspaceSid)) : [];
    const ahead = remote.length > 0 ? [...readsOfPushes(remote)] : [];
    const work = ahead.length > 0
      ? async () => {
          for (const [ws, reads] of ahead) await readAhead!(ws, [...reads.documents.values()], [...reads.tasksHeld]);
          return framesOf(events, clock());
        }
      : () => framesOf(events, clock());
    pushing = pushing
      .then(() => store.replaying(work, { acrossAwaits: ahead.length > 0 }))
      .then(send)
      .catch(() => undefined);
  });

  let closing = false;

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const legacy = /^\/v1\/wschannels\/(AC[0-9a-fA-F]{32})\/((?:WK|WS|WQ)[0-9a-fA-F]{32})$/.exec(url.pathname);
    if (url.pathname !== '/v1/wschannels' && !legacy) return reject(socket, 400, `No WebSocket at ${url.pathname}`);
    const token = url.searchParams.get('token');
    if (!token) return reject(socket, 401, 'Invalid token: missing');
    const now = clock();
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    store
      .replaying(async () => {
        const principal = await store.read((repo) => verifyToken(repo, app.secrets, token, now));
        // What the upgrade checks below read, fetched here (memory answers them on the node that routes the
        // workspace; elsewhere they are read from the database).
        const legacyChannel = legacy?.[2];
        const facts = store.read((repo) => ({
          queue: legacyChannel?.startsWith('WQ') ? repo.get('taskQueue', legacyChannel) : undefined,
          worker: (legacyChannel ?? principal.workerSid)?.startsWith('WK') ? repo.get('worker', (legacyChannel ?? principal.workerSid)!) : undefined,
        }));
        return { principal, facts };
      }, { acrossAwaits: true })
      .then(async ({ principal, facts }) => {
        // The stop began while the token was being checked: the sockets were told to go already, and one
        // upgraded now would hold the listener open until its client hung up.
        if (closing) return reject(socket, 503, ERRORS.serviceUnavailable.message);
        const arrival = options.relay?.arrival(req, principal.workspaceSid) ?? 'not relayed';
        if (arrival === 'refuse') return reject(socket, 421, ERRORS.misdirected.message);
        let channel: string;
        let offlineActivity: string | undefined;
        if (legacy) {
          if (legacy[1] !== principal.accountSid) return reject(socket, 401, 'Invalid token: it is for another account');
          channel = legacy[2]!;
          const allowed =
            channel === principal.workspaceSid ||
            channel === principal.workerSid ||
            (channel.startsWith('WQ') && facts.queue?.workspaceSid === principal.workspaceSid) ||
            (principal.role === 'admin' && facts.worker?.workspaceSid === principal.workspaceSid);
          if (!allowed) return reject(socket, 401, `Invalid token: it does not cover channel ${channel}`);
          offlineActivity = url.searchParams.get('disconnectActivitySid') ?? undefined;
        } else {
          if (!principal.workerSid) return reject(socket, 400, 'The token names no worker (worker_sid)');
          channel = principal.workerSid;
          offlineActivity = url.searchParams.get('setWorkerOfflineIfDisconnected') !== 'false' ? 'default' : undefined;
        }
        if (channel.startsWith('WK')) {
          const known = facts.worker;
          if (!known || known.workspaceSid !== principal.workspaceSid) return reject(socket, 401, 'Invalid token: unknown worker');
        }
        // Checked here, served by the node routing the workspace when it can be reached (it checks again).
        if (arrival === 'not relayed' && options.relay && (await options.relay.relay(principal.workspaceSid, req, socket, head))) return;
        if (closing || socket.destroyed) return reject(socket, 503, ERRORS.serviceUnavailable.message);
        const replacing = url.searchParams.get('closeExistingSessions') === 'true';
        if (!replacing && (byWorker.get(channel)?.size ?? 0) >= LIMITS.socketsPerChannel) {
          return reject(socket, 429, `Too many connections for ${channel} (${LIMITS.socketsPerChannel}); close one or connect with closeExistingSessions=true`);
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          const session: Session = { socket: ws, stream: socket, protocol: legacy ? 'v1' : 'eb', accountSid: principal.accountSid, workspaceSid: principal.workspaceSid, channel, offlineActivity, origin };
          const existing = byWorker.get(channel) ?? new Set<Session>();
          if (replacing) {
            for (const old of existing) old.socket.close(4000, 'Closed by a newer session (closeExistingSessions)');
            countSession(principal.workspaceSid, -existing.size);
            existing.clear();
          }
          const before = existing.size;
          existing.add(session);
          byWorker.set(channel, existing);
          heartbeat.add(session);
          countSession(session.workspaceSid, existing.size - before);
          if (channel.startsWith('WK')) presence.opened(presenceOf(session));
          if (!legacy) {
            ws.send(
              JSON.stringify({
                event_type: 'init',
                payload: { channel_id: channel, account_sid: principal.accountSid, workspace_sid: principal.workspaceSid, token_lifetime: Math.max(0, principal.expiresAt - clock()) },
              }),
            );
          }
          ws.on('message', () => {
            // Neither protocol sends anything the server must answer on the socket; client frames are ignored.
          });
          ws.on('close', () => {
            heartbeat.delete(session);
            const set = byWorker.get(channel);
            if (set?.delete(session)) countSession(session.workspaceSid, -1);
            if (set && set.size === 0) {
              byWorker.delete(channel);
              // Not when the server itself is closing the sockets: the workers will reconnect to it.
              if (channel.startsWith('WK') && !closing) presence.closed(presenceOf(session));
            }
          });
        });
      })
      .catch((err: Error) => reject(socket, 401, err.message));
  });

  // Before the listener closes (it waits for open connections, upgraded sockets included): tell every client
  // with 1012 "service restart" that it should reconnect (to this server once it is back, or another node),
  // and drop the sockets that do not finish the closing handshake promptly.
  app.addHook('preClose', async () => {
    closing = true;
    options.relay?.closeAll();
    const sockets = [...byWorker.values()].flatMap((sessions) => [...sessions].map((s) => s.socket));
    for (const socket of sockets) socket.close(1012, 'Server restarting; reconnect');
    await Promise.race([
      Promise.all(sockets.map((socket) => (socket.readyState === socket.CLOSED ? undefined : new Promise((resolve) => socket.once('close', resolve))))),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
    for (const socket of sockets) socket.terminate();
  });
  app.addHook('onClose', async () => {
    heartbeat.stop();
    unsubscribe();
    presence.stop();
    wss.close();
  });
  return { connections: () => wss.clients.size, workspaces: () => sessionsPerWorkspace.keys() };
}
