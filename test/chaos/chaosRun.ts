// Crash chaos: a mixed workload runs against the real server (a child process on a SQLite file) while the
// server is killed with SIGKILL at random moments and restarted on the same file. The client logs what the
// server acknowledged; after every restart and at the end the database is checked against it:
//   lost          an acknowledged task creation, acceptance or completion that is not in the database
//   double        a task with more than one accepted (or wrapping, or completed) reservation
//   capacity      a worker channel holding more reservations than its capacity
//   mismatch      a task status its reservations contradict (assigned without exactly one accepted one, ...)
//   overdue       a pending reservation whose timeout passed more than a few seconds ago (timers must resume)
//   eventless     a task without its task.created event
//   undelivered   an event of the log that the workspace's event-callback receiver never got, or got out of
//                 order (the receiver is in this process; delivery is at least once, so repeats are fine)
// Used by test/chaos/chaos.test.ts (a short run in CI) and scripts/chaos.ts (`npm run chaos`, the long run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { startReceiver } from '../support/webhookReceiver.ts';

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

const CAPACITY = 2;
const WORKERS = 8;

export async function runChaos(options: { kills: number; seconds: number; log?: (line: string) => void }): Promise<ChaosCounts> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
  const env = { SWITCHBOARD_DB: join(dir, 'chaos.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + '9c'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'chaos-token', SWITCHBOARD_RATE_LIMIT: '1000000' };
  const auth = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');
  const counts: ChaosCounts = { kills: 0, requests: 0, acknowledged: 0, status5xx: 0, lost: 0, double: 0, capacity: 0, mismatch: 0, overdue: 0, eventless: 0, undelivered: 0, callbacks: 0, problems: [] };
  const receiver = await startReceiver();
  receiver.answer = () => ({ status: 204 });
  let server: ChildServer = await startChild(env);
  let alive = true;

  const call = async (method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any } | undefined> => {
    if (!alive) return undefined;
    counts.requests++;
    try {
      const res = await fetch(server.origin + path, {
        method,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: form ? new URLSearchParams(form).toString() : undefined,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (res.status >= 500) {
        counts.status5xx++;
        counts.problems.push(`${method} ${path} -> ${res.status} ${text.slice(0, 200)}`);
      }
      const body = text ? JSON.parse(text) : undefined;
      if (res.status < 300) counts.acknowledged++;
      return { status: res.status, body };
    } catch {
      return undefined; // the server died under the request: not acknowledged
    }
  };
  const must = async (method: string, path: string, form?: Record<string, string>) => {
    for (let i = 0; i < 50; i++) {
      const r = await call(method, path, form);
      if (r && r.status < 300) return r.body;
      if (r && r.status < 500) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`${method} ${path}: no answer`);
  };

  // Setup (before any kill).
  const ws = (await must('POST', '/v1/Workspaces', { FriendlyName: 'chaos', Template: 'FIFO', EventCallbackUrl: `${receiver.origin}/events` })).sid as string;
  const activities: Record<string, string> = Object.fromEntries((await must('GET', `/v1/Workspaces/${ws}/Activities`)).activities.map((a: any) => [a.friendly_name, a.sid]));
  const workflow = (await must('GET', `/v1/Workspaces/${ws}/Workflows`)).workflows[0].sid as string;
  await must('POST', `/v1/Workspaces/${ws}/Workflows/${workflow}`, { TaskReservationTimeout: '2' });
  const workers: string[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const sid = (await must('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: activities.Available!, Attributes: '{"skills":["en"]}' })).sid;
    await must('POST', `/v1/Workspaces/${ws}/Workers/${sid}/Channels/default`, { Capacity: String(CAPACITY) });
    workers.push(sid);
  }

  // What the server acknowledged.
  const createdTasks = new Set<string>();
  const acceptedReservations = new Set<string>();
  const completedTasks = new Set<string>();
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

  const operations: (() => Promise<void>)[] = [
    async () => {
      const r = await call('POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: JSON.stringify({ n: counts.requests }), Priority: String(Math.floor(Math.random() * 5)) });
      if (r?.status === 201) createdTasks.add(r.body.sid);
    },
    async () => {
      const worker = pick(workers);
      const list = await call('GET', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations?ReservationStatus=pending`);
      const offer = list?.body?.reservations?.[0];
      if (!offer) return;
      const reject = Math.random() < 0.2;
      const r = await call('POST', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations/${offer.sid}`, { ReservationStatus: reject ? 'rejected' : 'accepted' });
      if (r?.status === 200 && !reject) acceptedReservations.add(offer.sid);
    },
    async () => {
      const worker = pick(workers);
      const list = await call('GET', `/v1/Workspaces/${ws}/Workers/${worker}/Reservations?ReservationStatus=accepted`);
      const held = list?.body?.reservations?.[0];
      if (!held) return;
      const r = await call('POST', `/v1/Workspaces/${ws}/Tasks/${held.task_sid}`, { AssignmentStatus: 'completed', Reason: 'chaos' });
      if (r?.status === 200) completedTasks.add(held.task_sid);
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

  const check = (when: string) => {
    const store = new SqliteStore(env.SWITCHBOARD_DB);
    try {
      // One transaction, so tasks, reservations and events are read from the same snapshot while the server
      // goes on writing (it waits on the lock for these few milliseconds).
      store.transaction((repo) => {
        const now = Date.now();
        const problem = (kind: keyof ChaosCounts, text: string) => {
          (counts[kind] as number)++;
          if (counts.problems.length < 50) counts.problems.push(`${when}: ${text}`);
        };
        const tasks = new Map(repo.findAll('task', { workspaceSid: ws }).map((t) => [t.sid, t]));
        const reservations = repo.findAll('reservation', { workspaceSid: ws });
        for (const sid of createdTasks) if (!tasks.has(sid)) problem('lost', `acknowledged task ${sid} is missing`);
        for (const sid of completedTasks) if (tasks.get(sid)?.assignmentStatus !== 'completed') problem('lost', `acknowledged completion of ${sid} is missing (${tasks.get(sid)?.assignmentStatus})`);
        const createdEvents = new Map<string, number>();
        for (const e of repo.eventsMatching({ workspaceSid: ws, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, eventTypes: ['task.created'] })) {
          const sid = String(e.eventData.task_sid);
          createdEvents.set(sid, (createdEvents.get(sid) ?? 0) + 1);
        }
        const byTask = new Map<string, typeof reservations>();
        for (const r of reservations) byTask.set(r.taskSid, [...(byTask.get(r.taskSid) ?? []), r]);
        for (const r of reservations) {
          if (acceptedReservations.has(r.sid) && (r.reservationStatus === 'pending' || r.reservationStatus === 'rejected' || r.reservationStatus === 'timeout')) {
            problem('lost', `acknowledged acceptance of ${r.sid} is missing (${r.reservationStatus})`);
          }
          if (r.reservationStatus === 'pending' && r.timeoutAt !== null && r.timeoutAt < now - 3000) problem('overdue', `reservation ${r.sid} should have timed out ${now - r.timeoutAt} ms ago`);
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
      });
    } finally {
      store.close();
    }
  };

  // The workload: 6 concurrent streams until the end; the killer runs beside them.
  const deadline = Date.now() + options.seconds * 1000;
  let stop = false;
  const streams = Array.from({ length: 6 }, async () => {
    while (!stop) {
      if (!alive) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      await pick(weighted)();
    }
  });
  const gap = (options.seconds * 1000) / (options.kills + 1);
  for (let k = 0; k < options.kills; k++) {
    await new Promise((r) => setTimeout(r, gap * (0.5 + Math.random())));
    alive = false;
    await server.kill('SIGKILL');
    counts.kills++;
    server = await startChild(env);
    alive = true;
    // Give restarted timers a moment to fire before checking them.
    await new Promise((r) => setTimeout(r, 1500));
    check(`after kill ${k + 1}`);
    options.log?.(`kill ${k + 1}: requests ${counts.requests}, acknowledged ${counts.acknowledged}, tasks ${createdTasks.size}`);
  }
  await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
  stop = true;
  await Promise.all(streams);
  // Every event of the log reaches the receiver, in log order, once delivery catches up.
  const logged = () => {
    const store = new SqliteStore(env.SWITCHBOARD_DB);
    try {
      return store.read((repo) => repo.eventsFor(ws).map((e) => e.sid));
    } finally {
      store.close();
    }
  };
  const expected = logged();
  try {
    await receiver.waitFor((all) => new Set(all.map((r) => r.params.Sid)).size >= expected.length, 60_000);
  } catch {
    // counted below
  }
  await server.kill('SIGTERM');
  check('at the end');
  const delivered = [...new Set(receiver.received.map((r) => r.params.Sid))];
  counts.callbacks = receiver.received.length;
  const missing = expected.filter((sid) => !delivered.includes(sid));
  counts.undelivered = missing.length + (missing.length === 0 && delivered.slice(0, expected.length).join() !== expected.join() ? 1 : 0);
  if (counts.undelivered) counts.problems.push(`event callbacks: ${missing.length} of ${expected.length} events never delivered, or out of order`);
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
  return counts;
}
