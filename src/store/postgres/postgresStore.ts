// The multi-node store: PostgreSQL through pg 8, with the database never on the event loop.
// * The workspaces this node routes (it holds their leases, so it is their only writer) are resident in
//   memory (store/resident/), as on SQLite: the hot path reads nothing from the database.
// * Writes are staged: a transaction's statements join the open commit group, and the group is sent as ONE
//   pipelined transaction (the statements and the fence, ended by one Sync: oneSyncTransaction.ts) on the
//   writer connection: one round trip, whatever its size; its task and reservation rows go as multi-row
//   statements (batchedWrites.ts). At most one group is in flight; the next one fills meanwhile. `durable()`
//   resolves when the group's commit is answered, and HTTP replies wait for it.
// * Commit listeners hear this node's events when their COMMIT is answered, and the other nodes' events they
//   need from the shared log (sharedLog.ts).
// * Reads memory cannot answer (another node's workspace, the Workflow and Opsflow faces' documents, lists,
//   the event log) are fetched asynchronously on the reader connection through read replay (readReplay.ts),
//   after the groups before them are committed, so a read sees every write this node made before it.
// * Conditional writes: the store remembers the `version` of every document it read or wrote, and an update
//   of a document it knows applies only if the stored version is still that one (sb_check_write raises inside
//   the batch otherwise). A write that lost a race with another node fails its group (409 conflict).
// * The fence (when `nodeId` is set, i.e. several nodes): before COMMIT, sb_hold_leases() locks the lease row
//   of every TaskRouter workspace the group wrote and fails unless this node holds it (or claims it when
//   nobody does). A node that lost a lease cannot commit over the new owner (migration 0010).
// A group that fails (the fence, a lost race, the database gone) fails every request in it and in the group
// that formed behind it, and memory is put back as the database has it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import type { EntityKind, EventRecord, Reservation } from '../../core/entities.ts';
import { ApiError } from '../../core/errors.ts';
import type { ActivityTimeTotals, EventQuery, EventTypeTotals, FieldFilter, PageCursor, PageResult, ReplayOptions, Repository, Store } from '../../core/repository.ts';
import { documentInsert, EVENT_READ_COLUMNS, EVENT_SID_TIME_SLACK_MS, eventFromRow, eventInsertSql, eventRow, type EventReadRow, eventWhereClause, MINUTE_MS, pageReader, rawEventTotalsSql, rollupActivitySql, rollupFoldSql, rollupTotalsSql, TABLE, TASK_COLUMNS, taskFromRow, taskToRow, uniqueKey, updatedColumnValues, whereClause, type WhereDialect } from '../storeSchema.ts';
import { compileSearch, compileStat, decodeSearchRow, decodeStatRows } from '../opsflowQuery.ts';
import { POSTGRES_OPS } from './opsflowDialect.ts';
import { POSTGRES_WF } from './workflowDialect.ts';
import { compileTaskQuery, taskPage } from '../workflowTaskQuery.ts';
import { CommitSignals, GroupWaiters } from '../commitSignals.ts';
import { RollupFolds } from '../rollupFolds.ts';
import { LIFT_TIMEOUTS, RESTORE_TIMEOUTS, sessionTimeouts } from './sessionTimeouts.ts';
import { ResidentRepository } from '../resident/residentRepository.ts';
import { answerAhead, replay, replayedRead, replayWrote, unanswered } from '../readReplay.ts';
import { sidTime } from '../../core/sid.ts';
import { type LogInterestSource, MAX_NOTIFY_PAYLOAD, SharedLog } from './sharedLog.ts';
import { type OneSyncStatement, runInOneSync } from './oneSyncTransaction.ts';
import { InterestExchange } from './interestExchange.ts';
import { BATCHED_TABLES, batchWrites, type Staged } from './batchedWrites.ts';
import { RememberedVersions } from './rememberedVersions.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Any number: it only has to be the same for every node migrating the same database. */
const MIGRATION_LOCK = 7_310_001;

export interface PostgresStoreOptions {
  /** Set when several nodes share the database: writes to TaskRouter workspaces are fenced by their leases. */
  nodeId?: string;
  /** How long a lease taken or kept by a commit lasts. */
  leaseTtlMs?: number;
}

/** TEST-ONLY fault injection (test/cluster/frozenNode.test.ts): SWITCHBOARD_TEST_FREEZE_BEFORE_COMMIT=<text>
 *  stops this process with SIGSTOP once a group with an event whose data holds <text> (a worker attribute, say)
 *  has written its rows and taken its leases (the fence answered), before its COMMIT is sent, as a VM freeze
 *  would. Unset in production: nothing happens. */
const FREEZE_BEFORE_COMMIT = process.env.SWITCHBOARD_TEST_FREEZE_BEFORE_COMMIT;

/** Event rows per INSERT statement. */
const EVENT_BATCH = 64;
/** Rollup minutes deleted per retention statement. */
const ROLLUP_PRUNE_MINUTES = 60;

/** bigint counts and positions fit in a double here; JSON documents stay text (parsed where they are read). */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (s: string) => Number(s);
    if (oid === 114) return (s: string) => s;
    return pg.types.getTypeParser(oid, format);
  },
};

/** `?` placeholders (the shared query builders' style) as PostgreSQL's `$1, $2, ...`. */
const numbered = new Map<string, string>();
function pgSql(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size < STATEMENT_CACHE_LIMIT) numbered.set(sql, out);
  }
  return out;
}

/** A rollup fold's one statement (storeSchema.ts, "Folds"); every parameter is the workspace. */
const FOLD_SQL = rollupFoldSql('least', 'greatest').single;
const FOLD_PLACEHOLDERS = FOLD_SQL.split('?').length - 1;

/** Statements are prepared once per connection, named by their text. The texts are shapes (a list query's
 *  filters, an IN list's length, an Opsflow query a client composed), so there may be any number of them:
 *  past STATEMENT_CACHE_LIMIT a new text runs unnamed (parsed each time) instead of growing this map, pg's
 *  per-connection record of prepared names and the server's prepared statements without bound. A name is
 *  never reused for another text (pg would run the statement it prepared first under that name). */
