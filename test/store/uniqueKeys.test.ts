// Unique keys cost only where they exist (storeSchema.ts KEYED_KINDS, migration 0037), on both stores: tasks and
// reservations, which never have one, carry no index entry for their NULL key; the kinds that have one keep it
// unique and follow its changes; and the migration rebuilds a database written before it with its rows, their
// positions and the insertion order's high-water mark as they were.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repository, Store } from '../../src/core/repository.ts';
import { KEYED_KINDS } from '../../src/store/storeSchema.ts';
import { newSid } from '../../src/core/sid.ts';
import { withPostgresClient } from '../support/postgres.ts';
import { onFreshStore, storeBackends } from '../support/storeBackends.ts';
import { withSqliteFile } from '../support/sqlite.ts';

const AC = 'AC' + 'd'.repeat(32);
const write = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.transaction(work));
const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));

type KeyRow = { seq: number; sid: string; unique_key: string | null; data: string };

const SQLITE_OLD_TABLES = `
  CREATE TABLE tasks_old (seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, workspace_sid TEXT, unique_key TEXT UNIQUE, data TEXT NOT NULL);
  INSERT INTO tasks_old (seq, sid, account_sid, workspace_sid, unique_key, data) SELECT seq, sid, account_sid, workspace_sid, unique_key, data FROM tasks;
  DROP TABLE tasks; ALTER TABLE tasks_old RENAME TO tasks;
  CREATE INDEX tasks_workspace ON tasks (workspace_sid, seq);
  CREATE TABLE reservations_old (seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, workspace_sid TEXT, unique_key TEXT UNIQUE, data TEXT NOT NULL, task_sid TEXT, worker_sid TEXT);
  INSERT INTO reservations_old SELECT seq, sid, account_sid, workspace_sid, unique_key, data, task_sid, worker_sid FROM reservations;
  DROP TABLE reservations; ALTER TABLE reservations_old RENAME TO reservations;
  CREATE INDEX reservations_workspace ON reservations (workspace_sid, seq);
  CREATE INDEX reservations_task ON reservations (task_sid);
  CREATE INDEX reservations_worker ON reservations (worker_sid);
  PRAGMA user_version = 36;`;

/** Both backends, with (per table) the unique indexes on unique_key and whether each is partial (NULLs left out),
 *  the rows in their order, and a downgrade to the layout before migration 0037 whose tasks' high-water mark is
 *  past its last row. */
const BACKENDS = storeBackends('uniquekeys', {
  sqlite: (path) => ({
    uniqueKeyIndexes: async (table: string): Promise<{ name: string; partial: boolean }[]> =>
      withSqliteFile(path, (db) =>
        (db.prepare(`SELECT name, "unique", partial FROM pragma_index_list(?)`).all(table) as { name: string; unique: number; partial: number }[])
          .filter((ix) => ix.unique && (db.prepare(`SELECT name FROM pragma_index_info(?)`).all(ix.name) as { name: string }[]).some((c) => c.name === 'unique_key'))
          .map((ix) => ({ name: ix.name, partial: ix.partial === 1 })),
      ),
    rows: async (table: string): Promise<KeyRow[]> => withSqliteFile(path, (db) => db.prepare(`SELECT seq, sid, unique_key, data FROM ${table} ORDER BY seq`).all() as never),
    downgrade: async (taskHighWater: number) =>
      void withSqliteFile(path, (db) => {
        db.exec(SQLITE_OLD_TABLES);
        db.prepare(`UPDATE sqlite_sequence SET seq = ? WHERE name = 'tasks'`).run(taskHighWater);
      }),
  }),
  postgres: (url) => ({
    uniqueKeyIndexes: (table: string): Promise<{ name: string; partial: boolean }[]> =>
      withPostgresClient(url, async (c) =>
        (
          await c.query(
            `SELECT i.relname AS name, x.indpred IS NOT NULL AS partial FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (x.indkey) WHERE t.relname = $1 AND x.indisunique AND a.attname = 'unique_key'`,
            [table],
          )
        ).rows,
      ),
    rows: (table: string): Promise<KeyRow[]> => withPostgresClient(url, async (c) => (await c.query(`SELECT seq::float8 AS seq, sid, unique_key, data::text AS data FROM ${table} ORDER BY seq`)).rows),
    downgrade: (taskHighWater: number) =>
      withPostgresClient(url, async (c) => {
        await c.query(`DROP INDEX tasks_unique_key; ALTER TABLE tasks ADD CONSTRAINT tasks_unique_key_key UNIQUE (unique_key);
          DROP INDEX reservations_unique_key; ALTER TABLE reservations ADD CONSTRAINT reservations_unique_key_key UNIQUE (unique_key);
          DELETE FROM schema_migrations WHERE version = 37;`);
        await c.query(`SELECT setval(pg_get_serial_sequence('tasks', 'seq'), $1)`, [taskHighWater]);
      }),
  }),
});

