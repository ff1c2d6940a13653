// A commit group's task and reservation writes go to PostgreSQL as a few multi-row statements
// (store/postgres/batchedWrites.ts): each row's writes become their net effect, other statements keep their
// place as barriers, and on a real database a group of many transactions stores exactly what one statement per
// write stored, while a stale conditional write among them still fails the whole group.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repository, Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';
import { batchWrites, type DocumentWrite } from '../../src/store/postgres/batchedWrites.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { freshDatabase, skipWithoutPostgres, withPostgresClient } from '../support/postgres.ts';

const COLUMNS = ['sid', 'account_sid', 'workspace_sid', 'unique_key', 'data', 'cleanup_at'];
const insert = (sid: string, data: string): DocumentWrite => ({ op: 'insert', table: 'tasks', sid, columns: COLUMNS, values: [sid, 'AC', 'WS', null, data, null] });
/** An update; a task's carries its cleanup_at (storeSchema.ts UPDATED_COLUMNS), a reservation's nothing more. */
const update = (sid: string, data: string, known: number | null, mode: 'present' | 'updated' = 'updated', table = 'tasks', cleanupAt: number | null = null): DocumentWrite =>
  ({ op: 'update', table, sid, data, own: table === 'tasks' ? [cleanupAt] : [], known, mode, what: `task ${sid}` });

describe('batchWrites', () => {
  it("gathers each row's writes into one: an insert takes the last document, updates keep the first expected version", () => {
    const out = batchWrites([insert('T1', 'a'), update('T2', 'x', 4, 'present'), update('T1', 'b', 0), update('T2', 'y', 5, 'updated', 'tasks', 77), update('T1', 'c', 1, 'updated', 'tasks', 99)]);
    assert.equal(out.length, 2);
    assert.match(out[0]!.text, /^INSERT INTO tasks \(sid, account_sid, workspace_sid, unique_key, data, cleanup_at\) VALUES \(\$1, \$2, \$3, \$4, \$5, \$6\)$/);
    // The inserted row takes the last update's document and its cleanup_at.
    assert.deepEqual(out[0]!.values, ['T1', 'AC', 'WS', null, 'c', 99]);
    assert.match(out[1]!.text, /^WITH v \(sid, data, known, mode, what, cleanup_at\) AS \(VALUES \(\$1::text, \$2::json, \$3::bigint, \$4::text, \$5::text, \$6::bigint\)\)/);
    assert.match(out[1]!.text, /SET data = v\.data, cleanup_at = v\.cleanup_at FROM v/);
    // One row: the last document and cleanup_at, the version the first update expected, 'updated' because one of them required the row.
    assert.deepEqual(out[1]!.values, ['T2', 'y', 4, 'updated', 'task T2', 77]);
  });

  it('sends one INSERT and one UPDATE per table for many rows', () => {
    const out = batchWrites([insert('T1', 'a'), update('R1', 'r', 2, 'updated', 'reservations'), insert('T2', 'b'), update('T3', 'c', 7), update('R2', 's', 3, 'updated', 'reservations')]);
    assert.deepEqual(
      out.map((s) => s.text.split(' ').slice(0, 6).join(' ')),
      ['INSERT INTO tasks (sid, account_sid, workspace_sid,', 'WITH v (sid, data, known, mode,', 'WITH v (sid, data, known, mode,'],
    );
    assert.deepEqual(out[0]!.values, ['T1', 'AC', 'WS', null, 'a', null, 'T2', 'AC', 'WS', null, 'b', null]);
    assert.ok(out[1]!.text.includes('UPDATE tasks t'));
    assert.deepEqual(out[2]!.values, ['R1', 'r', 2, 'updated', 'task R1', 'R2', 's', 3, 'updated', 'task R2']);
  });

  it('keeps every other statement in its place: what was gathered before it is sent before it', () => {
    const del = { text: 'DELETE FROM tasks WHERE sid = $1', values: ['T1'] };
    const out = batchWrites([insert('T1', 'a'), del, update('T2', 'b', 1), { text: 'UPDATE workers SET data = $1', values: ['w'] }]);
    assert.deepEqual(
      out.map((s) => s.text.split(' ')[0]),
      ['INSERT', 'DELETE', 'WITH', 'UPDATE'],
    );
  });

  it('refuses a row inserted twice in one group (a bug above, not a write to merge)', () => {
    assert.throws(() => batchWrites([insert('T1', 'a'), insert('T1', 'b')]), /inserted twice/);
  });
});

