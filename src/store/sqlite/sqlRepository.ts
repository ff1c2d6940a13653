// The Repository (core/repository.ts) as SQL on the SQLite store's connection: what memory does not answer
// (store/resident/ answers the live TaskRouter documents first), the other faces' documents, lists and pages,
// the event log and its totals, cursors, and the Opsflow and Workflow queries. Writes of the documents memory
// holds go through the store (`writeResident`): staged for the writer thread or run here (sqliteStore.ts,
// transaction()); every other statement runs on the connection at once, after `stmt` has turned the open group
// local (sqliteStore.ts, goLocal: what the writer thread has in flight is committed and what the group staged
// is run here first), so a read sees every write made before it. A read of the event log first writes the
// group's events not written yet (`writeEvents`).
import type Database from 'better-sqlite3';
import type { EntityKind, EntityMap, EventRecord } from '../../core/entities.ts';
import type { WfTask } from '../../core/workflowEntities.ts';
import type { ActivityTimeTotals, EventQuery, EventTypeTotals, FieldFilter, PageCursor, PageResult, Repository, Where } from '../../core/repository.ts';
import { sidTime } from '../../core/sid.ts';
import { documentInsert, documentUpdate, EVENT_READ_COLUMNS, EVENT_SID_TIME_SLACK_MS, eventFromRow, type EventReadRow, eventWhereClause, pageReader, rawEventTotalsSql, rollupActivitySql, rollupTotalsSql, TABLE, TASK_COLUMNS, taskFromRow, taskToRow, uniqueKey, whereClause, type WhereDialect } from '../storeSchema.ts';
import { compileSearch, compileStat, decodeSearchRow, decodeStatRows } from '../opsflowQuery.ts';
import { TASK_VALUE_COLUMNS, compileTaskQuery, taskPage, taskValueRows } from '../workflowTaskQuery.ts';
import { RESIDENT_KINDS } from '../resident/residentDocuments.ts';
import { SQLITE_OPS } from './opsflowDialect.ts';
import { SQLITE_WF } from './workflowDialect.ts';

/** Fields read with json_extract (typed): booleans are bound as 1 and 0, as SQLite stores them. */
const DIALECT: WhereDialect = {
  documentField: (name) => `json_extract(data, '$.${name}')`,
  eventDataField: (name) => `json_extract(data, '$.eventData.${name}')`,
  never: '0',
  always: '1',
  value: (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v),
};
const buildWhere = (kind: EntityKind, where: Record<string, FieldFilter | undefined>) => whereClause(kind, where, DIALECT);
const eventWhere = (q: EventQuery) => eventWhereClause(q, DIALECT);

/** What the repository needs of the store. */
export interface SqlRepositoryHost {
  /** A prepared statement on the store's connection, the open group made local first (SqliteStore.stmt). */
  stmt(sql: string): Database.Statement;
  /** A write of a document memory holds: staged for the writer thread, or run here. `expected`: the row count
   *  it must change. */
  writeResident(sql: string, params: unknown[], expected?: number): void;
  /** Whether memory holds the document (its row is then in the file, and its update is staged like any other). */
  holds(kind: EntityKind, sid: string): boolean;
  /** An event of the transaction in progress, written with its group's event rows. */
  appendEvent(event: EventRecord): void;
  /** Writes the group's events not written yet, so that a read of the log sees them. */
  writeEvents(): void;
}

