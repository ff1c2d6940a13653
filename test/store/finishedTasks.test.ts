// Finished tasks held in memory (store/resident/finishedTasks.ts): a task that finishes stays readable from
// memory with its reservations (the pushes of its last events and the request that finished it read them), and
// what is held equals the database: writes after the finish update it, a rolled-back transaction or a failed
// commit group leaves nothing of theirs behind, a delete drops it, and the number held is bounded. A delete that
// names one task (every task removed after the retention deletes its reservations by task) looks at that task's
// entry alone, not at every one held.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { newSid } from '../../src/core/sid.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { FINISHED_TASKS_KEPT, FinishedTasks } from '../../src/store/resident/finishedTasks.ts';

const AC = 'AC' + 'f'.repeat(32);
let dir: string;
let store: SqliteStore;
let ws: string;

/** Minimal documents: the resident layer reads only the sids and the statuses. */
const task = (sid: string, assignmentStatus: string) => ({ sid, accountSid: AC, workspaceSid: ws, assignmentStatus, attributes: '{}' }) as any;
const reservation = (sid: string, taskSid: string, reservationStatus: string) => ({ sid, accountSid: AC, workspaceSid: ws, taskSid, workerSid: 'WK' + '1'.repeat(32), reservationStatus }) as any;

/** An assigned task with an accepted reservation and a rejected one, committed. */
async function assignedTask(): Promise<{ t: string; accepted: string; rejected: string }> {
  const t = newSid('WT');
  const rejected = newSid('WR');
  const accepted = newSid('WR');
  store.transaction((repo) => {
    repo.insert('task', task(t, 'assigned'));
    repo.insert('reservation', reservation(rejected, t, 'rejected'));
    repo.insert('reservation', reservation(accepted, t, 'accepted'));
  });
  await store.durable();
  return { t, accepted, rejected };
}

/** Completes a task as the engine does: the task first, then its reservation. */
function complete(repo: any, ids: { t: string; accepted: string }): void {
  repo.update('task', task(ids.t, 'completed'));
  repo.update('reservation', reservation(ids.accepted, ids.t, 'completed'));
}

const held = (sid: string) => store.finishedOf(ws).task.some((t) => t.sid === sid);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-finished-'));
  store = new SqliteStore(join(dir, 'test.db'));
  ws = newSid('WS');
  store.transaction((repo) => repo.insert('workspace', { sid: ws, accountSid: AC, friendlyName: 'finished' } as any));
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a finished task and its reservations are read from memory, as the database has them', async () => {
  const ids = await assignedTask();
  store.transaction((repo) => complete(repo, ids));
  await store.durable();
  assert.ok(held(ids.t), 'the finished task is held');
  // Another connection changes the rows behind the store's back: what the store answers now comes from memory.
  const other = new Database(join(dir, 'test.db'));
  const stored = other.prepare('SELECT data FROM tasks WHERE sid = ?').pluck().get(ids.t) as string;
  assert.equal(JSON.parse(stored).assignmentStatus, 'completed');
  other.prepare('UPDATE tasks SET data = ? WHERE sid = ?').run(JSON.stringify({ ...JSON.parse(stored), attributes: '{"changed":true}' }), ids.t);
  other.close();
  store.read((repo) => {
    assert.equal(repo.get('task', ids.t)!.attributes, '{}', 'the task came from memory');
    assert.equal(repo.get('reservation', ids.accepted)!.reservationStatus, 'completed', 'its reservation as written after the task finished');
    assert.deepEqual(repo.findAll('reservation', { taskSid: ids.t }).map((r) => [r.sid, r.reservationStatus]), [[ids.rejected, 'rejected'], [ids.accepted, 'completed']], 'every reservation of the task, in the database order');
    assert.deepEqual(repo.findAll('reservation', { taskSid: ids.t, reservationStatus: 'rejected' }).map((r) => r.sid), [ids.rejected]);
  });
});

test('a rolled-back transaction leaves no finished task behind', async () => {
  const ids = await assignedTask();
  assert.throws(() =>
    store.transaction((repo) => {
      complete(repo, ids);
      throw new Error('refused');
    }),
  );
  assert.ok(!held(ids.t));
  store.read((repo) => {
    assert.equal(repo.get('task', ids.t)!.assignmentStatus, 'assigned');
    assert.equal(repo.get('reservation', ids.accepted)!.reservationStatus, 'accepted');
  });
  await store.durable();
});

