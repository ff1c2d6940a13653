// A reservation's task and worker live in columns of their own (storeSchema.ts KIND_COLUMNS, migration 0036),
// on both stores: every insert writes them as the document has them, updates leave them equal to the document,
// lookups by task and by worker find the right rows from a freshly opened store, and the migration fills the
// columns of a database written before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repository, Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';
import { withPostgresClient } from '../support/postgres.ts';
import { storeBackends } from '../support/storeBackends.ts';
import { withSqliteFile } from '../support/sqlite.ts';

const AC = 'AC' + 'c'.repeat(32);
const write = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.transaction(work));
const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));

type ColumnRow = { sid: string; task_sid: string | null; worker_sid: string | null; data: string };

/** Both backends, with the reservations' rows read beside the store, and a downgrade to the layout before
 *  migration 0036 (the lookups were indexes over the document). */
const BACKENDS = storeBackends('rescols', {
  sqlite: (path) => ({
    rows: async (): Promise<ColumnRow[]> => withSqliteFile(path, (db) => db.prepare('SELECT sid, task_sid, worker_sid, data FROM reservations ORDER BY seq').all() as never),
    downgrade: async () =>
      void withSqliteFile(path, (db) =>
        db.exec(`DROP INDEX reservations_task; DROP INDEX reservations_worker;
          ALTER TABLE reservations DROP COLUMN task_sid; ALTER TABLE reservations DROP COLUMN worker_sid;
          CREATE INDEX reservations_task ON reservations (json_extract(data, '$.taskSid'));
          CREATE INDEX reservations_worker ON reservations (json_extract(data, '$.workerSid'));
          PRAGMA user_version = 35;`),
      ),
  }),
  postgres: (url) => ({
    rows: (): Promise<ColumnRow[]> => withPostgresClient(url, async (c) => (await c.query('SELECT sid, task_sid, worker_sid, data::text AS data FROM reservations ORDER BY seq')).rows),
    downgrade: () =>
      withPostgresClient(url, async (c) => {
        await c.query(`DROP INDEX reservations_task; DROP INDEX reservations_worker;
          ALTER TABLE reservations DROP COLUMN task_sid, DROP COLUMN worker_sid;
          CREATE INDEX reservations_task ON reservations ((data->>'taskSid'));
          CREATE INDEX reservations_worker ON reservations ((data->>'workerSid'));
          DELETE FROM schema_migrations WHERE version = 36;`);
      }),
  }),
});

/** Two workspaces' worth of finished tasks, each with a rejected and a completed reservation of two workers. */
async function seed(store: Store) {
  const ws = newSid('WS');
  const workers = [newSid('WK'), newSid('WK')];
  const tasks: { sid: string; reservations: { sid: string; workerSid: string }[] }[] = [];
  await write(store, (repo) => repo.insert('workspace', { sid: ws, accountSid: AC, friendlyName: 'columns' } as never));
  for (let i = 0; i < 6; i++) {
    const sid = newSid('WT');
    const reservations = workers.map((workerSid) => ({ sid: newSid('WR'), workerSid }));
    tasks.push({ sid, reservations });
    const doc = (r: { sid: string; workerSid: string }, reservationStatus: string) => ({ sid: r.sid, accountSid: AC, workspaceSid: ws, taskSid: sid, workerSid: r.workerSid, reservationStatus, version: 0 });
    await write(store, (repo) => {
      repo.insert('task', { sid, accountSid: AC, workspaceSid: ws, assignmentStatus: 'pending', attributes: '{}' } as never);
      for (const r of reservations) repo.insert('reservation', doc(r, 'pending') as never);
    });
    // Updates change the document; the columns must still say what it says.
    await write(store, (repo) => {
      repo.update('reservation', doc(reservations[0]!, 'rejected') as never);
      repo.update('reservation', doc(reservations[1]!, 'accepted') as never);
    });
    await write(store, (repo) => {
      repo.update('reservation', doc(reservations[1]!, 'completed') as never);
      repo.update('task', { sid, accountSid: AC, workspaceSid: ws, assignmentStatus: 'completed', attributes: '{}' } as never);
    });
  }
  await store.durable();
  return { workers, tasks };
}

/** Lookups by task and by worker from a store opened on the file (nothing of it in memory yet). */
async function assertLookups(store: Store, seeded: Awaited<ReturnType<typeof seed>>) {
  for (const t of seeded.tasks) {
    const found = await read(store, (repo) => repo.findAll('reservation', { taskSid: t.sid }));
    assert.deepEqual(found.map((r) => [r.sid, r.reservationStatus]), [[t.reservations[0]!.sid, 'rejected'], [t.reservations[1]!.sid, 'completed']]);
  }
  for (const [i, worker] of seeded.workers.entries()) {
    const found = await read(store, (repo) => repo.findAll('reservation', { workerSid: worker }));
    assert.deepEqual(found.map((r) => r.sid), seeded.tasks.map((t) => t.reservations[i]!.sid));
    const completed = await read(store, (repo) => repo.count('reservation', { workerSid: worker, reservationStatus: 'completed' }));
    assert.equal(completed, i === 1 ? seeded.tasks.length : 0);
  }
}

async function assertColumnsMatchDocuments(rows: ColumnRow[], count: number) {
  assert.equal(rows.length, count);
  for (const row of rows) {
    const doc = JSON.parse(row.data);
    assert.equal(row.task_sid, doc.taskSid, `task_sid of ${row.sid}`);
    assert.equal(row.worker_sid, doc.workerSid, `worker_sid of ${row.sid}`);
  }
}

for (const backend of BACKENDS) {
  describe(`${backend.name}: a reservation's task and worker columns`, { skip: backend.skip }, () => {
    it('are written at insert, stay equal to the document through updates, and answer lookups', async () => {
      const { store, reopen, rows, cleanup } = await backend.fresh();
      let reopened: Store | undefined;
      try {
        const seeded = await seed(store);
        store.close();
        await assertColumnsMatchDocuments(await rows(), seeded.tasks.length * 2);
        reopened = await reopen();
        await assertLookups(reopened, seeded);
      } finally {
        reopened?.close();
        cleanup();
      }
    });

    it('are filled by the migration in a database written before it', async () => {
      const { store, reopen, rows, downgrade, cleanup } = await backend.fresh();
      let reopened: Store | undefined;
      try {
        const seeded = await seed(store);
        store.close();
        await downgrade();
        reopened = await reopen();
        await assertColumnsMatchDocuments(await rows(), seeded.tasks.length * 2);
        await assertLookups(reopened, seeded);
      } finally {
        reopened?.close();
        cleanup();
      }
    });
  });
}
