// The owner's memory (store/resident/) against the database it mirrors:
// * after a long mixed run (tasks created, offered, accepted, rejected, timed out, wrapped, completed,
//   canceled, deleted; workers changing activity, attributes and capacity; queues created and deleted; a
//   worker deleted), every resident document and every document the router holds equals what a fresh load of
//   the same file gives, and so does every finished task (with its reservations) still held in memory;
// * a commit group that fails (injected as a full disk would fail it) answers each of its requests with a
//   500 in Twilio's format, changes nothing in the database, and leaves memory equal to the database; the
//   server goes on routing afterwards.
// Both on both stores: on PostgreSQL the server is a cluster node that routes the workspace, the fresh load is
// a new PostgresStore on the same database, and the failure is PostgreSQL refusing the group (a statement in it
// fails), where SQLite's COMMIT fails.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Repository } from '../../src/core/repository.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { RoutingFixture } from '../support/routingFixture.ts';

/** A seeded generator, so a failure replays the same run. */
function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const byKind = ['workspace', 'activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation'] as const;

type Loaded = { resident: Record<string, unknown[]>; task: unknown[]; reservation: unknown[] };
/** The owner's memory of a workspace, as both stores show it to tests. */
type MemoryOf = { residentOf(ws: string): Record<string, unknown[]>; finishedOf(ws: string): { task: { sid: string }[]; reservation: { sid: string }[] } };

/** What a fresh process holds for the workspace after loading the file, and the stored rows of the finished
 *  tasks (and their reservations) the running process holds in memory. */
function freshLoadOfFile(file: string, ws: string, finished: { sid: string }[]): Loaded {
  const fresh = new SqliteStore(file);
  try {
    fresh.read((repo) => repo.get('workspace', ws));
    return {
      resident: fresh.residentOf(ws),
      ...fresh.read((repo) => ({ task: finished.map((t) => repo.get('task', t.sid)), reservation: finished.flatMap((t) => repo.findAll('reservation', { taskSid: t.sid })) })),
    };
  } finally {
    fresh.close();
  }
}

/** The same from a new PostgresStore on the database: reading the workspace loads it, as a node taking it over
 *  does. */
async function freshLoadOfDatabase(url: string, ws: string, finished: { sid: string }[]): Promise<Loaded> {
  const fresh = await PostgresStore.open(url);
  try {
    await fresh.replaying(() => fresh.read((repo) => repo.get('workspace', ws)));
    const rows = await fresh.replaying(() => fresh.read((repo) => ({ task: finished.map((t) => repo.get('task', t.sid)), reservation: finished.flatMap((t) => repo.findAll('reservation', { taskSid: t.sid })) })));
    return { resident: fresh.residentOf(ws), ...rows };
  } finally {
    fresh.close();
  }
}

const BACKENDS = [
  {
    name: 'SqliteStore', skip: false as string | false, start: () => RoutingFixture.create(),
    freshLoad: async (f: RoutingFixture, finished: { sid: string }[]) => freshLoadOfFile(join(f.s.dir, 'test.db'), f.ws, finished),
    failNextCommit: (f: RoutingFixture) => (f.s.store as SqliteStore).failNextCommit(new Error('disk I/O error (injected)')),
  },
  {
    name: 'PostgresStore', skip: skipWithoutPostgres, start: () => RoutingFixture.create({}, { cluster: true }),
    freshLoad: (f: RoutingFixture, finished: { sid: string }[]) => freshLoadOfDatabase(f.s.databaseUrl!, f.ws, finished),
    failNextCommit: (f: RoutingFixture) => (f.s.store as PostgresStore).failNextCommit(),
  },
];

const sortBySid = (docs: unknown[]) => [...(docs as { sid: string }[])].sort((a, b) => (a.sid < b.sid ? -1 : 1));

