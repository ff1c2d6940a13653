// The relational layout both stores share: the table of each entity kind, the keys the database keeps unique,
// the Opsflow task columns and the event fields held in their own columns. Each store writes its own dialect.
import type { EntityKind, EventRecord } from '../core/entities.ts';
import type { EventQuery, FieldFilter } from '../core/repository.ts';
import { OPS_KEYS, type OpsTask } from '../core/opsflowEntities.ts';

export const TABLE: Record<EntityKind, string> = {
  account: 'accounts',
  apiKey: 'api_keys',
  workspace: 'workspaces',
  activity: 'activities',
  taskChannel: 'task_channels',
  worker: 'workers',
  workerChannel: 'worker_channels',
  taskQueue: 'task_queues',
  workflow: 'workflows',
  task: 'tasks',
  reservation: 'reservations',
  wfDefinition: 'wf_definitions',
  wfDefinitionVersion: 'wf_definition_versions',
  wfTask: 'wf_tasks',
  wfWorker: 'wf_workers',
  wfActionLog: 'wf_action_logs',
  wfPendingAction: 'wf_pending_actions',
  wfRoute: 'wf_routes',
  wfWorkflow: 'wf_workflows',
  wfEventHandler: 'wf_event_handlers',
  opsCategory: 'ops_categories',
  opsTaskType: 'ops_task_types',
  opsComment: 'ops_comments',
  opsRoute: 'ops_routes',
  opsVariable: 'ops_variables',
  taskRouteRequest: 'task_route_requests',
};

// Fields held in real columns; every other field is read from the JSON document.
export const COLUMN: Record<string, string> = { sid: 'sid', accountSid: 'account_sid', workspaceSid: 'workspace_sid' };

/**
 * Fields of one kind held in columns of their own, which queries filter by through an index:
 * * a reservation's task and worker (migration 0036), written at insert and never changed after. An index on an
 *   expression over the document (json_extract / ->>) was updated with every write of the document, because the
 *   document changes: on SQLite two more B-trees (and WAL pages) per reservation update, on PostgreSQL no HOT
 *   update ever. An index on a column the update leaves alone costs nothing then.
 * * a task's cleanupAt (SQLite migration 0038, PostgreSQL 0039): null while the task lives, its removal deadline
 *   once it finished. A router is built from the live tasks in memory and the finished ones, found by a partial
 *   index that holds only finished tasks; reading every task's status out of its document instead took 0.8 s of
 *   a restart with 500,000 pending tasks. The column changes once per task (when it finishes), so updates set it
 *   (UPDATED_COLUMNS); setting a column to the value it had leaves a partial index that does not hold the row
 *   alone (SQLite) and keeps the update HOT (PostgreSQL).
 */
export const KIND_COLUMNS: Partial<Record<EntityKind, Record<string, string>>> = {
  reservation: { taskSid: 'task_sid', workerSid: 'worker_sid' },
  task: { cleanupAt: 'cleanup_at' },
};

/** A kind's own column that an update sets (see KIND_COLUMNS), with its PostgreSQL type (a multi-row UPDATE's
 *  VALUES list needs it spelled out). */
export interface UpdatedColumn {
  field: string;
  column: string;
  pgType: string;
}

/** The columns of KIND_COLUMNS that change after insert, per kind; the update statements set these besides
 *  unique_key and data. */
export const UPDATED_COLUMNS: Partial<Record<EntityKind, readonly UpdatedColumn[]>> = {
  task: [{ field: 'cleanupAt', column: 'cleanup_at', pgType: 'bigint' }],
};
const NO_UPDATED_COLUMNS: readonly UpdatedColumn[] = [];

const UPDATED_COLUMNS_OF_TABLE = new Map(Object.entries(UPDATED_COLUMNS).map(([kind, columns]) => [TABLE[kind as EntityKind], columns!]));

/** UPDATED_COLUMNS of the kind stored in `table`. */
export function updatedColumnsOfTable(table: string): readonly UpdatedColumn[] {
  return UPDATED_COLUMNS_OF_TABLE.get(table) ?? NO_UPDATED_COLUMNS;
}

/** The INSERT of a document row (`?` placeholders), its columns and its values (`data` among them), the
 *  kind's own columns included. */
