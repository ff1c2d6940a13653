// The multi-node store: PostgreSQL through pg 8, behind the same synchronous Store port as SQLite (see
// blockingPgClient.ts for how). The semantics match SqliteStore's:
// * Group commit: the transactions of one event-loop turn share one database transaction (BEGIN, a SAVEPOINT
//   each, COMMIT at setImmediate); `durable()` resolves when that COMMIT has returned, and HTTP replies wait
//   for it. Writes are pipelined (send()), reads block; a failed write surfaces before its transaction ends.
// * Conditional writes: the store remembers the `version` of every document it read or wrote, and an update
//   of a document it knows applies only if the stored version is still that one. A write that lost a race
//   with another node is refused (409 conflict) and its transaction rolls back: no lost update, no double
//   accept.
// * The fence (when `nodeId` is set, i.e. several nodes): before each COMMIT, sb_hold_leases() locks the lease
//   row of every TaskRouter workspace the group wrote and fails unless this node holds it (or claims it when
//   nobody does). A node that lost a lease cannot commit over the new owner (migration 0010).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityKind, EntityMap, EventRecord } from '../../core/entities.ts';
import { ApiError } from '../../core/errors.ts';
import type { ActivityTimeTotals, EventQuery, EventTypeTotals, FieldFilter, PageCursor, PageResult, Repository, Store, Where } from '../../core/repository.ts';
import { EVENT_INSERT_COLUMNS, eventRow, eventWhereClause, TABLE, TASK_COLUMNS, taskFromRow, taskToRow, uniqueKey, whereClause, type WhereDialect } from '../storeSchema.ts';
import { BlockingPgClient, DatabaseError } from './blockingPgClient.ts';
import { compileSearch, compileStat, decodeStatRows } from '../opsflowQuery.ts';
import { POSTGRES_OPS } from './opsflowDialect.ts';
import { LIFT_TIMEOUTS, RESTORE_TIMEOUTS, sessionTimeouts } from './sessionTimeouts.ts';
import { CommitSignals, GroupWaiters } from '../commitSignals.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Any number: it only has to be the same for every node migrating the same database. */
const MIGRATION_LOCK = 7_310_001;

export interface PostgresStoreOptions {
  /** Set when several nodes share the database: writes to TaskRouter workspaces are fenced by their leases. */
  nodeId?: string;
  /** How long a lease taken or kept by a commit lasts. */
  leaseTtlMs?: number;
}

const MAX_REMEMBERED_VERSIONS = 500_000;

/** TEST-ONLY fault injection (test/cluster/frozenNode.test.ts): SWITCHBOARD_TEST_FREEZE_BEFORE_COMMIT=<text>
 *  stops this process with SIGSTOP once a group with an event whose data holds <text> (a worker attribute, say)
 *  has written its rows and taken its leases (the fence), before its COMMIT, as a VM freeze would. Unset in
 *  production: nothing happens. */
const FREEZE_BEFORE_COMMIT = process.env.SWITCHBOARD_TEST_FREEZE_BEFORE_COMMIT;

/** `?` placeholders (the shared query builders' style) as PostgreSQL's `$1, $2, ...`. */
const numbered = new Map<string, string>();
function pgSql(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, out);
  }
  return out;
}

/** Fields read as `data->>'field'` (text): booleans and numbers are bound in their JSON text. */
const DIALECT: WhereDialect = {
  documentField: (name) => `(data->>'${name}')`,
  eventDataField: (name) => `(data->'eventData'->>'${name}')`,
  never: 'false',
  always: 'true',
  value: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
};
const buildWhere = (where: Record<string, FieldFilter | undefined>) => whereClause(where, DIALECT);
const eventWhere = (q: EventQuery) => eventWhereClause(q, DIALECT);

/** The kinds that make up a workspace's routing state: only the workspace's owner writes them, so writing one
 *  takes the workspace's lease (the fence). Rows of other faces that merely name a workspace (their routes,
 *  task requests) do not. */