for (const backend of BACKENDS) {
describe(`resident memory equals the database: ${backend.name}`, { skip: backend.skip }, () => {
  let f: RoutingFixture;
  before(async () => {
    f = await backend.start();
  });
  after(async () => f?.close());

  /** Once every write made so far is committed: memory against a fresh load. */
  async function assertMemoryEqualsDatabase(label: string): Promise<number> {
    const store = f.s.store as unknown as MemoryOf;
    await f.s.store.durable();
    const memory = store.residentOf(f.ws);
    const finished = store.finishedOf(f.ws);
    const { resident: stored, ...storedFinished } = await backend.freshLoad(f, finished.task);
    for (const kind of byKind) assert.deepEqual(memory[kind], stored[kind], `${label}: resident ${kind} documents equal the database's, in its order`);
    assert.deepEqual(finished.task, storedFinished.task, `${label}: the finished tasks held in memory equal the database's`);
    assert.deepEqual(finished.reservation, storedFinished.reservation, `${label}: the reservations of the finished tasks held equal the database's, in its order`);
    // The router's documents: the same objects as the resident ones for what it holds.
    const router = f.s.engine.routerDocuments(f.ws);
    if (router) {
      assert.deepEqual(router.workspace, stored.workspace![0], `${label}: the router's workspace`);
      for (const kind of ['activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task'] as const) {
        assert.deepEqual(sortBySid(router[kind]), sortBySid(stored[kind]!), `${label}: the router's ${kind} documents equal the database's`);
      }
      const holding = (stored.reservation as { reservationStatus: string }[]).filter((r) => ['pending', 'accepted', 'wrapping'].includes(r.reservationStatus));
      assert.deepEqual(sortBySid(router.reservation), sortBySid(holding), `${label}: the router's reservations are the database's holding ones`);
    }
    return finished.task.length;
  }

  test('after a long mixed run', async () => {
    const rnd = random(17);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const sales = await f.queue('Sales', { TargetWorkers: 'skills HAS "sales"', MaxReservedWorkers: 2 });
    const support = await f.queue('Support', { TargetWorkers: 'skills HAS "support"' });
    await f.workflow({ task_routing: { filters: [{ expression: 'type == "sales"', targets: [{ queue: sales, timeout: 30 }] }], default_filter: { queue: support } } }, { TaskReservationTimeout: 20 });
    const workers: string[] = [];
    for (let i = 0; i < 8; i++) workers.push(await f.worker(`agent-${i}`, { skills: i % 2 ? ['sales'] : ['support', 'sales'] }));
    const tasks: string[] = [];
    for (let step = 0; step < 400; step++) {
      const r = rnd();
      if (r < 0.3) {
        tasks.push((await f.task({ type: rnd() < 0.5 ? 'sales' : 'support', n: step }, rnd() < 0.2 ? { Priority: String(Math.floor(rnd() * 5)) } : {})).sid);
      } else if (r < 0.55) {
        // Answer an offer: accept most, reject some.
        const w = pick(workers);
        const offers = await f.reservations(w, 'pending');
        if (offers.length) await f.respond(w, offers[0].sid, { ReservationStatus: rnd() < 0.75 ? 'accepted' : 'rejected' });
      } else if (r < 0.7) {
        // Finish an assigned task (sometimes through wrapping).
        const w = pick(workers);
        const held = await f.reservations(w, 'accepted');
        if (held.length) {
          const t = held[0].task_sid;
          if (rnd() < 0.3) await f.ok('POST', f.path(`/Tasks/${t}`), { AssignmentStatus: 'wrapping' });
          await f.ok('POST', f.path(`/Tasks/${t}`), { AssignmentStatus: 'completed' });
        }
      } else if (r < 0.75 && tasks.length) {
        const t = pick(tasks);
        const res = await f.s.request('POST', f.path(`/Tasks/${t}`), { form: { AssignmentStatus: 'canceled' } });
        assert.ok(res.status === 200 || res.status === 400 || res.status === 404, res.text);
      } else if (r < 0.8) {
        await f.setActivity(pick(workers), pick(['Available', 'Available', ...Object.keys(f.activities)]));
      } else if (r < 0.85) {
        await f.ok('POST', f.path(`/Workers/${pick(workers)}`), { Attributes: JSON.stringify({ skills: rnd() < 0.5 ? ['sales'] : ['support'], level: step }) });
      } else if (r < 0.88) {
        await f.ok('POST', f.path(`/Workers/${pick(workers)}/Channels/default`), { Capacity: String(1 + Math.floor(rnd() * 3)) });
      } else if (r < 0.9 && tasks.length) {
        const t = tasks.splice(Math.floor(rnd() * tasks.length), 1)[0]!;
        const res = await f.s.request('DELETE', f.path(`/Tasks/${t}`));
        assert.ok(res.status === 204 || res.status === 404, res.text);
      } else if (r < 0.92) {
        const q = await f.queue(`extra-${step}`, { TargetWorkers: `level > ${step}` });
        await f.ok('DELETE', f.path(`/TaskQueues/${q}`));
      } else {
        // Time passes: reservations time out, finished tasks are cleaned up.
        f.advance(pick([1, 5, 25, 400]));
      }
      if (step % 100 === 99) await assertMemoryEqualsDatabase(`step ${step}`);
    }
    const gone = workers.pop()!;
    await f.setActivity(gone, 'Offline');
    const res = await f.s.request('DELETE', f.path(`/Workers/${gone}`));
    assert.ok(res.status === 204 || res.status === 400, res.text);
    assert.ok((await assertMemoryEqualsDatabase('the end')) > 0, 'finished tasks are held in memory (and were compared)');
  });

  test('a failed commit group fails each of its requests, changes nothing, and memory equals the database', async () => {
    const store = f.s.store;
    const read = <T>(work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));
    const worker = await f.worker('late', { skills: ['support'] });
    const waiting = await f.task({ type: 'support' });
    const offer = (await f.reservations(worker, 'pending')).find((r) => r.task_sid === waiting.sid) ?? (await f.fetchTask(waiting.sid));
    await assertMemoryEqualsDatabase('before the failure');
    const countBefore = await read((repo) => repo.count('task', { workspaceSid: f.ws }));

    backend.failNextCommit(f);
    // Three writes in one event-loop turn share one commit group.
    const inject = (method: string, url: string, payload?: Record<string, string>) =>
      f.s.app.inject({ method: method as 'POST', url, payload: payload ? new URLSearchParams(payload).toString() : undefined, headers: { authorization: 'Basic ' + Buffer.from(`${f.s.accountSid}:${f.s.authToken}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' } });
    const results = await Promise.all([
      inject('POST', f.path('/Tasks'), { Attributes: JSON.stringify({ type: 'support', lost: true }) }),
      inject('POST', f.path(`/Workers/${worker}`), { ActivitySid: f.activities.Offline! }),
      offer.sid?.startsWith('WR') ? inject('POST', f.path(`/Workers/${worker}/Reservations/${offer.sid}`), { ReservationStatus: 'accepted' }) : inject('POST', f.path('/Tasks'), { Attributes: '{}' }),
    ]);
    for (const r of results) {
      assert.equal(r.statusCode, 500, r.body);
      const body = JSON.parse(r.body);
      assert.equal(body.code, 20500);
      assert.equal(body.status, 500);
    }
    assert.equal(await read((repo) => repo.count('task', { workspaceSid: f.ws })), countBefore, 'no task was stored');
    assert.equal((await read((repo) => repo.get('worker', worker)))!.activitySid, f.activities.Available, 'the worker kept its activity');
    await assertMemoryEqualsDatabase('after the failure');

    // The server goes on: the same writes succeed now.
    if (offer.sid?.startsWith('WR')) {
      await f.respond(worker, offer.sid, { ReservationStatus: 'accepted' });
      assert.equal((await f.fetchTask(waiting.sid)).assignment_status, 'assigned');
    }
    await f.task({ type: 'support', after: true });
    await assertMemoryEqualsDatabase('after recovery');
  });
});
}
