// A finished task's removal deadline lives in a column of its own (storeSchema.ts KIND_COLUMNS; SQLite migration
// 0038, PostgreSQL 0039), on both stores: null while the task lives, the deadline once it finished; a router
// rebuilt on a reopened store finds the finished tasks through it (their removals fire, a new task is numbered
// after them), and the migration fills the column of a database written before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repository, Store } from '../../src/core/repository.ts';
import { createWorkflow } from '../../src/engine/configuration/workflows.ts';
import { createWorkspace } from '../../src/engine/configuration/workspaces.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FINISHED_TASK_RETENTION_MS } from '../../src/engine/routing/tasks.ts';
import { withPostgresClient } from '../support/postgres.ts';
import { onFreshStore, storeBackends } from '../support/storeBackends.ts';
import { withSqliteFile } from '../support/sqlite.ts';

const AC = 'AC' + 'd'.repeat(32);
const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));

type CleanupRow = { sid: string; cleanup_at: number | null; data: string };

const BACKENDS = storeBackends('cleanupcol', {
  sqlite: (path) => ({
    rows: async (): Promise<CleanupRow[]> => withSqliteFile(path, (db) => db.prepare('SELECT sid, cleanup_at, data FROM tasks ORDER BY seq').all() as never),
    /** How SQLite answers the router's query for finished tasks. */
    plan: async (): Promise<string> =>
      withSqliteFile(path, (db) => (db.prepare('EXPLAIN QUERY PLAN SELECT data FROM tasks WHERE workspace_sid = ? AND cleanup_at IS NOT NULL ORDER BY seq').all('WS') as { detail: string }[]).map((r) => r.detail).join('; ')),
    downgrade: async () => void withSqliteFile(path, (db) => db.exec('DROP INDEX tasks_finished; ALTER TABLE tasks DROP COLUMN cleanup_at; PRAGMA user_version = 37;')),
  }),
  postgres: (url) => ({
    rows: (): Promise<CleanupRow[]> => withPostgresClient(url, async (c) => (await c.query('SELECT sid, cleanup_at::float8 AS cleanup_at, data::text AS data FROM tasks ORDER BY seq')).rows),
    /** With sequential scans off (the tables are tiny), which index PostgreSQL picks for the router's query. */
    plan: () =>
      withPostgresClient(url, async (c) => {
        await c.query('SET enable_seqscan = off');
        const rows = (await c.query(`EXPLAIN SELECT data FROM tasks WHERE workspace_sid = 'WS' AND cleanup_at IS NOT NULL ORDER BY seq`)).rows as { 'QUERY PLAN': string }[];
        return rows.map((r) => r['QUERY PLAN']).join('; ');
      }),
    downgrade: () => withPostgresClient(url, async (c) => void (await c.query('DROP INDEX tasks_finished; ALTER TABLE tasks DROP COLUMN cleanup_at; DELETE FROM schema_migrations WHERE version = 39;'))),
  }),
});

/** Five tasks made through the engine: the first and third canceled at once, the last (the newest) a retention
 *  period later, two left pending. */
async function seed(store: Store, clock: { now: number }) {
  const engine = new Engine(store, { autoTimers: false, clock: () => clock.now });
  const ctx = () => ({ accountSid: AC, now: clock.now });
  const ws = await store.replaying(() => store.transaction((repo) => createWorkspace(repo, ctx(), { friendlyName: 'cleanup', template: 'FIFO' })));
  const wf = await store.replaying(() => store.transaction((repo) => createWorkflow(repo, ctx(), ws.sid, { friendlyName: 'wf', configuration: JSON.stringify({ task_routing: { default_filter: { queue: (repo.findAll('taskQueue', { workspaceSid: ws.sid })[0]!).sid } } }) })));
  const create = () => store.replaying(() => engine.run(ctx(), ws.sid, (_repo, router) => router.createTask({ attributes: '{}', workflowSid: wf.sid }, clock.now).sid));
  const cancel = (sid: string) => store.replaying(() => engine.run(ctx(), ws.sid, (_repo, router) => router.updateTask(sid, { assignmentStatus: 'canceled' }, clock.now, undefined)));
  const tasks = [await create(), await create(), await create(), await create(), await create()];
  await cancel(tasks[0]!);
  await cancel(tasks[2]!);
  const firstFinished = clock.now;
  clock.now += FINISHED_TASK_RETENTION_MS;
  await cancel(tasks[4]!);
  await store.durable();
  engine.close();
  return { ws: ws.sid, workflow: wf.sid, tasks, firstFinished, lastFinished: clock.now };
}

function assertColumnFollowsDocuments(rows: CleanupRow[], count: number) {
  assert.equal(rows.length, count);
  for (const row of rows) assert.equal(row.cleanup_at, JSON.parse(row.data).cleanupAt, `cleanup_at of ${row.sid}`);
}

/** A new engine on the reopened store, a moment after the first finished tasks' deadline: they are removed, the
 *  later one and the live ones stay, and a new task is numbered after every task, finished or not. */
async function assertRebuiltRouterUsesIt(store: Store, seeded: Awaited<ReturnType<typeof seed>>) {
  const clock = { now: seeded.firstFinished + FINISHED_TASK_RETENTION_MS + 1 };
  const finished = await read(store, (repo) => repo.findAll('task', { workspaceSid: seeded.ws, cleanupAt: { notNull: true } }));
  assert.deepEqual(finished.map((t) => t.sid), [seeded.tasks[0], seeded.tasks[2], seeded.tasks[4]]);
  const engine = new Engine(store, { autoTimers: false, clock: () => clock.now });
  try {
    await engine.start();
    await store.durable();
    const left = await read(store, (repo) => repo.findAll('task', { workspaceSid: seeded.ws }));
    assert.deepEqual(left.map((t) => [t.sid, t.assignmentStatus]), [[seeded.tasks[1], 'pending'], [seeded.tasks[3], 'pending'], [seeded.tasks[4], 'canceled']]);
    // The newest task is a finished one: numbering after it needs the finished tasks too.
    const next = await store.replaying(() => engine.run({ accountSid: AC, now: clock.now }, seeded.ws, (_repo, router) => router.createTask({ attributes: '{}', workflowSid: seeded.workflow }, clock.now)));
    assert.equal(next.seq, 6, 'a new task is numbered after the five before it');
  } finally {
    engine.close();
  }
}

for (const backend of BACKENDS) {
  describe(`${backend.name}: a task's cleanup_at column`, { skip: backend.skip }, () => {
    it('follows the document, and a rebuilt router finds the finished tasks through its index', () =>
      onFreshStore(backend, async ({ reopen, rows, plan }, db) => {
        const seeded = await seed(db.store, { now: 1_800_000_000_000 });
        db.store.close();
        const stored = await rows();
        assertColumnFollowsDocuments(stored, 5);
        assert.deepEqual(stored.map((r) => r.cleanup_at === null), [false, true, false, true, false]);
        assert.match(await plan(), /(INDEX|Index Scan on|Index Scan using) tasks_finished/);
        db.store = await reopen();
        await assertRebuiltRouterUsesIt(db.store, seeded);
      }));

    it('is filled by the migration in a database written before it', () =>
      onFreshStore(backend, async ({ reopen, rows, downgrade }, db) => {
        const seeded = await seed(db.store, { now: 1_800_000_000_000 });
        db.store.close();
        await downgrade();
        db.store = await reopen();
        assertColumnFollowsDocuments(await rows(), 5);
        await assertRebuiltRouterUsesIt(db.store, seeded);
      }));
  });
}