test('a failed commit group leaves no finished task behind', async () => {
  const ids = await assignedTask();
  const finished = await assignedTask();
  store.transaction((repo) => complete(repo, finished));
  await store.durable();
  store.failNextCommit(new Error('disk I/O error (injected)'));
  // Both in the failing group: a new finish, and a write to a task already held.
  store.transaction((repo) => complete(repo, ids));
  store.transaction((repo) => repo.update('reservation', { ...reservation(finished.rejected, finished.t, 'rejected'), note: 'lost' }));
  await assert.rejects(store.durable(), /injected/);
  assert.ok(!held(ids.t), 'the task whose finish failed is not held');
  store.read((repo) => {
    assert.equal(repo.get('task', ids.t)!.assignmentStatus, 'assigned');
    assert.equal((repo.get('reservation', finished.rejected) as any).note, undefined, 'the held task has no write of the failed group');
  });
});

test('a deleted finished task is gone from memory', async () => {
  const ids = await assignedTask();
  store.transaction((repo) => complete(repo, ids));
  store.transaction((repo) => repo.delete('task', ids.t));
  await store.durable();
  store.read((repo) => {
    assert.equal(repo.get('task', ids.t), undefined);
    assert.equal(repo.get('reservation', ids.accepted)?.reservationStatus, 'completed', 'its reservations stay in the database (the engine deletes them itself)');
  });
});

test(`at most ${FINISHED_TASKS_KEPT} finished tasks are held; older ones are read from the database`, async () => {
  const first = await assignedTask();
  store.transaction((repo) => complete(repo, first));
  store.transaction((repo) => {
    for (let i = 0; i < FINISHED_TASKS_KEPT; i++) {
      const t = newSid('WT');
      repo.insert('task', task(t, 'assigned'));
      repo.update('task', task(t, 'canceled'));
    }
  });
  await store.durable();
  assert.equal(store.finishedOf(ws).task.length, FINISHED_TASKS_KEPT);
  assert.ok(!held(first.t), 'the oldest went first');
  store.read((repo) => {
    assert.equal(repo.get('task', first.t)!.assignmentStatus, 'completed', 'read from the database');
    assert.equal(repo.findAll('reservation', { taskSid: first.t }).length, 2);
  });
});

test('a delete that names one task looks at that task alone, however many are held', () => {
  const finished = new FinishedTasks();
  const tasks: { sid: string; reservations: string[] }[] = [];
  for (let i = 0; i < FINISHED_TASKS_KEPT; i++) {
    const t = { sid: newSid('WT'), reservations: [newSid('WR'), newSid('WR')] };
    tasks.push(t);
    finished.add({ sid: t.sid, workspaceSid: ws }, t.reservations.map((sid) => ({ sid, taskSid: t.sid, workspaceSid: ws })));
  }
  let looked = 0;
  const matches = (doc: Record<string, unknown>, where: Record<string, unknown>) => {
    looked++;
    return Object.entries(where).every(([field, value]) => doc[field] === value);
  };
  const matching = (kind: 'task' | 'reservation', where: Record<string, string>) => {
    looked = 0;
    return { sids: finished.matching(kind, matches, where), looked };
  };
  const some = tasks[1234]!;
  assert.deepEqual(matching('reservation', { taskSid: some.sid }), { sids: [some.sid], looked: 1 }, "a task's reservations: that task's first reservation matches");
  assert.deepEqual(matching('reservation', { sid: some.reservations[1]! }), { sids: [some.sid], looked: 2 }, 'one reservation: its task alone');
  assert.deepEqual(matching('task', { sid: some.sid }), { sids: [some.sid], looked: 1 });
  assert.deepEqual(matching('reservation', { taskSid: newSid('WT') }), { sids: [], looked: 0 }, 'a task not held');
  assert.deepEqual(matching('reservation', { sid: newSid('WR') }), { sids: [], looked: 0 }, 'a reservation not held');
  assert.deepEqual(matching('reservation', { taskSid: some.sid, sid: some.reservations[0]! }).sids, [some.sid]);
  assert.deepEqual(matching('reservation', { taskSid: some.sid, workspaceSid: newSid('WS') }).sids, [], 'the rest of the filter still applies');
  // A filter that names no single task (a workspace deleted) still looks at every one.
  const all = matching('task', { workspaceSid: ws });
  assert.equal(all.sids.length, FINISHED_TASKS_KEPT);
  assert.equal(all.looked, FINISHED_TASKS_KEPT);
});