export function sqlRepository(host: SqlRepositoryHost): Repository {
  const stmt = (sql: string) => host.stmt(sql);
  const parse = (row: { data: string } | undefined) => (row ? JSON.parse(row.data) : undefined);
  /** A Workflow task's list index rows (migration 0017), written with the task. */
  const indexTask = (task: WfTask, replace: boolean) => {
    if (replace) stmt('DELETE FROM wf_task_values WHERE task_sid = ?').run(task.sid);
    const insert = stmt(`INSERT INTO wf_task_values (${TASK_VALUE_COLUMNS.join(', ')}) VALUES (${TASK_VALUE_COLUMNS.map(() => '?').join(', ')})`);
    for (const row of taskValueRows(task)) insert.run(...row);
  };
  /** One page of a table's rows matching `w`, in insertion (seq) order, for any cursor kind. */
  const keysetPage = <T>(table: string, w: { sql: string; params: unknown[] }, cursor: PageCursor): PageResult<T> => {
    const { columns, decode } = pageReader(table);
    let rows: { seq: number; data: string }[];
    if (cursor.before !== undefined) {
      rows = stmt(`SELECT ${columns} FROM ${table} WHERE ${w.sql} AND seq < ? ORDER BY seq DESC LIMIT ?`).all(...w.params, cursor.before, cursor.limit + 1) as any[];
      const hasPrevious = rows.length > cursor.limit;
      rows = rows.slice(0, cursor.limit).reverse();
      return { items: rows.map(decode), positions: rows.map((r) => r.seq), hasMore: true, hasPrevious };
    }
    if (cursor.after !== undefined) {
      rows = stmt(`SELECT ${columns} FROM ${table} WHERE ${w.sql} AND seq > ? ORDER BY seq LIMIT ?`).all(...w.params, cursor.after, cursor.limit + 1) as any[];
    } else {
      rows = stmt(`SELECT ${columns} FROM ${table} WHERE ${w.sql} ORDER BY seq LIMIT ? OFFSET ?`).all(...w.params, cursor.limit + 1, cursor.offset ?? 0) as any[];
    }
    const hasMore = rows.length > cursor.limit;
    rows = rows.slice(0, cursor.limit);
    const hasPrevious = cursor.after !== undefined || (cursor.offset ?? 0) > 0;
    return { items: rows.map(decode), positions: rows.map((r) => r.seq), hasMore, hasPrevious };
  };
  const updateDocument = (kind: EntityKind, e: { sid: string }): number => {
    const row = documentUpdate(kind, e);
    return stmt(row.sql).run(...row.values).changes;
  };
  return {
    get(kind, sid) {
      return parse(stmt(`SELECT data FROM ${TABLE[kind]} WHERE sid = ?`).get(sid) as any);
    },
    findAll(kind, where) {
      const w = buildWhere(kind, where as any);
      const rows = stmt(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq`).all(...w.params) as any[];
      return rows.map((r) => JSON.parse(r.data));
    },
    findOne(kind, where) {
      const w = buildWhere(kind, where as any);
      return parse(stmt(`SELECT data FROM ${TABLE[kind]} WHERE ${w.sql} ORDER BY seq LIMIT 1`).get(...w.params) as any);
    },
    findByUniqueKey(kind, probe) {
      const key = uniqueKey(kind, probe);
      return key === null ? undefined : parse(stmt(`SELECT data FROM ${TABLE[kind]} WHERE unique_key = ?`).get(key) as any);
    },
    count(kind, where) {
      const w = buildWhere(kind, where as any);
      return (stmt(`SELECT count(*) AS n FROM ${TABLE[kind]} WHERE ${w.sql}`).get(...w.params) as any).n;
    },
    page<K extends EntityKind>(kind: K, where: Where<K>, cursor: PageCursor): PageResult<EntityMap[K]> {
      return keysetPage(TABLE[kind], buildWhere(kind, where as any), cursor);
    },
    positionOf(kind, sid) {
      return (stmt(`SELECT seq FROM ${TABLE[kind]} WHERE sid = ?`).get(sid) as { seq: number } | undefined)?.seq;
    },
    insert: (kind, entity) => {
      const e = entity as any;
      const row = documentInsert(kind, e);
      if (RESIDENT_KINDS.has(kind)) return host.writeResident(row.sql, row.values);
      stmt(row.sql).run(...row.values);
      if (kind === 'wfTask') indexTask(e, false);
    },
    update: (kind, entity) => {
      const e = entity as any;
      if (RESIDENT_KINDS.has(kind)) {
        const row = documentUpdate(kind, e);
        return host.writeResident(row.sql, row.values, 1);
      }
      if (updateDocument(kind, e) !== 1) throw new Error(`update of missing ${kind} ${e.sid}`);
      if (kind === 'wfTask') indexTask(e, true);
    },
    updateIfPresent: (kind, entity) => {
      const e = entity as any;
      // A document memory holds is in the file (memory mirrors it): its update is staged like any other.
      if (RESIDENT_KINDS.has(kind) && host.holds(kind, e.sid)) {
        const row = documentUpdate(kind, e);
        host.writeResident(row.sql, row.values, 1);
        return true;
      }
      const updated = updateDocument(kind, e) === 1;
      if (updated && kind === 'wfTask') indexTask(e, true);
      return updated;
    },
    delete: (kind, sid) => {
      if (RESIDENT_KINDS.has(kind)) return host.writeResident(`DELETE FROM ${TABLE[kind]} WHERE sid = ?`, [sid]);
      stmt(`DELETE FROM ${TABLE[kind]} WHERE sid = ?`).run(sid);
    },
    deleteWhere(kind, where) {
      const w = buildWhere(kind, where as any);
      const sql = `DELETE FROM ${TABLE[kind]} WHERE ${w.sql}`;
      // Of the documents memory holds: staged like their other writes. Run here, it made the commit group local
      // (the main thread waited for the writer thread and ran the group's statements itself), and every task
      // deleted after the finished-task retention deletes its reservations so: from five minutes into a steady
      // load, most groups went local.
      if (RESIDENT_KINDS.has(kind)) return host.writeResident(sql, w.params);
      stmt(sql).run(...w.params);
    },
    appendEvent: (event: EventRecord) => host.appendEvent(event),
    getEvent: (workspaceSid: string, sid: string) => {
      host.writeEvents();
      const t = sidTime(sid);
      if (!Number.isFinite(t)) return undefined;
      const row = stmt(`SELECT ${EVENT_READ_COLUMNS} FROM events WHERE workspace_sid = ? AND date_ms BETWEEN ? AND ? AND sid = ?`).get(workspaceSid, t - EVENT_SID_TIME_SLACK_MS, t + EVENT_SID_TIME_SLACK_MS, sid) as EventReadRow | undefined;
      return row && eventFromRow(row);
    },
    queryEvents: (query: EventQuery, cursor: PageCursor): PageResult<EventRecord> => {
      host.writeEvents();
      return keysetPage('events', eventWhere(query), cursor);
    },
    eventsMatching: (query: EventQuery): EventRecord[] => {
      host.writeEvents();
      const w = eventWhere(query);
      return (stmt(`SELECT ${EVENT_READ_COLUMNS} FROM events WHERE ${w.sql} ORDER BY seq`).all(...w.params) as EventReadRow[]).map(eventFromRow);
    },
    eventTotals: (query: EventQuery, ageThresholds: readonly number[]): EventTypeTotals[] => {
      host.writeEvents();
      // SplitByWaitTime's thresholds are any number of seconds: only the raw task ages answer them exactly.
      const rolled = ageThresholds.length === 0 ? rollupTotalsSql(query, DIALECT) : undefined;
      // Both answer the same columns (the rollups without the thresholds' counts).
      const { sql, params } = rolled ?? rawEventTotalsSql(eventWhere(query), ageThresholds, () => ', sum(coalesce(task_age, 0) > ?)');
      const rows = stmt(sql).raw().all(...params) as unknown[][];
      return rows.map((r) => ({
        eventType: String(r[0]),
        count: Number(r[1]),
        taskAge: { sum: Number(r[2]), min: Number(r[3]), max: Number(r[4]) },
        taskAgeInQueue: { sum: Number(r[5]), min: Number(r[6]), max: Number(r[7]) },
        aboveAge: r.slice(8).map(Number),
      }));
    },
    activityTimeTotals: (query: EventQuery): ActivityTimeTotals[] => {
      host.writeEvents();
      const rolled = rollupActivitySql(query, DIALECT);
      if (rolled) {
        return (stmt(rolled.sql).raw().all(...rolled.params) as unknown[][]).map((r) => ({
          activitySid: r[0] === '' ? 'null' : String(r[0]),
          count: Number(r[1]),
          seconds: { sum: Number(r[2]), min: Number(r[3]), max: Number(r[4]) },
        }));
      }
      const w = eventWhere({ ...query, eventTypes: ['worker.activity.update'] });
      const rows = stmt(
        `SELECT previous_activity_sid, count(*), sum(previous_activity_ms / 1000), min(previous_activity_ms / 1000), max(previous_activity_ms / 1000)
         FROM events WHERE ${w.sql} AND previous_activity_ms IS NOT NULL GROUP BY previous_activity_sid`,
      )
        .raw()
        .all(...w.params) as unknown[][];
      return rows.map((r) => ({ activitySid: String(r[0]), count: Number(r[1]), seconds: { sum: Number(r[2]), min: Number(r[3]), max: Number(r[4]) } }));
    },
    eventsAfter: (workspaceSid: string, after: number, limit: number, eventTypes?: readonly string[]) => {
      host.writeEvents();
      const types = eventTypes?.length ? ` AND event_type IN (${eventTypes.map(() => '?').join(', ')})` : '';
      const rows = stmt(`SELECT seq, ${EVENT_READ_COLUMNS} FROM events WHERE workspace_sid = ? AND seq > ?${types} ORDER BY seq LIMIT ?`).all(
        workspaceSid,
        after,
        ...(eventTypes ?? []),
        limit,
      ) as (EventReadRow & { seq: number })[];
      return rows.map((r) => ({ position: r.seq, event: eventFromRow(r) }));
    },
    lastEventPosition: (workspaceSid: string, eventTypes: readonly string[]) => {
      host.writeEvents();
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
    deleteEvents: (workspaceSid: string) => {
      host.writeEvents();
      stmt(`DELETE FROM events WHERE workspace_sid = ?`).run(workspaceSid);
      stmt(`DELETE FROM event_minutes WHERE workspace_sid = ?`).run(workspaceSid);
      stmt(`DELETE FROM worker_minutes WHERE workspace_sid = ?`).run(workspaceSid);
      stmt(`DELETE FROM rollup_marks WHERE workspace_sid = ?`).run(workspaceSid);
    },
    eventsFor: (workspaceSid: string) => {
      host.writeEvents();
      return (stmt(`SELECT ${EVENT_READ_COLUMNS} FROM events WHERE workspace_sid = ? ORDER BY seq`).all(workspaceSid) as EventReadRow[]).map(eventFromRow);
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
      return { results: rows.map((r) => decodeSearchRow(collection, r)), total };
    },
    opsStat(collection, scope, query) {
      const c = compileStat(SQLITE_OPS, collection, scope, query);
      return decodeStatRows(stmt(c.sql).all(...c.params) as Record<string, unknown>[], c.columns);
    },
    wfQueryTasks: (query) => taskPage(compileTaskQuery(SQLITE_WF, query), query.limit, (c) => stmt(c.sql).all(...c.params) as { data: string }[]),
  };
}