/** A workspace with a worker, two tasks and a reservation, then updates of each. */
async function seed(store: Store) {
  const ws = newSid('WS');
  const worker = { sid: newSid('WK'), accountSid: AC, workspaceSid: ws, friendlyName: 'Alice', version: 0 };
  const tasks = [newSid('WT'), newSid('WT')];
  const reservation = { sid: newSid('WR'), accountSid: AC, workspaceSid: ws, taskSid: tasks[0]!, workerSid: worker.sid, reservationStatus: 'pending', version: 0 };
  await write(store, (repo) => {
    repo.insert('workspace', { sid: ws, accountSid: AC, friendlyName: 'keys' } as never);
    repo.insert('worker', worker as never);
    for (const sid of tasks) repo.insert('task', { sid, accountSid: AC, workspaceSid: ws, assignmentStatus: 'pending', version: 0 } as never);
    repo.insert('reservation', reservation as never);
  });
  await write(store, (repo) => {
    repo.update('task', { sid: tasks[0], accountSid: AC, workspaceSid: ws, assignmentStatus: 'reserved', version: 1 } as never);
    repo.update('reservation', { ...reservation, reservationStatus: 'accepted', version: 1 } as never);
  });
  await store.durable();
  return { ws, worker, tasks, reservation };
}

for (const backend of BACKENDS) {
  describe(backend.name, { skip: backend.skip }, () => {
    it('tasks and reservations hold no unique-key index entries; updates change their documents', () =>
      onFreshStore(backend, async (b, db) => {
        // The premise: neither kind has a unique key (a key added to one would need its index entries back).
        assert.ok(!KEYED_KINDS.has('task') && !KEYED_KINDS.has('reservation'));
        const s = await seed(db.store);
        for (const table of ['tasks', 'reservations']) {
          assert.deepEqual(await b.uniqueKeyIndexes(table), [{ name: `${table}_unique_key`, partial: true }], table);
          assert.ok((await b.rows(table)).every((r) => r.unique_key === null), table);
        }
        const taskRows = await b.rows('tasks');
        assert.equal(JSON.parse(taskRows.find((r) => r.sid === s.tasks[0])!.data).assignmentStatus, 'reserved');
        assert.equal(JSON.parse((await b.rows('reservations'))[0]!.data).reservationStatus, 'accepted');
        db.store.close();
        db.store = await b.reopen();
        assert.equal((await read(db.store, (repo) => repo.get('task', s.tasks[0]!)))?.assignmentStatus, 'reserved');
        assert.equal((await read(db.store, (repo) => repo.get('reservation', s.reservation.sid)))?.reservationStatus, 'accepted');
      }));

    it('a kind with a key keeps it unique and follows its changes', () =>
      onFreshStore(backend, async (b, db) => {
        const s = await seed(db.store);
        // Renamed: the new name finds the worker, the old one finds nothing, from memory and from the file.
        await write(db.store, (repo) => repo.update('worker', { ...s.worker, friendlyName: 'Bob', version: 1 } as never));
        await db.store.durable();
        const byName = (repo: Repository, friendlyName: string) => repo.findByUniqueKey('worker', { workspaceSid: s.ws, friendlyName } as never)?.sid;
        for (let round = 0; round < 2; round++) {
          assert.equal(await read(db.store, (repo) => byName(repo, 'bob')), s.worker.sid);
          assert.equal(await read(db.store, (repo) => byName(repo, 'alice')), undefined);
          db.store.close();
          db.store = await b.reopen();
        }
        assert.deepEqual((await b.rows('workers')).map((r) => r.unique_key), [`${s.ws}:bob`]);
        // Another worker of the same name is refused by the database, and nothing of it is written.
        const twin = { ...s.worker, sid: newSid('WK'), friendlyName: 'Bob' };
        await assert.rejects(write(db.store, (repo) => repo.insert('worker', twin as never)).then(() => db.store.durable()));
        db.store.close();
        db.store = await b.reopen();
        assert.deepEqual((await b.rows('workers')).map((r) => r.sid), [s.worker.sid]);
      }));

    it('the migration rebuilds a database written before it: rows, positions and the next position kept', () =>
      onFreshStore(backend, async (b, db) => {
        const s = await seed(db.store);
        db.store.close();
        const before = { tasks: await b.rows('tasks'), reservations: await b.rows('reservations') };
        // The last rows written had been deleted: the next task still comes after them.
        await b.downgrade(1000);
        assert.equal((await b.uniqueKeyIndexes('tasks'))[0]!.partial, false, 'the old layout, before the migration');
        db.store = await b.reopen();
        for (const table of ['tasks', 'reservations'] as const) {
          assert.deepEqual(await b.rows(table), before[table], table);
          assert.deepEqual(await b.uniqueKeyIndexes(table), [{ name: `${table}_unique_key`, partial: true }], table);
        }
        const next = newSid('WT');
        await write(db.store, (repo) => repo.insert('task', { sid: next, accountSid: AC, workspaceSid: s.ws, assignmentStatus: 'pending', version: 0 } as never));
        await db.store.durable();
        assert.ok((await b.rows('tasks')).find((r) => r.sid === next)!.seq > 1000);
        assert.deepEqual((await read(db.store, (repo) => repo.findAll('reservation', { taskSid: s.tasks[0]! }))).map((r) => r.sid), [s.reservation.sid]);
      }));
  });
}