const STATEMENT_CACHE_LIMIT = 5_000;
const statementNames = new Map<string, string>();
function prepared(text: string, values: readonly unknown[]): pg.QueryConfig & OneSyncStatement {
  let name = statementNames.get(text);
  if (!name) {
    if (statementNames.size >= STATEMENT_CACHE_LIMIT) return { text, values: values as unknown[] };
    name = `sb${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

/** Fields read as `data->>'field'` (text): booleans and numbers are bound in their JSON text. */
const DIALECT: WhereDialect = {
  documentField: (name) => `(data->>'${name}')`,
  eventDataField: (name) => `(data->'eventData'->>'${name}')`,
  never: 'false',
  always: 'true',
  value: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
};
const buildWhere = (kind: EntityKind, where: Record<string, FieldFilter | undefined>) => whereClause(kind, where, DIALECT);
/** The replay key of a document read by sid (Repository.get); readAhead answers the same keys. */
const getKey = (kind: EntityKind, sid: string) => `get ${kind} ${sid}`;
/** The replay key of a list read (Repository.findAll); readAhead answers those of the reservations by task. */
const findAllKey = (kind: EntityKind, w: { sql: string; params: unknown[] }) => `all ${kind} ${w.sql} ${JSON.stringify(w.params)}`;
const eventWhere = (q: EventQuery) => eventWhereClause(q, DIALECT);

/** The kinds that make up a workspace's routing state: only the workspace's owner writes them, so writing one
 *  takes the workspace's lease (the fence). Rows of other faces that merely name a workspace (their routes,
 *  task requests) do not. */
const ROUTED_KINDS: ReadonlySet<EntityKind> = new Set(['workspace', 'activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation']);

/** A database failure as the error the caller should see: lost races and moved workspaces have their own. */
function asApiError(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'SB409' || code === '40001' || code === '40P01') return new ApiError('conflict');
  if (code === '23505') return new ApiError('conflict', `A unique key is already taken (${(err as Error).message}); retry the request`);
  if (code === 'SB001') return new ApiError('workspaceMoving');
  // The cluster's bounds (sessionTimeouts.ts): a lock held by a stuck transaction, a statement past its time.
  if (code === '55P03') return new ApiError('conflict', 'A row this request writes is locked by a stalled transaction; retry the request');
  if (code === '57014') return new ApiError('serviceUnavailable', 'Service Unavailable: a database statement ran past its time; retry the request');
  return err;
}

interface Group {
  id: number;
  statements: Staged[];
  events: EventRecord[];
  workspaces: Set<string>;
  credentialsChanged: boolean;
  /** Workspaces other nodes route in which its transactions asked for TaskRouter tasks (Engine.createTaskFor). */
  routeRequests: Set<string>;
  /** The versions its writes replaced in `versions`, to put back if it fails. */
  versionUndo: [string, number | undefined][];
  waiters: GroupWaiters;
  /** How many transactions joined the group (metrics). */
  transactions: number;
}

export class PostgresStore implements Store {
  private readonly writer: pg.Client;
  private readonly reader: pg.Client;
  private readonly aux: pg.Client;
  private repo!: ResidentRepository;
  private readonly nodeId: string | undefined;
  private readonly leaseTtlMs: number;
  private readonly signals = new CommitSignals();
  /** Which workspaces' events a group folds into their rollups. */
  private readonly folds = new RollupFolds();
  /** Events, statements and touched workspaces of the transaction in progress. */
  private appended: EventRecord[] = [];
  private staged: Staged[] = [];
  private touched = new Set<string>();
  private credentialsTouched = false;
  private routeRequested = new Set<string>();
  private group: Group | undefined;
  private nextGroupId = 1;
  /** The group whose COMMIT is awaited, if any (one at a time: a later group may rest on its writes). */
  private inFlight: { group: Group; done: Promise<void> } | undefined;
  /** The newest group answered (committed or failed), and who waits for a newer one to be. */
  private settledId = 0;
  private settleWaiters: { id: number; resolve: () => void }[] = [];
  /** Versions of the documents this node last read or wrote, by `table:sid` (the conditional writes). */
  private readonly versions = new RememberedVersions();
  /** Version entries changed by the transaction in progress, with their earlier values, to undo a rollback. */
  private versionUndo: [string, number | undefined][] = [];
  /** What this node wrote and the database does not hold yet (the open group and the one in flight), by
   *  `table:sid` (null: deleted) and by `table:unique key`: a read by sid or key sees its own node's writes
   *  before they are committed, as it would inside one database transaction. */
  private readonly pending = new Map<string, { value: unknown; group: number }>();
  private pendingUndo: [string, { value: unknown; group: number } | undefined][] = [];
  private owns: (workspaceSid: string) => boolean = () => true;
  private credentialsStale = false;
  /** failNextCommit(): the next group sent carries a statement that fails. */
  private injectedFailure = false;
  private closed = false;
  private readonly lostListeners = new Set<(message: string) => void>();
  private connectionLost: string | undefined;
  private readonly notificationListeners = new Map<string, Set<(payload: string, processId: number) => void>>();
  /** Set by followSharedLog(): commit listeners also hear the other nodes' events (sharedLog.ts). */
  private sharedLog: SharedLog | undefined;
  /** Set by followSharedLog() on a cluster node: which other nodes a commit is announced to. */
  private interests: InterestExchange | undefined;

  private constructor(clients: { writer: pg.Client; reader: pg.Client; aux: pg.Client }, options: PostgresStoreOptions) {
    this.writer = clients.writer;
    this.reader = clients.reader;
    this.aux = clients.aux;
    this.nodeId = options.nodeId;
    this.leaseTtlMs = options.leaseTtlMs ?? 5000;
    for (const c of [this.writer, this.reader, this.aux]) {
      // A lost connection (database restarted or failed over, connection killed) is not repaired here: the
      // owner is told, so the process can restart cleanly and connect to whatever the URL names now.
      c.on('error', (err) => this.lose(err.message));
      c.on('end', () => this.lose('the database connection ended'));
    }
    this.aux.on('notification', (n) => {
      for (const listener of this.notificationListeners.get(n.channel) ?? []) listener(n.payload ?? '', n.processId);
    });
  }

  /** Connects, applies the migrations the database lacks (one node at a time), and returns the store. A
   *  cluster node's connections bound its transactions by its lease TTL (sessionTimeouts.ts). */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const bounds = options.nodeId !== undefined ? sessionTimeouts(options.leaseTtlMs ?? 5000) : {};
    const writer = new pg.Client({ connectionString: url, types: TYPES, pipeline: true, ...bounds } as pg.ClientConfig);
    const reader = new pg.Client({ connectionString: url, types: TYPES, pipeline: true, ...bounds } as pg.ClientConfig);
    const aux = new pg.Client({ connectionString: url, types: TYPES, ...bounds });
    try {
      await Promise.all([writer.connect(), reader.connect(), aux.connect()]);
      await PostgresStore.migrate(aux);
      // This node writes each group's row of event_commits itself (queue), so the table's trigger, there for
      // writers that do not, stays off on its writer connection (migration 0042).
      await writer.query(`SET switchboard.event_commits = 'written'`);
      // Its groups fold the rollups (storeSchema.ts, "Folds"): the trigger that marks a writer's events as
      // rolled up by their writer (migration 0043, for nodes of earlier versions) stays off.
      await writer.query(`SET switchboard.rollups = 'folded'`);
    } catch (err) {
      await Promise.allSettled([writer.end(), reader.end(), aux.end()]);
      throw err;
    }
    const store = new PostgresStore({ writer, reader, aux }, options);
    // Accounts and keys are resident on every node; another node's change to them is announced.
    await store.listen('sb_credentials', () => {
      store.credentialsStale = true;
    });
    await store.replaying(() => {
      store.repo = new ResidentRepository(store.backend(), (ws) => store.owns(ws));
    });
    return store;
  }

  private static async migrate(db: pg.Client): Promise<void> {
    // Waiting for another node's migrations, and a schema change itself, may take longer than a node's bounds.
    for (const sql of LIFT_TIMEOUTS) await db.query(sql);
    await db.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
      for (const file of files) {
        const n = Number(file.slice(0, 4));
        if (done.has(n)) continue;
        const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
        await db.query('BEGIN');
        try {
          await db.query(sql);
          await db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [n]);
          await db.query('COMMIT');
        } catch (err) {
          await db.query('ROLLBACK');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`);
        }
      }
      // A database restored from a dump into another server (pg_dump, pg_restore) keeps the transaction ids
      // its events had on the server it came from, which may be ahead of this server's: the shared log
      // (followSharedLog) would hold them back until this server's ids pass them, then push them to sockets as
      // new. They are history here: number them below every transaction of this server.
      await db.query(`UPDATE events SET tx_id = '1'::xid8 WHERE tx_id > pg_current_xact_id()`);
    } finally {
      await db.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      for (const sql of RESTORE_TIMEOUTS) await db.query(sql);
    }
  }

  /** Rewrites these kinds' tables (VACUUM FULL), so that no overwritten row version stays readable in their
   *  files (secrets sealed after an older version stored them in clear). Locks each table briefly. */
  async compact(kinds: readonly EntityKind[]): Promise<void> {
    await this.durable();
    for (const sql of LIFT_TIMEOUTS) await this.queryAside(sql);
    try {
      await this.queryAside(`VACUUM FULL ${kinds.map((k) => TABLE[k]).join(', ')}`);
    } finally {
      for (const sql of RESTORE_TIMEOUTS) await this.queryAside(sql);
    }
  }

  private lose(message: string): void {
    if (this.closed || this.connectionLost !== undefined) return;
    this.connectionLost = message;
    for (const listener of this.lostListeners) listener(message);
  }

  /** Which workspaces this node routes (and keeps resident); on one node alone, all of them. */
  setOwnership(owns: (workspaceSid: string) => boolean): void {
    this.owns = owns;
  }

  /** Forgets the resident documents of a workspace this node no longer routes. */
  unload(workspaceSid: string): void {
    this.repo.unload(workspaceSid);
    this.sharedLog?.forget(workspaceSid);
  }

  /** The aux connection is not pipelined (the migrations' multi-statement scripts and LISTEN run on it), so it
   *  runs one query at a time: its callers (the cluster catalog's lease keeper and forwarding, retention, the
   *  listeners) queue here, in order, instead of handing pg a query while another runs, which pg 8 queues with a
   *  deprecation warning and pg 9 will refuse. */
  private auxTail: Promise<unknown> = Promise.resolve();
  private onAux<T>(run: () => Promise<T>): Promise<T> {
    const result = this.auxTail.then(run, run);
    this.auxTail = result.catch(() => undefined);
    return result;
  }

  private auxQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.onAux(() => this.aux.query<R>(sql, params));
  }

  /** Asynchronous queries on the auxiliary connection, outside the write path (leases, the log tail, cluster
   *  bookkeeping). Only src/store and src/cluster's store-side helpers use it. */
  async queryAside<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const r = await this.auxQuery<R & pg.QueryResultRow>(sql, params as unknown[]);
    return r.rows;
  }

  /** Several statements on the auxiliary connection in one round trip and ONE transaction (oneSyncTransaction.ts):
   *  the rows of each, in order, once all committed; the first error fails them all, and none is committed.
   *  A cluster's bookkeeping runs a few statements together every round on every node: one at a time, each cost
   *  both sides a wake-up and a reply of its own, and those round trips were most of an idle node's CPU. */
  async batchAside(statements: readonly { sql: string; params: readonly unknown[] }[]): Promise<Record<string, unknown>[][]> {
    const results = await this.onAux(() => runInOneSync(this.aux, statements.map((s) => prepared(s.sql, s.params))));
    return results.map((r) => r.rows);
  }

  /**
   * Event retention: deletes up to `limit` events older than `cutoffMs` (and then the rollup rows of the
   * minutes before it) of one TaskRouter workspace, never an event its webhook receiver is still owed (after
   * its `event-callback:` cursor). One short autocommitted statement on the auxiliary connection, outside the
   * write path: it locks only the expired rows, which nobody writes. Only the workspace's owner calls it
   * (store/retention.ts), so nodes do not delete the same rows; it would be safe anyway (idempotent).
   */
  async pruneBatch(workspaceSid: string, cutoffMs: number, limit: number): Promise<number> {
    const events = await this.auxQuery(
      `DELETE FROM events WHERE seq IN (
         SELECT seq FROM events WHERE workspace_sid = $1 AND date_ms < $2
           AND seq <= coalesce((SELECT position FROM cursors WHERE name = $3), 9223372036854775807) LIMIT $4)`,
      [workspaceSid, cutoffMs, `event-callback:${workspaceSid}`, limit],
    );
    if ((events.rowCount ?? 0) > 0) return events.rowCount ?? 0;
    const minute = Math.floor(cutoffMs / MINUTE_MS);
    let rollups = 0;
    for (const table of ['event_minutes', 'worker_minutes']) {
      const oldest = (await this.auxQuery<{ m: string | null }>(`SELECT min(minute) AS m FROM ${table} WHERE workspace_sid = $1`, [workspaceSid])).rows[0]?.m;
      if (oldest === null || oldest === undefined || Number(oldest) >= minute) continue;
      const r = await this.auxQuery(`DELETE FROM ${table} WHERE workspace_sid = $1 AND minute >= $2 AND minute < $3`, [workspaceSid, oldest, Math.min(minute, Number(oldest) + ROLLUP_PRUNE_MINUTES)]);
      rollups += r.rowCount ?? 0;
    }
    return rollups;
  }

  /**
   * After a retention pass: deletes up to `limit` of the shared log's rows (event_commits, migration 0042) of
   * transactions whose events are all gone, whichever workspace they were in: older than the oldest event left,
   * or, with none left, than every transaction still running. A row and its events commit together, so one this
   * statement sees has its events seen too. Once per pass, not per workspace: the statement covers them all.
   */
  async pruneLogRows(limit: number): Promise<number> {
    const commits = await this.auxQuery(
      `DELETE FROM event_commits WHERE tx_id IN (
         SELECT tx_id FROM event_commits WHERE tx_id < coalesce((SELECT min(tx_id) FROM events), pg_snapshot_xmin(pg_current_snapshot()))
           ORDER BY tx_id LIMIT $1)`,
      [limit],
    );
    return commits.rowCount ?? 0;
  }

  /** The TaskRouter workspaces whose event logs this node prunes: those it routes. */
  async prunableWorkspaces(): Promise<string[]> {
    const rows = await this.auxQuery<{ sid: string }>(`SELECT sid FROM workspaces ORDER BY seq`);
    return rows.rows.map((r) => r.sid).filter((sid) => this.owns(sid));
  }

  /** Called if a connection to the database is lost (a restart or failover of the server): the store then
   *  fails every request, and the process should restart and connect again. */
  onConnectionLost(listener: (message: string) => void): void {
    this.lostListeners.add(listener);
    if (this.connectionLost !== undefined) listener(this.connectionLost);
  }

  /** LISTENs on a notification channel; returns the unsubscribe function. */
  async listen(channel: string, listener: (payload: string, processId: number) => void): Promise<() => void> {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
    let set = this.notificationListeners.get(channel);
    if (!set) {
      this.notificationListeners.set(channel, (set = new Set()));
      await this.auxQuery(`LISTEN ${channel}`);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls `listener` when another node (or this one) commits a request for TaskRouter tasks in a workspace
   *  (Engine.createTaskFor), with the workspace, or undefined when the commit's list was too long to send. The
   *  routing node creates them then, instead of finding them at its next poll. */
  async onTaskRouteRequested(listener: (workspaceSid: string | undefined) => void): Promise<() => void> {
    return this.listen('sb_task_route_requests', (payload) => {
      if (payload === '') listener(undefined);
      else for (const ws of payload.split(',')) listener(ws);
    });
  }

  /** Several nodes: commit listeners hear the other nodes' events too, those `limitSharedLog` says they need
   *  (sharedLog.ts), from the events committed after this call. */
  async followSharedLog(pollMs = 200): Promise<void> {
    const [start] = await this.queryAside<{ xmin: string }>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
    const log = new SharedLog(
      {
        query: (sql, params) => this.queryAside(sql, params),
        deliver: (events) => this.signals.committed(events),
        writerPid: () => (this.writer as unknown as { processID?: number }).processID,
      },
      start!.xmin,
      pollMs,
    );
    await this.listen('sb_events', (payload, processId) => log.notified(payload, processId));
    this.sharedLog = log;
    if (this.nodeId !== undefined) {
      // A node of a cluster: commits are announced only to nodes that may need them (interestExchange.ts).
      this.interests = new InterestExchange({
        nodeId: this.nodeId,
        query: (sql, params) => this.queryAside(sql, params),
        listen: (channel, listener) => this.listen(channel, listener),
        interest: () => log.needs(),
        published: () => log.read(),
      });
      await this.interests.start();
    }
  }

  /** Which other nodes' events this node's listeners need (see sharedLog.ts); until called, all of them. */
  limitSharedLog(interest: LogInterestSource): void {
    this.sharedLog?.setInterest(interest);
  }

  // ---------------------------------------------------------------- the backend repository

  private remember(table: string, doc: { sid?: unknown; version?: unknown } | undefined): void {
    if (!doc || typeof doc.version !== 'number' || typeof doc.sid !== 'string') return;
    // Never back: a read answered while this node's newer write of the document was on its way to the database
    // (a list read during a group's commit) holds the version before it, and remembering that would make this
    // node's next write of the document expect a version the row no longer has (refused as a lost race, 409,
    // failing its whole commit group). A failed group puts its versions back itself (versionUndo).
    this.versions.saw(`${table}:${doc.sid}`, doc.version);
  }

  private rememberWrite(table: string, sid: string, version: unknown): void {
    const key = `${table}:${sid}`;
    this.versionUndo.push([key, this.versions.get(key)]);
    if (typeof version === 'number') this.versions.set(key, version);
    else this.versions.delete(key);
  }

  private touch(workspaceSid: unknown): void {
    if (typeof workspaceSid === 'string' && workspaceSid.startsWith('WS')) this.touched.add(workspaceSid);
  }

  private stage(sql: string, values: unknown[]): void {
    this.staged.push({ text: pgSql(sql), values });
  }

  /** Records a write not yet committed under `key` (see `pending`). */
  private stagePending(key: string, value: unknown): void {
    this.pendingUndo.push([key, this.pending.get(key)]);
    this.pending.set(key, { value, group: this.group!.id });
  }

  /** The pending write under `key`, if any: `{ value }` (a document, or null when deleted). */
  private pendingRead(key: string): { value: unknown } | undefined {
    const p = this.pending.get(key);
    if (!p) return undefined;
    return { value: p.value !== null && typeof p.value === 'object' ? structuredClone(p.value) : p.value };
  }

  /** Stages a document written under its sid and unique key (the key it had before is freed). */
  private stageDoc(kind: EntityKind, doc: { sid: string } | null, sid: string): void {
    const table = TABLE[kind];
    const before = this.pending.get(`${table}:${sid}`)?.value as Record<string, unknown> | null | undefined;
    const oldKey = before ? uniqueKey(kind, before) : null;
    if (oldKey !== null) this.stagePending(`${table}#${oldKey}`, null);
    this.stagePending(`${table}:${sid}`, doc);
    const key = doc ? uniqueKey(kind, doc) : null;
    if (key !== null) this.stagePending(`${table}#${key}`, sid);
  }

  /** A read through the replay: the answer fetched for it, or a ReadMiss that fetches it on the reader. */
  private fetch<T>(key: string, load: () => Promise<T>): T {
    const answer = replayedRead(key, load);
    // The work may change what it read before it misses another read and is run again: each attempt gets its
    // own copy of the answer.
    return answer !== null && typeof answer === 'object' ? structuredClone(answer) : answer;
  }

  private async rows<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const r = await this.reader.query(prepared(pgSql(sql), params));
    return r.rows as R[];
  }

  private backend(): ConstructorParameters<typeof ResidentRepository>[0] {
    const docs = (table: string, found: { data: string }[], decode: (row: any) => any = (r: { data: string }) => JSON.parse(r.data)) =>
      found.map((r) => {
        const doc = decode(r);
        this.remember(table, doc);
        return doc;
      });
    const read = <T>(key: string, load: () => Promise<T>): T => this.fetch(key, load);
    const q = (sql: string, params: unknown[]) => `${sql} ${JSON.stringify(params)}`;
    const keysetPage = <T>(table: string, w: { sql: string; params: unknown[] }, cursor: PageCursor): PageResult<T> =>
      read(`page ${table} ${q(w.sql, w.params)} ${JSON.stringify(cursor)}`, async () => {
        const { columns, decode } = pageReader(table);
        let found: { seq: number; data: string }[];
        if (cursor.before !== undefined) {
          found = await this.rows(`SELECT ${columns} FROM ${table} WHERE ${w.sql} AND seq < ? ORDER BY seq DESC LIMIT ?`, [...w.params, cursor.before, cursor.limit + 1]);
          const hasPrevious = found.length > cursor.limit;
          found = found.slice(0, cursor.limit).reverse();
          return { items: docs(table, found, decode), positions: found.map((r) => r.seq), hasMore: true, hasPrevious };
        }
        if (cursor.after !== undefined) {
          found = await this.rows(`SELECT ${columns} FROM ${table} WHERE ${w.sql} AND seq > ? ORDER BY seq LIMIT ?`, [...w.params, cursor.after, cursor.limit + 1]);
        } else {
          found = await this.rows(`SELECT ${columns} FROM ${table} WHERE ${w.sql} ORDER BY seq LIMIT ? OFFSET ?`, [...w.params, cursor.limit + 1, cursor.offset ?? 0]);
        }
        const hasMore = found.length > cursor.limit;
        found = found.slice(0, cursor.limit);
        const hasPrevious = cursor.after !== undefined || (cursor.offset ?? 0) > 0;
        return { items: docs(table, found, decode), positions: found.map((r) => r.seq), hasMore, hasPrevious };
      });
    // The check runs only when the update changed no row: its EXISTS lookup and the function call cost every
    // update otherwise (4 per lifecycle), for an answer needed on a lost race or a missing row.
    const updateSql = (table: string) =>
      `WITH u AS (UPDATE ${table} SET unique_key = ?, data = ? WHERE sid = ? AND (?::bigint IS NULL OR (data->>'version')::bigint = ?) RETURNING 1)
       SELECT sb_check_write(0, EXISTS (SELECT 1 FROM ${table} WHERE sid = ?), ?, ?) WHERE (SELECT count(*) FROM u) <> 1`;
    const writeDoc = (kind: EntityKind, entity: unknown, mode: 'present' | 'updated') => {
      const e = entity as Record<string, unknown> & { sid: string };
      const table = TABLE[kind];
      const known = this.versions.get(`${table}:${e.sid}`) ?? null;
      // Kinds with UPDATED_COLUMNS (tasks) are batched: only the batched UPDATE sets those columns.
      if (BATCHED_TABLES.has(table)) this.staged.push({ op: 'update', table, sid: e.sid, data: JSON.stringify(e), own: updatedColumnValues(kind, e), known, mode, what: `${kind} ${e.sid}` });
      else this.stage(updateSql(table), [uniqueKey(kind, e), JSON.stringify(e), e.sid, known, known, e.sid, mode, `${kind} ${e.sid}`]);
      this.stageDoc(kind, e, e.sid);
      this.rememberWrite(table, e.sid, e.version);
      if (ROUTED_KINDS.has(kind)) this.touch(kind === 'workspace' ? e.sid : e.workspaceSid);
      if (kind === 'account' || kind === 'apiKey') this.credentialsTouched = true;
    };
    const eventRows = (sql: string, params: unknown[]) => read(`events ${q(sql, params)}`, async () => docs('events', await this.rows<EventReadRow>(sql, params), eventFromRow));
    const repo: Repository = {
      get: (kind, sid) => {
        const own = this.pendingRead(`${TABLE[kind]}:${sid}`);
        if (own) return (own.value ?? undefined) as never;
        return read(getKey(kind, sid), async () => docs(TABLE[kind], await this.rows(`SELECT data FROM ${TABLE[kind]} WHERE sid = ?`, [sid]))[0]);
      },
      findAll: (kind, where) => {
        const w = buildWhere(kind, where as any);
        return read(findAllKey(kind, w), async () => docs(TABLE[kind], await this.rows(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq`, w.params)));
      },
      findOne: (kind, where) => {
        const w = buildWhere(kind, where as any);
        return read(`one ${kind} ${q(w.sql, w.params)}`, async () => docs(TABLE[kind], await this.rows(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq LIMIT 1`, w.params))[0]);
      },
      findByUniqueKey: (kind, probe) => {
        const key = uniqueKey(kind, probe);
        if (key === null) return undefined;
        const own = this.pendingRead(`${TABLE[kind]}#${key}`);
        if (own) return own.value === null ? undefined : repo.get(kind, own.value as string);
        const stored = read(`unique ${kind} ${key}`, async () => docs(TABLE[kind], await this.rows(`SELECT data FROM ${TABLE[kind]} WHERE unique_key = ?`, [key]))[0]);
        // A document this node renamed or deleted meanwhile no longer holds the key.
        return stored && this.pending.has(`${TABLE[kind]}:${(stored as { sid: string }).sid}`) ? repo.get(kind, (stored as { sid: string }).sid) : stored;
      },
      count: (kind, where) => {
        const w = buildWhere(kind, where as any);
        return read(`count ${kind} ${q(w.sql, w.params)}`, async () => (await this.rows<{ n: number }>(`SELECT count(*) AS n FROM ${TABLE[kind]} WHERE ${w.sql}`, w.params))[0]!.n);
      },
      page: (kind, where, cursor) => keysetPage(TABLE[kind], buildWhere(kind, where as any), cursor),
      positionOf: (kind, sid) => read(`position ${kind} ${sid}`, async () => (await this.rows<{ seq: number }>(`SELECT seq FROM ${TABLE[kind]} WHERE sid = ?`, [sid]))[0]?.seq),
      insert: (kind, entity) => {
        const e = entity as any;
        const row = documentInsert(kind, e);
        const table = TABLE[kind];
        if (BATCHED_TABLES.has(table)) this.staged.push({ op: 'insert', table, sid: e.sid, columns: row.columns, values: row.values });
        else this.stage(row.sql, row.values);
        this.stageDoc(kind, e, e.sid);
        this.rememberWrite(table, e.sid, e.version);
        if (ROUTED_KINDS.has(kind)) this.touch(kind === 'workspace' ? e.sid : e.workspaceSid);
        if (kind === 'account' || kind === 'apiKey') this.credentialsTouched = true;
        if (kind === 'taskRouteRequest') this.routeRequested.add(e.workspaceSid);
      },
      update: (kind, entity) => writeDoc(kind, entity, 'updated'),
      // A row deleted meanwhile stays deleted; a changed one fails the group (409).
      updateIfPresent: (kind, entity) => {
        writeDoc(kind, entity, 'present');
        return true;
      },
      delete: (kind, sid) => {
        this.stage(`DELETE FROM ${TABLE[kind]} WHERE sid = ?`, [sid]);
        this.stageDoc(kind, null, sid);
        this.rememberWrite(TABLE[kind], sid, undefined);
        if (kind === 'workspace') this.touch(sid);
        if (kind === 'account' || kind === 'apiKey') this.credentialsTouched = true;
      },
      deleteWhere: (kind, where) => {
        const w = buildWhere(kind, where as any);
        if (ROUTED_KINDS.has(kind)) this.touch((where as Record<string, unknown>).workspaceSid);
        this.stage(`DELETE FROM ${TABLE[kind]} WHERE ${w.sql}`, w.params);
      },
      appendEvent: (event: EventRecord) => {
        this.appended.push(event);
        this.touch(event.workspaceSid);
      },
      getEvent: (workspaceSid, sid) => {
        const t = sidTime(sid);
        if (!Number.isFinite(t)) return undefined;
        return eventRows(`SELECT ${EVENT_READ_COLUMNS} FROM events WHERE workspace_sid = ? AND date_ms BETWEEN ? AND ? AND sid = ?`, [workspaceSid, t - EVENT_SID_TIME_SLACK_MS, t + EVENT_SID_TIME_SLACK_MS, sid])[0];
      },
      queryEvents: (query, cursor) => keysetPage('events', eventWhere(query), cursor),
      eventsMatching: (query) => {
        const w = eventWhere(query);
        return eventRows(`SELECT ${EVENT_READ_COLUMNS} FROM events WHERE ${w.sql} ORDER BY seq`, w.params);
      },
      eventTotals: (query, ageThresholds): EventTypeTotals[] => {
        // SplitByWaitTime's thresholds are any number of seconds: only the raw task ages answer them exactly.
        const rolled = ageThresholds.length === 0 ? rollupTotalsSql(query, DIALECT) : undefined;
        // Both answer the same columns (the rollups without the thresholds' counts, as none are asked then).
        const { sql, params } = rolled ?? rawEventTotalsSql(eventWhere(query), ageThresholds, (i) => `, count(*) FILTER (WHERE coalesce(task_age, 0) > ?::numeric) AS above_${i}`);
        return read(`totals ${q(sql, params)}`, async () =>
          (await this.rows<Record<string, unknown>>(sql, params)).map((r) => ({
            eventType: String(r.type),
            count: Number(r.n),
            taskAge: { sum: Number(r.a_sum), min: Number(r.a_min), max: Number(r.a_max) },
            taskAgeInQueue: { sum: Number(r.q_sum), min: Number(r.q_min), max: Number(r.q_max) },
            aboveAge: ageThresholds.map((_, i) => Number(r[`above_${i}`])),
          })),
        );
      },
      activityTimeTotals: (query): ActivityTimeTotals[] => {
        const rolled = rollupActivitySql(query, DIALECT);
        if (rolled) {
          return read(`rolled activity ${q(rolled.sql, rolled.params)}`, async () =>
            (await this.rows<Record<string, unknown>>(rolled.sql, rolled.params)).map((r) => ({
              activitySid: r.a === '' ? 'null' : String(r.a),
              count: Number(r.n),
              seconds: { sum: Number(r.s), min: Number(r.lo), max: Number(r.hi) },
            })),
          );
        }
        const w = eventWhere({ ...query, eventTypes: ['worker.activity.update'] });
        const sql = `SELECT previous_activity_sid AS a, count(*) AS n, sum(previous_activity_ms / 1000) AS s, min(previous_activity_ms / 1000) AS lo, max(previous_activity_ms / 1000) AS hi
           FROM events WHERE ${w.sql} AND previous_activity_ms IS NOT NULL GROUP BY previous_activity_sid`;
        return read(`activity ${q(sql, w.params)}`, async () =>
          (await this.rows<Record<string, unknown>>(sql, w.params)).map((r) => ({ activitySid: String(r.a), count: Number(r.n), seconds: { sum: Number(r.s), min: Number(r.lo), max: Number(r.hi) } })),
        );
      },
      eventsAfter: (workspaceSid, after, limit, eventTypes) => {
        const types = eventTypes?.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
        const sql = `SELECT seq, ${EVENT_READ_COLUMNS} FROM events WHERE workspace_sid = ? AND seq > ?${types} ORDER BY seq LIMIT ?`;
        const params = [workspaceSid, after, ...(eventTypes ?? []), limit];
        return read(`after ${q(sql, params)}`, async () => (await this.rows<EventReadRow & { seq: number }>(sql, params)).map((r) => ({ position: r.seq, event: eventFromRow(r) })));
      },
      lastEventPosition: (workspaceSid, eventTypes) => {
        const types = eventTypes.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
        const sql = `SELECT max(seq) AS seq FROM events WHERE workspace_sid = ?${types}`;
        const params = [workspaceSid, ...eventTypes];
        return read(`last ${q(sql, params)}`, async () => (await this.rows<{ seq: number | null }>(sql, params))[0]!.seq ?? 0);
      },
      getCursor: (name) => {
        const own = this.pendingRead(`cursors:${name}`);
        if (own) return (own.value ?? undefined) as number | undefined;
        return read(`cursor ${name}`, async () => (await this.rows<{ position: number }>(`SELECT position FROM cursors WHERE name = ?`, [name]))[0]?.position);
      },
      setCursor: (name, position) => {
        this.stage(`INSERT INTO cursors (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`, [name, position]);
        this.stagePending(`cursors:${name}`, position);
      },
      deleteCursor: (name) => {
        this.stage(`DELETE FROM cursors WHERE name = ?`, [name]);
        this.stagePending(`cursors:${name}`, null);
      },
      deleteEvents: (workspaceSid) => {
        this.stage(`DELETE FROM events WHERE workspace_sid = ?`, [workspaceSid]);
        this.stage(`DELETE FROM event_minutes WHERE workspace_sid = ?`, [workspaceSid]);
        this.stage(`DELETE FROM worker_minutes WHERE workspace_sid = ?`, [workspaceSid]);
        this.stage(`DELETE FROM rollup_marks WHERE workspace_sid = ?`, [workspaceSid]);
      },
      eventsFor: (workspaceSid) => eventRows(`SELECT ${EVENT_READ_COLUMNS} FROM events WHERE workspace_sid = ? ORDER BY seq`, [workspaceSid]),
      opsGetTask: (taskId) => {
        const own = this.pendingRead(`ops_tasks:${taskId}`);
        if (own) return (own.value ?? undefined) as never;
        return read(`ops task ${taskId}`, async () => {
          const row = (await this.rows(`SELECT ${TASK_COLUMNS.join(', ')} FROM ops_tasks WHERE task_id = ?`, [taskId]))[0];
          return row ? taskFromRow(row) : undefined;
        });
      },
      opsInsertTask: (task) => {
        this.stagePending(`ops_tasks:${task.task_id}`, task);
        this.stage('INSERT INTO ops_domains (domain_id) VALUES (?) ON CONFLICT (domain_id) DO NOTHING', [task.domain_id]);
        this.stage(
          `INSERT INTO ops_tasks (domain_key, ${TASK_COLUMNS.join(', ')})
           VALUES ((SELECT domain_key FROM ops_domains WHERE domain_id = ?), ${TASK_COLUMNS.map(() => '?').join(', ')})`,
          [task.domain_id, ...taskToRow(task)],
        );
      },
      opsUpdateTask: (task) => {
        this.stage(
          `WITH u AS (UPDATE ops_tasks SET ${TASK_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE task_id = ? RETURNING 1) SELECT sb_check_write((SELECT count(*) FROM u), false, 'updated', ?)`,
          [...taskToRow(task), task.task_id, `opsflow task ${task.task_id}`],
        );
        this.stagePending(`ops_tasks:${task.task_id}`, task);
      },
      opsDeleteTask: (taskId) => {
        this.stage(`DELETE FROM ops_tasks WHERE task_id = ?`, [taskId]);
        this.stagePending(`ops_tasks:${taskId}`, null);
      },
      opsSearch: (collection, scope, query) => {
        const c = compileSearch(POSTGRES_OPS, collection, scope, query);
        return read(`ops search ${q(c.count.sql, c.count.params)} ${c.rows ? q(c.rows.sql, c.rows.params) : ''}`, async () => {
          const total = (await this.rows<{ n: number }>(c.count.sql, c.count.params))[0]!.n;
          if (!c.rows) return { results: [], total };
          const found = await this.rows<Record<string, unknown>>(c.rows.sql, c.rows.params);
          return { results: found.map((r) => decodeSearchRow(collection, r)), total };
        });
      },
      wfQueryTasks: (query) => {
        const c = compileTaskQuery(POSTGRES_WF, query);
        return read(`wf tasks ${q(c.sql, c.params)} ${query.limit}`, async () => {
          const found = await this.rows<{ data: string }>(c.sql, c.params);
          return taskPage(c, query.limit, () => found);
        });
      },
      opsStat: (collection, scope, query) => {
        const c = compileStat(POSTGRES_OPS, collection, scope, query);
        return read(`ops stat ${q(c.sql, c.params)}`, async () => decodeStatRows(await this.rows<Record<string, unknown>>(c.sql, c.params), c.columns));
      },
    };
    const loadRows = (sql: string, params: unknown[], table: string) =>
      read(`load ${q(sql, params)}`, async () =>
        (await this.rows<{ seq: number; data: string }>(sql, params)).map((r) => {
          const doc = JSON.parse(r.data);
          this.remember(table, doc);
          return { doc, seq: r.seq };
        }),
      );
    return {
      repo,
      rowsOfWorkspace: (kind, workspaceSid) => loadRows(`SELECT seq, data FROM ${TABLE[kind]} WHERE workspace_sid = ? ORDER BY seq`, [workspaceSid], TABLE[kind]) as never,
      rowsOf: (kind) => loadRows(`SELECT seq, data FROM ${TABLE[kind]} ORDER BY seq`, [], TABLE[kind]) as never,
      externalChanges: () => {
        if (!this.credentialsStale) return false;
        this.credentialsStale = false;
        return true;
      },
    };
  }

  // ---------------------------------------------------------------- transactions and groups

  /** One transaction: its work runs now against memory and the answers fetched so far; its statements join
   *  the open commit group (or are dropped, with its changes to memory, if it throws). */
  transaction<T>(work: (repo: Repository) => T): T {
    if (this.closed) throw new Error('the store is closed');
    if (this.connectionLost !== undefined) throw new ApiError('serviceUnavailable', `The database connection was lost (${this.connectionLost}); retry the request`);
    if (!this.group) {
      this.group = { id: this.nextGroupId++, statements: [], events: [], workspaces: new Set(), credentialsChanged: false, routeRequests: new Set(), versionUndo: [], waiters: new GroupWaiters(), transactions: 0 };
      setImmediate(() => this.commitGroup());
    }
    this.appended = [];
    this.staged = [];
    this.touched = new Set();
    this.credentialsTouched = false;
    this.routeRequested = new Set();
    this.versionUndo = [];
    this.pendingUndo = [];
    this.repo.beginTransaction();
    let result: T;
    try {
      result = work(this.repo);
    } catch (err) {
      for (const [key, before] of this.versionUndo.reverse()) {
        if (before === undefined) this.versions.delete(key);
        else this.versions.set(key, before);
      }
      for (const [key, before] of this.pendingUndo.reverse()) {
        if (before === undefined) this.pending.delete(key);
        else this.pending.set(key, before);
      }
      this.pendingUndo = [];
      this.repo.rollbackTransaction();
      this.versionUndo = [];
      this.appended = [];
      this.staged = [];
      throw asApiError(err);
    }
    const group = this.group;
    if (this.staged.length || this.appended.length) replayWrote();
    group.statements.push(...this.staged);
    group.events.push(...this.appended);
    for (const ws of this.touched) group.workspaces.add(ws);
    group.credentialsChanged ||= this.credentialsTouched;
    for (const ws of this.routeRequested) group.routeRequests.add(ws);
    group.versionUndo.push(...this.versionUndo);
    group.transactions++;
    this.versionUndo = [];
    this.appended = [];
    this.staged = [];
    return result;
  }

  read<T>(work: (repo: Repository) => T): T {
    try {
      return work(this.repo);
    } catch (err) {
      throw asApiError(err);
    }
  }

  readonly readsMayMiss = true;

  /** Tests: PostgreSQL refuses the next group (a statement in it fails, as a lost race or a full disk would
   *  fail it), so the group is rolled back whole and each of its requests answered with the error. */
  failNextCommit(): void {
    this.injectedFailure = true;
  }

  /** The resident documents of a workspace (tests compare them with a fresh load of the database). */
  residentOf(workspaceSid: string): Record<string, unknown[]> {
    return this.repo.docs.residentOf(workspaceSid);
  }

  /** The finished tasks of a workspace held in memory, with their reservations (tests compare them with the
   *  database). */
  finishedOf(workspaceSid: string): { task: { sid: string }[]; reservation: { sid: string }[] } {
    return this.repo.docs.finishedOf(workspaceSid);
  }

  answersFromMemory(workspaceSid: string): boolean {
    return this.repo.docs.isLoaded(workspaceSid);
  }

  /** Store.readAhead: the documents of a workspace this node does not route, and the reservations of some of its
   *  tasks, in one query (a UNION over their tables), as answers to the current replay's `get`s and
   *  `findAll('reservation', { taskSid })`s. A push to a worker's socket on a node that does not route its
   *  workspace read the reservation, its task, the task's queue, workflow and channel and the worker one replay
   *  (one round trip) after the other; and the push of each task event looked up the task's reservations (who
   *  holds it) in a replay of its own, so a commit of a few lifecycles took as many round trips as it had task
   *  events (in a three-node soak, up to 39, and pushes queued behind them for a second). */
  async readAhead(workspaceSid: string, documents: readonly { kind: EntityKind; sid: string }[], reservationsOfTasks: readonly string[] = []): Promise<void> {
    if (this.answersFromMemory(workspaceSid)) return;
    const keyOf = (d: { kind: EntityKind; sid: string }) => getKey(d.kind, d.sid);
    const open = new Set(unanswered(documents.map(keyOf)));
    const wanted = documents.filter((d) => open.has(keyOf(d)) && !this.pending.has(`${TABLE[d.kind]}:${d.sid}`));
    const listKeys = new Map(reservationsOfTasks.map((taskSid) => [taskSid, findAllKey('reservation', buildWhere('reservation', { taskSid }))]));
    const openLists = new Set(unanswered([...listKeys.values()]));
    const tasks = [...listKeys.keys()].filter((t) => openLists.has(listKeys.get(t)!));
    if (wanted.length === 0 && tasks.length === 0) return;
    const sidsByKind = new Map<EntityKind, string[]>();
    for (const d of wanted) {
      const sids = sidsByKind.get(d.kind);
      if (sids) sids.push(d.sid);
      else sidsByKind.set(d.kind, [d.sid]);
    }
    const kinds = [...sidsByKind.keys()].sort();
    const selects = kinds.map((kind, i) => `SELECT ${i} AS k, seq, data FROM ${TABLE[kind]} WHERE sid = ANY(?::text[])`);
    const params: unknown[] = kinds.map((kind) => sidsByKind.get(kind));
    /** The branch of the reservations by task (its `k`), when there is one. */
    const byTask = tasks.length > 0 ? kinds.length : -1;
    // (The column the list read filters on: its key's `task_sid = ?`, here for all the tasks at once.)
    if (byTask >= 0) {
      selects.push(`SELECT ${byTask} AS k, seq, data FROM ${TABLE.reservation} WHERE task_sid = ANY(?::text[])`);
      params.push(tasks);
    }
    await this.settled();
    const found = await this.rows<{ k: number; seq: string | number; data: string }>(`${selects.join(' UNION ALL ')} ORDER BY seq`, params);
    const docs = new Map<string, unknown>();
    const held = new Map<string, unknown[]>(tasks.map((t) => [t, []]));
    for (const row of found) {
      if (row.k === byTask) {
        const reservation = JSON.parse(row.data) as Reservation;
        this.remember(TABLE.reservation, reservation);
        held.get(reservation.taskSid)?.push(reservation);
        continue;
      }
      const kind = kinds[row.k]!;
      const doc = JSON.parse(row.data) as { sid: string };
      this.remember(TABLE[kind], doc);
      docs.set(keyOf({ kind, sid: doc.sid }), doc);
    }
    answerAhead([...wanted.map((d): [string, unknown] => [keyOf(d), docs.get(keyOf(d))]), ...tasks.map((t): [string, unknown] => [listKeys.get(t)!, held.get(t)])]);
  }

  replaying<T>(work: () => T | Promise<T>, options?: ReplayOptions): Promise<T> {
    return replay(work, () => this.settled(), options);
  }

  /** Resolves once every write staged so far is committed (or failed): a read fetched after it sees them.
   *  The open group is sent at once rather than at the end of the turn. */
  private settled(): Promise<void> {
    const target = this.group && (this.group.statements.length > 0 || this.group.events.length > 0) ? this.group.id : this.inFlight?.group.id;
    if (target === undefined || this.settledId >= target) return Promise.resolve();
    if (this.group?.id === target) this.commitGroup();
    return new Promise((resolve) => this.settleWaiters.push({ id: target, resolve }));
  }

  private groupSettled(id: number): void {
    this.settledId = Math.max(this.settledId, id);
    const ready = this.settleWaiters.filter((w) => w.id <= this.settledId);
    this.settleWaiters = this.settleWaiters.filter((w) => w.id > this.settledId);
    for (const w of ready) w.resolve();
  }

  durable(): Promise<void> {
    if (this.group) return this.group.waiters.wait();
    if (this.inFlight) return this.inFlight.group.waiters.wait();
    return Promise.resolve();
  }

  onFailure(listener: (err: Error) => void): () => void {
    return this.signals.onFailure(listener);
  }

  onCommit(listener: (events: EventRecord[]) => void): () => void {
    return this.signals.onCommit(listener);
  }

  onGroupCommit(observer: (transactions: number, seconds: number) => void): () => void {
    return this.signals.onGroupCommit(observer);
  }

  /** Sends the open group if no other is in flight (else it goes when that one is answered). */
  private commitGroup(): void {
    const group = this.group;
    if (!group || this.inFlight) return;
    this.group = undefined;
    if (group.statements.length === 0 && group.events.length === 0) {
      group.waiters.resolve();
      this.groupSettled(group.id);
      return;
    }
    const mark = this.repo.sealGroup();
    const started = performance.now();
    this.sharedLog?.sending(group.events);
    const done = this.send(group).then(
      (tx) => {
        this.inFlight = undefined;
        this.repo.groupCommitted(mark);
        for (const [key, p] of this.pending) if (p.group <= group.id) this.pending.delete(key);
        group.waiters.resolve();
        this.groupSettled(group.id);
        this.signals.groupCommitted(group.transactions, (performance.now() - started) / 1000);
        if (this.sharedLog && tx !== undefined) this.sharedLog.committed(tx, group.events);
        else this.signals.committed(group.events);
        if (this.group) this.commitGroup();
      },
      (err: unknown) => {
        this.inFlight = undefined;
        const failure = asApiError(err) as Error;
        // The group that formed behind this one may rest on its writes: it fails too, and memory goes back
        // to the last committed state, versions included (what this node read stays known; what it believed
        // it wrote does not).
        const behind = this.group;
        this.group = undefined;
        this.repo.groupFailed();
        this.pending.clear();
        this.sharedLog?.failed(group.events);
        for (const g of [behind, group]) {
          for (const [key, before] of (g?.versionUndo ?? []).reverse()) {
            if (before === undefined) this.versions.delete(key);
            else this.versions.set(key, before);
          }
        }
        group.waiters.reject(failure);
        behind?.waiters.reject(failure);
        this.groupSettled(behind?.id ?? group.id);
        this.signals.failed(failure);
        throw failure;
      },
    );
    this.inFlight = { group, done };
    done.catch(() => undefined);
  }

  /** The group as one pipelined batch on the writer connection: every statement is sent before any answer.
   *  Resolves to its transaction id when it has events and the shared log is followed. */
  private async send(group: Group): Promise<bigint | undefined> {
    const w = this.writer;
    // The client writes each query to its socket as it is given (a system call and a packet each): the socket
    // is corked until the whole batch is queued, so it leaves in one write and the server reads it at once.
    // (`connection.stream` is the client's socket in pg 8; without it the batch is simply not corked.)
    const socket = (w as unknown as { connection?: { stream?: Partial<Duplex> } }).connection?.stream;
    socket?.cork?.();
    let corked = true;
    const uncork = () => {
      if (!corked) return;
      corked = false;
      socket?.uncork?.();
    };
    try {
      return await this.queue(group, w, uncork);
    } finally {
      uncork();
    }
  }

  /** Queues the group's statements on the writer (see send) as one transaction (oneSyncTransaction.ts), and the
   *  NOTIFY after it; answers the transaction id when the group needs it. */
  private async queue(group: Group, w: pg.Client, uncork: () => void): Promise<bigint | undefined> {
    const statements: OneSyncStatement[] = batchWrites(group.statements).map((s) => prepared(s.text, s.values));
    if (this.injectedFailure) {
      this.injectedFailure = false;
      statements.push({ text: 'SELECT 1 / 0', values: [] });
    }
    const eventRows = group.events.map(eventRow);
    for (let i = 0; i < eventRows.length; i += EVENT_BATCH) {
      const batch = eventRows.slice(i, i + EVENT_BATCH);
      statements.push(prepared(pgSql(eventInsertSql(batch.length)), batch.flat()));
    }
    // The group's row for the other nodes' log readers (sharedLog.ts, migration 0042): the streams, types and
    // accounts of its events. DO NOTHING: on a connection where the table's trigger is on, it wrote the same.
    const lists = group.events.length > 0 ? SharedLog.lists(group.events) : undefined;
    if (lists) {
      statements.push(prepared('INSERT INTO event_commits (tx_id, streams, types, accounts) VALUES (pg_current_xact_id(), $1::text[], $2::text[], $3::text[]) ON CONFLICT (tx_id) DO NOTHING', [lists.streams, lists.types, lists.accounts]));
    }
    // The workspaces whose events this group folds into their rollups (storeSchema.ts, "Folds"), in its
    // transaction: no extra round trip.
    for (const ws of this.folds.due(group.events)) statements.push(prepared(pgSql(FOLD_SQL), Array<string>(FOLD_PLACEHOLDERS).fill(ws)));
    // The shared log skips this node's own rows by their transaction (sharedLog.ts): the group asks for its id,
    // in the fence's statement when there is one (a statement less per group).
    const needsTx = this.sharedLog !== undefined && group.events.length > 0;
    if (this.nodeId !== undefined && group.workspaces.size > 0) {
      // In SID order, as every statement that locks several lease rows takes them (clusterCatalog.ts): in the
      // order the group's transactions touched them, the fence deadlocked with the node's own lease renewal.
      statements.push(prepared(`SELECT sb_hold_leases($1::text[], $2, $3::interval)${needsTx ? ', pg_current_xact_id()::text AS tx' : ''}`, [[...group.workspaces].sort(), this.nodeId, `${this.leaseTtlMs} milliseconds`]));
    } else if (needsTx) {
      statements.push(prepared('SELECT pg_current_xact_id()::text AS tx', []));
    }
    const frozen = FREEZE_BEFORE_COMMIT !== undefined && group.events.some((e) => JSON.stringify(e.eventData).includes(FREEZE_BEFORE_COMMIT));
    const answers = frozen ? (await this.frozenBeforeCommit(w, statements, uncork)).answers : runInOneSync(w, statements);
    // Tells the other nodes' log readers which streams this commit wrote (sharedLog.ts), when one of them may
    // need them (interestExchange.ts), in a transaction of its own right after the group's, in the same batch. A
    // NOTIFY inside the group's transaction would take PostgreSQL's one lock on the notification queue at
    // COMMIT and hold it until the commit is flushed to the WAL: every node's commit would wait for every other
    // node's flush, so nodes could never commit side by side. On its own the NOTIFY writes nothing, needs no
    // flush and holds that lock for microseconds. It is sent whether or not the group committed (a reader woken
    // for nothing reads nothing); a node that dies between the two leaves it to the readers' poll.
    const wakes: OneSyncStatement[] = [];
    if (needsTx && lists && (this.interests?.othersMayNeed(lists) ?? true)) wakes.push(prepared("SELECT pg_notify('sb_events', $1)", [SharedLog.payload(lists)]));
    if (group.credentialsChanged) wakes.push(prepared("SELECT pg_notify('sb_credentials', '')", []));
    if (group.routeRequests.size > 0) {
      const list = [...group.routeRequests].join(',');
      wakes.push(prepared("SELECT pg_notify('sb_task_route_requests', $1)", [list.length <= MAX_NOTIFY_PAYLOAD ? list : '']));
    }
    const woken = wakes.length > 0 ? runInOneSync(w, wakes) : Promise.resolve([]);
    uncork();
    const results = await answers.finally(() => woken.catch(() => undefined));
    return needsTx ? BigInt(results[results.length - 1]!.rows[0]!.tx) : undefined;
  }

  /** TEST-ONLY (FREEZE_BEFORE_COMMIT): the group in an explicit transaction; the process stops once its rows
   *  are written and its leases locked, and sends the COMMIT when it is continued. The answers come wrapped:
   *  the caller queues its NOTIFYs behind the COMMIT before they are awaited (an async function returning the
   *  promise itself would be awaited through it). */
  private async frozenBeforeCommit(w: pg.Client, statements: OneSyncStatement[], uncork: () => void): Promise<{ answers: Promise<pg.QueryResult[]> }> {
    const held = runInOneSync(w, [{ text: 'BEGIN', values: [] }, ...statements]);
    uncork();
    await held.catch(() => undefined);
    process.kill(process.pid, 'SIGSTOP');
    const commit = w.query('COMMIT');
    const answers = Promise.all([held, commit]).then(([results, answer]) => {
      if (answer.command !== 'COMMIT') throw new Error('the transaction was rolled back');
      return results.slice(1);
    });
    return { answers };
  }

  close(): void {
    if (this.closed) return;
    this.commitGroup();
    this.closed = true;
    this.sharedLog?.close();
    this.interests?.close();
    // Whatever is in flight is answered before the connections end (requests on a connection are answered in
    // order, and end() waits for them).
    const inFlight = this.inFlight?.done.catch(() => undefined) ?? Promise.resolve();
    void inFlight.then(() => Promise.allSettled([this.writer.end(), this.reader.end(), this.aux.end()]));
  }
}
