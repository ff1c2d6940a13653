// The embedded store: one SQLite file (better-sqlite3, WAL). Transactions of one event-loop turn are committed
// together (group commit, see transaction()), and "acknowledged means durable" holds because the HTTP reply
// waits for that commit to be on disk (durable()).
//
// The database is kept off the event loop's critical path (docs/architecture.md, "The write path"):
// * reads of the live routing state come from memory (store/resident/): the process routes every workspace of
//   its file, so it is their only writer; the rest is SQL on this connection (sqlRepository.ts);
// * the server's groups of TaskRouter writes are committed by a writer thread on its own connection
//   (writerWorker.mjs: the statements, the COMMIT and the fsync); a group that needs this connection (a read
//   of the file, another face's write) runs here instead (transaction(), goLocal);
// * a COMMIT only hands the WAL frames to the kernel (synchronous=OFF; with the WAL shim of walCoalescing.ts,
//   in one write call instead of two per page), and the fsync that makes them durable runs off the event loop
//   (in the writer thread, or on libuv's thread pool for a local group); replies, pushes and webhooks wait for
//   it, so the guarantee is synchronous=FULL's;
// * checkpoints (copying the WAL into the database file, with its own fsync) run in a worker thread on their
//   own connection (checkpointWorker.mjs), never on the event loop.
import Database from 'better-sqlite3';
import { closeSync, fdatasync, fdatasyncSync, fstat, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EntityKind, EventRecord } from '../../core/entities.ts';
import { eventInsertSql, eventRow, MINUTE_MS, rollupFoldSql, TABLE } from '../storeSchema.ts';
import { RollupFolds } from '../rollupFolds.ts';
import { registerWorkflowFunctions } from './workflowFunctions.ts';
import { CommitSignals, GroupWaiters } from '../commitSignals.ts';
import { ResidentRepository } from '../resident/residentRepository.ts';
import { sqlRepository } from './sqlRepository.ts';
import { enableWalCoalescing, type WalCoalescing, walCoalescingLoaded } from './walCoalescing.ts';
import type { ReplayOptions, Repository, Store } from '../../core/repository.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface SqliteStoreOptions {
  /** FULL (default): an acknowledged write survives power loss (the WAL is fsynced before the reply). NORMAL:
   *  it survives a killed process but may be lost on an OS crash, for more throughput. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Whether this process routes the file's workspaces and keeps them in memory (the server); the command
   *  line tools read and write a few rows and load nothing. */
  routes?: boolean;
  /** Tests: the WAL size (in pages) after which it restarts (WAL_RESTART_FRAMES). */
  walRestartFrames?: number;
  /** Linux: the nice value of the checkpoint worker's thread (0, the default: the main thread's). The server
   *  passes its background nice value (docs/operations.md, "Tail latency"). */
  checkpointNice?: number;
  /** Whether to load the WAL write-coalescing VFS (walCoalescing.ts) before opening the file (default true).
   *  It is process-wide: once loaded, every connection the process opens uses it. */
  coalesceWal?: boolean;
}

/** A commit group: the transactions of one event-loop turn (or more, while the writer thread is busy). */
interface Group {
  id: number;
  events: EventRecord[];
  waiters: GroupWaiters;
  transactions: number;
  /** Whether it runs on this connection (BEGIN IMMEDIATE here, its statements run as they are made) rather
   *  than being shipped to the writer thread at its end: see goLocal. */
  local: boolean;
}

/** A committed group on its way to disk: who waits for it and what its commit tells the listeners. */
interface CommittedGroup {
  group: Group;
  /** When its COMMIT started (metrics: commit latency runs until the fsync that makes it durable). */
  started: number;
  durable: boolean;
}

/** A write of a shipped group, run by the writer thread: SQL, parameters, and the row count an update of a
 *  document held in memory must change (else the group fails). */
type StagedWrite = [sql: string, params: unknown[], expectedChanges?: number];

/** The statements that write events (storeSchema.ts): one INSERT per EVENT_BATCH rows. better-sqlite3 binds
 *  the rows' arrays in order: no flattened copy, no spread of a thousand arguments. */
function eventWrites(events: readonly EventRecord[]): StagedWrite[] {
  const writes: StagedWrite[] = [];
  const rows = events.map(eventRow);
  for (let i = 0; i < rows.length; i += EVENT_BATCH) {
    const batch = rows.slice(i, i + EVENT_BATCH);
    writes.push([eventInsertSql(batch.length), batch]);
  }
  return writes;
}

/** The statements that fold these workspaces' events into their rollups (storeSchema.ts, "Folds"); every
 *  parameter is the workspace. */
function foldWrites(workspaces: readonly string[]): StagedWrite[] {
  const writes: StagedWrite[] = [];
  for (const ws of workspaces) for (const [sql, placeholders] of FOLD) writes.push([sql, Array<string>(placeholders).fill(ws)]);
  return writes;
}
const FOLD = rollupFoldSql('min', 'max').statements.map((sql) => [sql, sql.split('?').length - 1] as const);

/** What the writer thread answers for a group (writerWorker.mjs). */
interface WriterAnswer {
  id: number;
  closed?: boolean;
  refused?: boolean;
  error?: WriterError;
  fatal?: WriterError;
}
type WriterError = { message: string; code?: string };

/** The writer thread's error as an Error here (messages carry plain objects), with SQLite's code. */
function writerError(e: WriterError): Error {
  return Object.assign(new Error(e.message), { code: e.code });
}

