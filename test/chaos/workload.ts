// The pieces both chaos runs share (chaosRun.ts: one node on SQLite; clusterChaosRun.ts: three nodes on one
// PostgreSQL): the client that logs what the server acknowledged, the workspace they set up, the mixed
// workload, and the invariants checked against the database:
//   lost          an acknowledged task creation, acceptance or completion that is not in the database (a task
//                 whose completion was acknowledged more than the finished-task retention ago may be gone: the
//                 server removes finished tasks after FINISHED_TASK_RETENTION_MS, 5 minutes)
//   double        a task with more than one accepted (or wrapping, or completed) reservation
//   capacity      a worker channel holding more reservations than its capacity
//   mismatch      a task status its reservations contradict (assigned without exactly one accepted one, ...)
//   overdue       a pending reservation whose timeout passed more than a few seconds ago (timers must resume)
//   eventless     a task without its task.created event
//   undelivered   an event of the log that the workspace's event-callback receiver never got, or got out of
//                 order (the receiver is in this process; delivery is at least once, so repeats are fine)
import { FINISHED_TASK_RETENTION_MS } from '../../src/engine/routing/tasks.ts';
import type { WebhookReceiver } from '../support/webhookReceiver.ts';

export interface ChaosCounts {
  kills: number;
  requests: number;
  acknowledged: number;
  status5xx: number;
  lost: number;
  double: number;
  capacity: number;
  mismatch: number;
  overdue: number;
  eventless: number;
  undelivered: number;
  callbacks: number;
  problems: string[];
}

export const newCounts = (): ChaosCounts => ({ kills: 0, requests: 0, acknowledged: 0, status5xx: 0, lost: 0, double: 0, capacity: 0, mismatch: 0, overdue: 0, eventless: 0, undelivered: 0, callbacks: 0, problems: [] });

/** The invariant counts that must be 0 after a run. */
export const invariantCounts = (c: ChaosCounts) => ({ lost: c.lost, double: c.double, capacity: c.capacity, mismatch: c.mismatch, overdue: c.overdue, eventless: c.eventless, undelivered: c.undelivered });

export const CAPACITY = 2;
export const WORKERS = 8;

export type Call = (method: string, path: string, form?: Record<string, string>) => Promise<{ status: number; body: any } | undefined>;

/** What the server acknowledged (a 2xx answer). */
export interface Acknowledged {
  createdTasks: Set<string>;
  acceptedReservations: Set<string>;
  /** Task SID -> when its completion was acknowledged (Date.now()). */
  completedTasks: Map<string, number>;
}

/**
 * A client for the chaos runs: `call` sends one request to the node `origin()` names (undefined: none is up, the
 * request is not sent) and counts it; an answer that never came (the node died under it) is undefined, not
 * acknowledged. A 5xx is counted, and logged as a problem unless `expected5xx` says the run allows it (a cluster
 * answers 503 "retry" while a workspace changes owner). `must` retries until a success (setup only).
 */
export function chaosClient(
  counts: ChaosCounts, auth: string, origin: () => string | undefined, expected5xx: (status: number, text: string) => boolean = () => false,
  trace?: (answer: { method: string; path: string; origin: string; sentAt: number; status: number; body: any }) => void,
) {
  const call: Call = async (method, path, form) => {
    const base = origin();
    if (base === undefined) return undefined;
    counts.requests++;
    try {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: form ? new URLSearchParams(form).toString() : undefined,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      const sentAt = Date.now();
      if (res.status >= 500) {
        counts.status5xx++;
        if (!expected5xx(res.status, text) && counts.problems.length < 50) counts.problems.push(`${method} ${path} -> ${res.status} ${text.slice(0, 200)}`);
      }
      const body = text ? JSON.parse(text) : undefined;
      if (res.status < 300) counts.acknowledged++;
      trace?.({ method, path, origin: base, sentAt, status: res.status, body });
      return { status: res.status, body };
    } catch {
      return undefined; // the server died (or froze) under the request: not acknowledged
    }
  };
  const must = async (method: string, path: string, form?: Record<string, string>) => {
    for (let i = 0; i < 100; i++) {
      const r = await call(method, path, form);
      if (r && r.status < 300) return r.body;
      if (r && r.status < 500) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`${method} ${path}: no answer`);
  };
  return { call, must };
}

export interface ChaosWorkspace {
  ws: string;
  activities: Record<string, string>;
  workflow: string;
  workers: string[];
}

/** A FIFO workspace posting its events to `eventCallbackUrl`, reservations timing out after 2 s, and WORKERS
 *  available workers of CAPACITY on the default channel. */
