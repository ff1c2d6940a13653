// Cluster chaos: three nodes (the compiled server, as `npm start` runs it) on one PostgreSQL (a throwaway server
// of its own, scripts/postgres.mjs) under the mixed workload of the single-node run (workload.ts), requests
// spread over the nodes at random, and the workers on EventBridge WebSockets spread over the nodes too (a
// socket that drops reconnects to a node that is up, as the SDK would through a load balancer). A supervisor
// (this process) restarts every node that exits, whatever the cause. Meanwhile, spread over the run:
//   kills     SIGKILL of a random node
//   freeze    SIGSTOP of the node holding the workspace's lease for three lease TTLs, then SIGCONT: the others
//             take the workspace; the frozen node's late writes are refused by the fence (it gets 503s and
//             drops the workspace, or the database ended its transaction and it exits for the supervisor)
//   restart   one PostgreSQL restart with fast shutdown on the same data directory and port: every node loses
//             its connection and exits (docs/operations.md), the supervisor restarts them as the database
//             comes back
// After each disturbance (with a lenient timer check) and at the end, the database is checked against what the
// nodes acknowledged (the invariants of workload.ts); at the end also the event-callback receiver (every event,
// in log order, at least once) and every socket session: each reservation event of its worker committed while
// it was connected (from a second after its init to three seconds before it closed) arrived, and in log order
// (repeats allowed). A 503 ("retry") is an allowed answer; another 5xx is a problem, except during the
// PostgreSQL restart (requests then get errors, not false success).
// Used by test/chaos/clusterChaos.test.ts (1 minute in CI) and scripts/chaosCluster.ts (`npm run chaos:cluster`).
import pg from 'pg';
import { WebSocket } from 'ws';
import { compiledMain } from '../../scripts/compiledServer.mjs';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase } from '../support/postgres.ts';
import { startReceiver } from '../support/webhookReceiver.ts';
import { acknowledgedSoFar, type ChaosCounts, type ChaosSnapshot, checkCallbacks, checkSnapshot, chaosClient, invariantCounts, newCounts, setupWorkspace, startWorkload } from './workload.ts';

export interface ClusterChaosCounts extends ChaosCounts {
  /** SIGSTOPs of the workspace's owner, and what the frozen node did after its SIGCONT. */
  freezes: number;
  frozenOutcome: string;
  postgresRestarts: number;
  /** Node starts by the supervisor after an exit (kills, the freeze's exit, the database restart). */
  restarts: number;
  /** Exits with "lost the database connection ... exiting so a supervisor restarts this node". */
  databaseExits: number;
  status503: number;
  /** 5xx other than 503 outside the database restart. */
  unexpected5xx: number;
  tasks: number;
  events: number;
  socketSessions: number;
  socketFrames: number;
  /** Reservation events of a connected worker's socket that never arrived, or arrived out of log order. */
  socketMissing: number;
  socketDisorder: number;
  /** Frames naming an event the log does not hold. */
  socketUnknown: number;
  /** Frames a session heard more than once (test/cluster/pushOnce.test.ts). */
  socketDuplicate: number;
}

const TTL = 2000;
const NODES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A bound on a wait raced against it: unreferenced, so a race won early does not hold the process open. */
const timeLimit = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

interface Slot {
  child?: ChildServer;
  up: boolean;
}

interface Session {
  worker: string;
  slot: number;
  pid: number;
  openedAt: number;
  closedAt: number;
  frames: string[];
}

