// The SQLite store's writer: a worker thread with its own connection that runs the server's commit groups
// (sqliteStore.ts, "shipped" groups) so that SQLite's own work for them (B-tree inserts, the WAL append, the
// COMMIT) and the fsync that makes them durable happen off the event loop.
//
// A group arrives as one message: its statements (SQL text, parameters, and for an update of a document the
// server holds in memory the row count it must change) in order. The thread runs the groups waiting for it in
// one transaction (BEGIN IMMEDIATE ... COMMIT), each in a savepoint, and publishes each outcome in the shared
// state (the main thread may be waiting for it with Atomics.wait before it writes on its own connection); then
// it fsyncs the WAL once for all it committed (when the store is synchronous=FULL) and answers each, in order:
// { id }, { id, error }, or { id, refused }. A statement that fails, or an update that finds no row, rolls its
// group back: nothing of it is in the file; the groups sent after it are refused (they rest on its writes)
// until the main thread, which fails their requests and puts its memory back as the file has it, says to
// resume.
// Plain JavaScript: worker threads do not inherit the main thread's TypeScript loader on Node 20.
import { fdatasyncSync, openSync, closeSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, state, syncWal } = workerData;
/** [0]: the id of the last group committed; [1]: of the last that failed; [2]: of the last either way (the main
 *  thread waits on this one). */
const shared = new Int32Array(state);
/** Prepared statements kept: the shapes are few (a document write per kind, event batches of 1 to 64 rows). */
const STATEMENT_CACHE_LIMIT = 500;

const db = new Database(path);
// As the main connection (sqliteStore.ts): the fsync is this thread's own, after COMMIT; the checkpoints are
// the checkpoint worker's; the WAL file keeps its size.
db.pragma('synchronous = OFF');
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = -1');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.pragma('temp_store = MEMORY');
db.pragma('cache_size = -16384');
const walFd = syncWal ? openSync(`${path}-wal`, 'r') : undefined;

const statements = new Map();
function stmt(sql) {
  let s = statements.get(sql);
  if (!s) {
    s = db.prepare(sql);
    if (statements.size >= STATEMENT_CACHE_LIMIT) statements.delete(statements.keys().next().value);
    statements.set(sql, s);
  }
  return s;
}

/** Runs a group's statements; throws (its writes are then to be rolled back) if one fails or an update
 *  changes another row count than the one it must. */
function runStatements(group) {
  for (const [sql, params, expected] of group.statements) {
    const { changes } = stmt(sql).run(...params);
    if (expected !== undefined && changes !== expected) throw new Error(`${sql.slice(0, 60)}... changed ${changes} rows, not ${expected}`);
  }
  if (group.injectedFailure !== undefined) throw new Error(group.injectedFailure);
}

function rollback(sql) {
  try {
    stmt(sql).run();
  } catch {
    // Already rolled back by SQLite.
  }
}

/** Publishes a group's outcome: 0 committed, 1 failed, -1 refused (only settled). */
function settled(outcome, id) {
  if (outcome >= 0) Atomics.store(shared, outcome, id);
  Atomics.store(shared, 2, id);
  Atomics.notify(shared, 2);
}

/** Copies what the checkpoint worker has not (a PASSIVE checkpoint, fsyncing the WAL before and the file
 *  after, as synchronous=FULL does), so that the next group's write restarts the WAL from its beginning: the
 *  main thread asks for it once the WAL is long (sqliteStore.ts, restartWal). Done here, between two commits,
 *  its few milliseconds of copying and fsyncing are not the event loop's. */
function catchUpWal() {
  db.pragma('synchronous = FULL');
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy: the checkpoint worker copies it, and its next report asks again.
  } finally {
    db.pragma('synchronous = OFF');
  }
}

/** After a group fails, every group sent before the main thread knew it is refused (they rest on its writes),
 *  until the main thread says to resume. */
let refusing = false;

/**
 * Runs the groups that are waiting, then fsyncs once for all it committed, then answers each, in order.
 * The groups found waiting together run in ONE transaction, each in a SAVEPOINT of its own: a commit appends
 * every page it changed to the WAL, and the groups of a busy server change many of the same pages (the last
 * leaf of each table and of each index on a time-ordered key, the rollup rows, sqlite_sequence), so k groups in
 * one commit append those pages once instead of k times (one task alone in its group: 19 to 33 pages of
 * 4 KiB, each copied again by the checkpoint). A group that fails is rolled back to its savepoint; the ones
 * before it are committed, the ones after it refused.
 */
function runWaiting(first) {
  const messages = [first];
  for (let m = receiveMessageOnPort(parentPort); m !== undefined; m = receiveMessageOnPort(parentPort)) messages.push(m.message);
  const groups = messages.filter((m) => m.id !== undefined).length;
  if (messages.some((m) => m.catchUp)) catchUpWal();
  const answers = [];
  /** The groups run in the open transaction, not committed yet. */
  let pending = [];
  let committed = 0;
  let closing = false;
  /** A group that failed: the ones after it are refused until the main thread says to resume. */
  const fail = (id, err) => {
    refusing = true;
    settled(1, id);
    answers.push({ id, error: { message: err.message, code: err.code } });
  };
  /** A group that rests on one that failed. */
  const refuse = (id) => {
    settled(-1, id);
    answers.push({ id, refused: true });
  };
  const commitPending = () => {
    if (pending.length === 0) return;
    try {
      stmt('COMMIT').run();
    } catch (err) {
      rollback('ROLLBACK');
      fail(pending[0], err);
      for (const id of pending.slice(1)) refuse(id);
      pending = [];
      return;
    }
    for (const id of pending) {
      settled(0, id);
      answers.push({ id });
    }
    committed += pending.length;
    pending = [];
  };
  for (const message of messages) {
    if (message.resume) {
      refusing = false;
      continue;
    }
    if (message.catchUp) continue;
    if (message.close) {
      closing = true;
      break;
    }
    if (refusing) {
      refuse(message.id);
      continue;
    }
    // One group alone needs no savepoint: its failure rolls the whole transaction back.
    const savepoint = groups > 1;
    try {
      // (A BEGIN that fails, say busy past busy_timeout, fails this group like any statement of it.)
      if (pending.length === 0) stmt('BEGIN IMMEDIATE').run();
      if (savepoint) stmt('SAVEPOINT g').run();
      runStatements(message);
      if (savepoint) stmt('RELEASE g').run();
      pending.push(message.id);
    } catch (err) {
      if (savepoint) {
        rollback('ROLLBACK TO g');
        rollback('RELEASE g');
      } else {
        rollback('ROLLBACK');
      }
      // The groups before it stay committed (they do not rest on it); an empty transaction just ends.
      if (pending.length > 0) commitPending();
      else if (savepoint) rollback('ROLLBACK');
      // If the COMMIT of the groups before it failed, this one rests on them: refused.
      if (refusing) refuse(message.id);
      else fail(message.id, err);
    }
  }
  commitPending();
  if (committed > 0 && walFd !== undefined) {
    try {
      fdatasyncSync(walFd);
    } catch (err) {
      parentPort.postMessage({ fatal: { message: err.message, code: err.code } });
      return;
    }
  }
  for (const answer of answers) parentPort.postMessage(answer);
  if (closing) {
    if (walFd !== undefined) closeSync(walFd);
    db.close();
    parentPort.postMessage({ closed: true });
    parentPort.close();
  }
}

parentPort.on('message', runWaiting);