export async function setupWorkspace(must: (method: string, path: string, form?: Record<string, string>) => Promise<any>, eventCallbackUrl: string): Promise<ChaosWorkspace> {
  const ws = (await must('POST', '/v1/Workspaces', { FriendlyName: 'chaos', Template: 'FIFO', EventCallbackUrl: eventCallbackUrl })).sid as string;
  const activities: Record<string, string> = Object.fromEntries((await must('GET', `/v1/Workspaces/${ws}/Activities`)).activities.map((a: any) => [a.friendly_name, a.sid]));
  const workflow = (await must('GET', `/v1/Workspaces/${ws}/Workflows`)).workflows[0].sid as string;
  await must('POST', `/v1/Workspaces/${ws}/Workflows/${workflow}`, { TaskReservationTimeout: '2' });
  const workers: string[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const sid = (await must('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: activities.Available!, Attributes: '{"skills":["en"]}' })).sid;
    await must('POST', `/v1/Workspaces/${ws}/Workers/${sid}/Channels/default`, { Capacity: String(CAPACITY) });
    workers.push(sid);
  }
  return { ws, activities, workflow, workers };
}

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

/**
 * The mixed workload: `streams` concurrent loops of weighted operations (create tasks; accept or reject a
 * worker's pending reservation; complete a held task; change a worker's activity or attributes; change the
 * reservation timeout) until stop(); a loop waits while `paused()`. Acknowledged writes go into the returned sets.
 */
export function startWorkload(call: Call, w: ChaosWorkspace, counts: ChaosCounts, options: { streams: number; paused: () => boolean }) {
  const { ws, activities, workflow, workers } = w;
  const acknowledged: Acknowledged = { createdTasks: new Set(), acceptedReservations: new Set(), completedTasks: new Map() };
  const operations: (() => Promise<void>)[] = [
    async () => {
      const r = await call('POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: JSON.stringify({ n: counts.requests }), Priority: String(Math.floor(Math.random() * 5)) });
      if (r?.status === 201) acknowledged.createdTasks.add(r.body.sid);
    },
    async () => {
      const worker = pick(workers);
      const list = await call('GET', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations?ReservationStatus=pending`);
      const offer = list?.body?.reservations?.[0];
      if (!offer) return;
      const reject = Math.random() < 0.2;
      const r = await call('POST', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations/${offer.sid}`, { ReservationStatus: reject ? 'rejected' : 'accepted' });
      if (r?.status === 200 && !reject) acknowledged.acceptedReservations.add(offer.sid);
    },
    async () => {
      const worker = pick(workers);
      const list = await call('GET', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations?ReservationStatus=accepted`);
      const held = list?.body?.reservations?.[0];
      if (!held) return;
      const r = await call('POST', `/v1/Workspaces/${ws}/Tasks/${held.task_sid}`, { AssignmentStatus: 'completed', Reason: 'chaos' });
      if (r?.status === 200) acknowledged.completedTasks.set(held.task_sid, Date.now());
    },
    async () => {
      await call('POST', `/v1/Workspaces/${ws}/Workers/${pick(workers)}`, { ActivitySid: Math.random() < 0.8 ? activities.Available! : activities.Offline! });
    },
    async () => {
      await call('POST', `/v1/Workspaces/${ws}/Workers/${pick(workers)}`, { Attributes: JSON.stringify({ skills: ['en'], shift: Math.floor(Math.random() * 3) }) });
    },
    async () => {
      await call('POST', `/v1/Workspaces/${ws}/Workflows/${workflow}`, { TaskReservationTimeout: String(1 + Math.floor(Math.random() * 3)) });
    },
  ];
  const weights = [5, 5, 4, 1, 1, 1];
  const weighted = operations.flatMap((op, i) => Array.from({ length: weights[i]! }, () => op));
  let stopping = false;
  const loops = Array.from({ length: options.streams }, async () => {
    while (!stopping) {
      if (options.paused()) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      await pick(weighted)();
    }
  });
  return {
    acknowledged,
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** What was acknowledged so far: taken before a snapshot is read asynchronously, so that a write acknowledged
 *  while the snapshot is being read (and so maybe after it) is not taken for a lost one. */
export const acknowledgedSoFar = (a: Acknowledged): Acknowledged => ({ createdTasks: new Set(a.createdTasks), acceptedReservations: new Set(a.acceptedReservations), completedTasks: new Map(a.completedTasks) });

/** The rows the invariants are checked on, read from the database in one snapshot. */
export interface ChaosSnapshot {
  tasks: { sid: string; assignmentStatus: string }[];
  reservations: { sid: string; taskSid: string; workerSid: string; reservationStatus: string; timeoutAt: number | null }[];
  /** task.created events per task SID. */
  createdEvents: Map<string, number>;
}

/** Counts every invariant the snapshot breaks; a pending reservation is overdue `overdueMs` after its timeout. */
export function checkSnapshot(snapshot: ChaosSnapshot, acknowledged: Acknowledged, counts: ChaosCounts, when: string, overdueMs = 3000) {
  const now = Date.now();
  const problem = (kind: 'lost' | 'double' | 'capacity' | 'mismatch' | 'overdue' | 'eventless', text: string) => {
    counts[kind]++;
    if (counts.problems.length < 50) counts.problems.push(`${when}: ${text}`);
  };
  const tasks = new Map(snapshot.tasks.map((t) => [t.sid, t]));
  const { reservations, createdEvents } = snapshot;
  // Removed after the retention: its completion (committed before it was acknowledged, 10 s of slack for that)
  // is older than the retention.
  const retired = (sid: string) => !tasks.has(sid) && (acknowledged.completedTasks.get(sid) ?? now) < now - FINISHED_TASK_RETENTION_MS + 10_000;
  for (const sid of acknowledged.createdTasks) if (!tasks.has(sid) && !retired(sid)) problem('lost', `acknowledged task ${sid} is missing`);
  for (const sid of acknowledged.completedTasks.keys()) {
    if (tasks.get(sid)?.assignmentStatus !== 'completed' && !retired(sid)) problem('lost', `acknowledged completion of ${sid} is missing (${tasks.get(sid)?.assignmentStatus})`);
  }
  const byTask = new Map<string, typeof reservations>();
  for (const r of reservations) byTask.set(r.taskSid, [...(byTask.get(r.taskSid) ?? []), r]);
  for (const r of reservations) {
    if (acknowledged.acceptedReservations.has(r.sid) && (r.reservationStatus === 'pending' || r.reservationStatus === 'rejected' || r.reservationStatus === 'timeout')) {
      problem('lost', `acknowledged acceptance of ${r.sid} is missing (${r.reservationStatus})`);
    }
    if (r.reservationStatus === 'pending' && r.timeoutAt !== null && r.timeoutAt < now - overdueMs) problem('overdue', `reservation ${r.sid} should have timed out ${now - r.timeoutAt} ms ago`);
  }
  for (const [sid, t] of tasks) {
    const rs = byTask.get(sid) ?? [];
    const taken = rs.filter((r) => ['accepted', 'wrapping', 'completed'].includes(r.reservationStatus)).length;
    const live = rs.filter((r) => ['accepted', 'wrapping'].includes(r.reservationStatus)).length;
    const pending = rs.filter((r) => r.reservationStatus === 'pending').length;
    if (taken > 1) problem('double', `task ${sid} has ${taken} accepted reservations`);
    const s = t.assignmentStatus;
    if ((s === 'assigned' || s === 'wrapping') && live !== 1) problem('mismatch', `task ${sid} is ${s} with ${live} live reservations`);
    if (s === 'reserved' && pending < 1) problem('mismatch', `task ${sid} is reserved without a pending reservation`);
    if ((s === 'pending' || s === 'completed' || s === 'canceled') && pending + live > 0) problem('mismatch', `task ${sid} is ${s} with ${pending} pending and ${live} live reservations`);
    const created = createdEvents.get(sid) ?? 0;
    if (created !== 1) problem('eventless', `task ${sid} has ${created} task.created events`);
  }
  const held = new Map<string, number>();
  for (const r of reservations) {
    if (['pending', 'accepted', 'wrapping'].includes(r.reservationStatus)) held.set(r.workerSid, (held.get(r.workerSid) ?? 0) + 1);
  }
  for (const [worker, n] of held) if (n > CAPACITY) problem('capacity', `worker ${worker} holds ${n} reservations (capacity ${CAPACITY})`);
}

/** Waits (up to a minute) until the receiver got every event of `logged()` (the log's event SIDs in order), then
 *  counts what it never got, or got out of order, as undelivered. */
export async function checkCallbacks(receiver: WebhookReceiver, logged: () => Promise<string[]> | string[], counts: ChaosCounts) {
  const expected = await logged();
  // Counted as they arrive: the receiver answers in this process, and rebuilding a set of every SID received
  // (75,000 of them) at each 20 ms look took most of this event loop, so the receiver answered slowly and
  // the drain it waits for could not finish in time.
  const arrived = new Set<string>();
  let counted = 0;
  try {
    await receiver.waitFor((all) => {
      for (; counted < all.length; counted++) arrived.add(all[counted]!.params.Sid!);
      return arrived.size >= expected.length;
    }, 60_000);
  } catch {
    // counted below
  }
  const delivered = [...new Set(receiver.received.map((r) => r.params.Sid))];
  counts.callbacks = receiver.received.length;
  const seen = new Set(delivered);
  const missing = expected.filter((sid) => !seen.has(sid));
  counts.undelivered = missing.length + (missing.length === 0 && delivered.slice(0, expected.length).join() !== expected.join() ? 1 : 0);
  if (counts.undelivered) counts.problems.push(`event callbacks: ${missing.length} of ${expected.length} events never delivered, or out of order`);
}