const ROUTED_KINDS: ReadonlySet<EntityKind> = new Set(['workspace', 'activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation']);

/** A database failure as the error the caller should see: lost races and moved workspaces have their own. */
function asApiError(err: unknown): unknown {
  if (err instanceof DatabaseError) {
    if (err.code === 'SB_CONFLICT' || err.code === '40001' || err.code === '40P01') return new ApiError('conflict');
    if (err.code === '23505') return new ApiError('conflict', `A unique key is already taken (${err.message}); retry the request`);
    if (err.code === 'SB001') return new ApiError('workspaceMoving');
    // The cluster's bounds (sessionTimeouts.ts): a lock held by a stuck transaction, a statement past its time.
    if (err.code === '55P03') return new ApiError('conflict', 'A row this request writes is locked by a stalled transaction; retry the request');
    if (err.code === '57014') return new ApiError('serviceUnavailable', 'Service Unavailable: a database statement ran past its time; retry the request');
  }
  return err;
}

interface Group {
  events: EventRecord[];
  workspaces: Set<string>;
  waiters: GroupWaiters;
}

export class PostgresStore implements Store {
  private readonly db: BlockingPgClient;
  private readonly repo: Repository;
  private readonly nodeId: string | undefined;
  private readonly leaseTtlMs: number;
  private readonly signals = new CommitSignals();
  private appended: EventRecord[] = [];
  private touched = new Set<string>();
  private group: Group | undefined;
  /** Versions of the documents this node last read or wrote, by `table:sid` (the conditional writes). */
  private readonly versions = new Map<string, number>();
  /** Version entries changed by the transaction in progress, with their earlier values, to undo a rollback. */
  private versionUndo: [string, number | undefined][] = [];
  private closed = false;
  /** Set by followSharedLog(): commit listeners get every node's events from the log instead of this
   *  node's commits, and the position read up to (transaction id, seq). */
  private sharedLog: { tx: string; seq: number; polling: boolean; again: boolean; timer: NodeJS.Timeout; unlisten: () => void } | undefined;

  private constructor(db: BlockingPgClient, options: PostgresStoreOptions) {
    this.db = db;
    this.nodeId = options.nodeId;
    this.leaseTtlMs = options.leaseTtlMs ?? 5000;
    this.repo = this.createRepository();
  }

  /** Connects, applies the migrations the database lacks (one node at a time), and returns the store. A
   *  cluster node's connections bound its transactions by its lease TTL (sessionTimeouts.ts). */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const db = new BlockingPgClient(url, options.nodeId !== undefined ? { ...sessionTimeouts(options.leaseTtlMs ?? 5000) } : {});
    try {
      await db.queryAsync('SELECT 1', [], 'main');
      await PostgresStore.migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new PostgresStore(db, options);
  }

