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

/** Keys that must be unique, derived per kind (the database enforces them even if a check above is missed). */
export function uniqueKey(kind: EntityKind, e: any): string | null {
  switch (kind) {
    case 'worker':
      return `${e.workspaceSid}:${String(e.friendlyName).toLowerCase()}`;
    case 'taskChannel':
      return `${e.workspaceSid}:${String(e.uniqueName).toLowerCase()}`;
    case 'workerChannel':
      return `${e.workerSid}:${e.taskChannelSid}`;
    // Opsflow variables are named within their domain and workspace.
    case 'opsVariable':
      return `${e.accountSid}:${e.workspace_id}:${e.name}`;
    // LUSID ids are case-sensitive.
    case 'wfDefinition':
    case 'wfWorker':
    case 'wfWorkflow':
    case 'wfEventHandler':
      return `${e.accountSid}:${e.scope}/${e.code}`;
    default:
      return null;
  }
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

export function eventRow(event: EventRecord): unknown[] {
  const d = event.eventData;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const int = (v: unknown) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Math.trunc(Number(v)));
  return [
    event.sid, event.accountSid, event.workspaceSid, event.eventType, event.resourceSid, event.dateMs, JSON.stringify(event),
    text(d.task_sid), text(d.worker_sid), text(d.reservation_sid), text(d.task_queue_sid), text(d.workflow_sid), text(d.task_channel_sid),
    int(d.task_age), int(d.task_age_in_queue), text(d.worker_previous_activity_sid), int(d.worker_time_in_previous_activity_ms),
  ];
}

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

/** The WHERE clause of an entity read (`?` placeholders): tenancy keys by column, other fields from the JSON. */
export function whereClause(where: Record<string, FieldFilter | undefined>, dialect: WhereDialect): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [field, filter] of Object.entries(where)) {
    if (filter === undefined) continue;
    if (!/^[A-Za-z_]+$/.test(field)) throw new Error(`bad field name ${field}`);
    const col = COLUMN[field] ?? dialect.documentField(field);
    if (filter === null) {
      clauses.push(`${col} IS NULL`);
    } else if (typeof filter === 'object' && 'ci' in filter) {
      clauses.push(`lower(${col}) = lower(?)`);
      params.push(filter.ci);
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
    const column = INDEXED_EVENT_FIELDS.has(field) ? field : dialect.eventDataField(field);
    parts.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  }
  return { sql: parts.join(' AND '), params };
}