export function documentInsert(kind: EntityKind, e: Record<string, any>): { sql: string; columns: readonly string[]; values: unknown[] } {
  const values = [e.sid, e.accountSid ?? e.sid, e.workspaceSid ?? null, uniqueKey(kind, e), JSON.stringify(e)];
  for (const field of Object.keys(KIND_COLUMNS[kind] ?? NO_COLUMNS)) values.push(e[field] ?? null);
  const { sql, columns } = insertSql(kind);
  return { sql, columns, values };
}
const NO_COLUMNS: Record<string, string> = {};
const insertTexts = new Map<EntityKind, { sql: string; columns: readonly string[] }>();

/** The UPDATE of a document row by sid (`?` placeholders) and its values. It sets the data, the unique key only
 *  for the kinds that have one, and the kind's UPDATED_COLUMNS: SQLite rewrites an index whenever an UPDATE
 *  sets its column, even to the value it had, and the unique_key index of a task or a reservation holds nothing
 *  but NULLs (2 WAL pages per update instead of 1; 18 against 6 µs each alone). */
export function documentUpdate(kind: EntityKind, e: Record<string, any>): { sql: string; values: unknown[] } {
  const keyed = KEYED_KINDS.has(kind);
  const values: unknown[] = keyed ? [uniqueKey(kind, e), JSON.stringify(e)] : [JSON.stringify(e)];
  for (const value of updatedColumnValues(kind, e)) values.push(value);
  values.push(e.sid);
  let sql = updateTexts.get(kind);
  if (sql === undefined) {
    const sets = [...(keyed ? ['unique_key = ?'] : []), 'data = ?', ...(UPDATED_COLUMNS[kind] ?? NO_UPDATED_COLUMNS).map((c) => `${c.column} = ?`)];
    updateTexts.set(kind, (sql = `UPDATE ${TABLE[kind]} SET ${sets.join(', ')} WHERE sid = ?`));
  }
  return { sql, values };
}
const updateTexts = new Map<EntityKind, string>();