  private static async migrate(db: BlockingPgClient): Promise<void> {
    // Waiting for another node's migrations, and a schema change itself, may take longer than a node's bounds.
    for (const sql of LIFT_TIMEOUTS) await db.queryAsync(sql, [], 'main');
    await db.queryAsync('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK], 'main');
    try {
      await db.queryAsync('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())', [], 'main');
      const done = new Set((await db.queryAsync<{ version: number }>('SELECT version FROM schema_migrations', [], 'main')).rows.map((r) => r.version));
      const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
      for (const file of files) {
        const n = Number(file.slice(0, 4));
        if (done.has(n)) continue;
        const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
        await db.queryAsync('BEGIN', [], 'main');
        try {
          await db.queryAsync(sql, [], 'main');
          await db.queryAsync('INSERT INTO schema_migrations (version) VALUES ($1)', [n], 'main');
          await db.queryAsync('COMMIT', [], 'main');
        } catch (err) {
          await db.queryAsync('ROLLBACK', [], 'main');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`);
        }
      }
      // A database restored from a dump into another server (pg_dump, pg_restore) keeps the transaction ids
      // its events had on the server it came from, which may be ahead of this server's: the shared log
      // (followSharedLog) would hold them back until this server's ids pass them, then push them to sockets as
      // new. They are history here: number them below every transaction of this server.
      await db.queryAsync(`UPDATE events SET tx_id = '1'::xid8 WHERE tx_id > pg_current_xact_id()`, [], 'main');
    } finally {
      await db.queryAsync('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK], 'main');
      for (const sql of RESTORE_TIMEOUTS) await db.queryAsync(sql, [], 'main');
    }
  }

  /** Asynchronous queries on the second connection, outside the write path (leases, the log tail, cluster
   *  bookkeeping). Only src/store and src/cluster's store-side helpers use it. */
  queryAside<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.db.queryAsync<R>(sql, params, 'aux').then((r) => r.rows);
  }

  /** Called if the connection to the database is lost (a restart or failover of the server): the store
   *  then fails every request, and the process should restart and connect again. */
  onConnectionLost(listener: (message: string) => void): void {
    this.db.onConnectionLost(listener);
  }

  /** LISTENs on a notification channel; returns the unsubscribe function. */
  listen(channel: string, listener: (payload: string) => void): Promise<() => void> {
    return this.db.listen(channel, (c, payload) => {
      if (c === channel) listener(payload);
    });
  }

  /**
   * Several nodes: commit listeners (WebSocket pushes, the background loops' wake-ups) get the events of EVERY
   * node, in log order, from here on. The log is read by (transaction id, seq) and only up to the oldest
   * transaction still running anywhere (pg_snapshot_xmin), so an event committed late with an earlier seq is
   * never skipped; a commit's NOTIFY wakes the reader, and a poll backs it up.
   */
  async followSharedLog(pollMs = 200): Promise<void> {
    const [start] = await this.queryAside<{ xmin: string }>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
    const unlisten = await this.listen('sb_events', () => this.readSharedLog());
    const timer = setInterval(() => this.readSharedLog(), pollMs);
    timer.unref();
    this.sharedLog = { tx: start!.xmin, seq: 0, polling: false, again: false, timer, unlisten };
  }

  private readSharedLog(): void {
    const log = this.sharedLog;
    if (!log || this.closed) return;
    if (log.polling) {
      log.again = true;
      return;
    }
    log.polling = true;
    const BATCH = 500;
    void (async () => {
      try {
        for (;;) {
          const rows = await this.queryAside<{ tx: string; seq: number; data: string }>(
            `SELECT tx_id::text AS tx, seq, data FROM events
             WHERE (tx_id, seq) > ($1::xid8, $2::bigint) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx_id, seq LIMIT ${BATCH}`,
            [log.tx, log.seq],
          );
          if (rows.length === 0) break;
          const last = rows[rows.length - 1]!;
          log.tx = last.tx;
          log.seq = last.seq;
          this.signals.committed(rows.map((r) => JSON.parse(r.data)));
          if (rows.length < BATCH) break;
        }
      } catch {
        // The next notification or poll reads again from the same position.
      } finally {
        log.polling = false;
        if (log.again) {
          log.again = false;
          this.readSharedLog();
        }
      }
    })();
  }

  private remember(table: string, doc: { sid?: unknown; version?: unknown } | undefined): void {
    if (doc && typeof doc.version === 'number' && typeof doc.sid === 'string') this.versions.set(`${table}:${doc.sid}`, doc.version);
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

  private createRepository(): Repository {
    const db = this.db;
    const rows = <R = Record<string, unknown>>(sql: string, params: unknown[] = []) => db.query<R>(pgSql(sql), params).rows;
    const send = (sql: string, params: unknown[], check?: 'one' | 'present' | 'updated') => db.send(pgSql(sql), params, check);
    const docs = (table: string, found: { data: string }[]) =>
      found.map((r) => {
        const doc = JSON.parse(r.data);
        this.remember(table, doc);
        return doc;
      });
    const keysetPage = <T>(table: string, w: { sql: string; params: unknown[] }, cursor: PageCursor): PageResult<T> => {
      let found: { seq: number; data: string }[];
      if (cursor.before !== undefined) {
        found = rows(`SELECT seq, data FROM ${table} WHERE ${w.sql} AND seq < ? ORDER BY seq DESC LIMIT ?`, [...w.params, cursor.before, cursor.limit + 1]);
        const hasPrevious = found.length > cursor.limit;
        found = found.slice(0, cursor.limit).reverse();
        return { items: docs(table, found), positions: found.map((r) => r.seq), hasMore: true, hasPrevious };
      }
      if (cursor.after !== undefined) {
        found = rows(`SELECT seq, data FROM ${table} WHERE ${w.sql} AND seq > ? ORDER BY seq LIMIT ?`, [...w.params, cursor.after, cursor.limit + 1]);
      } else {
        found = rows(`SELECT seq, data FROM ${table} WHERE ${w.sql} ORDER BY seq LIMIT ? OFFSET ?`, [...w.params, cursor.limit + 1, cursor.offset ?? 0]);
      }
      const hasMore = found.length > cursor.limit;
      found = found.slice(0, cursor.limit);
      const hasPrevious = cursor.after !== undefined || (cursor.offset ?? 0) > 0;
      return { items: docs(table, found), positions: found.map((r) => r.seq), hasMore, hasPrevious };
    };
    const updateSql = (table: string) =>
      `WITH u AS (UPDATE ${table} SET unique_key = ?, data = ? WHERE sid = ? AND (?::bigint IS NULL OR (data->>'version')::bigint = ?) RETURNING 1)
       SELECT (SELECT count(*) FROM u)::int AS updated, EXISTS (SELECT 1 FROM ${table} WHERE sid = ?) AS present`;
    const writeDoc = (kind: EntityKind, entity: unknown, check: 'present' | 'updated') => {
      const e = entity as Record<string, unknown> & { sid: string };
      const table = TABLE[kind];
      const known = this.versions.get(`${table}:${e.sid}`) ?? null;
      send(updateSql(table), [uniqueKey(kind, e), JSON.stringify(e), e.sid, known, known, e.sid], check);
      this.rememberWrite(table, e.sid, e.version);
      if (ROUTED_KINDS.has(kind)) this.touch(kind === 'workspace' ? e.sid : e.workspaceSid);
    };
    return {
      get: (kind, sid) => docs(TABLE[kind], rows(`SELECT data FROM ${TABLE[kind]} WHERE sid = ?`, [sid]))[0],
      findAll: (kind, where) => {
        const w = buildWhere(where as any);
        return docs(TABLE[kind], rows(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq`, w.params));
      },
      findOne: (kind, where) => {
        const w = buildWhere(where as any);
        return docs(TABLE[kind], rows(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq LIMIT 1`, w.params))[0];
      },
      findByUniqueKey: (kind, probe) => {
        const key = uniqueKey(kind, probe);
        return key === null ? undefined : docs(TABLE[kind], rows(`SELECT data FROM ${TABLE[kind]} WHERE unique_key = ?`, [key]))[0];
      },
      count: (kind, where) => {
        const w = buildWhere(where as any);
        return rows<{ n: number }>(`SELECT count(*) AS n FROM ${TABLE[kind]} WHERE ${w.sql}`, w.params)[0]!.n;
      },
      page: <K extends EntityKind>(kind: K, where: Where<K>, cursor: PageCursor): PageResult<EntityMap[K]> => keysetPage(TABLE[kind], buildWhere(where as any), cursor),
      positionOf: (kind, sid) => rows<{ seq: number }>(`SELECT seq FROM ${TABLE[kind]} WHERE sid = ?`, [sid])[0]?.seq,
      insert: (kind, entity) => {
        const e = entity as any;
        send(`INSERT INTO ${TABLE[kind]} (sid, account_sid, workspace_sid, unique_key, data) VALUES (?, ?, ?, ?, ?)`, [
          e.sid, e.accountSid ?? e.sid, e.workspaceSid ?? null, uniqueKey(kind, e), JSON.stringify(e),
        ]);
        this.rememberWrite(TABLE[kind], e.sid, e.version);
        if (ROUTED_KINDS.has(kind)) this.touch(kind === 'workspace' ? e.sid : e.workspaceSid);
      },
      update: (kind, entity) => writeDoc(kind, entity, 'updated'),
      updateIfPresent: (kind, entity) => {
        // The engine's flush ignores the answer: a row deleted meanwhile stays deleted, a changed one conflicts.
        writeDoc(kind, entity, 'present');
        return true;
      },
      delete: (kind, sid) => {
        send(`DELETE FROM ${TABLE[kind]} WHERE sid = ?`, [sid]);
        this.rememberWrite(TABLE[kind], sid, undefined);
        if (kind === 'workspace') this.touch(sid);
      },
      deleteWhere: (kind, where) => {
        const w = buildWhere(where as any);
        if (ROUTED_KINDS.has(kind)) this.touch((where as Record<string, unknown>).workspaceSid);
        return db.query(pgSql(`DELETE FROM ${TABLE[kind]} WHERE ${w.sql}`), w.params).rowCount;
      },
      appendEvent: (event: EventRecord) => {
        this.appended.push(event);
        this.touch(event.workspaceSid);
        send(`INSERT INTO events (${EVENT_INSERT_COLUMNS.join(', ')}) VALUES (${EVENT_INSERT_COLUMNS.map(() => '?').join(', ')})`, eventRow(event));
      },
      getEvent: (workspaceSid, sid) => docs('events', rows(`SELECT data FROM events WHERE workspace_sid = ? AND sid = ?`, [workspaceSid, sid]))[0],
      queryEvents: (query, cursor) => keysetPage('events', eventWhere(query), cursor),
      eventsMatching: (query) => {
        const w = eventWhere(query);
        return docs('events', rows(`SELECT data FROM events WHERE ${w.sql} ORDER BY seq`, w.params));
      },
      eventTotals: (query, ageThresholds): EventTypeTotals[] => {
        const w = eventWhere(query);
        const above = ageThresholds.map((_, i) => `, count(*) FILTER (WHERE coalesce(task_age, 0) > ?) AS above_${i}`).join('');
        const found = rows<Record<string, unknown>>(
          `SELECT event_type AS type, count(*) AS n,
             sum(coalesce(task_age, 0)) AS a_sum, min(coalesce(task_age, 0)) AS a_min, max(coalesce(task_age, 0)) AS a_max,
             sum(coalesce(task_age_in_queue, 0)) AS q_sum, min(coalesce(task_age_in_queue, 0)) AS q_min, max(coalesce(task_age_in_queue, 0)) AS q_max${above}
           FROM events WHERE ${w.sql} GROUP BY event_type`,
          [...ageThresholds, ...w.params],
        );
        return found.map((r) => ({
          eventType: String(r.type),
          count: Number(r.n),
          taskAge: { sum: Number(r.a_sum), min: Number(r.a_min), max: Number(r.a_max) },
          taskAgeInQueue: { sum: Number(r.q_sum), min: Number(r.q_min), max: Number(r.q_max) },
          aboveAge: ageThresholds.map((_, i) => Number(r[`above_${i}`])),
        }));
      },
      activityTimeTotals: (query): ActivityTimeTotals[] => {
        const w = eventWhere({ ...query, eventTypes: ['worker.activity.update'] });
        const found = rows<Record<string, unknown>>(
          `SELECT previous_activity_sid AS a, count(*) AS n, sum(previous_activity_ms / 1000) AS s, min(previous_activity_ms / 1000) AS lo, max(previous_activity_ms / 1000) AS hi
           FROM events WHERE ${w.sql} AND previous_activity_ms IS NOT NULL GROUP BY previous_activity_sid`,
          w.params,
        );
        return found.map((r) => ({ activitySid: String(r.a), count: Number(r.n), seconds: { sum: Number(r.s), min: Number(r.lo), max: Number(r.hi) } }));
      },
      eventsAfter: (workspaceSid, after, limit, eventTypes) => {
        const types = eventTypes?.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
        const found = rows<{ seq: number; data: string }>(`SELECT seq, data FROM events WHERE workspace_sid = ? AND seq > ?${types} ORDER BY seq LIMIT ?`, [
          workspaceSid, after, ...(eventTypes ?? []), limit,
        ]);
        return found.map((r) => ({ position: r.seq, event: JSON.parse(r.data) }));
      },
      lastEventPosition: (workspaceSid, eventTypes) => {
        const types = eventTypes.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
        return rows<{ seq: number | null }>(`SELECT max(seq) AS seq FROM events WHERE workspace_sid = ?${types}`, [workspaceSid, ...eventTypes])[0]!.seq ?? 0;
      },
      getCursor: (name) => rows<{ position: number }>(`SELECT position FROM cursors WHERE name = ?`, [name])[0]?.position,
      setCursor: (name, position) => send(`INSERT INTO cursors (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`, [name, position]),
      deleteCursor: (name) => send(`DELETE FROM cursors WHERE name = ?`, [name]),
      deleteEvents: (workspaceSid) => send(`DELETE FROM events WHERE workspace_sid = ?`, [workspaceSid]),
      eventsFor: (workspaceSid) => docs('events', rows(`SELECT data FROM events WHERE workspace_sid = ? ORDER BY seq`, [workspaceSid])),
      opsGetTask: (taskId) => {
        const row = rows(`SELECT ${TASK_COLUMNS.join(', ')} FROM ops_tasks WHERE task_id = ?`, [taskId])[0];
        return row ? taskFromRow(row) : undefined;
      },
      opsInsertTask: (task) => {
        send('INSERT INTO ops_domains (domain_id) VALUES (?) ON CONFLICT (domain_id) DO NOTHING', [task.domain_id]);
        send(
          `INSERT INTO ops_tasks (domain_key, ${TASK_COLUMNS.join(', ')})
           VALUES ((SELECT domain_key FROM ops_domains WHERE domain_id = ?), ${TASK_COLUMNS.map(() => '?').join(', ')})`,
          [task.domain_id, ...taskToRow(task)],
        );
      },
      opsUpdateTask: (task) => send(`UPDATE ops_tasks SET ${TASK_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE task_id = ?`, [...taskToRow(task), task.task_id], 'one'),
      opsDeleteTask: (taskId) => send(`DELETE FROM ops_tasks WHERE task_id = ?`, [taskId]),
      opsSearch: (collection, scope, query) => {
        const c = compileSearch(POSTGRES_OPS, collection, scope, query);
        const total = rows<{ n: number }>(c.count.sql, c.count.params)[0]!.n;
        if (!c.rows) return { results: [], total };
        const found = rows<Record<string, unknown>>(c.rows.sql, c.rows.params);
        return { results: found.map((r) => (collection === 'task' ? taskFromRow(r) : JSON.parse(String(r.data)))), total };
      },
      opsStat: (collection, scope, query) => {
        const c = compileStat(POSTGRES_OPS, collection, scope, query);
        return decodeStatRows(rows<Record<string, unknown>>(c.sql, c.params), c.columns);
      },
    };
  }

  /** Group commit, as in SqliteStore: one database transaction per event-loop turn, a SAVEPOINT per
   *  transaction(), COMMIT (after the fence) at setImmediate. */
  transaction<T>(work: (repo: Repository) => T): T {
    if (this.closed) throw new Error('the store is closed');
    if (!this.group) {
      // Bounded memory: past this many documents the versions are forgotten between groups. Documents read
      // again are remembered again; until then their updates rely on the fence alone (routing kinds) or on
      // the read that precedes them in the same transaction (the other faces' read-modify-write).
      if (this.versions.size > MAX_REMEMBERED_VERSIONS) this.versions.clear();
      this.db.send('BEGIN');
      this.group = { events: [], workspaces: new Set(), waiters: new GroupWaiters() };
      setImmediate(() => this.commitGroup());
    }
    this.appended = [];
    this.touched = new Set();
    this.versionUndo = [];
    this.db.send('SAVEPOINT tx');
    let result: T;
    try {
      result = work(this.repo);
      // Every write answered first: a refused conditional write is not a database error, so the savepoint
      // must still exist to roll back to.
      this.db.drain();
      this.db.send('RELEASE SAVEPOINT tx');
    } catch (err) {
      this.rollbackTransaction();
      throw asApiError(err);
    }
    for (const ws of this.touched) this.group.workspaces.add(ws);
    this.group.events.push(...this.appended);
    this.appended = [];
    return result;
  }

  private rollbackTransaction(): void {
    try {
      this.db.drain();
    } catch {
      // The failure being rolled back (or one after it in the same transaction).
    }
    this.db.clearSendFailure();
    this.db.query('ROLLBACK TO SAVEPOINT tx');
    this.db.send('RELEASE SAVEPOINT tx');
    for (const [key, before] of this.versionUndo.reverse()) {
      if (before === undefined) this.versions.delete(key);
      else this.versions.set(key, before);
    }
    this.versionUndo = [];
    this.appended = [];
    this.touched = new Set();
  }

  durable(): Promise<void> {
    const group = this.group;
    if (!group) return Promise.resolve();
    return group.waiters.wait();
  }

  onFailure(listener: (err: Error) => void): () => void {
    return this.signals.onFailure(listener);
  }

  onCommit(listener: (events: EventRecord[]) => void): () => void {
    return this.signals.onCommit(listener);
  }

  /** Sends the group's fence and COMMIT without waiting (the next group's statements queue behind them on the
   *  same connection) and settles its waiters when the answer arrives. */
  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    const fence = this.nodeId !== undefined && group.workspaces.size > 0
      ? this.db.queryAsync('SELECT sb_hold_leases($1::text[], $2, $3::interval)', [[...group.workspaces], this.nodeId, `${this.leaseTtlMs} milliseconds`], 'main')
      : Promise.resolve(undefined);
    if (FREEZE_BEFORE_COMMIT && group.events.some((e) => JSON.stringify(e.eventData).includes(FREEZE_BEFORE_COMMIT))) {
      try {
        this.db.query('SELECT 1'); // answered after the fence: the leases are locked, the COMMIT not sent
      } catch {
        // The fence refused: the COMMIT fails anyway.
      }
      process.kill(process.pid, 'SIGSTOP');
    }
    // Wakes every node's log reader once this commit is visible (notifications are sent at COMMIT).
    if (this.sharedLog && group.events.length > 0) void this.db.queryAsync(`NOTIFY sb_events`, [], 'main').catch(() => undefined);
    const commit = this.db.queryAsync('COMMIT', [], 'main');
    void (async () => {
      let failure: Error | undefined;
      try {
        await fence;
      } catch (err) {
        failure = asApiError(err) as Error;
      }
      try {
        const r = await commit;
        // COMMIT of a transaction that failed (the fence) answers ROLLBACK.
        if (r.command !== 'COMMIT' && !failure) failure = new Error('the transaction was rolled back');
      } catch (err) {
        failure ??= err as Error;
      }
      if (failure) {
        // Documents this node believed it wrote are not stored: forget their versions (they are read again).
        this.versions.clear();
        group.waiters.reject(failure);
        this.signals.failed(failure);
        return;
      }
      group.waiters.resolve();
      // With a shared log, listeners hear these events from the log reader, in order with other nodes'.
      if (!this.sharedLog) this.signals.committed(group.events);
    })();
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

  read<T>(work: (repo: Repository) => T): T {
    try {
      return work(this.repo);
    } catch (err) {
      throw asApiError(err);
    }
  }

  close(): void {
    if (this.closed) return;
    this.commitGroup();
    this.closed = true;
    if (this.sharedLog) {
      clearInterval(this.sharedLog.timer);
      this.sharedLog.unlisten();
    }
    // Wait for the COMMIT just sent (requests on a connection are answered in order), then end the connections.
    try {
      this.db.query('SELECT 1');
    } finally {
      this.db.close();
    }
  }
}
