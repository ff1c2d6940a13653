// The entities and queries of the Opsflow face (SpaceONE opsflow: boards of tasks whose statuses fall in TODO /
// IN_PROGRESS / COMPLETED buckets). The domain is the account; tasks also carry a workspace and a project.
// Dates are epoch milliseconds; the face renders them as ISO-8601.

export type StatusType = 'TODO' | 'IN_PROGRESS' | 'COMPLETED';
export const STATUS_TYPES: readonly StatusType[] = ['TODO', 'IN_PROGRESS', 'COMPLETED'];
export type OpsPriority = 'HIGH' | 'MEDIUM' | 'LOW' | 'NONE';

/** The event-log stream of an account's Opsflow face. */
export function opsflowStream(accountSid: string): string {
  return `opsflow:${accountSid}`;
}

/** A task's deletion, kept in the stream for operators but not an Opsflow event (the EventType of opsflow v1 has
 *  no DELETED): event/list and event/stat leave it out. */
export const OPS_UNLISTED_EVENT_TYPE = 'opsflow.deleted';

export interface StatusOption {
  status_id: string;
  name: string;
  color: string;
  is_default: boolean;
}
export type StatusOptions = Record<StatusType, StatusOption[]>;

export interface TaskField {
  field_id: string;
  name: string;
  description: string;
  field_type: string;
  options: Record<string, unknown>;
  selection_type: 'SINGLE' | 'MULTI' | 'SELECTION_NONE';
  is_required: boolean;
  is_primary: boolean;
}