export async function runClusterChaos(options: { seconds: number; kills: number; log?: (line: string) => void }): Promise<ClusterChaosCounts> {
  const log = options.log ?? (() => undefined);
  const postgres = await startPostgres();
  const url = await freshDatabase('clusterchaos', postgres.url);
  const account = newSid('AC');
  const token = newSecret();
  const env = {
    SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: account, SWITCHBOARD_AUTH_TOKEN: token, SWITCHBOARD_LEASE_TTL_MS: String(TTL),
    SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()), SWITCHBOARD_RATE_LIMIT: '1000000',
  };
  const main = compiledMain();
  const auth = 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64');
  const counts: ClusterChaosCounts = {
    ...newCounts(), freezes: 0, frozenOutcome: 'no freeze', postgresRestarts: 0, restarts: 0, databaseExits: 0, status503: 0, unexpected5xx: 0,
    tasks: 0, events: 0, socketSessions: 0, socketFrames: 0, socketMissing: 0, socketDisorder: 0, socketUnknown: 0, socketDuplicate: 0,
  };
  const receiver = await startReceiver();
  receiver.answer = () => ({ status: 204 });
  let finished = false;
  let databaseDown = false;
  // Diagnostics of a broken invariant: which node acknowledged what, when.
  const pidOf = new Map<string, number>();
  const acknowledgedBy = new Map<string, string>();
  /** The freeze: which process, when (for the sockets it held: what it could not push before it exited). */
  let frozen: { pid: number; stoppedAt: number; continuedAt: number } | undefined;

  // The supervisor: each slot runs a node, started again whenever it exits (retrying while the database is down).
  const slots: Slot[] = Array.from({ length: NODES }, () => ({ up: false }));
  const supervise = async (slot: Slot, first: boolean) => {
    while (!finished) {
      let child: ChildServer;
      try {
        child = await startChild(env, [], main);
      } catch {
        await sleep(300);
        continue;
      }
      if (!first) counts.restarts++;
      first = false;
      slot.child = child;
      pidOf.set(child.origin, child.process.pid!);
      log(`${Date.now()}: node pid ${child.process.pid} up`);
      slot.up = true;
      await new Promise<void>((resolve) => (child.process.exitCode !== null || child.process.signalCode !== null ? resolve() : child.process.once('exit', () => resolve())));
      slot.up = false;
      // Its output read to the end: at 'exit' the node's last line, which tells this exit apart, may still be in
      // the pipe (CI once counted 2 of 3 exits on the lost connection).
      await child.ended;
      if (child.process.exitCode === 1 && /lost the database connection .*exiting so a supervisor restarts this node/.test(child.stdout())) counts.databaseExits++;
    }
  };
  const supervisors = slots.map((s) => supervise(s, true));
  const open = new Set<WebSocket>();
  const interrupted = () => {
    finished = true;
    for (const s of slots) s.child?.process.kill('SIGKILL');
    void postgres.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let stopWorkload: (() => Promise<void>) | undefined;
  try {
    const allUp = async (ms = 90_000) => {
      const deadline = Date.now() + ms;
      while (!slots.every((s) => s.up)) {
        if (Date.now() > deadline) throw new Error('the supervisor did not bring every node back up');
        await sleep(50);
      }
    };
    await allUp();
    const upSlots = () => slots.map((s, i) => [s, i] as const).filter(([s]) => s.up && s.child);
    const randomUp = () => {
      const up = upSlots();
      return up.length ? up[Math.floor(Math.random() * up.length)]! : undefined;
    };

    const trace = (a: { method: string; path: string; origin: string; sentAt: number; status: number; body: any }) => {
      if (a.method !== 'POST' || a.status >= 300) return;
      const what = `${a.method} ${a.path.replace(/^\/v1\/Workspaces\/WS[0-9a-f]+/, '')} answered ${a.status} by pid ${pidOf.get(a.origin)} at ${a.sentAt}`;
      if (a.body?.sid) acknowledgedBy.set(a.body.sid, what);
      const task = /\/Tasks\/(WT[0-9a-f]+)$/.exec(a.path)?.[1];
      if (task) acknowledgedBy.set(`${task} completion`, what);
    };
    const { call, must } = chaosClient(counts, auth, () => randomUp()?.[0].child!.origin, (status) => {
      if (status === 503) {
        counts.status503++;
        return true;
      }
      if (databaseDown) return true;
      counts.unexpected5xx++;
      return false;
    }, trace);
    const workspace = await setupWorkspace(must, `${receiver.origin}/events`);
    const { ws, workers } = workspace;

    // Workers' sockets, one per worker, spread over the nodes; each session's reservation events are recorded.
    const sessions: Session[] = [];
    const tokens = new Map<string, string>();
    for (const w of workers) tokens.set(w, (await must('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: w, Ttl: '7200' })).token);
    const socketLoop = async (worker: string) => {
      while (!finished) {
        const picked = randomUp();
        if (!picked) {
          await sleep(100);
          continue;
        }
        const [slot, index] = picked;
        const session: Session = { worker, slot: index, pid: slot.child!.process.pid!, openedAt: 0, closedAt: 0, frames: [] };
        const sock = new WebSocket(`${slot.child!.origin.replace('http', 'ws')}/v1/wschannels?token=${tokens.get(worker)}`);
        open.add(sock);
        sock.on('message', (data) => {
          const text = data.toString();
          if (!text.trim()) return;
          const msg = JSON.parse(text);
          if (msg.event_type === 'init') session.openedAt = Date.now();
          else if (String(msg.event_type).startsWith('reservation.')) session.frames.push(`${msg.event_type} ${msg.payload.sid}`);
        });
        sock.on('error', () => undefined);
        await new Promise<void>((resolve) => sock.once('close', () => resolve()));
        open.delete(sock);
        session.closedAt = Date.now();
        if (session.openedAt) sessions.push(session);
        await sleep(100 + Math.random() * 200);
      }
    };
    const socketLoops = workers.map((w) => socketLoop(w));
    const workload = startWorkload(call, workspace, counts, { streams: 6, paused: () => upSlots().length === 0 });
    stopWorkload = workload.stop;

    /** A client of the database, retried while it restarts. */
    const query = async <T>(fn: (db: pg.Client) => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        const db = new pg.Client({ connectionString: url });
        try {
          await db.connect();
          return await fn(db);
        } catch (err) {
          if (attempt > 100) throw err;
          await sleep(200);
        } finally {
          await db.end().catch(() => undefined);
        }
      }
    };
    const snapshot = () =>
      query(async (db): Promise<ChaosSnapshot> => {
        await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        const tasks = (await db.query('SELECT data FROM tasks WHERE workspace_sid = $1', [ws])).rows.map((r) => r.data);
        const reservations = (await db.query('SELECT data FROM reservations WHERE workspace_sid = $1', [ws])).rows.map((r) => r.data);
        const created = await db.query(`SELECT task_sid AS task, count(*)::int AS n FROM events WHERE workspace_sid = $1 AND event_type = 'task.created' GROUP BY 1`, [ws]);
        await db.query('COMMIT');
        return { tasks, reservations, createdEvents: new Map(created.rows.map((r) => [r.task as string, r.n as number])) };
      });
    const check = async (when: string, overdueMs: number) => {
      const acknowledged = acknowledgedSoFar(workload.acknowledged);
      const s = await snapshot();
      const before = counts.problems.length;
      checkSnapshot(s, acknowledged, counts, when, overdueMs);
      for (const p of counts.problems.slice(before)) {
        const sid = /(WT[0-9a-f]{32}|WR[0-9a-f]{32})/.exec(p)?.[1];
        if (sid) log(`  ${p}: ${acknowledgedBy.get(p.includes('completion') ? `${sid} completion` : sid) ?? 'not traced'}`);
      }
      counts.tasks = s.tasks.length;
    };
    const ownerSlot = async () => {
      const holder = await query(async (db) => (await db.query(`SELECT node_id FROM workspace_leases WHERE workspace_sid = $1 AND expires_at > now()`, [ws])).rows[0]?.node_id as string | undefined);
      return slots.find((s) => s.up && s.child && holder?.includes(`-${s.child.process.pid}-`));
    };

    // The disturbances, spread evenly (with jitter) over the run: the freeze a third of the way in, the database
    // restart two thirds, kills in between.
    const actions: ('kill' | 'freeze' | 'restart')[] = Array.from({ length: options.kills }, () => 'kill' as const);
    actions.splice(Math.floor(actions.length / 3), 0, 'freeze');
    actions.splice(Math.floor((2 * actions.length) / 3), 0, 'restart');
    const started = Date.now();
    const deadline = started + options.seconds * 1000;
    const gap = (options.seconds * 1000) / (actions.length + 1);
    for (const [k, action] of actions.entries()) {
      await sleep(Math.max(0, started + gap * (k + 0.5 + Math.random()) - Date.now()));
      if (action === 'kill') {
        const [slot, index] = randomUp() ?? [];
        if (!slot) continue;
        // Down from now: the wait for every node below must not pass before the supervisor has seen the exit.
        slot.up = false;
        await slot.child!.kill('SIGKILL');
        counts.kills++;
        log(`${Math.round((Date.now() - started) / 1000)} s (${Date.now()}): SIGKILL node ${index} (pid ${slot.child!.process.pid})`);
      } else if (action === 'freeze') {
        let owner: Slot | undefined;
        for (let i = 0; i < 100 && !owner; i++) owner = (await ownerSlot()) ?? (await sleep(100), undefined);
        if (!owner) throw new Error('no node holds the workspace lease to freeze');
        const child = owner.child!;
        child.process.kill('SIGSTOP');
        const stoppedAt = Date.now();
        counts.freezes++;
        log(`${Math.round((Date.now() - started) / 1000)} s (${stoppedAt}): SIGSTOP the owner (node ${slots.indexOf(owner)}, pid ${child.process.pid}) for ${3 * TTL} ms`);
        await sleep(3 * TTL);
        // Writes sent to the frozen node itself, waiting in its socket when it resumes: it still believes it routes
        // the workspace until it learns otherwise, so each must be refused (503, by the fence or the lost lease),
        // or else be in the database (then counted as acknowledged and checked like every other write).
        const frozenWrites = Array.from({ length: 5 }, async () => {
          try {
            const res = await fetch(`${child.origin}/v1/Workspaces/${ws}/Tasks`, {
              method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Attributes=%7B%22frozen%22%3Atrue%7D', signal: AbortSignal.timeout(15_000),
            });
            const body = (await res.json().catch(() => undefined)) as { sid?: string } | undefined;
            if (res.status === 201 && body?.sid) workload.acknowledged.createdTasks.add(body.sid);
            return String(res.status);
          } catch {
            return 'no answer';
          }
        });
        await sleep(200);
        child.process.kill('SIGCONT');
        frozen = { pid: child.process.pid!, stoppedAt, continuedAt: Date.now() };
        const exited = await Promise.race([child.ended.then(() => true), timeLimit(10_000).then(() => false)]);
        const answers = new Map<string, number>();
        for (const a of await Promise.all(frozenWrites)) answers.set(a, (answers.get(a) ?? 0) + 1);
        counts.frozenOutcome =
          (exited ? `exited after SIGCONT (${/lost the database connection/.test(child.stdout()) ? 'lost the database connection' : `code ${child.process.exitCode}`}), restarted by the supervisor` : 'kept running after SIGCONT') +
          `; the 5 task creates sent to it while frozen were answered ${[...answers].map(([k, n]) => `${k} x${n}`).join(', ')}`;
        log(`  the frozen node ${counts.frozenOutcome} (SIGCONT at ${frozen.continuedAt})`);
        if (process.env.CHAOS_NODE_OUTPUT) log(child.stdout().slice(-3000));
      } else {
        databaseDown = true;
        log(`${Math.round((Date.now() - started) / 1000)} s (${Date.now()}): PostgreSQL fast shutdown and restart`);
        const connected = slots.map((s) => s.child);
        await postgres.restart();
        counts.postgresRestarts++;
        // The nodes notice, exit and are restarted; wait until every one of them went through it (each slot runs
        // another process), so that no later SIGKILL lands on a node yet to notice. A node that never notices
        // is still running at the deadline and missing from the count of exits on the lost connection.
        const noticedBy = Date.now() + 30_000;
        while (Date.now() < noticedBy && slots.some((s, i) => s.child === connected[i])) await sleep(100);
      }
      await allUp();
      await sleep(2000);
      databaseDown = false;
      // Timers of a workspace whose owner just died fire once another node took it (lease TTL and a rebuild).
      await check(`after ${action} ${k + 1}`, 10_000);
      log(`  all nodes up; requests ${counts.requests}, acknowledged ${counts.acknowledged}, tasks ${counts.tasks}, restarts ${counts.restarts}`);
    }
    await sleep(Math.max(0, deadline - Date.now()));
    await workload.stop();
    // Delivery catches up: every event reaches the receiver, and the sockets get what is still on its way.
    await checkCallbacks(receiver, () => query(async (db) => (await db.query('SELECT sid FROM events WHERE workspace_sid = $1 ORDER BY seq', [ws])).rows.map((r) => r.sid as string)), counts);
    await sleep(3000);
    await check('at the end', 3000);
    finished = true;
    const endedAt = Date.now();
    for (const sock of open) sock.terminate();
    await Promise.all(socketLoops);

    // Socket sessions against the log.
    const events = await query(async (db) =>
      (await db.query(`SELECT seq, event_type, reservation_sid, date_ms, worker_sid AS worker FROM events WHERE workspace_sid = $1 ORDER BY seq`, [ws])).rows,
    );
    counts.events = events.length;
    const reservationEvents = new Map<string, { key: string; seq: number; at: number }[]>();
    const seqOf = new Map<string, number>();
    for (const e of events) {
      if (!String(e.event_type).startsWith('reservation.')) continue;
      const key = `${e.event_type} ${e.reservation_sid}`;
      seqOf.set(key, Number(e.seq));
      reservationEvents.set(e.worker, [...(reservationEvents.get(e.worker) ?? []), { key, seq: Number(e.seq), at: Number(e.date_ms) }]);
    }
    const problem = (kind: 'socketMissing' | 'socketDisorder' | 'socketUnknown' | 'socketDuplicate', text: string) => {
      counts[kind]++;
      if (counts.problems.length < 50) counts.problems.push(text);
    };
    for (const s of sessions) {
      counts.socketSessions++;
      counts.socketFrames += s.frames.length;
      const seen = new Set<string>();
      let highest = 0;
      for (const key of s.frames) {
        const seq = seqOf.get(key);
        if (seq === undefined) problem('socketUnknown', `socket of ${s.worker} on node ${s.slot}: ${key} is not in the log`);
        else if (seen.has(key)) problem('socketDuplicate', `socket of ${s.worker} on node ${s.slot}: ${key} heard again`);
        else if (seq < highest) problem('socketDisorder', `socket of ${s.worker} on node ${s.slot}: ${key} after a later event`);
        seen.add(key);
        highest = Math.max(highest, seq ?? 0);
      }
      // A socket open at the end had every chance (the end waited for delivery); one on the frozen node that closed
      // soon after its SIGCONT (the node exited) could push nothing from the moment it was stopped.
      let closedAt = s.closedAt >= endedAt ? endedAt + 3000 : s.closedAt;
      if (frozen && s.pid === frozen.pid && s.closedAt >= frozen.stoppedAt && s.closedAt <= frozen.continuedAt + 15_000) closedAt = Math.min(closedAt, frozen.stoppedAt + 2000);
      for (const e of reservationEvents.get(s.worker) ?? []) {
        if (e.at >= s.openedAt + 1000 && e.at <= closedAt - 3000 && !seen.has(e.key)) {
          problem('socketMissing', `socket of ${s.worker} on node ${s.slot} (pid ${s.pid}, ${s.openedAt}-${s.closedAt}): ${e.key} at ${e.at} never arrived`);
        }
      }
    }
    return counts;
  } finally {
    // Also when the run fails or is interrupted: no node, socket or database left behind, and no load left
    // running (it held a failed run's process open for good).
    finished = true;
    await stopWorkload?.();
    for (const sock of open) sock.terminate();
    for (const s of slots) {
      s.child?.process.kill('SIGCONT');
      await s.child?.kill('SIGTERM');
    }
    await Promise.race([Promise.all(supervisors), timeLimit(30_000)]);
    for (const s of slots) await s.child?.kill('SIGKILL');
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await receiver.close();
    await postgres.stop();
  }
}

/** The counts that must be 0. */
export const clusterChaosFailures = (c: ClusterChaosCounts) => ({
  ...invariantCounts(c), unexpected5xx: c.unexpected5xx, socketMissing: c.socketMissing, socketDisorder: c.socketDisorder, socketUnknown: c.socketUnknown, socketDuplicate: c.socketDuplicate,
});

export function clusterChaosSummary(c: ClusterChaosCounts): string {
  return (
    `cluster chaos: SIGKILLs ${c.kills}, freezes ${c.freezes} (${c.frozenOutcome}), PostgreSQL restarts ${c.postgresRestarts}, ` +
    `node restarts by the supervisor ${c.restarts} (exits on a lost database connection ${c.databaseExits}); ` +
    `requests sent ${c.requests}, acknowledged ${c.acknowledged}, 503 ${c.status503}, other 5xx ${c.status5xx - c.status503} (unexpected ${c.unexpected5xx}); ` +
    `tasks ${c.tasks}, events ${c.events}; lost ${c.lost}, double assignments ${c.double}, capacity violations ${c.capacity}, ` +
    `status mismatches ${c.mismatch}, overdue timers ${c.overdue}, tasks without task.created ${c.eventless}; ` +
    `event callbacks ${c.callbacks} (undelivered or out of order ${c.undelivered}); ` +
    `socket sessions ${c.socketSessions}, reservation frames ${c.socketFrames} (missing ${c.socketMissing}, out of order ${c.socketDisorder}, unknown ${c.socketUnknown}, heard twice ${c.socketDuplicate})`
  );
}
