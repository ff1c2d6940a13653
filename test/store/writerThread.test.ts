// The SQLite store's writer thread (sqliteStore.ts, "shipped" and "local" groups; writerWorker.mjs):
// * a TaskRouter lifecycle over HTTP (create, offer, accept, complete) commits only shipped groups: nothing on
//   its path needs the event loop's connection, nor does the removal of the task after the finished-task
//   retention (its reservations deleted by task, then the task);
// * a read of the file sees every write made before it, in the same turn and while a group is in flight (the
//   open group turns local: what it staged is run on the event loop's connection first);
// * a shipped group that fails fails the group that formed behind it too, and memory equals the file after;
// * an update of a document held in memory that the file lacks fails its group instead of being lost;
// * what the writer thread committed is in the file for any other connection once durable() resolves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { newSid } from '../../src/core/sid.ts';
import { FINISHED_TASK_RETENTION_MS } from '../../src/engine/routing/tasks.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { RoutingFixture } from '../support/routingFixture.ts';

const AC = 'AC' + 'a'.repeat(32);
const task = (ws: string, sid: string, assignmentStatus: string) => ({ sid, accountSid: AC, workspaceSid: ws, assignmentStatus, attributes: '{}', version: 0 }) as any;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the store on a file, with its writer thread', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  let ws: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-writer-'));
    path = join(dir, 'test.db');
    store = new SqliteStore(path);
    ws = newSid('WS');
    store.transaction((repo) => repo.insert('workspace', { sid: ws, accountSid: AC, friendlyName: 'writer' } as any));
    await store.durable();
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The stored task rows of the workspace, read by another connection. */
  const storedTasks = () => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT data FROM tasks WHERE workspace_sid = ? ORDER BY seq').all(ws) as { data: string }[]).map((r) => JSON.parse(r.data));
    } finally {
      db.close();
    }
  };

  test('documents held in memory are written by the writer thread, and another connection reads them once durable', async () => {
    const before = { ...store.groupsCommitted };
    const sid = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, sid, 'pending')));
    await store.durable();
    store.transaction((repo) => repo.update('task', { ...task(ws, sid, 'reserved'), version: 1 }));
    await store.durable();
    assert.deepEqual(store.groupsCommitted, { shipped: before.shipped + 2, local: before.local });
    assert.equal(storedTasks().find((t) => t.sid === sid)?.assignmentStatus, 'reserved');
  });

  test('a read of the file sees the writes before it: in the same turn, and behind a group in flight', async () => {
    const first = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, first, 'pending')));
    await nextTurn(); // the group is shipped: in flight now (its answer comes later)
    const second = newSid('WT');
    const sids = store.transaction((repo) => {
      repo.insert('task', task(ws, second, 'pending'));
      // A page of tasks is SQL: it must see both (the first from the writer thread, the second staged here).
      return repo.page('task', { workspaceSid: ws }, { limit: 1000 }).items.map((t) => t.sid);
    });
    assert.ok(sids.includes(first) && sids.includes(second), 'the page holds both new tasks');
    const local = store.groupsCommitted.local;
    await store.durable();
    assert.equal(store.groupsCommitted.local, local + 1, 'the group that read went local');
    const stored = storedTasks().map((t) => t.sid);
    assert.ok(stored.includes(first) && stored.includes(second));
  });

  test('a failed shipped group fails the group behind it, and memory goes back to the file', async () => {
    const kept = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, kept, 'pending')));
    await store.durable();
    store.failNextCommit(new Error('disk I/O error (injected)'));
    const lost = newSid('WT');
    store.transaction((repo) => repo.update('task', { ...task(ws, kept, 'canceled'), version: 1 }));
    const failed = store.durable();
    await nextTurn(); // shipped, and failing in the writer
    const behind = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, lost, 'pending')));
    const alsoFailed = store.durable();
    await assert.rejects(failed, /disk I\/O error/);
    await assert.rejects(alsoFailed, /disk I\/O error/);
    assert.equal(store.read((repo) => repo.get('task', kept))?.assignmentStatus, 'pending', 'memory holds what the file holds');
    assert.equal(store.read((repo) => repo.get('task', lost)), undefined);
    const stored = storedTasks();
    assert.equal(stored.find((t) => t.sid === kept)?.assignmentStatus, 'pending');
    assert.ok(!stored.some((t) => t.sid === lost || t.sid === behind));
    // The store goes on.
    store.transaction((repo) => repo.insert('task', task(ws, behind, 'pending')));
    await store.durable();
    assert.ok(storedTasks().some((t) => t.sid === behind));
  });

  test('groups waiting together commit together; one that fails among them keeps those before it and refuses those after', async () => {
    // Another connection holds the write lock, so the writer thread waits on the first group while the next
    // three queue up behind it; they are then run in one transaction.
    const blocker = new Database(path);
    blocker.prepare('BEGIN IMMEDIATE').run();
    const sids = [newSid('WT'), newSid('WT'), newSid('WT'), newSid('WT')];
    const outcomes: Promise<unknown>[] = [];
    for (const [i, sid] of sids.entries()) {
      if (i === 2) store.failNextCommit(new Error('disk I/O error (injected, third group)'));
      store.transaction((repo) => repo.insert('task', task(ws, sid, 'pending')));
      outcomes.push(store.durable().then(() => 'durable', (err: Error) => err.message));
      await nextTurn(); // shipped
    }
    blocker.prepare('COMMIT').run();
    blocker.close();
    const [first, second, third, fourth] = await Promise.all(outcomes);
    assert.equal(first, 'durable');
    assert.equal(second, 'durable', 'the group before the failed one in the same transaction is kept');
    assert.match(String(third), /third group/);
    assert.match(String(fourth), /third group/, 'the group after it rests on it: refused');
    const stored = storedTasks().map((t) => t.sid);
    assert.deepEqual(sids.map((sid) => stored.includes(sid)), [true, true, false, false]);
    assert.deepEqual(sids.map((sid) => store.read((repo) => repo.get('task', sid)) !== undefined), [true, true, false, false], 'memory holds what the file holds');
  });

  test('a write lock held elsewhere past the busy timeout fails the group, and the writer goes on', async () => {
    const blocker = new Database(path);
    blocker.prepare('BEGIN IMMEDIATE').run();
    const refused = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, refused, 'pending')));
    try {
      await assert.rejects(store.durable(), /locked|busy/i);
    } finally {
      blocker.prepare('ROLLBACK').run();
      blocker.close();
    }
    assert.equal(store.read((repo) => repo.get('task', refused)), undefined, 'memory holds what the file holds');
    const next = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, next, 'pending')));
    await store.durable();
    assert.deepEqual([refused, next].map((sid) => storedTasks().some((t) => t.sid === sid)), [false, true]);
  });

  test('an update of a document memory holds but the file lacks fails its group rather than vanishing', async () => {
    const ghost = newSid('WT');
    store.transaction((repo) => repo.insert('task', task(ws, ghost, 'pending')));
    await store.durable();
    const db = new Database(path);
    db.prepare('DELETE FROM tasks WHERE sid = ?').run(ghost);
    db.close();
    store.transaction((repo) => repo.update('task', { ...task(ws, ghost, 'reserved'), version: 1 }));
    await assert.rejects(store.durable(), /changed 0 rows, not 1/);
  });
});