/** The values of the kind's UPDATED_COLUMNS in a document, in their order. */
export function updatedColumnValues(kind: EntityKind, e: Record<string, unknown>): unknown[] {
  return (UPDATED_COLUMNS[kind] ?? NO_UPDATED_COLUMNS).map((c) => e[c.field] ?? null);
}
function insertSql(kind: EntityKind): { sql: string; columns: readonly string[] } {
  let insert = insertTexts.get(kind);
  if (insert === undefined) {
    const columns = ['sid', 'account_sid', 'workspace_sid', 'unique_key', 'data', ...Object.values(KIND_COLUMNS[kind] ?? NO_COLUMNS)];
    insertTexts.set(kind, (insert = { sql: `INSERT INTO ${TABLE[kind]} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns }));
  }
  return insert;
}

/** Keys that must be unique, derived per kind (the database enforces them even if a check above is missed). */
const UNIQUE_KEYS: Partial<Record<EntityKind, (e: any) => string>> = {
  worker: (e) => `${e.workspaceSid}:${String(e.friendlyName).toLowerCase()}`,
  taskChannel: (e) => `${e.workspaceSid}:${String(e.uniqueName).toLowerCase()}`,
  workerChannel: (e) => `${e.workerSid}:${e.taskChannelSid}`,
  // Opsflow variables are named within their domain and workspace.
  opsVariable: (e) => `${e.accountSid}:${e.workspace_id}:${e.name}`,
  // LUSID ids are case-sensitive.
  wfDefinition: lusidKey,
  wfWorker: lusidKey,
  wfWorkflow: lusidKey,
  wfEventHandler: lusidKey,
};
function lusidKey(e: any): string {
  return `${e.accountSid}:${e.scope}/${e.code}`;
}

/** The kinds whose documents have a unique key; every other kind's is always null. */
export const KEYED_KINDS: ReadonlySet<EntityKind> = new Set(Object.keys(UNIQUE_KEYS) as EntityKind[]);

/** A document's unique key, or null for a kind that has none. */
export function uniqueKey(kind: EntityKind, e: any): string | null {
  return UNIQUE_KEYS[kind]?.(e) ?? null;
}

export const TASK_COLUMNS = Object.keys(OPS_KEYS.task);
const TASK_JSON_COLUMNS = new Set(['data', 'files', 'mentions']);

export function taskToRow(t: OpsTask): unknown[] {
  return TASK_COLUMNS.map((c) => {
    const v = (t as unknown as Record<string, unknown>)[c];
    return TASK_JSON_COLUMNS.has(c) ? JSON.stringify(v) : v;
  });
}

export function taskFromRow(row: Record<string, unknown>): OpsTask {
  const t: Record<string, unknown> = {};
  for (const c of TASK_COLUMNS) t[c] = TASK_JSON_COLUMNS.has(c) ? JSON.parse(String(row[c])) : row[c];
  return t as unknown as OpsTask;
}

/** event_data fields kept in their own columns (migrations 0006, 0007; the first three indexed). */
export const INDEXED_EVENT_FIELDS = new Set(['task_sid', 'worker_sid', 'reservation_sid', 'task_queue_sid', 'workflow_sid', 'task_channel_sid']);


/** The columns of an events row, in insert order (see EVENT_INSERT_COLUMNS): the record, then the event_data
 *  fields held in their own columns (text, or whole numbers). */
export const EVENT_INSERT_COLUMNS = ['sid', 'account_sid', 'workspace_sid', 'event_type', 'resource_sid', 'date_ms', 'data', 'task_sid', 'worker_sid',
  'reservation_sid', 'task_queue_sid', 'workflow_sid', 'task_channel_sid', 'task_age', 'task_age_in_queue', 'previous_activity_sid', 'previous_activity_ms'];

/** The INSERT of `count` event rows (`?` placeholders), built once per row count (every commit group runs one). */
export function eventInsertSql(count: number): string {
  let sql = eventInsertTexts[count];
  if (sql === undefined) {
    const one = `(${EVENT_INSERT_COLUMNS.map(() => '?').join(', ')})`;
    sql = eventInsertTexts[count] = `INSERT INTO events (${EVENT_INSERT_COLUMNS.join(', ')}) VALUES ${Array(count).fill(one).join(', ')}`;
  }
  return sql;
}
const eventInsertTexts: string[] = [];

export function eventRow(event: EventRecord): unknown[] {
  const d = event.eventData;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const int = (v: unknown) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Math.trunc(Number(v)));
  return [
    event.sid, event.accountSid, event.workspaceSid, event.eventType, event.resourceSid, event.dateMs, JSON.stringify(compactEvent(event)),
    text(d.task_sid), text(d.worker_sid), text(d.reservation_sid), text(d.task_queue_sid), text(d.workflow_sid), text(d.task_channel_sid),
    int(d.task_age), int(d.task_age_in_queue), text(d.worker_previous_activity_sid), int(d.worker_time_in_previous_activity_ms),
  ];
}

// ---- An event's data column holds what its other columns do not -------------------------------------------
//
// An event row's columns already hold its sid, account, workspace, type, resource and time, and the six SIDs of
// its event_data that queries filter by; event_data's workspace_sid and the actor are most often the workspace
// and the account. Over 3,000 events of bench:http, 46% of the JSON repeated those values. So `data` holds `[]`
// in their place and reads put them back from the columns. `[]` cannot be a real value there: the record's
// fields are strings and a number, event_data's values are scalars, and a field is replaced only when its column
// holds it exactly (a string for a SID column, a whole number for date_ms, the very SID for workspace_sid and the
// actor). Keys keep their place, so an event reads back with its keys in the order it was written. Rows written
// whole before this change read back the same: no migration. Fields queried through the JSON (the ages, the
// previous activity, any other event_data field an Events filter names) stay in it.

/** The record fields held by an event row's columns, by column. */
const EVENT_RECORD_COLUMNS = [['sid', 'sid'], ['accountSid', 'account_sid'], ['workspaceSid', 'workspace_sid'], ['eventType', 'event_type'], ['resourceSid', 'resource_sid']] as const;

/** What an event is read back from: its data and the columns that hold the rest. */
export const EVENT_READ_COLUMNS = ['data', 'date_ms', ...EVENT_RECORD_COLUMNS.map(([, c]) => c), ...INDEXED_EVENT_FIELDS].join(', ');

const HELD: readonly never[] = Object.freeze([]);

/** The event with the values its row's columns hold replaced by `[]` (see above). */
function compactEvent(event: EventRecord): unknown {
  const data: Record<string, unknown> = {};
  const d = event.eventData;
  for (const key in d) {
    const v = d[key];
    data[key] = typeof v === 'string' && (INDEXED_EVENT_FIELDS.has(key) || (key === 'workspace_sid' && v === event.workspaceSid)) ? HELD : v;
  }
  const record: Record<string, unknown> = { ...event, eventData: data };
  for (const [field] of EVENT_RECORD_COLUMNS) if (typeof record[field] === 'string') record[field] = HELD;
  if (Number.isSafeInteger(record.dateMs)) record.dateMs = HELD;
  if (typeof event.actorSid === 'string' && event.actorSid === event.accountSid) record.actorSid = HELD;
  return record;
}

/** An event row as read with EVENT_READ_COLUMNS. */
export type EventReadRow = { data: string; date_ms: number | string } & Record<string, unknown>;

/** The event a row holds: its data with the held values put back from the columns. */
export function eventFromRow(row: EventReadRow): EventRecord {
  const event = JSON.parse(row.data) as Record<string, unknown> & { eventData: Record<string, unknown> };
  for (const [field, column] of EVENT_RECORD_COLUMNS) if (Array.isArray(event[field])) event[field] = row[column];
  // PostgreSQL returns bigint as text.
  if (Array.isArray(event.dateMs)) event.dateMs = Number(row.date_ms);
  if (Array.isArray(event.actorSid)) event.actorSid = row.account_sid;
  const d = event.eventData;
  for (const field of INDEXED_EVENT_FIELDS) if (Array.isArray(d[field])) d[field] = row[field];
  if (Array.isArray(d.workspace_sid)) d.workspace_sid = row.workspace_sid;
  return event as unknown as EventRecord;
}

/** What a keyset page of `table` selects beside `seq`, and how a row becomes its document: events with the
 *  columns their data leaves out, every other table from its data. */
export function pageReader(table: string): { columns: string; decode: (row: { data: string }) => any } {
  return table === 'events' ? EVENT_PAGE : DOCUMENT_PAGE;
}
const DOCUMENT_PAGE = { columns: 'seq, data', decode: (row: { data: string }) => JSON.parse(row.data) };
const EVENT_PAGE = { columns: `seq, ${EVENT_READ_COLUMNS}`, decode: (row: { data: string }) => eventFromRow(row as EventReadRow) };

/** How far an event's time may lie from the time its sid carries (events written before sids carried their
 *  event's exact time had the two a few milliseconds apart). */
export const EVENT_SID_TIME_SLACK_MS = 60_000;

/** What differs between the stores' WHERE clauses: how a document field is read, the false literal, and how a
 *  filter value is bound. */
export interface WhereDialect {
  documentField(name: string): string;
  eventDataField(name: string): string;
  never: string;
  always: string;
  value(v: string | number | boolean): unknown;
}

/** The WHERE clause of an entity read (`?` placeholders): tenancy keys and the kind's own columns by column,
 *  other fields from the JSON. */
export function whereClause(kind: EntityKind, where: Record<string, FieldFilter | undefined>, dialect: WhereDialect): { sql: string; params: unknown[] } {
  const own = KIND_COLUMNS[kind];
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [field, filter] of Object.entries(where)) {
    if (filter === undefined) continue;
    if (!/^[A-Za-z_]+$/.test(field)) throw new Error(`bad field name ${field}`);
    const col = COLUMN[field] ?? own?.[field] ?? dialect.documentField(field);
    if (filter === null) {
      clauses.push(`${col} IS NULL`);
    } else if (typeof filter === 'object' && 'ci' in filter) {
      clauses.push(`lower(${col}) = lower(?)`);
      params.push(filter.ci);
    } else if (typeof filter === 'object' && 'notNull' in filter) {
      clauses.push(`${col} IS NOT NULL`);
    } else if (typeof filter === 'object' && 'in' in filter) {
      if (filter.in.length === 0) {
        clauses.push(dialect.never);
      } else {
        clauses.push(`${col} IN (${filter.in.map(() => '?').join(',')})`);
        params.push(...filter.in.map(dialect.value));
      }
    } else {
      clauses.push(`${col} = ?`);
      params.push(dialect.value(filter));
    }
  }
  return { sql: clauses.length ? clauses.join(' AND ') : dialect.always, params };
}

/** An event_data field no column of its own holds, read from the JSON; event_data's workspace_sid is `[]` there
 *  where it is the row's workspace (see compactEvent), and then the workspace column answers. */
function eventDataExpression(field: string, dialect: WhereDialect): string {
  const inJson = dialect.eventDataField(field);
  return field === 'workspace_sid' ? `(CASE WHEN ${inJson} = '[]' THEN workspace_sid ELSE ${inJson} END)` : inJson;
}

/** The WHERE clause of an event-log read: the indexed fields by column, the others from the JSON. */
export function eventWhereClause(q: EventQuery, dialect: WhereDialect): { sql: string; params: unknown[] } {
  const parts = ['workspace_sid = ?', 'date_ms >= ?', 'date_ms <= ?'];
  const params: unknown[] = [q.workspaceSid, q.fromMs, q.toMs];
  if (q.eventTypes?.length) {
    parts.push(`event_type IN (${q.eventTypes.map(() => '?').join(', ')})`);
    params.push(...q.eventTypes);
  }
  for (const [field, values] of Object.entries(q.data ?? {})) {
    if (!/^[a-z_]+$/.test(field)) throw new Error(`bad event field ${field}`);
    const column = INDEXED_EVENT_FIELDS.has(field) ? field : eventDataExpression(field, dialect);
    // No value matches nothing (PostgreSQL has no `IN ()`).
    if (values.length === 0) {
      parts.push(dialect.never);
      continue;
    }
    parts.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  }
  return { sql: parts.join(' AND '), params };
}

// ---- Per-minute rollups of the event log (migrations 0034, 0040 / 0043) --------------------------------------
//
// Cumulative statistics sum the events of a window. Summing the raw rows costs O(events in the window) (a
// 30-day window of a busy workspace is millions of rows), so the events are also summed into per-minute rollup
// rows. A statistics request then reads O(minutes in the window) rollup rows plus raw events: those of the two
// partial edge minutes, and those not folded into the rollups yet (below).
//
// * `event_minutes` is keyed by (workspace, minute, event type, workflow, task queue, task channel): the scope
//   dimensions the workspace, workflow and queue statistics filter by. Every event type is rolled up (so the
//   store needs no list of the types statistics use).
// * `worker_minutes` is keyed by (workspace, minute, worker, event type, task channel, previous activity) and
//   holds only reservation.* events and worker.activity.update events that carry the time spent in the
//   previous activity: what the worker statistics read. Kept apart so the task-scope rollup does not grow
//   with the number of workers.
//
// Each row holds the count and, for task age and task age in queue (whole seconds, missing = 0), the sum,
// minimum and maximum; worker rows also the time in the previous activity (whole seconds). Sums add, minima
// and maxima combine, so the rollup answers equal the raw aggregate exactly. A missing dimension is stored as
// '' (part of the key; NULLs would not conflict in the UPSERT), which no filter value (a SID) ever equals.
// Only TaskRouter workspaces' logs are rolled up (statistics exist only there): the Workflow and Opsflow logs
// (`workflow:AC...`, `opsflow:AC...`) are written by any node of a cluster.
//
// **Folds.** The rollups are not written with each commit group: a workspace's events are folded into them
// by SQL, in one of its own commit groups, once it has written ROLLUP_FOLD_EVERY events since its last fold
// (rollupFolds.ts). `rollup_marks` holds, per workspace, the position (`seq`) of the last event folded; a fold
// sums the events after it into the rollup rows and moves it to the workspace's last event, all in the group's
// transaction, so the rollups and the mark always agree with the events. Per commit group, writing the rollups
// with the events (a JavaScript sum and one UPSERT of every key the group touched) cost about a sixth of
// PostgreSQL's time for a lifecycle and 3 to 10% of a SQLite server's CPU; a fold sums a few hundred events
// in one statement. Nothing is lost to a crash: unfolded events are events, and the next fold takes them.
// The groups that write a TaskRouter workspace's events are its owner's (the only process that routes it, or
// the lease holder, fenced), one after the other, so the events after the mark are exactly those not folded
// (on PostgreSQL a node of an earlier version rolls up its own groups' events; migration 0043's trigger folds
// what came before them and moves the mark past them).
// Statistics add those (at most about ROLLUP_FOLD_EVERY plus a group's events, read by the (workspace, seq)
// index) to the rollups, in the same statement, so they see every committed event. Retention deletes
// expired events whether folded or not: it deletes their minutes' rollup rows too (a fold that lands after it
// brings some back, and the next pass deletes them).

/** Whether a log (an event's workspace_sid) has rollups. */
export const rolledUp = (workspaceSid: string) => workspaceSid.startsWith('WS');

export const MINUTE_MS = 60_000;

/** The columns a fold and a rollup read take from the events (not `data`, most of a row's bytes). */
const ROLLED_COLUMNS = 'seq, workspace_sid, date_ms, event_type, workflow_sid, task_queue_sid, task_channel_sid, worker_sid, task_age, task_age_in_queue, previous_activity_sid, previous_activity_ms';

/** The position of a workspace's last folded event (0: none), as a scalar subquery with one `?` (the
 *  workspace). */
const FOLD_MARK = `coalesce((SELECT seq FROM rollup_marks WHERE workspace_sid = ?), 0)`;

/** The event_minutes rows of the events of `source` (a table or subquery with the events' columns). */
function eventMinutesSelect(source: string, where: string): string {
  return `SELECT workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, ''), count(*),
    sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)),
    sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0))
  FROM ${source} WHERE ${where}
  GROUP BY workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, '')`;
}

/** The worker_minutes rows of the events of `source`: reservation.* events and activity updates that carry
 *  the time in the previous activity (whole seconds: integer division truncates, as in both databases). */
function workerMinutesSelect(source: string, where: string): string {
  return `SELECT workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, ''), count(*),
    sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)),
    sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0)),
    sum(coalesce(previous_activity_ms / 1000, 0)), min(coalesce(previous_activity_ms / 1000, 0)), max(coalesce(previous_activity_ms / 1000, 0))
  FROM ${source} WHERE ${where} AND (event_type LIKE 'reservation.%' OR (event_type = 'worker.activity.update' AND previous_activity_ms IS NOT NULL))
  GROUP BY workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, '')`;
}

const EVENT_MINUTE_KEYS = 'workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid';
const WORKER_MINUTE_KEYS = 'workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid';
const MEASURES = ['n', 'a_sum', 'a_min', 'a_max', 'q_sum', 'q_min', 'q_max'];
const WORKER_MEASURES = [...MEASURES, 's_sum', 's_min', 's_max'];

/** ON CONFLICT's update of a rollup row: counts and sums add, minima and maxima combine (`least`/`greatest`:
 *  SQLite's min and max of two values, PostgreSQL's least and greatest). */
function combine(table: string, keys: string, measures: readonly string[], least: string, greatest: string): string {
  const set = measures.map((m) => {
    if (m === 'n' || m.endsWith('_sum')) return `${m} = ${table}.${m} + excluded.${m}`;
    return `${m} = ${m.endsWith('_min') ? least : greatest}(${table}.${m}, excluded.${m})`;
  });
  return `ON CONFLICT (${keys}) DO UPDATE SET ${set.join(', ')}`;
}

/** The SQL of a fold (see "Folds" above), for a database whose min and max of two values are `least` and
 *  `greatest`; each `?` is the workspace. */
export interface RollupFold {
  /** SQLite: three statements, run in order in the group's transaction (its one writer sees them as one). */
  statements: string[];
  /** PostgreSQL: one statement (its CTEs read one snapshot, so the events summed and the mark moved to are the
   *  same), a round trip's part instead of three. */
  single: string;
}

export function rollupFoldSql(least: string, greatest: string): RollupFold {
  const unfolded = `workspace_sid = ? AND seq > ${FOLD_MARK}`;
  const intoMinutes = `INSERT INTO event_minutes (${EVENT_MINUTE_KEYS}, ${MEASURES.join(', ')})`;
  const intoWorkers = `INSERT INTO worker_minutes (${WORKER_MINUTE_KEYS}, ${WORKER_MEASURES.join(', ')})`;
  const minutesUpdate = combine('event_minutes', EVENT_MINUTE_KEYS, MEASURES, least, greatest);
  const workersUpdate = combine('worker_minutes', WORKER_MINUTE_KEYS, WORKER_MEASURES, least, greatest);
  const lastEvent = `(SELECT max(seq) FROM events WHERE workspace_sid = ?)`;
  const markUpdate = `ON CONFLICT (workspace_sid) DO UPDATE SET seq = excluded.seq`;
  return {
    statements: [
      `${intoMinutes} ${eventMinutesSelect('events', unfolded)} ${minutesUpdate}`,
      `${intoWorkers} ${workerMinutesSelect('events', unfolded)} ${workersUpdate}`,
      `INSERT INTO rollup_marks (workspace_sid, seq) SELECT w, s FROM (SELECT ? AS w, ${lastEvent} AS s) AS last WHERE s IS NOT NULL ${markUpdate}`,
    ],
    single: `WITH fresh AS MATERIALIZED (SELECT ${ROLLED_COLUMNS} FROM events WHERE ${unfolded}),
      minutes AS (${intoMinutes} ${eventMinutesSelect('fresh', 'true')} ${minutesUpdate}),
      workers AS (${intoWorkers} ${workerMinutesSelect('fresh', 'true')} ${workersUpdate})
      INSERT INTO rollup_marks (workspace_sid, seq) SELECT ?, max(seq) FROM fresh HAVING max(seq) IS NOT NULL ${markUpdate}`,
  };
}

/** The events a statistics read adds to the rollups: a workspace's events not folded yet (`?`: the workspace,
 *  twice), read by the (workspace, seq) index and nothing else (MATERIALIZED: the window's and the filters'
 *  conditions, applied outside, must not steer the read to an index over the whole window). */
const UNFOLDED_CTE = `WITH unfolded AS MATERIALIZED (SELECT ${ROLLED_COLUMNS} FROM events WHERE workspace_sid = ? AND seq > ${FOLD_MARK})`;

/** A window cut at whole minutes: the rollup minutes [first, end) and the raw edges before and after them.
 *  A window that ends now (`untilNow`) takes its unfinished last minute from the rollup too: that minute's
 *  rollup holds exactly its events so far, and reading them raw would cost up to a minute of events per
 *  request (at 2,000 events/s, 120,000 rows: the soak's statistics rose from 12 to 300 ms each minute). */
export function wholeMinutes(fromMs: number, toMs: number, untilNow = false): { first: number; end: number; edges: [number, number][] } | undefined {
  const first = Math.ceil(fromMs / MINUTE_MS);
  let end = Math.floor((toMs + 1) / MINUTE_MS);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(end) || end <= first) return undefined;
  const edges: [number, number][] = [];
  if (fromMs < first * MINUTE_MS) edges.push([fromMs, first * MINUTE_MS - 1]);
  if (end * MINUTE_MS <= toMs) {
    if (untilNow) end++;
    else edges.push([end * MINUTE_MS, toMs]);
  }
  return { first, end, edges };
}

function rollupFilter(q: EventQuery, dialect: WhereDialect, first: number, end: number, extra: string[] = []): { sql: string; params: unknown[] } {
  const parts = ['workspace_sid = ?', 'minute >= ?', 'minute < ?', ...extra];
  const params: unknown[] = [q.workspaceSid, first, end];
  if (q.eventTypes?.length) {
    parts.push(`event_type IN (${q.eventTypes.map(() => '?').join(', ')})`);
    params.push(...q.eventTypes);
  }
  for (const [field, values] of Object.entries(q.data ?? {})) {
    if (values.length === 0) {
      parts.push(dialect.never);
      continue;
    }
    parts.push(`${field} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  }
  return { sql: parts.join(' AND '), params };
}

