// The SQLite store's checkpointer: a worker thread with its own connection that copies the WAL into the
// database file (PRAGMA wal_checkpoint(PASSIVE)) so the WAL can restart, with synchronous=FULL so that the
// WAL and then the database file are fsynced before the WAL's frames count as copied. The server's connection
// never runs these copies (wal_autocheckpoint=0, synchronous=OFF): this work, and its fsyncs, stay off the
// event loop. PASSIVE never waits for the writer; what it could not copy (a write was going on) is copied next
// time.
// After each copy it tells the server the WAL's length in frames and when the copy started ({ log, started }):
// under a steady load the writer appends while a copy runs, so the WAL is never found wholly copied when a
// write begins and would never restart; the server finishes the last few frames itself between two commit
// groups (sqliteStore.ts, restartWal) so the WAL restarts from its beginning.
// The thread runs at the server's background nice value (SWITCHBOARD_BACKGROUND_NICE, as V8's helpers): a copy
// of a few MiB is 10-30 ms of CPU, and on a machine whose cores are busy the kernel would otherwise share a core
// equally between it and the thread serving requests (bench:realtime, five interleaved runs each, p99 median
// 19.4 ms at nice 0, 13.6 at nice 10). It still takes any core nobody else wants, so the WAL is copied as often.
// Plain JavaScript: worker threads do not inherit the main thread's TypeScript loader on Node 20.
import { statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, nice } = workerData;
// On Linux a thread's priority is its own: 0 names the calling thread, this worker's, not the process.
if (nice > 0 && process.platform === 'linux') setPriority(0, nice);
/** Checkpoint once the WAL holds about this much (SQLite's own default: 1,000 pages of 4 KiB), and at least
 *  this often while it holds anything. */
const WAL_BYTES = 4 * 1024 * 1024;
const AT_LEAST_EVERY_MS = 5000;
const LOOK_EVERY_MS = 100;

const db = new Database(path);
db.pragma('synchronous = FULL');
const dataVersion = db.prepare('PRAGMA data_version').pluck();
let last = Date.now();
/** The data_version when a copy last found nothing left to copy: until another commit, there is nothing to do
 *  (the WAL file keeps its size when it restarts, so its size alone does not say that). */
let idleAt = -1;

setInterval(() => {
  let size = 0;
  try {
    size = statSync(`${path}-wal`).size;
  } catch {
    return; // no WAL (the store is closing)
  }
  if (size < WAL_BYTES && (size === 0 || Date.now() - last < AT_LEAST_EVERY_MS)) return;
  const version = dataVersion.get();
  if (version === idleAt) return;
  const started = Date.now();
  last = started;
  try {
    const [{ busy, log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (busy) return;
    if (log === checkpointed) idleAt = version;
    parentPort?.postMessage({ log, started });
  } catch {
    // Busy: next time.
  }
}, LOOK_EVERY_MS);
