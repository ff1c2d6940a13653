// Crash chaos: a mixed workload runs against the real server (a child process on a SQLite file) while the
// server is killed with SIGKILL at random moments and restarted on the same file. The client logs what the
// server acknowledged; after every restart and at the end the database is checked against it (the invariants
// of workload.ts: nothing acknowledged lost, no double assignment, no worker over capacity, statuses that agree,
// timers resumed, every task with its task.created event, every event delivered to the callback receiver in
// order). Any 5xx answer is a problem too (one node has no takeover to answer "retry" for).
// Used by test/chaos/chaos.test.ts (a short run in CI) and scripts/chaos.ts (`npm run chaos`, the long run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { startReceiver } from '../support/webhookReceiver.ts';
import { type ChaosCounts, checkCallbacks, checkSnapshot, chaosClient, newCounts, setupWorkspace, startWorkload } from './workload.ts';

export type { ChaosCounts } from './workload.ts';

export async function runChaos(options: { kills: number; seconds: number; log?: (line: string) => void }): Promise<ChaosCounts> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
  const env = { SWITCHBOARD_DB: join(dir, 'chaos.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + '9c'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'chaos-token', SWITCHBOARD_RATE_LIMIT: '1000000' };
  const auth = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');
  const counts = newCounts();
  const receiver = await startReceiver();
  receiver.answer = () => ({ status: 204 });
  let server: ChildServer = await startChild(env);
  let alive = true;
  const { call, must } = chaosClient(counts, auth, () => (alive ? server.origin : undefined));

  // Setup (before any kill), then the workload: 6 concurrent streams until the end; the killer runs beside them.
  const workspace = await setupWorkspace(must, `${receiver.origin}/events`);
  const { ws } = workspace;
  const workload = startWorkload(call, workspace, counts, { streams: 6, paused: () => !alive });
  try {
    const check = (when: string) => {
      const store = new SqliteStore(env.SWITCHBOARD_DB);
      try {
        // One transaction, so tasks, reservations and events are read from the same snapshot while the server
        // goes on writing (it waits on the lock for these few milliseconds).
        store.transaction((repo) => {
          const createdEvents = new Map<string, number>();
          for (const e of repo.eventsMatching({ workspaceSid: ws, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, eventTypes: ['task.created'] })) {
            const sid = String(e.eventData.task_sid);
            createdEvents.set(sid, (createdEvents.get(sid) ?? 0) + 1);
          }
          const snapshot = { tasks: repo.findAll('task', { workspaceSid: ws }), reservations: repo.findAll('reservation', { workspaceSid: ws }), createdEvents };
          checkSnapshot(snapshot, workload.acknowledged, counts, when);
        });
      } finally {
        store.close();
      }
    };

    // The kills spread over the run (with jitter) from its start, not each a gap after the last restart and
    // check: those took 3 to 4 s each, so "5 kills in 30 s" ran for 50.
    const started = Date.now();
    const deadline = started + options.seconds * 1000;
    const gap = (options.seconds * 1000) / (options.kills + 1);
    for (let k = 0; k < options.kills; k++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + gap * (k + 0.5 + Math.random()) - Date.now())));
      alive = false;
      await server.kill('SIGKILL');
      counts.kills++;
      server = await startChild(env);
      alive = true;
      // Give restarted timers a moment to fire before checking them.
      await new Promise((r) => setTimeout(r, 1500));
      check(`after kill ${k + 1}`);
      options.log?.(`kill ${k + 1}: requests ${counts.requests}, acknowledged ${counts.acknowledged}, tasks ${workload.acknowledged.createdTasks.size}`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
    await workload.stop();
    // Every event of the log reaches the receiver, in log order, once delivery catches up.
    await checkCallbacks(
      receiver,
      () => {
        const store = new SqliteStore(env.SWITCHBOARD_DB);
        try {
          return store.read((repo) => repo.eventsFor(ws).map((e) => e.sid));
        } finally {
          store.close();
        }
      },
      counts,
    );
    await server.kill('SIGTERM');
    check('at the end');
    return counts;
  } finally {
    // Also when the run fails: no load, server or receiver left running (they held a failed run's process open).
    await workload.stop();
    await server.kill('SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