describe('a TaskRouter lifecycle over HTTP', () => {
  let f: RoutingFixture;
  before(async () => {
    f = await RoutingFixture.create({ Template: 'FIFO' });
  });
  after(() => f.close());

  test('commits only shipped groups', async () => {
    const store = f.s.store as SqliteStore;
    const worker = await f.worker('shipped', {});
    const reservation = (await f.ok('GET', f.path(`/Workers/${worker}/Reservations`))).reservations;
    assert.equal(reservation.length, 0);
    await store.durable();
    const before = { ...store.groupsCommitted };
    const created = await f.task({ type: 'lifecycle' });
    // The offer is in the create's group (the worker was available): its sid comes from memory.
    const offer = store.read((repo) => repo.findAll('reservation', { taskSid: created.sid }))[0]!;
    await f.respond(worker, offer.sid, { ReservationStatus: 'accepted' });
    await f.ok('POST', f.path(`/Tasks/${created.sid}`), { AssignmentStatus: 'completed', Reason: 'done' });
    await store.durable();
    assert.equal(store.groupsCommitted.local, before.local, 'no group of the lifecycle needed the event loop\'s connection');
    assert.ok(store.groupsCommitted.shipped >= before.shipped + 3, `three requests, three groups at least (${store.groupsCommitted.shipped - before.shipped})`);
    // And its events are in the log, in order.
    const events = f.events();
    assert.ok(events.indexOf('task.created') < events.indexOf('reservation.accepted') && events.indexOf('reservation.accepted') < events.indexOf('task.completed'), events.join(', '));

    // Past the retention the task is removed, with its reservations, in a shipped group too.
    const held = () => store.finishedOf(f.ws).task.some((t) => t.sid === created.sid);
    assert.ok(held(), 'the finished task is held in memory until then');
    const removal = { ...store.groupsCommitted };
    f.advance(FINISHED_TASK_RETENTION_MS / 1000 + 1);
    await store.durable();
    assert.ok(!held(), 'the finished task was removed');
    assert.equal(store.groupsCommitted.local, removal.local, "removing the task needed the event loop's connection");
    assert.ok(store.groupsCommitted.shipped > removal.shipped);
    store.read((repo) => {
      // Neither is in memory any more: these are read from the file.
      assert.equal(repo.get('task', created.sid), undefined, 'the task is gone from the file');
      assert.deepEqual(repo.findAll('reservation', { taskSid: created.sid }), [], 'and its reservations');
    });
  });
});