export interface OpsCategory {
  sid: string; // category_id
  accountSid: string;
  name: string;
  description: string;
  status_options: StatusOptions;
  fields: TaskField[];
  state: 'ENABLED' | 'DELETED';
  vars: Record<string, unknown>;
  tags: Record<string, unknown>;
  package_id: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** A task type: extra fields, who may be assigned, or (Switchboard's own) a TaskRouter workflow that picks the
 *  assignee. */
export interface OpsTaskType {
  sid: string; // task_type_id
  accountSid: string;
  category_id: string;
  name: string;
  description: string;
  fields: TaskField[];
  assignee_pool: string[];
  require_project: boolean;
  routing: { workspace_sid: string; workflow_sid: string; task_channel?: string } | null;
  vars: Record<string, unknown>;
  tags: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

export interface Mentions {
  USER: string[];
  USER_GROUP: string[];
}

/** A task row (ops_tasks has one column per field). */
export interface OpsTask {
  task_id: string;
  domain_id: string;
  workspace_id: string;
  project_id: string | null;
  category_id: string;
  task_type_id: string;
  name: string;
  status_id: string;
  status_type: StatusType;
  priority: OpsPriority;
  description: string | null;
  assignee: string | null;
  created_by: string;
  reference_id: string | null;
  data: Record<string, unknown>;
  files: string[];
  mentions: Mentions;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  completed_at: number | null;
  /** Seconds from creation to the first IN_PROGRESS. */
  started_duration: number | null;
  /** Seconds from the first IN_PROGRESS to COMPLETED. */
  in_progress_duration: number | null;
  /** Seconds from creation to COMPLETED. */
  completed_duration: number | null;
}

export interface OpsComment {
  sid: string; // comment_id
  accountSid: string;
  task_id: string;
  /** The task's workspace and project, copied at creation: a workspace-scoped caller sees only its own
   *  workspace's comments (migration 0013 filled them in for comments made before). */
  workspace_id: string;
  project_id: string | null;
  comment: string;
  comment_type: 'COMMENT' | 'TASK_DESCRIPTION';
  is_edited: boolean;
  mentions: Mentions;
  /** Where the comment came from ({name, icon} in the console), and the caller's own reference; comments made
   *  before these existed have neither. */
  source?: Record<string, unknown>;
  reference_id?: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** A variable (opsflow v1 Variable): a named string value of a workspace, named uniquely within it. */
export interface OpsVariable {
  sid: string; // internal id; the face names a variable by `name` in its workspace
  accountSid: string;
  workspace_id: string;
  name: string;
  value: string;
  tags: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

/** A TaskRouter task routing an opsflow task (sid = the WT SID), until it ends. */
export interface OpsRoute {
  sid: string;
  accountSid: string;
  workspaceSid: string;
  task_id: string;
}

// ---------------------------------------------------------------- queries

/** The collections the list and stat queries run over. */
export type OpsCollection = 'task' | 'category' | 'taskType' | 'comment' | 'event' | 'variable';

export type KeyKind = 'string' | 'number' | 'datetime' | 'boolean' | 'json';

/** The keys each collection can be filtered, sorted and grouped by (a task's custom fields as `data.<name>`). */
export const OPS_KEYS: Record<OpsCollection, Record<string, KeyKind>> = {
  task: {
    task_id: 'string', domain_id: 'string', workspace_id: 'string', project_id: 'string', category_id: 'string', task_type_id: 'string',
    name: 'string', status_id: 'string', status_type: 'string', priority: 'string', description: 'string', assignee: 'string',
    created_by: 'string', reference_id: 'string', files: 'json', mentions: 'json', data: 'json',
    created_at: 'datetime', updated_at: 'datetime', started_at: 'datetime', completed_at: 'datetime',
    started_duration: 'number', in_progress_duration: 'number', completed_duration: 'number',
  },
  category: { category_id: 'string', name: 'string', description: 'string', state: 'string', package_id: 'string', domain_id: 'string', created_at: 'datetime', updated_at: 'datetime', deleted_at: 'datetime', tags: 'json', vars: 'json' },
  taskType: { task_type_id: 'string', category_id: 'string', name: 'string', description: 'string', require_project: 'boolean', assignee_pool: 'json', domain_id: 'string', created_at: 'datetime', updated_at: 'datetime', tags: 'json', vars: 'json' },
  comment: { comment_id: 'string', task_id: 'string', comment: 'string', comment_type: 'string', is_edited: 'boolean', created_by: 'string', mentions: 'json', source: 'json', reference_id: 'string', domain_id: 'string', workspace_id: 'string', project_id: 'string', created_at: 'datetime', updated_at: 'datetime' },
  variable: { name: 'string', value: 'string', tags: 'json', domain_id: 'string', workspace_id: 'string', created_at: 'datetime', updated_at: 'datetime' },
  event: { event_id: 'string', event_type: 'string', task_id: 'string', name: 'string', description: 'string', created_type: 'string', created_by: 'string', domain_id: 'string', workspace_id: 'string', project_id: 'string', created_at: 'datetime', additional_info: 'json' },
};

export type OpsOperator =
  | 'eq' | 'not' | 'lt' | 'lte' | 'gt' | 'gte' | 'exists' | 'contain' | 'not_contain' | 'in' | 'not_in' | 'contain_in' | 'not_contain_in'
  | 'regex' | 'regex_in' | 'datetime_gt' | 'datetime_gte' | 'datetime_lt' | 'datetime_lte' | 'timediff_gt' | 'timediff_gte' | 'timediff_lt' | 'timediff_lte';

/** One filter condition, decoded: `key` is a known key or `data.<name>`/`tags.<name>`; datetime and timediff
 *  values are already epoch milliseconds. */
export interface OpsCondition {
  key: string;
  operator: OpsOperator;
  value: unknown;
}

export interface OpsScope {
  domainId: string;
  /** Conditions the face adds (workspace, request shortcuts such as `status_type`). */
  conditions: OpsCondition[];
}

export interface OpsSearch {
  filter: OpsCondition[];
  filterOr: OpsCondition[];
  sort: { key: string; desc: boolean }[];
  offset: number;
  limit: number | undefined;
  /** The words of the query's `keyword` (split on spaces, as SpaceONE's): a row matches when any word is contained
   *  (case-insensitively) in any of the collection's keyword keys. Empty: no keyword. */
  keywords: string[];
  countOnly: boolean;
}

export type GroupOperator = 'count' | 'sum' | 'average' | 'max' | 'min' | 'first' | 'last' | 'push' | 'add_to_set';

export interface OpsGroup {
  keys: { key: string; name: string; dateFormat?: string }[];
  fields: { name: string; operator: GroupOperator; key?: string; fields?: { key: string; name: string }[]; conditions: OpsCondition[] }[];
}

/** A stat query: the filter and an optional leading unwind and group run in SQL; the later stages run on the
 *  grouped rows. */
export interface OpsStat {
  filter: OpsCondition[];
  filterOr: OpsCondition[];
  unwind: string | undefined;
  group: OpsGroup | undefined;
  distinct: string | undefined;
  /** As OpsSearch's (StatisticsQuery.keyword); absent or empty: none. */
  keywords?: string[];
  /** Without a group: the rows' keys to read (capped). */
  rowLimit: number;
}
