// Fuzzing every TaskRouter operation with hostile parameters (test/fuzz/requestFuzz.ts): the server never
// answers 5xx, never crashes, keeps no polluted prototypes, and a refused request changes nothing in the
// database (every table of the workspace and the event log compared before and after); the live router then
// equals one rebuilt from the database.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EntityKind } from '../../src/core/entities.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { seedWorkspace } from '../support/workspaceSnapshot.ts';
import { requestArbitrary, type Targets } from './requestFuzz.ts';

const KINDS: EntityKind[] = ['workspace', 'activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation', 'account', 'apiKey'];

let s: TestServer;
let targets: Targets;
before(async () => {
  s = await startServer({ clock: () => Date.UTC(2026, 0, 1), manualTimers: true });
  const seeded = await seedWorkspace(s);
  targets = { ws: seeded.ws, worker: seeded.worker, activity: seeded.activity, queue: seeded.queue, workflow: seeded.workflow, task: seeded.task, reservation: seeded.reservation, channel: seeded.channel };
});
after(() => s.close());

function database(): string {
  return JSON.stringify(
    s.store.read((repo) => ({
      rows: KINDS.map((k) => repo.findAll(k, {} as never)),
      events: repo.eventsFor(targets.ws).length,
    })),
  );
}

it('hostile requests to every operation: never 5xx, and a refusal changes nothing', { timeout: 120_000 }, async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(requestArbitrary(targets), async (req) => {
      const before = database();
      const res = await s.request(req.method, req.path, { body: req.body, headers: req.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {} });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${req.method} ${req.path} ${req.body ?? ''} -> ${res.status} ${res.text.slice(0, 300)}`);
      if (res.status >= 400) {
        assert.equal(res.body?.status, res.status, 'a Twilio error body');
        assert.equal(database(), before, `${req.method} ${req.path} ${req.body ?? ''} was refused (${res.status}) but changed the database`);
      }
    }),
    { numRuns: 400 },
  );
  assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype pollution');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  assert.equal((await s.request('GET', '/healthz')).status, 200);
  // The router kept across refusals (it is not rebuilt after an ApiError that changed nothing) must equal one
  // rebuilt from the database.
  const view = () =>
    s.engine.inspect({ accountSid: s.accountSid, now: Date.UTC(2026, 0, 1) }, targets.ws, (repo, router) =>
      JSON.stringify({
        tasks: [...router.liveTasks()].map((t) => [t.sid, t.assignmentStatus, t.taskQueueSid, t.version]).sort(),
        workers: [...router.liveWorkers()].map((w) => [w.entity.sid, w.available, [...w.queues].sort()]).sort(),
        members: repo.findAll('taskQueue', { workspaceSid: targets.ws }).map((q) => [q.sid, [...(router.queueMembers(q.sid) ?? [])].sort()]),
      }),
    );
  const kept = view();
  s.engine.forget(targets.ws);
  assert.equal(view(), kept, 'the live router matches a rebuild from the store');
  assert.ok((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > 20, `some requests succeed too: ${JSON.stringify([...statuses])}`);
});
