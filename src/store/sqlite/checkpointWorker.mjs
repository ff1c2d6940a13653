// The SQLite store's checkpointer: a worker thread with its own connection that copies the WAL into the
// database file (PRAGMA wal_checkpoint(PASSIVE)) so the WAL can restart, with synchronous=FULL so that the
// WAL and then the database file are fsynced before the WAL's frames count as copied. The server's connection
// never checkpoints (wal_autocheckpoint=0, synchronous=OFF): this work, and its fsyncs, stay off the event
// loop. PASSIVE never waits for the writer; what it could not copy (a write was going on) is copied next time.
// Plain JavaScript: worker threads do not inherit the main thread's TypeScript loader on Node 20.
import { statSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path } = workerData;
/** Checkpoint once the WAL holds about this much (SQLite's own default: 1,000 pages of 4 KiB), and at least
 *  this often while it holds anything. */
const WAL_BYTES = 4 * 1024 * 1024;
const AT_LEAST_EVERY_MS = 5000;
const LOOK_EVERY_MS = 100;

const db = new Database(path);
db.pragma('synchronous = FULL');
let last = Date.now();

setInterval(() => {
  let size = 0;
  try {
    size = statSync(`${path}-wal`).size;
  } catch {
    return; // no WAL (the store is closing)
  }
  if (size < WAL_BYTES && (size === 0 || Date.now() - last < AT_LEAST_EVERY_MS)) return;
  last = Date.now();
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy: next time.
  }
}, LOOK_EVERY_MS);
