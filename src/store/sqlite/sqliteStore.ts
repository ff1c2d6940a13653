// The embedded store: one SQLite file (better-sqlite3, WAL). Transactions of one event-loop turn are committed
// together (group commit, see transaction()), and "acknowledged means durable" holds because the HTTP reply
// waits for that commit (durable()). synchronous=FULL also survives power loss, not only a killed process.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityKind, EntityMap, EventRecord } from '../../core/entities.ts';
import { EVENT_INSERT_COLUMNS, eventRow, eventWhereClause, whereClause, type WhereDialect, TABLE, TASK_COLUMNS, taskFromRow, taskToRow, uniqueKey } from '../storeSchema.ts';
import { compileSearch, compileStat, decodeStatRows } from '../opsflowQuery.ts';
import { SQLITE_OPS } from './opsflowDialect.ts';
import { CommitSignals, GroupWaiters } from '../commitSignals.ts';
import type { ActivityTimeTotals, EventQuery, EventTypeTotals, FieldFilter, PageCursor, PageResult, Repository, Store, Where } from '../../core/repository.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Fields read with json_extract (typed): booleans are bound as 1 and 0, as SQLite stores them. */
const DIALECT: WhereDialect = {
  documentField: (name) => `json_extract(data, '$.${name}')`,
  eventDataField: (name) => `json_extract(data, '$.eventData.${name}')`,
  never: '0',
  always: '1',
  value: (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v),
};
const buildWhere = (where: Record<string, FieldFilter | undefined>) => whereClause(where, DIALECT);
const eventWhere = (q: EventQuery) => eventWhereClause(q, DIALECT);

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly repo: Repository;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly signals = new CommitSignals();
  /** Events appended by the transaction in progress; handed to listeners once its group commits. */
  private appended: EventRecord[] = [];
  /** The open commit group: its events and who waits for it to be durable. */
  private group: { events: EventRecord[]; waiters: GroupWaiters } | undefined;
  private closed = false;

  /** `synchronous`: FULL (default) fsyncs every commit, so an acknowledged write survives power loss too;
   *  NORMAL survives a killed process but may lose the last commits on an OS crash, for more throughput. */
  constructor(path: string, options: { synchronous?: 'FULL' | 'NORMAL' } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // 64 MiB of page cache (the default is 2 MiB): list counts and statistics scan large index ranges.
    this.db.pragma('cache_size = -65536');
    this.db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
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
    this.migrate();
    this.repo = this.createRepository();
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

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private createRepository(): Repository {
    const stmt = (sql: string) => this.stmt(sql);
    const parse = (row: { data: string } | undefined) => (row ? JSON.parse(row.data) : undefined);
    /** One page of a table's rows matching `w`, in insertion (seq) order, for any cursor kind. */
    const keysetPage = <T>(table: string, w: { sql: string; params: unknown[] }, cursor: PageCursor): PageResult<T> => {
      let rows: { seq: number; data: string }[];
      if (cursor.before !== undefined) {
        rows = stmt(`SELECT seq, data FROM ${table} WHERE ${w.sql} AND seq < ? ORDER BY seq DESC LIMIT ?`).all(...w.params, cursor.before, cursor.limit + 1) as any[];
        const hasPrevious = rows.length > cursor.limit;
        rows = rows.slice(0, cursor.limit).reverse();
        return { items: rows.map((r) => JSON.parse(r.data)), positions: rows.map((r) => r.seq), hasMore: true, hasPrevious };
      }
      if (cursor.after !== undefined) {
        rows = stmt(`SELECT seq, data FROM ${table} WHERE ${w.sql} AND seq > ? ORDER BY seq LIMIT ?`).all(...w.params, cursor.after, cursor.limit + 1) as any[];
      } else {
        rows = stmt(`SELECT seq, data FROM ${table} WHERE ${w.sql} ORDER BY seq LIMIT ? OFFSET ?`).all(...w.params, cursor.limit + 1, cursor.offset ?? 0) as any[];
      }
      const hasMore = rows.length > cursor.limit;
      rows = rows.slice(0, cursor.limit);
      const hasPrevious = cursor.after !== undefined || (cursor.offset ?? 0) > 0;
      return { items: rows.map((r) => JSON.parse(r.data)), positions: rows.map((r) => r.seq), hasMore, hasPrevious };
    };
    return {
      get(kind, sid) {
        return parse(stmt(`SELECT data FROM ${TABLE[kind]} WHERE sid = ?`).get(sid) as any);
      },
      findAll(kind, where) {
        const w = buildWhere(where as any);
        const rows = stmt(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq`).all(...w.params) as any[];
        return rows.map((r) => JSON.parse(r.data));
      },
      findOne(kind, where) {
        const w = buildWhere(where as any);
        return parse(stmt(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq LIMIT 1`).get(...w.params) as any);
      },
      findByUniqueKey(kind, probe) {
        const key = uniqueKey(kind, probe);
        return key === null ? undefined : parse(stmt(`SELECT data FROM ${TABLE[kind]} WHERE unique_key = ?`).get(key) as any);
      },
      count(kind, where) {
        const w = buildWhere(where as any);
        return (stmt(`SELECT count(*) AS n FROM ${TABLE[kind]} WHERE ${w.sql}`).get(...w.params) as any).n;
      },
      page<K extends EntityKind>(kind: K, where: Where<K>, cursor: PageCursor): PageResult<EntityMap[K]> {
        return keysetPage(TABLE[kind], buildWhere(where as any), cursor);
      },
      positionOf(kind, sid) {
        return (stmt(`SELECT seq FROM ${TABLE[kind]} WHERE sid = ?`).get(sid) as { seq: number } | undefined)?.seq;
      },
      insert(kind, entity) {
        const e = entity as any;
        stmt(`INSERT INTO ${TABLE[kind]} (sid, account_sid, workspace_sid, unique_key, data) VALUES (?, ?, ?, ?, ?)`)
          .run(e.sid, e.accountSid ?? e.sid, e.workspaceSid ?? null, uniqueKey(kind, e), JSON.stringify(e));
      },
      update(kind, entity) {
        const e = entity as any;
        const r = stmt(`UPDATE ${TABLE[kind]} SET unique_key = ?, data = ? WHERE sid = ?`)
          .run(uniqueKey(kind, e), JSON.stringify(e), e.sid);
        if (r.changes !== 1) throw new Error(`update of missing ${kind} ${e.sid}`);
      },
      updateIfPresent(kind, entity) {
        const e = entity as any;
        return stmt(`UPDATE ${TABLE[kind]} SET unique_key = ?, data = ? WHERE sid = ?`).run(uniqueKey(kind, e), JSON.stringify(e), e.sid).changes === 1;
      },
      delete(kind, sid) {
        stmt(`DELETE FROM ${TABLE[kind]} WHERE sid = ?`).run(sid);
      },
      deleteWhere(kind, where) {
        const w = buildWhere(where as any);
        return stmt(`DELETE FROM ${TABLE[kind]} WHERE ${w.sql}`).run(...w.params).changes;
      },
      appendEvent: (event: EventRecord) => {
        this.appended.push(event);
        stmt(`INSERT INTO events (${EVENT_INSERT_COLUMNS.join(', ')}) VALUES (${EVENT_INSERT_COLUMNS.map(() => '?').join(', ')})`).run(...eventRow(event));
      },
      getEvent(workspaceSid: string, sid: string) {
        return parse(stmt(`SELECT data FROM events WHERE workspace_sid = ? AND sid = ?`).get(workspaceSid, sid) as any);
      },
      queryEvents(query: EventQuery, cursor: PageCursor): PageResult<EventRecord> {
        return keysetPage('events', eventWhere(query), cursor);
      },
      eventsMatching(query: EventQuery): EventRecord[] {
        const w = eventWhere(query);
        return (stmt(`SELECT data FROM events WHERE ${w.sql} ORDER BY seq`).all(...w.params) as any[]).map((r) => JSON.parse(r.data));
      },
      eventTotals(query: EventQuery, ageThresholds: readonly number[]): EventTypeTotals[] {
        const w = eventWhere(query);
        const above = ageThresholds.map(() => ', sum(coalesce(task_age, 0) > ?)').join('');
        const rows = stmt(
          `SELECT event_type AS type, count(*) AS n,
             sum(coalesce(task_age, 0)) AS a_sum, min(coalesce(task_age, 0)) AS a_min, max(coalesce(task_age, 0)) AS a_max,
             sum(coalesce(task_age_in_queue, 0)) AS q_sum, min(coalesce(task_age_in_queue, 0)) AS q_min, max(coalesce(task_age_in_queue, 0)) AS q_max${above}
           FROM events WHERE ${w.sql} GROUP BY event_type`,
        )
          .raw()
          .all(...ageThresholds, ...w.params) as unknown[][];
        return rows.map((r) => ({
          eventType: String(r[0]),
          count: Number(r[1]),
          taskAge: { sum: Number(r[2]), min: Number(r[3]), max: Number(r[4]) },
          taskAgeInQueue: { sum: Number(r[5]), min: Number(r[6]), max: Number(r[7]) },
          aboveAge: r.slice(8).map(Number),
        }));
      },
      activityTimeTotals(query: EventQuery): ActivityTimeTotals[] {
        const w = eventWhere({ ...query, eventTypes: ['worker.activity.update'] });
        const rows = stmt(
          `SELECT previous_activity_sid, count(*), sum(previous_activity_ms / 1000), min(previous_activity_ms / 1000), max(previous_activity_ms / 1000)
           FROM events WHERE ${w.sql} AND previous_activity_ms IS NOT NULL GROUP BY previous_activity_sid`,
        )
          .raw()
          .all(...w.params) as unknown[][];
        return rows.map((r) => ({ activitySid: String(r[0]), count: Number(r[1]), seconds: { sum: Number(r[2]), min: Number(r[3]), max: Number(r[4]) } }));
      },
      eventsAfter(workspaceSid: string, after: number, limit: number, eventTypes?: readonly string[]) {
        const types = eventTypes?.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
        const rows = stmt(`SELECT seq, data FROM events WHERE workspace_sid = ? AND seq > ?${types} ORDER BY seq LIMIT ?`).all(
          workspaceSid,
          after,
          ...(eventTypes ?? []),
          limit,
        ) as { seq: number; data: string }[];
        return rows.map((r) => ({ position: r.seq, event: JSON.parse(r.data) }));
      },
      lastEventPosition(workspaceSid: string, eventTypes: readonly string[]) {
        const types = eventTypes.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
        const row = stmt(`SELECT max(seq) AS seq FROM events WHERE workspace_sid = ?${types}`).get(
          workspaceSid,
          ...eventTypes,
        ) as { seq: number | null };
        return row.seq ?? 0;
      },
      getCursor(name: string) {
        return (stmt(`SELECT position FROM cursors WHERE name = ?`).get(name) as { position: number } | undefined)?.position;
      },
      setCursor(name: string, position: number) {
        stmt(`INSERT INTO cursors (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`).run(name, position);
      },
      deleteCursor(name: string) {
        stmt(`DELETE FROM cursors WHERE name = ?`).run(name);
      },
      deleteEvents(workspaceSid: string) {
        stmt(`DELETE FROM events WHERE workspace_sid = ?`).run(workspaceSid);
      },
      eventsFor(workspaceSid: string) {
        return (stmt(`SELECT data FROM events WHERE workspace_sid = ? ORDER BY seq`).all(workspaceSid) as any[]).map((r) => JSON.parse(r.data));
      },
      opsGetTask(taskId) {
        const row = stmt(`SELECT ${TASK_COLUMNS.join(', ')} FROM ops_tasks WHERE task_id = ?`).get(taskId) as Record<string, unknown> | undefined;
        return row ? taskFromRow(row) : undefined;
      },
      opsInsertTask(task) {
        stmt('INSERT OR IGNORE INTO ops_domains (domain_id) VALUES (?)').run(task.domain_id);
        const key = (stmt('SELECT domain_key FROM ops_domains WHERE domain_id = ?').get(task.domain_id) as { domain_key: number }).domain_key;
        stmt(`INSERT INTO ops_tasks (domain_key, ${TASK_COLUMNS.join(', ')}) VALUES (?, ${TASK_COLUMNS.map(() => '?').join(', ')})`).run(key, ...taskToRow(task));
      },
      opsUpdateTask(task) {
        const r = stmt(`UPDATE ops_tasks SET ${TASK_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE task_id = ?`).run(...taskToRow(task), task.task_id);
        if (r.changes !== 1) throw new Error(`update of missing opsflow task ${task.task_id}`);
      },
      opsDeleteTask(taskId) {
        stmt(`DELETE FROM ops_tasks WHERE task_id = ?`).run(taskId);
      },
      opsSearch(collection, scope, query) {
        const c = compileSearch(SQLITE_OPS, collection, scope, query);
        const total = (stmt(c.count.sql).get(...c.count.params) as { n: number }).n;
        if (!c.rows) return { results: [], total };
        const rows = stmt(c.rows.sql).all(...c.rows.params) as Record<string, unknown>[];
        return { results: rows.map((r) => (collection === 'task' ? taskFromRow(r) : JSON.parse(String(r.data)))), total };
      },
      opsStat(collection, scope, query) {
        const c = compileStat(SQLITE_OPS, collection, scope, query);
        return decodeStatRows(stmt(c.sql).all(...c.params) as Record<string, unknown>[], c.columns);
      },
    };
  }

  /**
   * Group commit: the first transaction of an event-loop turn opens a database transaction (BEGIN IMMEDIATE);
   * each `transaction()` runs in a SAVEPOINT inside it (rolled back alone if its work throws), and the whole
   * group is committed, with one fsync, once the turn's I/O callbacks have run (setImmediate). Nothing is
   * acknowledged before that: the HTTP layer awaits `durable()` before it sends a response, and commit
   * listeners (WebSocket pushes, webhook delivery) run after the COMMIT with the group's events in order.
   */
  transaction<T>(work: (repo: Repository) => T): T {
    if (this.closed) throw new Error('the store is closed');
    if (!this.group) {
      this.stmt('BEGIN IMMEDIATE').run();
      this.group = { events: [], waiters: new GroupWaiters() };
      setImmediate(() => this.commitGroup());
    }
    this.appended = [];
    this.stmt('SAVEPOINT tx').run();
    let result: T;
    try {
      result = work(this.repo);
      this.stmt('RELEASE tx').run();
    } catch (err) {
      this.stmt('ROLLBACK TO tx').run();
      this.stmt('RELEASE tx').run();
      this.appended = [];
      throw err;
    }
    this.group.events.push(...this.appended);
    this.appended = [];
    return result;
  }

  durable(): Promise<void> {
    const group = this.group;
    if (!group) return Promise.resolve();
    return group.waiters.wait();
  }

  onFailure(listener: (err: Error) => void): () => void {
    return this.signals.onFailure(listener);
  }

  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.stmt('COMMIT').run();
    } catch (err) {
      // The group's writes are gone (I/O error, disk full): nobody waiting on them is acknowledged, and state
      // kept in memory beside the store must be rebuilt from it.
      try {
        this.stmt('ROLLBACK').run();
      } catch {
        // Already rolled back by SQLite.
      }
      group.waiters.reject(err as Error);
      this.signals.failed(err as Error);
      return;
    }
    group.waiters.resolve();
    this.signals.committed(group.events);
  }

  onCommit(listener: (events: EventRecord[]) => void): () => void {
    return this.signals.onCommit(listener);
  }

  read<T>(work: (repo: Repository) => T): T {
    return work(this.repo);
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
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.commitGroup();
    this.closed = true;
    this.db.close();
  }
}