const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));
const AC = 'AC' + 'b'.repeat(32);
const WS = newSid('WS');
const task = (sid: string, version: number, status: string, cleanupAt: number | null = null) => ({ sid, accountSid: AC, workspaceSid: WS, assignmentStatus: status, attributes: '{}', cleanupAt, dateCreated: 1, dateUpdated: 1, version });
const reservation = (sid: string, version: number, status: string) => ({ sid, accountSid: AC, workspaceSid: WS, taskSid: 'WT1', workerSid: 'WK1', reservationStatus: status, dateCreated: 1, dateUpdated: 1, version });

/** The rows of a table as stored: sid -> [status, version]. */
async function stored(url: string, table: 'tasks' | 'reservations'): Promise<Record<string, [string, number]>> {
  return withPostgresClient(url, async (c) => {
    const rows = (await c.query(`SELECT sid, data::text AS data FROM ${table}`)).rows as { sid: string; data: string }[];
    return Object.fromEntries(rows.map((r) => {
      const d = JSON.parse(r.data);
      return [r.sid, [d.assignmentStatus ?? d.reservationStatus, d.version]];
    }));
  });
}

describe('batched writes on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  it('a group of many transactions stores what each wrote, in order', async () => {
    const url = await freshDatabase('batched');
    const store = await PostgresStore.open(url);
    try {
      const [t1, t2, t3, r1, r2] = [newSid('WT'), newSid('WT'), newSid('WT'), newSid('WR'), newSid('WR')];
      store.transaction((repo) => {
        repo.insert('task', task(t2, 0, 'pending') as any);
        repo.insert('reservation', reservation(r2, 0, 'pending') as any);
      });
      await store.durable();
      // One event-loop turn: one group of five transactions.
      store.transaction((repo) => repo.insert('task', task(t1, 0, 'pending') as any));
      store.transaction((repo) => repo.update('task', task(t1, 1, 'reserved') as any));
      store.transaction((repo) => {
        repo.insert('reservation', reservation(r1, 0, 'pending') as any);
        repo.update('task', task(t2, 1, 'reserved') as any);
      });
      store.transaction((repo) => {
        repo.update('reservation', reservation(r1, 1, 'accepted') as any);
        repo.update('task', task(t1, 2, 'assigned') as any);
        repo.delete('reservation', r2);
      });
      store.transaction((repo) => repo.update('task', task(t2, 2, 'canceled', 5000) as any));
      store.transaction((repo) => repo.insert('task', task(t3, 0, 'pending') as any));
      store.transaction((repo) => repo.update('task', task(t3, 1, 'canceled', 6000) as any));
      await store.durable();
      assert.deepEqual(await stored(url, 'tasks'), { [t1]: ['assigned', 2], [t2]: ['canceled', 2], [t3]: ['canceled', 1] });
      // A task's cleanup_at column follows its document, updated (t2) or inserted and updated in one group (t3).
      const cleanup = await withPostgresClient(url, async (c) => (await c.query('SELECT sid, cleanup_at::int AS at FROM tasks')).rows as { sid: string; at: number | null }[]);
      assert.deepEqual(Object.fromEntries(cleanup.map((r) => [r.sid, r.at])), { [t1]: null, [t2]: 5000, [t3]: 6000 });
      assert.deepEqual(await stored(url, 'reservations'), { [r1]: ['accepted', 1] });
    } finally {
      store.close();
    }
  });

  it('a stale conditional write among them fails the whole group: nothing of it is stored', async () => {
    const url = await freshDatabase('batchedrace');
    const a = await PostgresStore.open(url);
    const b = await PostgresStore.open(url);
    try {
      const [t1, t2, t3] = [newSid('WT'), newSid('WT'), newSid('WT')];
      a.transaction((repo) => {
        repo.insert('task', task(t1, 0, 'pending') as any);
        repo.insert('task', task(t2, 0, 'pending') as any);
      });
      await a.durable();
      const seen = (await read(b, (repo) => repo.get('task', t1)))!;
      assert.equal(seen.version, 0);
      await read(b, (repo) => repo.get('task', t2));
      a.transaction((repo) => repo.update('task', task(t1, 1, 'reserved') as any));
      await a.durable();
      // b's group (one event-loop turn): a new task, an update of t2 it may make, and an update of t1 from its
      // stale read.
      b.transaction((repo) => repo.insert('task', task(t3, 0, 'pending') as any));
      b.transaction((repo) => repo.update('task', task(t2, 1, 'canceled') as any));
      b.transaction((repo) => repo.update('task', { ...seen, assignmentStatus: 'canceled', version: 1 } as any));
      await assert.rejects(() => b.durable(), (err: any) => err.status === 409 && err.code === 20409);
      assert.deepEqual(await stored(url, 'tasks'), { [t1]: ['reserved', 1], [t2]: ['pending', 0] });
    } finally {
      a.close();
      b.close();
    }
  });
});