/** How many event rows one INSERT carries (17 columns each; SQLite takes up to 32,766 parameters). */
const EVENT_BATCH = 64;
/** Prepared statements kept (see stmt()). */
const STATEMENT_CACHE_LIMIT = 2_000;
/** The WAL restarts from its beginning after about this many pages (64 MiB of 4 KiB pages): see restartWal. */
const WAL_RESTART_FRAMES = 16_384;
/** How long a credential check may go on what memory holds before it looks for another process's changes:
 *  shorter than any command-line tool takes to start, so `secrets rotate && secrets retire` cannot both land
 *  between two looks (the server would hold seals of the key retired). */
const EXTERNAL_LOOK_MS = 100;
/** How long goLocal waits for the writer thread to commit the group in flight before it gives up (fatal): the
 *  writer waits at most busy_timeout (5 s) for a lock, and a group takes milliseconds. */
const WRITER_WAIT_MS = 30_000;
/** Shipped groups the writer thread may hold at once. It commits each as it comes and fsyncs once for all it
 *  found waiting, so a group sent while it fsyncs the one before is on disk with the next fsync. */
const MAX_IN_FLIGHT = 4;
/** restartWal copies the rest only when the worker's copy started at most this long ago (a backlog of a few
 *  hundred frames under a steady load)... */
