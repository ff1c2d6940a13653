// The EventBridge WebSocket of the twilio-taskrouter Worker SDK (reference §17.5), at /v1/wschannels:
//   connect   ?token=<worker token>&closeExistingSessions=<bool>&setWorkerOfflineIfDisconnected=<bool>
//   server -> {"event_type":"init","payload":{channel_id, account_sid, workspace_sid, token_lifetime}} first,
//             then {"event_type": <TaskRouter event>, "payload": <EB object>} for every event about this worker,
//             its reservations and the tasks it holds, in commit order; a whitespace frame every 15 s as heartbeat.
// Events come from the durable log (Store.onCommit), so a socket sees exactly what was committed.
// closeExistingSessions closes the worker's older sockets. setWorkerOfflineIfDisconnected (default true) moves
// the worker to the workspace's default activity when its last socket has been gone for the grace period.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventRecord } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';
import { verifyToken } from '../auth/tokens.ts';
import type { Engine } from '../engine/engine.ts';
import { updateWorker } from '../engine/configuration/workers.ts';
import { ebReservation, ebTask, ebWorker, ebWorkerChannel } from './ebFormat.ts';

export interface WorkerSocketOptions {
  heartbeatMs?: number;
  /** How long a worker may be without a socket before setWorkerOfflineIfDisconnected applies. */
  offlineGraceMs?: number;
}

interface Session {
  socket: WebSocket;
  accountSid: string;
  workspaceSid: string;
  workerSid: string;
  setOfflineIfDisconnected: boolean;
}

function reject(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ code: status === 401 ? 20003 : 20001, message, status });
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The EB payload an event pushes, read from the store right after the commit. */
function payloadFor(repo: Repository, e: EventRecord, now: number): unknown | undefined {
  const data = e.eventData;
  if (e.eventType.startsWith('reservation.')) {
    const r = repo.get('reservation', e.resourceSid);
    return r ? ebReservation(repo, r, now) : undefined;
  }
  if (e.eventType === 'worker.capacity.update' || e.eventType === 'worker.channel.availability.update') {
    const wc = repo.findOne('workerChannel', { workerSid: String(data.worker_sid), taskChannelSid: String(data.task_channel_sid) });
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

export function attachWorkerSockets(app: FastifyInstance, store: Store, engine: Engine, clock: () => number, options: WorkerSocketOptions = {}): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const byWorker = new Map<string, Set<Session>>();
  const offlineTimers = new Map<string, NodeJS.Timeout>();

  const heartbeat = setInterval(() => {
    for (const sessions of byWorker.values()) for (const s of sessions) if (s.socket.readyState === s.socket.OPEN) s.socket.send(' ');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const unsubscribe = store.onCommit((events) => {
    if (byWorker.size === 0) return;
    const now = clock();
    store.read((repo) => {
      for (const e of events) {
        const targets = recipients(repo, e).filter((sid) => byWorker.has(sid));
        if (targets.length === 0) continue;
        const payload = payloadFor(repo, e, now);
        if (payload === undefined) continue;
        const frame = JSON.stringify({ event_type: e.eventType, payload });
        for (const sid of new Set(targets)) for (const s of byWorker.get(sid) ?? []) if (s.socket.readyState === s.socket.OPEN) s.socket.send(frame);
      }
    });
  });

  const goOffline = (s: Session) => {
    offlineTimers.delete(s.workerSid);
    if (byWorker.has(s.workerSid)) return; // reconnected meanwhile
    try {
      engine.run({ accountSid: s.accountSid, now: clock() }, s.workspaceSid, (repo, router) => {
        const ws = repo.get('workspace', s.workspaceSid);
        const worker = repo.get('worker', s.workerSid);
        if (!ws?.defaultActivitySid || !worker || worker.activitySid === ws.defaultActivitySid) return;
        const updated = updateWorker(repo, { accountSid: s.accountSid, now: clock() }, s.workspaceSid, s.workerSid, { activitySid: ws.defaultActivitySid });
        router.workerUpserted(updated, [], clock());
      });
    } catch {
      // The worker or workspace is gone: nothing to do.
    }
  };

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1/wschannels') return reject(socket, 400, `No WebSocket at ${url.pathname}`);
    const token = url.searchParams.get('token');
    if (!token) return reject(socket, 401, 'Invalid token: missing');
    const now = clock();
    store
      .read((repo) => verifyToken(repo, token, now))
      .then((principal) => {
        if (!principal.workerSid) return reject(socket, 400, 'The token names no worker (worker_sid)');
        const workerSid = principal.workerSid;
        const known = store.read((repo) => repo.get('worker', workerSid));
        if (!known || known.workspaceSid !== principal.workspaceSid) return reject(socket, 401, 'Invalid token: unknown worker');
        wss.handleUpgrade(req, socket, head, (ws) => {
          const session: Session = {
            socket: ws,
            accountSid: principal.accountSid,
            workspaceSid: principal.workspaceSid,
            workerSid,
            setOfflineIfDisconnected: url.searchParams.get('setWorkerOfflineIfDisconnected') !== 'false',
          };
          const existing = byWorker.get(workerSid) ?? new Set<Session>();
          if (url.searchParams.get('closeExistingSessions') === 'true') {
            for (const old of existing) old.socket.close(4000, 'Closed by a newer session (closeExistingSessions)');
            existing.clear();
          }
          existing.add(session);
          byWorker.set(workerSid, existing);
          const pendingOffline = offlineTimers.get(workerSid);
          if (pendingOffline) {
            clearTimeout(pendingOffline);
            offlineTimers.delete(workerSid);
          }
          ws.send(
            JSON.stringify({
              event_type: 'init',
              payload: { channel_id: workerSid, account_sid: principal.accountSid, workspace_sid: principal.workspaceSid, token_lifetime: Math.max(0, principal.expiresAt - clock()) },
            }),
          );
          ws.on('message', () => {
            // The SDK sends nothing the server must answer; frames from the client are ignored.
          });
          ws.on('close', () => {
            const set = byWorker.get(workerSid);
            set?.delete(session);
            if (set && set.size === 0) {
              byWorker.delete(workerSid);
              if (session.setOfflineIfDisconnected) {
                const t = setTimeout(() => goOffline(session), options.offlineGraceMs ?? 5_000);
                t.unref();
                offlineTimers.set(workerSid, t);
              }
            }
          });
        });
      })
      .catch((err: Error) => reject(socket, 401, err.message));
  });

  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    unsubscribe();
    for (const t of offlineTimers.values()) clearTimeout(t);
    for (const sessions of byWorker.values()) for (const s of sessions) s.socket.terminate();
    wss.close();
  });
}