const TASK_SCOPE_FIELDS = new Set(['workflow_sid', 'task_queue_sid', 'task_channel_sid']);
const WORKER_SCOPE_FIELDS = new Set(['worker_sid', 'task_channel_sid']);

/** The totals per event type summed from the events themselves (when the rollups cannot answer), in the
 *  columns rollupTotalsSql answers, then one count per age threshold (`aboveColumn(i)`: the dialect's
 *  ", <count of task_age over the i-th threshold>" column; its parameter comes first). */
export function rawEventTotalsSql(where: { sql: string; params: unknown[] }, ageThresholds: readonly number[], aboveColumn: (i: number) => string): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT event_type AS type, count(*) AS n,
       sum(coalesce(task_age, 0)) AS a_sum, min(coalesce(task_age, 0)) AS a_min, max(coalesce(task_age, 0)) AS a_max,
       sum(coalesce(task_age_in_queue, 0)) AS q_sum, min(coalesce(task_age_in_queue, 0)) AS q_min, max(coalesce(task_age_in_queue, 0)) AS q_max${ageThresholds.map((_, i) => aboveColumn(i)).join('')}
     FROM events WHERE ${where.sql} GROUP BY event_type`,
    params: [...ageThresholds, ...where.params],
  };
}

/**
 * The per-type totals of a statistics window (the columns `type, n, a_sum, a_min, a_max, q_sum, q_min, q_max`,
 * `?` placeholders) read from the rollups for the whole minutes and from the events for the partial edge
 * minutes and for the events not folded yet; undefined when the rollups cannot answer the query (a filter on
 * another field, worker filters with non-reservation types, or a window shorter than a whole minute): then the
 * caller sums the events.
 */
export function rollupTotalsSql(q: EventQuery, dialect: WhereDialect): { sql: string; params: unknown[] } | undefined {
  if (!rolledUp(q.workspaceSid)) return undefined;
  const fields = Object.keys(q.data ?? {});
  let table: 'event_minutes' | 'worker_minutes';
  if (fields.every((f) => TASK_SCOPE_FIELDS.has(f))) table = 'event_minutes';
  else if (fields.every((f) => WORKER_SCOPE_FIELDS.has(f)) && q.eventTypes?.length && q.eventTypes.every((t) => t.startsWith('reservation.'))) table = 'worker_minutes';
  else return undefined;
  const cut = wholeMinutes(q.fromMs, q.toMs, q.untilNow);
  if (!cut) return undefined;
  const r = rollupFilter(q, dialect, cut.first, cut.end);
  const raw = rawEvents(q, cut, dialect, `SELECT event_type, 1, coalesce(task_age, 0), coalesce(task_age, 0), coalesce(task_age, 0),
    coalesce(task_age_in_queue, 0), coalesce(task_age_in_queue, 0), coalesce(task_age_in_queue, 0)`, '');
  return {
    sql: `${UNFOLDED_CTE} SELECT t AS type, sum(n) AS n, sum(a_sum) AS a_sum, min(a_min) AS a_min, max(a_max) AS a_max, sum(q_sum) AS q_sum, min(q_min) AS q_min, max(q_max) AS q_max
      FROM (SELECT event_type AS t, n, a_sum, a_min, a_max, q_sum, q_min, q_max FROM ${table} WHERE ${r.sql}${raw.sql}) AS r GROUP BY t`,
    params: [q.workspaceSid, q.workspaceSid, ...r.params, ...raw.params],
  };
}

/** What a rollup read adds from the events themselves, as `UNION ALL` parts selecting `columns`: the partial
 *  edge minutes' events, and the events of the whole minutes not folded yet (from UNFOLDED_CTE). */
function rawEvents(q: EventQuery, cut: { first: number; end: number; edges: [number, number][] }, dialect: WhereDialect, columns: string, and: string): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  const part = (source: string, fromMs: number, toMs: number) => {
    const w = eventWhereClause({ ...q, fromMs, toMs }, dialect);
    sql += ` UNION ALL ${columns} FROM ${source} WHERE ${w.sql}${and}`;
    params.push(...w.params);
  };
  for (const [from, to] of cut.edges) part('events', from, to);
  part('unfolded', cut.first * MINUTE_MS, cut.end * MINUTE_MS - 1);
  return { sql, params };
}

/** The time in each previous activity over a window (columns `a, n, s, lo, hi`), from worker_minutes plus the
 *  raw edge minutes and the events not folded yet; undefined when the rollups cannot answer it (then the caller
 *  sums the events). A missing previous activity comes out as '' (the raw aggregate groups it as NULL). */
export function rollupActivitySql(q: EventQuery, dialect: WhereDialect): { sql: string; params: unknown[] } | undefined {
  if (!rolledUp(q.workspaceSid) || !Object.keys(q.data ?? {}).every((f) => WORKER_SCOPE_FIELDS.has(f))) return undefined;
  const cut = wholeMinutes(q.fromMs, q.toMs, q.untilNow);
  if (!cut) return undefined;
  const activity = { ...q, eventTypes: ['worker.activity.update'] };
  const r = rollupFilter(activity, dialect, cut.first, cut.end);
  const seconds = 'previous_activity_ms / 1000';
  const raw = rawEvents(activity, cut, dialect, `SELECT coalesce(previous_activity_sid, ''), 1, ${seconds}, ${seconds}, ${seconds}`, ' AND previous_activity_ms IS NOT NULL');
  return {
    sql: `${UNFOLDED_CTE} SELECT act AS a, sum(n) AS n, sum(s_sum) AS s, min(s_min) AS lo, max(s_max) AS hi
      FROM (SELECT activity_sid AS act, n, s_sum, s_min, s_max FROM worker_minutes WHERE ${r.sql}${raw.sql}) AS r GROUP BY act`,
    params: [q.workspaceSid, q.workspaceSid, ...r.params, ...raw.params],
  };
}