const RESTART_CATCH_UP_MS = 50;
/** ...or once the WAL holds this many times WAL_RESTART_FRAMES, whatever the backlog. */
const WAL_FORCED_RESTART = 8;
/** Rollup minutes deleted per retention statement. */
const ROLLUP_PRUNE_MINUTES = 60;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Whether this connection's commits write their WAL frames with one system call (walCoalesce.c). */
  readonly walCoalescing: WalCoalescing;
  private readonly repo: ResidentRepository;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly signals = new CommitSignals();
  /** Which workspaces' events a group folds into their rollups. */
  private readonly folds = new RollupFolds();
  /** Events appended by the transaction in progress; handed to listeners once its group is durable. */
  private appended: EventRecord[] = [];
  /** Event rows not yet inserted: written in batches at the group's COMMIT, or before anything reads events. */
  private unwrittenEvents: EventRecord[] = [];
  /** Where the transaction in progress starts in `unwrittenEvents`. */
  private transactionEventsStart = 0;
  /** Whether a transaction (a SAVEPOINT) is open, and the earlier transactions' events that a read inside it
   *  wrote into that savepoint: if it rolls back they are unwritten again, not lost with it. */
  private inTransaction = false;
  private writtenForEarlier: EventRecord[] = [];
  /** The open commit group: its events and who waits for it to be durable. */
  private group: Group | undefined;
  private nextGroupId = 1;
  /** The state shared with the writer thread (writerWorker.mjs), which commits the groups that stay shipped:
   *  the ids of the last group committed, failed, and either. Only stores that ship groups have it (not
   *  ':memory:', not the tools). */
  private readonly writerState: Int32Array | undefined;
  /** The writer thread, started with the first group shipped: a store opened only to read (a test's check, a
   *  report) starts none, so none can open the file after this connection closed it (a thread still starting
   *  then re-created the WAL, and a test's cleanup of the directory raced it). */
  private writerThread: Worker | undefined;
  private readonly path: string;
  /** Whether groups are shipped to a writer thread. */
  private get writer(): boolean {
    return this.writerState !== undefined;
  }
  /** Groups committed by the writer thread and on this connection (tests; the hot path's groups are shipped). */
  readonly groupsCommitted = { shipped: 0, local: 0 };
  /** The open group's writes not run yet (it is shipped), and where the transaction in progress starts there. */
  private staged: StagedWrite[] = [];
  private transactionStagedStart = 0;
  /** Whether the transaction in progress has its SAVEPOINT on this connection. */
  private savepointOpen = false;
  /** The shipped groups the writer thread has not answered yet, in order (at most MAX_IN_FLIGHT: the next
   *  one fills meanwhile), each with the mark of memory's undo log it commits up to. */
  private inFlight: { group: Group; mark: { undo: number; loaded: number }; started: number }[] = [];
  /** Committed groups, in commit order, until they are durable and announced (in that order). */
  private committed: CommittedGroup[] = [];
  /** Committed local groups waiting for the next fsync on libuv's pool, and whether one is running. */
  private unsynced: CommittedGroup[] = [];
  private syncing: Promise<void> | undefined;
  private readonly syncWal: boolean;
  private readonly walFd: number | undefined;
  private readonly checkpointer: Worker | undefined;
  private readonly walRestartFrames: number;
  /** restartWal asked for a catch-up while a commit group was open: done right after its COMMIT. */
  private catchUpAfterCommit = false;
  private readonly fatalListeners = new Set<(err: Error) => void>();
  private injectedCommitFailure: Error | undefined;
  /** The server (it routes): it empties the WAL when it closes. A command-line tool writing to a running
   *  server's file must not: a TRUNCATE checkpoint waits for and then holds off the server's writers. */
  private readonly emptiesWalOnClose: boolean;
  /** external_commits' count when externalChanges() last looked. */
  private externalCommits: number;
  private externalCommitsStatement: Database.Statement | undefined;
  /** When externalChanges() last looked, and whether it did in this event-loop turn. */
  private lookedForExternalChangesAt = -Infinity;
  private lookedInThisTurn = false;
  private closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    const onDisk = path !== ':memory:';
    if (onDisk) mkdirSync(dirname(path), { recursive: true });
    this.walCoalescing = options.coalesceWal === false ? walCoalescingLoaded() : enableWalCoalescing();
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // 64 MiB of page cache (the default is 2 MiB): list counts and statistics scan large index ranges.
    this.db.pragma('cache_size = -65536');
    // This connection never fsyncs and leaves the checkpoints to the worker: the WAL is fsynced off the event
    // loop after each COMMIT (when FULL) and the checkpoint worker copies it into the file with fsyncs of its
    // own (restartWal is the exception: a few frames). The WAL is never cut back when it restarts
    // (journal_size_limit -1): freeing its blocks happens inside the truncate call, on the event loop, and on a
    // filesystem mounted with `discard` that call waits for the device to trim them (seconds for hundreds of
    // MiB). The file keeps the largest size it reached, about WAL_RESTART_FRAMES pages under a steady load.
    this.db.pragma('synchronous = OFF');
    this.db.pragma('wal_autocheckpoint = 0');
    this.db.pragma('journal_size_limit = -1');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Each transaction of a group is a SAVEPOINT, whose undo journal (the sub-journal: the first image of every
    // page it changes) SQLite spills to a new file in /var/tmp once it passes 64 KiB. Under load that was a file
    // created, written, read and unlinked on the event loop about 13 times a second, each creation and unlink a
    // filesystem journal operation that waited behind the fsyncs of the WAL and the checkpoints (stalls of
    // several milliseconds). In memory it costs only the pages a group changes. (It also puts the temporary
    // tables of large GROUP BY / DISTINCT queries in memory; VACUUM's copy of the whole file is made on disk,
    // see compact.)
    this.db.pragma('temp_store = MEMORY');
    // The Opsflow face's `regex` operator (case-insensitive, as SpaceONE's). A bad pattern matches nothing.
    const patterns = new Map<string, RegExp | null>();
    this.db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
      if (value === null || value === undefined) return 0;
      const p = String(pattern);
      let re = patterns.get(p);
      if (re === undefined) {
        try {
          re = new RegExp(p, 'i');
        } catch {
          re = null;
        }
        if (patterns.size > 1000) patterns.clear();
        patterns.set(p, re);
      }
      return re?.test(String(value)) ? 1 : 0;
    });
    registerWorkflowFunctions(this.db);
    this.migrate();
    this.syncWal = onDisk && options.synchronous !== 'NORMAL';
    this.walRestartFrames = options.walRestartFrames ?? WAL_RESTART_FRAMES;
    this.emptiesWalOnClose = options.routes !== false;
    if (onDisk) {
      // The WAL exists from the migrations' writes on and stays while this connection is open: fsyncing any
      // descriptor of it flushes its pages. Its directory entry is made durable once.
      this.walFd = openSync(`${path}-wal`, 'r');
      const dir = openSync(dirname(path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
      // libuv's thread pool (the fsyncs of local groups) is created by the first thread that queues work on it,
      // and its threads inherit that thread's nice value: queue something here first, so that it is never the
      // checkpoint worker's lowered thread (a race the worker's module loading could win).
      fstat(this.walFd, () => undefined);
      this.checkpointer = new Worker(new URL('./checkpointWorker.mjs', import.meta.url), { workerData: { path, nice: options.checkpointNice ?? 0 } });
      this.checkpointer.unref();
      this.checkpointer.on('error', (err) => this.fatal(err));
      this.checkpointer.on('message', (progress: { log: number; started: number }) => this.restartWal(progress));
    }
    this.path = path;
    if (onDisk && options.routes !== false) this.writerState = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    this.externalCommits = this.readExternalCommits();
    const sql = sqlRepository({
      stmt: (text) => this.stmt(text),
      writeResident: (text, params, expected) => this.write(text, params, expected),
      holds: (kind, sid) => this.repo.docs.get(kind, sid) !== undefined,
      appendEvent: (event) => {
        this.appended.push(event);
        this.unwrittenEvents.push(event);
      },
      writeEvents: () => this.writeEvents(),
    });
    this.repo = new ResidentRepository(
      {
        repo: sql,
        rowsOfWorkspace: (kind, workspaceSid) => this.parsedRows(`SELECT seq, data FROM ${TABLE[kind]} WHERE workspace_sid = ? ORDER BY seq`, workspaceSid),
        rowsOf: (kind) => this.parsedRows(`SELECT seq, data FROM ${TABLE[kind]} ORDER BY seq`),
        externalChanges: (urgency) => this.externalChanges(urgency),
      },
      options.routes === false ? () => false : () => true,
    );
  }

  /**
   * A query's rows, parsed one at a time as the caller iterates. Loading a large workspace (500,000 tasks) this
   * way lets each row's JSON text die young: with `.all()` every text stayed reachable until the last was parsed,
   * so the young-generation collector copied all of them, twice, before they became garbage (3.4 s of collection
   * in a 14 s restart). Nothing else may use the connection until the iteration ends (better-sqlite3 refuses
   * it), which holds for the loaders: they only put what they read into memory.
   */
  private *parsedRows(sql: string, ...params: unknown[]): Generator<{ doc: never; seq: number }> {
    for (const { seq, data } of this.stmt(sql).iterate(...params) as IterableIterator<{ seq: number; data: string }>) yield { doc: JSON.parse(data) as never, seq };
  }

  /**
   * Lets the WAL restart from its beginning once it holds WAL_RESTART_FRAMES. SQLite restarts it when a write
   * begins while every frame is copied into the database file; the worker copies while this connection keeps
   * appending, so under a steady load that moment never comes and the WAL grows without end (hundreds of MiB in
   * an hour's soak). So once the worker reports a WAL past that size, this connection copies what was appended
   * since that copy started, between two commit groups (a PASSIVE checkpoint with synchronous=FULL: the WAL
   * fsynced before the copy, the file after, as the worker does), and the next group's write restarts the
   * WAL. Once the writer thread runs, it does this copy itself before its next commit (off the event loop;
   * bench:realtime saw the main thread's copies take 0.4 to 7 ms, once every 0.8 s); until then, this
   * connection does. It is done only while the backlog is small (the report is at most RESTART_CATCH_UP_MS
   * old), unless the WAL has grown to WAL_FORCED_RESTART times its restart size. While the worker is copying,
   * PASSIVE returns at once.
   */
  private restartWal(progress: { log: number; started: number }): void {
    if (this.closed || progress.log < this.walRestartFrames) return;
    if (Date.now() - progress.started > RESTART_CATCH_UP_MS && progress.log < WAL_FORCED_RESTART * this.walRestartFrames) return;
    // The writer thread, once started, does it between two of its commits (its next write restarts the WAL).
    if (this.writerThread) this.writerThread.postMessage({ catchUp: true });
    else if (this.group?.local) this.catchUpAfterCommit = true;
    else this.catchUpWal();
  }

  private catchUpWal(): void {
    try {
      this.fullySynced(() => this.db.pragma('wal_checkpoint(PASSIVE)'));
    } catch {
      // Busy or failed: the worker copies it, and its next report tries again.
    }
  }

  /** Runs `work` with synchronous=FULL: this connection never fsyncs otherwise (see the header), but a
   *  checkpoint or a rewrite it runs itself must. */
  private fullySynced<T>(work: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return work();
    } finally {
      this.db.pragma('synchronous = OFF');
    }
  }

  /** Whether a command-line tool committed to the file since the last look: then accounts and keys are read
   *  again. A look reads the tools' commit count (external_commits; PRAGMA data_version would also count the
   *  writer thread's commits, which are this process's own), which takes the WAL's read lock: two system calls,
   *  about 10 µs, and up to 1.4 ms while the checkpointer holds the lock. So lists look (`now`) once per
   *  event-loop turn, and credential checks (`soon`, every request) at most once per EXTERNAL_LOOK_MS: the tools only add accounts and keys (one memory lacks is
   *  read from the file at once) and re-seal secrets (the keyring opens the old seal until it is retired). */
  private externalChanges(urgency: 'now' | 'soon'): boolean {
    const now = performance.now();
    if (urgency === 'soon' ? now - this.lookedForExternalChangesAt < EXTERNAL_LOOK_MS : this.lookedInThisTurn) return false;
    this.lookedForExternalChangesAt = now;
    if (!this.lookedInThisTurn) {
      this.lookedInThisTurn = true;
      setImmediate(() => (this.lookedInThisTurn = false));
    }
    const n = this.readExternalCommits();
    if (n === this.externalCommits) return false;
    this.externalCommits = n;
    return true;
  }

  /** How many groups the command-line tools have committed to this file (they count them: see commitGroup).
   *  The server's own writes never touch the row, so this read needs nothing of the open group. */
  private readExternalCommits(): number {
    this.externalCommitsStatement ??= this.db.prepare('SELECT n FROM external_commits WHERE id = 1').pluck();
    return (this.externalCommitsStatement.get() as number | undefined) ?? 0;
  }

  /** Applies the numbered migrations newer than the database's user_version, each in its own transaction. */
  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
    for (const file of files) {
      const n = Number(file.slice(0, 4));
      if (n <= current) continue;
      const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.pragma(`user_version = ${n}`);
      })();
    }
  }

  /** A prepared statement by its text. The texts are shapes (filters, IN-list lengths, Opsflow queries a
   *  client composed), so there may be any number: the cache keeps the STATEMENT_CACHE_LIMIT most recently
   *  prepared ones (better-sqlite3 finalizes a dropped statement when it is collected). */
  private prepared(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A statement to run on this connection now: whatever was written before it is run here first (goLocal),
   *  so it sees every write made before it, as a single connection would. */
  private stmt(sql: string): Database.Statement {
    this.goLocal();
    return this.prepared(sql);
  }

  /** A write of a document held in memory (a resident kind): staged for the writer thread while the open group
   *  is shipped, else run here. `expected`: the row count it must change. */
  private write(sql: string, params: unknown[], expected?: number): void {
    const write: StagedWrite = expected === undefined ? [sql, params] : [sql, params, expected];
    if (this.writer && this.group && !this.group.local) {
      this.staged.push(write);
      return;
    }
    this.goLocal();
    this.runStaged(write);
  }

  /** Inserts the event rows appended so far, in batches (one statement per EVENT_BATCH rows). Called at the
   *  group's COMMIT, and before anything reads the log so a read sees every event written before it. */
  private writeEvents(): void {
    if (this.unwrittenEvents.length === 0) return;
    this.goLocal();
    const rows = this.unwrittenEvents;
    if (rows.length === 0) return; // (goLocal failed the group behind a failed one)
    if (this.inTransaction && this.transactionEventsStart > 0) this.writtenForEarlier.push(...rows.slice(0, this.transactionEventsStart));
    this.unwrittenEvents = [];
    this.transactionEventsStart = 0;
    for (const write of eventWrites(rows)) this.runStaged(write);
  }

  /**
   * Event retention: deletes up to `limit` events older than `cutoffMs` (and the rollup rows of the minutes
   * before it) of one TaskRouter workspace, never an event its webhook receiver is still owed (after its
   * `event-callback:` cursor). One short statement in its own transaction, run between commit groups (never
   * inside one): the caller (store/retention.ts) yields to the event loop between batches. Returns the number
   * of rows deleted (0: nothing more to prune here).
   */
  async pruneBatch(workspaceSid: string, cutoffMs: number, limit: number): Promise<number> {
    await this.durable();
    while (this.group) await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.closed) return 0;
    const owed = (this.stmt(`SELECT position FROM cursors WHERE name = ?`).get(`event-callback:${workspaceSid}`) as { position: number } | undefined)?.position;
    const deleted = this.stmt(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE workspace_sid = ? AND date_ms < ? AND seq <= ? LIMIT ?)`,
    ).run(workspaceSid, cutoffMs, owed ?? Number.MAX_SAFE_INTEGER, limit).changes;
    if (deleted > 0) return deleted;
    const minute = Math.floor(cutoffMs / MINUTE_MS);
    let rollups = 0;
    for (const table of ['event_minutes', 'worker_minutes']) {
      const oldest = (this.stmt(`SELECT min(minute) AS m FROM ${table} WHERE workspace_sid = ?`).get(workspaceSid) as { m: number | null }).m;
      if (oldest === null || oldest >= minute) continue;
      // A bounded slice of minutes at a time (its rows are few per minute).
      rollups += this.stmt(`DELETE FROM ${table} WHERE workspace_sid = ? AND minute >= ? AND minute < ?`).run(workspaceSid, oldest, Math.min(minute, oldest + ROLLUP_PRUNE_MINUTES)).changes;
    }
    return rollups;
  }

  /** The TaskRouter workspaces whose event logs retention prunes. */
  async prunableWorkspaces(): Promise<string[]> {
    return (this.stmt(`SELECT sid FROM workspaces ORDER BY seq`).all() as { sid: string }[]).map((r) => r.sid);
  }

  /**
   * Group commit: the transactions of an event-loop turn form one group, committed once the turn's I/O
   * callbacks have run (setImmediate). Each `transaction()` rolls back alone if its work throws, in the
   * database and in memory. Nothing is acknowledged before it is durable: the HTTP layer awaits `durable()`
   * before it sends a response, and commit listeners (WebSocket pushes, webhook delivery) run after the fsync
   * with the groups' events in commit order.
   *
   * A group runs one of two ways (docs/architecture.md, "The write path"):
   *   shipped  the server's usual group: its transactions only write documents held in memory and events, so
   *            their statements are staged, not run, and the group goes to the writer thread as one message
   *            (writerWorker.mjs), which commits it and fsyncs off the event loop. Up to MAX_IN_FLIGHT groups
   *            are in flight; the writer commits each as it comes and fsyncs once for those it found waiting.
   *   local    a group in which something needs this connection (a read of the file, a write of another
   *            kind, a write whose row count matters): goLocal waits for the group in flight, opens BEGIN
   *            IMMEDIATE here, runs what was staged, and from then on the group runs here as a single
   *            connection would (a SAVEPOINT per transaction); its COMMIT is here and its fsync on libuv's pool.
   * Stores without a writer thread (':memory:', the command-line tools) run every group locally.
   */
  transaction<T>(work: (repo: Repository) => T): T {
    if (this.closed) throw new Error('the store is closed');
    if (!this.group) {
      this.group = { id: this.nextGroupId++, events: [], waiters: new GroupWaiters(), transactions: 0, local: false };
      if (!this.writer) this.beginLocal();
      setImmediate(() => this.commitGroup());
    }
    this.appended = [];
    this.transactionEventsStart = this.unwrittenEvents.length;
    this.transactionStagedStart = this.staged.length;
    if (this.group.local) {
      this.prepared('SAVEPOINT tx').run();
      this.savepointOpen = true;
    }
    this.repo.beginTransaction();
    this.inTransaction = true;
    this.writtenForEarlier = [];
    let result: T;
    try {
      result = work(this.repo);
      if (this.savepointOpen) this.prepared('RELEASE tx').run();
    } catch (err) {
      if (this.savepointOpen) {
        this.prepared('ROLLBACK TO tx').run();
        this.prepared('RELEASE tx').run();
      }
      // (After a failed group in flight, failInFlight has already emptied these.)
      if (this.staged.length > this.transactionStagedStart) this.staged.length = this.transactionStagedStart;
      this.repo.rollbackTransaction();
      if (this.unwrittenEvents.length > this.transactionEventsStart) this.unwrittenEvents.length = this.transactionEventsStart;
      // A read of the log inside this transaction wrote the group's earlier events (and their rollups) into
      // its savepoint; the rollback took them out again, so they wait to be written once more.
      if (this.writtenForEarlier.length && this.group) this.unwrittenEvents = [...this.writtenForEarlier, ...this.unwrittenEvents];
      this.appended = [];
      throw err;
    } finally {
      this.inTransaction = false;
      this.savepointOpen = false;
      this.writtenForEarlier = [];
    }
    this.group.events.push(...this.appended);
    this.group.transactions++;
    this.appended = [];
    return result;
  }

  /** Opens the open group's database transaction on this connection. */
  private beginLocal(): void {
    this.prepared('BEGIN IMMEDIATE').run();
    this.group!.local = true;
  }

  /**
   * Makes this connection hold every write made so far, before a statement runs on it: waits for the group in
   * flight to be committed by the writer thread (blocking, for the few milliseconds a group's statements take;
   * its fsync is not waited for), then turns the open group local, running what it staged (the earlier
   * transactions' writes, then the SAVEPOINT of the one in progress and its own). Between groups there is
   * nothing to run. No-op when the open group is local already or there is no writer thread.
   */
  private goLocal(): void {
    if (!this.writer || this.group?.local) return;
    if (this.inFlight.length > 0) this.awaitInFlight();
    if (!this.group) return;
    const staged = this.staged;
    this.staged = [];
    const earlier = this.inTransaction ? this.transactionStagedStart : staged.length;
    this.beginLocal();
    // Its turn's commitGroup may have run already (it waited for the group in flight): the group must not keep
    // the write lock past this turn.
    setImmediate(() => this.commitGroup());
    try {
      for (let i = 0; i < earlier; i++) this.runStaged(staged[i]!);
    } catch (err) {
      // The earlier transactions' writes cannot all be made (a bug: an update of a row the file lacks): the
      // group fails as a failed COMMIT would.
      this.failLocalGroup(err as Error);
      throw err;
    }
    if (this.inTransaction) {
      this.prepared('SAVEPOINT tx').run();
      this.savepointOpen = true;
    }
    for (let i = earlier; i < staged.length; i++) this.runStaged(staged[i]!);
    this.transactionStagedStart = 0;
  }

  private runStaged([sql, params, expected]: StagedWrite): void {
    const { changes } = this.prepared(sql).run(...params);
    if (expected !== undefined && changes !== expected) throw new Error(`${sql.slice(0, 60)}... changed ${changes} rows, not ${expected}`);
  }

  /** Blocks until the writer thread has committed (or failed) every group in flight, and settles them. A
   *  failure fails the groups after it and the open group too (they rest on its writes) and, inside a
   *  transaction, that transaction (it read what they wrote). */
  private awaitInFlight(): void {
    const first = this.inFlight[0]!.group.id;
    const last = this.inFlight[this.inFlight.length - 1]!.group.id;
    const state = this.writerState!;
    const deadline = Date.now() + WRITER_WAIT_MS;
    let settled: number;
    while ((settled = Atomics.load(state, 2)) < last) {
      if (Date.now() > deadline) {
        const err = new Error(`the writer thread did not commit a group within ${WRITER_WAIT_MS} ms`);
        this.fatal(err);
        throw err;
      }
      Atomics.wait(state, 2, settled, 1_000);
    }
    // The writer commits the groups in order until one fails, and refuses the rest until told to resume.
    const failed = Atomics.load(state, 1);
    const failedHere = failed >= first ? failed : Infinity;
    while (this.inFlight.length > 0 && this.inFlight[0]!.group.id < failedHere) this.inFlightCommitted();
    if (this.inFlight.length > 0) {
      const err = new Error('a commit group before this one failed (its error is reported to its requests)');
      this.failInFlight(err);
      if (this.inTransaction) throw err;
    }
  }

  /** The first group in flight is in the file: memory's undo log up to its mark is dropped (the later groups'
   *  marks move with it), and it waits for its fsync (the writer's answer) in commit order. */
  private inFlightCommitted(): void {
    const flight = this.inFlight.shift()!;
    this.repo.groupCommitted(flight.mark);
    for (const later of this.inFlight) {
      later.mark.undo -= flight.mark.undo;
      later.mark.loaded -= flight.mark.loaded;
    }
    this.groupsCommitted.shipped++;
    this.committed.push({ group: flight.group, started: flight.started, durable: false });
  }

  /** The writer thread's answer for a group: durable, failed, refused (after a failure), or fatal (its fsync
   *  failed). Answers come in the order the groups were sent. */
  private writerAnswered(answer: WriterAnswer): void {
    if (answer.closed || answer.refused) return;
    if (answer.fatal) {
      this.failDurability(writerError(answer.fatal));
      return;
    }
    const flight = this.inFlight[0];
    if (answer.error) {
      // Else awaitInFlight has already failed it.
      if (flight && flight.group.id === answer.id) this.failInFlight(writerError(answer.error));
      return;
    }
    if (flight && flight.group.id === answer.id) this.inFlightCommitted();
    const entry = this.committed.find((c) => c.group.id === answer.id);
    if (entry) entry.durable = true;
    this.announce();
    if (this.group && !this.closed) this.commitGroup();
  }

  /** The first group in flight failed: nobody waiting on it, on the groups sent after it or on the open group
   *  (which rest on its writes) is acknowledged, memory is put back as the file has it, and the writer thread,
   *  which refuses every group after a failure, is told to take groups again. */
  private failInFlight(err: Error): void {
    const flights = this.inFlight;
    this.inFlight = [];
    const behind = this.group;
    this.group = undefined;
    this.staged = [];
    this.unwrittenEvents = [];
    if (behind?.local) {
      try {
        this.prepared('ROLLBACK').run();
      } catch {
        // Nothing open.
      }
    }
    this.repo.groupFailed();
    for (const f of flights) f.group.waiters.reject(err);
    behind?.waiters.reject(err);
    this.signals.failed(err);
    this.startedWriter().postMessage({ resume: true });
  }

  /** The open local group cannot commit: rolled back here and in memory, and its waiters refused. */
  private failLocalGroup(err: Error): void {
    const group = this.group!;
    this.group = undefined;
    this.staged = [];
    this.unwrittenEvents = [];
    try {
      this.prepared('ROLLBACK').run();
    } catch {
      // Already rolled back by SQLite.
    }
    this.repo.groupFailed();
    group.waiters.reject(err);
    this.signals.failed(err);
  }

  /** Resolves once every write made so far is durable: the open group's, or else the last committed one's. */
  durable(): Promise<void> {
    if (this.group) return this.group.waiters.wait();
    const flying = this.inFlight[this.inFlight.length - 1];
    if (flying) return flying.group.waiters.wait();
    const last = this.committed[this.committed.length - 1];
    return last ? last.group.waiters.wait() : Promise.resolve();
  }

  onFailure(listener: (err: Error) => void): () => void {
    return this.signals.onFailure(listener);
  }

  /** Called when the store cannot go on (an fsync failed: what is on disk is unknown). The server exits and
   *  its supervisor restarts it from the file, which is the only truth left. */
  onFatal(listener: (err: Error) => void): () => void {
    this.fatalListeners.add(listener);
    return () => this.fatalListeners.delete(listener);
  }

  /** Tests: the next group's COMMIT fails with `err` (as a full disk or an I/O error would fail it). */
  failNextCommit(err: Error): void {
    this.injectedCommitFailure = err;
  }

  /** The resident documents of a workspace (tests compare them with a fresh load of the file). */
  residentOf(workspaceSid: string): Record<string, unknown[]> {
    return this.repo.docs.residentOf(workspaceSid);
  }

  /** The finished tasks of a workspace held in memory, with their reservations (tests compare them with the
   *  file). */
  finishedOf(workspaceSid: string): { task: { sid: string }[]; reservation: { sid: string }[] } {
    return this.repo.docs.finishedOf(workspaceSid);
  }

  /** Ends the open group: commits it here (local) or ships it to the writer thread (when none is in flight;
   *  else it goes when that one is answered). */
  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    if (!group.local) {
      if (this.inFlight.length < MAX_IN_FLIGHT) this.ship(group);
      return;
    }
    this.group = undefined;
    const started = performance.now();
    try {
      this.writeEvents();
      for (const write of foldWrites(this.folds.due(group.events))) this.runStaged(write);
      const injected = this.injectedCommitFailure;
      this.injectedCommitFailure = undefined;
      if (injected) throw injected;
      // The command-line tools count their commits, for a server on the same file to see (externalChanges).
      if (!this.emptiesWalOnClose) this.prepared('UPDATE external_commits SET n = n + 1 WHERE id = 1').run();
      this.prepared('COMMIT').run();
    } catch (err) {
      // The group's writes are gone (I/O error, disk full): nobody waiting on them is acknowledged, and what
      // memory holds beside the store is put back as the database has it.
      this.group = group;
      this.failLocalGroup(err as Error);
      return;
    }
    this.repo.groupCommitted();
    this.groupsCommitted.local++;
    if (this.catchUpAfterCommit) {
      this.catchUpAfterCommit = false;
      this.catchUpWal();
    }
    const entry = { group, started, durable: false };
    this.committed.push(entry);
    this.unsynced.push(entry);
    this.sync();
  }

  /** Sends the open group to the writer thread: its staged writes, its event rows and its rollup folds. */
  private ship(group: Group): void {
    this.group = undefined;
    const statements = this.staged;
    this.staged = [];
    const events = this.unwrittenEvents;
    this.unwrittenEvents = [];
    if (statements.length === 0 && events.length === 0 && this.inFlight.length === 0) {
      // Nothing to write (transactions that only read): durable as soon as the groups committed before it are
      // (behind groups in flight, it goes to the writer like any other, to be answered after them).
      this.committed.push({ group, started: performance.now(), durable: true });
      this.announce();
      return;
    }
    statements.push(...eventWrites(events), ...foldWrites(this.folds.due(group.events)));
    const injected = this.injectedCommitFailure;
    this.injectedCommitFailure = undefined;
    this.inFlight.push({ group, mark: this.repo.sealGroup(), started: performance.now() });
    this.startedWriter().postMessage({ id: group.id, statements, injectedFailure: injected?.message });
  }

  private startedWriter(): Worker {
    if (!this.writerThread) {
      const thread = new Worker(new URL('./writerWorker.mjs', import.meta.url), { workerData: { path: this.path, state: this.writerState!.buffer, syncWal: this.syncWal } });
      thread.unref();
      thread.on('error', (err) => this.fatal(err));
      thread.on('message', (answer: WriterAnswer) => this.writerAnswered(answer));
      this.writerThread = thread;
    }
    return this.writerThread;
  }

  /** Makes the committed local groups durable: one fdatasync of the WAL (on libuv's thread pool) covers every
   *  group committed before it starts; groups committed meanwhile wait for the next one. */
  private sync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const groups = this.unsynced;
    this.unsynced = [];
    const done = (err: Error | null) => {
      this.syncing = undefined;
      if (err) {
        this.failDurability(err);
        return;
      }
      for (const g of groups) g.durable = true;
      this.announce();
      this.sync();
    };
    if (!this.syncWal || this.walFd === undefined) {
      this.syncing = Promise.resolve();
      queueMicrotask(() => done(null));
      return;
    }
    this.syncing = new Promise<void>((resolve) => {
      fdatasync(this.walFd!, (err) => {
        resolve();
        done(err);
      });
    });
  }

  /** Acknowledges the committed groups that are durable, in commit order: a group waits for the ones before it. */
  private announce(): void {
    const now = performance.now();
    while (this.committed.length > 0 && this.committed[0]!.durable) {
      const { group, started } = this.committed.shift()!;
      group.waiters.resolve();
      this.signals.groupCommitted(group.transactions, (now - started) / 1000);
      this.signals.committed(group.events);
    }
  }

  /** An fsync failed: what reached the disk is unknown. Every group not yet acknowledged is refused and the
   *  store stops (crash-only; the file is the truth). */
  private failDurability(err: Error): void {
    for (const g of this.committed.splice(0)) g.group.waiters.reject(err);
    this.signals.failed(err);
    this.fatal(err);
  }

  private fatal(err: Error): void {
    for (const listener of this.fatalListeners) listener(err);
  }

  onCommit(listener: (events: EventRecord[]) => void): () => void {
    return this.signals.onCommit(listener);
  }

  onGroupCommit(observer: (transactions: number, seconds: number) => void): () => void {
    return this.signals.onGroupCommit(observer);
  }

  read<T>(work: (repo: Repository) => T): T {
    return work(this.repo);
  }

  readonly readsMayMiss = false;

  /** Every read answers at once here: the work just runs. */
  async replaying<T>(work: () => T | Promise<T>, _options?: ReplayOptions): Promise<T> {
    return work();
  }

  /** An online copy of the database to `path` (SQLite's backup API): consistent, taken while the server runs
   *  (another process may be writing the same file), without stopping writers. */
  async backup(path: string): Promise<void> {
    await this.durable();
    await this.db.backup(path);
  }

  /** Rewrites the whole file (VACUUM: SQLite has no per-table form) and empties the WAL, so that no overwritten
   *  row stays readable in free pages (secrets sealed after an older version stored them in clear). */
  async compact(_kinds: readonly EntityKind[]): Promise<void> {
    await this.durable();
    // The rewrite and the checkpoint that empties the WAL must fsync. VACUUM copies the whole database into a
    // temporary one first: on disk, not in memory (temp_store = MEMORY is for the savepoints' journals; see
    // the constructor), or a large file would need as much RAM.
    this.db.pragma('temp_store = FILE');
    try {
      this.fullySynced(() => {
        this.db.exec('VACUUM');
        this.emptyWal();
      });
    } finally {
      this.db.pragma('temp_store = MEMORY');
    }
  }

  /** Copies the whole WAL into the file and truncates it (call with synchronous=FULL). A checkpoint the worker
   *  is running makes this one busy at once (SQLite runs one at a time, without the busy handler), so it is
   *  tried again until the worker's ends (a copy takes at most a few hundred ms), for up to 5 s. */
  private emptyWal(): void {
    const deadline = Date.now() + 5_000;
    while ((this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]?.busy && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }

  close(): void {
    if (this.closed) return;
    // The group in flight is waited for and the open one committed here (goLocal), so that nothing written is
    // left behind in the writer thread.
    try {
      if (this.group && !this.group.local && (this.staged.length > 0 || this.unwrittenEvents.length > 0)) this.goLocal();
      else if (this.inFlight.length > 0) this.awaitInFlight();
    } catch {
      // The group failed: its waiters were told.
    }
    this.commitGroup();
    this.closed = true;
    // Whatever was committed is made durable before the file is closed (a command-line tool exits next).
    if (this.walFd !== undefined && this.syncWal) fdatasyncSync(this.walFd);
    this.unsynced = [];
    for (const g of this.committed) g.durable = true;
    this.announce();
    if (this.writerThread) {
      const writer = this.writerThread;
      writer.postMessage({ close: true });
      // Answers of groups sent before may still be on their way: the thread ends once it says it has closed
      // its connection, not at the first message.
      writer.on('message', (answer: WriterAnswer) => {
        if (answer.closed) void writer.terminate();
      });
    }
    // A descriptor an fsync still uses is closed when it returns.
    if (this.walFd !== undefined) {
      const fd = this.walFd;
      if (this.syncing) void this.syncing.then(() => closeSync(fd));
      else closeSync(fd);
    }
    void this.checkpointer?.terminate();
    // Closing the last connection checkpoints the WAL into the file and deletes it, but the checkpoint worker's
    // connection outlives this one for a moment (terminate() is asynchronous), so this one is not the last: the
    // WAL stayed whole (600 MiB after the scale benchmark's seeding) and the next start read it all back before
    // answering. So the server copies and empties the WAL here (emptiesWalOnClose), with the fsyncs of
    // synchronous=FULL.
    this.db.pragma('synchronous = FULL');
    if (this.emptiesWalOnClose) this.emptyWal();
    this.db.close();
  }
}
