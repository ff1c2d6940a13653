// The SQLite store's writer: a worker thread with its own connection that runs the server's commit groups
// (sqliteStore.ts, "shipped" groups) so that SQLite's own work for them (B-tree inserts, the WAL append, the
// COMMIT) and the fsync that makes them durable happen off the event loop.
//
// A group arrives as one message: its statements (SQL text, parameters, and for an update of a document the
// server holds in memory the row count it must change) in order. The thread runs each group waiting for it in
// its own transaction (BEGIN IMMEDIATE ... COMMIT) and publishes each outcome in the shared state (the main
// thread may be waiting for it with Atomics.wait before it writes on its own connection); then it fsyncs the
// WAL once for all it committed (when the store is synchronous=FULL) and answers each, in order: { id },
// { id, error }, or { id, refused }. A statement that fails, or an update that finds no row, rolls its group
// back: nothing of it is in the file; the groups sent after it are refused (they rest on its writes) until the
// main thread, which fails their requests and puts its memory back as the file has it, says to resume.
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

function runGroup(group) {
  stmt('BEGIN IMMEDIATE').run();
  try {
    for (const [sql, params, expected] of group.statements) {
      const { changes } = stmt(sql).run(...params);
      if (expected !== undefined && changes !== expected) throw new Error(`${sql.slice(0, 60)}... changed ${changes} rows, not ${expected}`);
    }
    if (group.injectedFailure !== undefined) throw new Error(group.injectedFailure);
    stmt('COMMIT').run();
  } catch (err) {
    try {
      stmt('ROLLBACK').run();
    } catch {
      // Already rolled back by SQLite.
    }
    throw err;
  }
}

/** Publishes a group's outcome: 0 committed, 1 failed, -1 refused (only settled). */
function settled(outcome, id) {
  if (outcome >= 0) Atomics.store(shared, outcome, id);
  Atomics.store(shared, 2, id);
  Atomics.notify(shared, 2);
}

/** After a group fails, every group sent before the main thread knew it is refused (they rest on its writes),
 *  until the main thread says to resume. */
let refusing = false;

/** Runs the groups that are waiting, each in its own transaction, then fsyncs once for all it committed, then
 *  answers each, in order. */
function runWaiting(first) {
  const answers = [];
  let committed = 0;
  let closing = false;
  for (let message = first; message !== undefined; message = receiveMessageOnPort(parentPort)?.message) {
    if (message.resume) {
      refusing = false;
      continue;
    }
    if (message.close) {
      closing = true;
      break;
    }
    if (refusing) {
      settled(-1, message.id);
      answers.push({ id: message.id, refused: true });
      continue;
    }
    try {
      runGroup(message);
    } catch (err) {
      refusing = true;
      settled(1, message.id);
      answers.push({ id: message.id, error: { message: err.message, code: err.code } });
      continue;
    }
    settled(0, message.id);
    answers.push({ id: message.id });
    committed++;
  }
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
