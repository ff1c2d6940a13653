// The persistent entities of the Workflow face (LUSID-compatible state-machine tasks), in domain form. They are
// scoped by account (LUSID has no workspaces); every change to a task is also an event in the account's
// workflow log stream (WORKFLOW_STREAM), which is where history and `asAt` reads come from.
// Dates are epoch milliseconds.
import type { FilterNode } from './lusidFilter.ts';

/** How every Workflow stream's name starts. */
export const WORKFLOW_STREAM_PREFIX = 'workflow:';

/** The event-log stream of an account's Workflow face (the events table's workspace_sid column holds it). */
export function workflowStream(accountSid: string): string {
  return `${WORKFLOW_STREAM_PREFIX}${accountSid}`;
}

export interface ResourceId {
  scope: string;
  code: string;
}

/** LUSID's VersionInfo, kept on every versioned entity. */
export interface VersionStamp {
  asAtCreated: number;
  userIdCreated: string;
  requestIdCreated: string;
  asAtModified: number;
  userIdModified: string;
  requestIdModified: string;
  asAtVersionNumber: number;
}

export type FieldType = 'String' | 'Decimal' | 'DateTime' | 'Boolean';
export type FieldValue = string | number | boolean;

export interface FieldDefinition {
  name: string;
  type: FieldType;
  readOnlyStates?: { stateType: 'InitialState' | 'AllStates' | 'TerminalState' | 'SelectedStates'; selectedStates?: string[] };
  valueConstraints?: { constraintType: 'Suggested' | 'Validated'; valueSourceType: 'AcceptableValues'; acceptableValues: FieldValue[] };
  displayName?: string;
  description?: string;
  category?: string;
  containsUrl?: boolean;
}

/** Where a value comes from: another task's field (`mapFrom`) or a constant (`setTo`). */
export interface FieldMapping {
  mapFrom?: string;
  setTo?: unknown;
}

export interface ChildTaskConfiguration {
  taskDefinitionId: ResourceId;
  taskDefinitionAsAt?: string;
  initialTrigger?: string;
  childTaskFields?: Record<string, FieldMapping>;
  mapStackingKeyFrom?: string;
}

export interface WorkerStatusTriggers {
  started?: string;
  completedWithResults?: string;
  completedNoResults?: string;
  failedToStart?: string;
  failedToComplete?: string;
}

export type ActionDetails =
  | {
      type: 'RunWorker';
      workerId: ResourceId;
      workerAsAt?: string;
      workerParameters?: Record<string, FieldMapping>;
      workerStatusTriggers?: WorkerStatusTriggers;
      childTaskConfigurations?: (ChildTaskConfiguration & { resultMatchingPattern?: { filter?: string } })[];
      workerTimeout?: number;
    }
  | { type: 'CreateChildTasks'; childTaskConfigurations: ChildTaskConfiguration[] }
  | { type: 'TriggerParentTask'; trigger: string }
  | { type: 'TriggerChildTasks'; trigger: string; filter?: string }
  | {
      // Switchboard's own: hand the task to a person through a TaskRouter workflow (docs/compatibility.md).
      type: 'RouteToWorkers';
      workspaceSid: string;
      workflowSid: string;
      taskChannel?: string;
      priority?: number;
      timeout?: number;
      attributes?: Record<string, FieldMapping>;
      completedTrigger?: string;
      canceledTrigger?: string;
    };

/** Switchboard's RouteToWorkers action is shown to LUSID's SDKs as a RunWorker of this built-in worker, whose
 *  parameters carry its settings (workflow/actionDetailsWire.ts). */
export const ROUTE_TO_WORKERS_WORKER = { scope: 'Switchboard', code: 'RouteToWorkers' } as const;

export interface ActionDefinition {
  name: string;
  runAsUserId?: string;
  actionDetails: ActionDetails;
  displayName?: string;
  description?: string;
}

export interface TransitionDefinition {
  fromState: string;
  toState: string;
  trigger: string;
  guard?: string;
  action?: string;
  displayName?: string;
  description?: string;
  guardDescription?: string;
  guardConditionNotMetMessage?: string;
}

/** A task definition's content: what CreateTaskDefinitionRequest carries besides its id. */
export interface TaskDefinitionDocument {
  displayName: string;
  description?: string;
  states: { name: string; displayName?: string; description?: string; category?: string }[];
  fieldSchema: FieldDefinition[];
  initialState: { name: string; requiredFields: string[] };
  triggers: { name: string; trigger: { type: 'External' }; displayName?: string; description?: string }[];
  transitions: TransitionDefinition[];
  actions: ActionDefinition[];
}

/** The current definition under (scope, code); its versions are kept forever so tasks stay pinned to theirs. */
export interface WfDefinition {
  sid: string;
  accountSid: string;
  scope: string;
  code: string;
  currentVersionSid: string;
  version: VersionStamp;
}

/** One immutable version of a definition. */
export interface WfDefinitionVersion {
  sid: string;
  accountSid: string;
  definitionSid: string;
  scope: string;
  code: string;
  version: VersionStamp;
  document: TaskDefinitionDocument;
}

export interface WfTask {
  /** The task id (a UUID, as LUSID's). */
  sid: string;
  accountSid: string;
  scope: string;
  code: string;
  /** `scope/code`, indexed: the tasks of one definition. */
  definitionKey: string;
  definitionVersionSid: string;
  state: string;
  fields: Record<string, FieldValue>;
  correlationIds: string[];
  stackingKey: string | null;
  parentId: string | null;
  ultimateParentId: string;
  childIds: string[];
  version: VersionStamp;
  /** When the task last changed state (null before its first transition). */
  asAtLastTransition: number | null;
  actionLogIdCreated: string | null;
  actionLogIdModified: string | null;
  actionLogIdSubmitted: string | null;
}

/** What the resources named by scope and code have (workers, workflows, event handlers; versioned in the log). */
export interface WfNamedResource {
  sid: string;
  accountSid: string;
  scope: string;
  code: string;
  displayName: string;
  description: string | null;
  version: VersionStamp;
}

/** A LUSID "worker": an automated job a RunWorker action starts (Sleep, Fail, HealthCheck, Webhook here). */
export interface WfWorker extends WfNamedResource {
  workerConfiguration: { type: 'Sleep' } | { type: 'Fail' } | { type: 'HealthCheck'; url: string } | { type: 'Webhook'; url: string; parameters?: { name: string; type: string; required?: boolean }[] };
}

export interface ActionLogItem {
  timestamp: number;
  logType: string;
  details: string;
}

/** How a worker run ended (LUSID's worker statuses), `Running` until then. */
export type WorkerRunStatus = 'Running' | 'CompletedWithResults' | 'CompletedNoResults' | 'FailedToStart' | 'FailedToComplete';

export interface WfActionLog {
  sid: string;
  accountSid: string;
  /** The task whose transition submitted the action; '' for a worker run outside a task ($run). */
  taskId: string;
  requestId: string;
  actionType: string;
  runAsUserId: string | null;
  loggedItems: ActionLogItem[];
  /** A worker run outside a task (`POST /api/workers/{scope}/{code}/$run`; its runId is this log's id): what
   *  `GET /api/workers/{runId}/$result` answers. */
  run?: { workerStatus: WorkerRunStatus; results: Record<string, unknown>[]; statusDetail: string | null };
}

/** An action waiting to run (the durable outbox of the Workflow face): written with the transition that
 *  submitted it, removed in the transaction that records its outcome. */
export interface WfPendingAction {
  sid: string;
  accountSid: string;
  taskId: string;
  actionLogId: string;
  details: ActionDetails;
  /** The user the action acts as (runAsUserId, else whoever fired the transition). */
  userId: string;
  /** Not before this time: a Sleep worker's wake-up, or the next attempt after a failure. */
  runAt: number;
  /** RunWorker progress: 'submitted' until the worker started, then 'running'. */
  phase: 'submitted' | 'running';
  /** A RunWorker's parameters, mapped when it started (given with the request for a run outside a task). */
  parameters?: Record<string, unknown>;
  attempts: number;
  /** A worker run outside a task: there is no task (taskId is ''); the outcome goes to the action log's `run`. */
  standalone?: true;
  /** The worker's configuration when it started (the version in force at workerAsAt, if given). */
  workerConfiguration?: WfWorker['workerConfiguration'];
}

/** A TaskRouter task created by a RouteToWorkers action (sid = its WT SID), until it ends. */
export interface WfRoute {
  sid: string;
  accountSid: string;
  workspaceSid: string;
  taskId: string;
  actionLogId: string;
  completedTrigger: string | null;
  canceledTrigger: string | null;
}

/** A LUSID Workflow: a root task definition (the tasks its actions create form the workflow's structure). */
export interface WfWorkflow extends WfNamedResource {
  rootTaskDefinitionId: ResourceId;
}

/** Where an event handler's value comes from: a member of the event (`body.task_sid`) or a constant. */
export interface EventHandlerMapping {
  mapFrom?: string;
  setTo?: string;
}

/** When a schedule fires (LUSID's ScheduleMatchingPattern, kept as given; workflow/schedules.ts reads it). */
export interface ScheduleMatchingPattern {
  context: { timeZone: string; holidayCalendars?: { scope: string; code: string }[] };
  recurrencePattern: {
    timeConstraints: { startDate: string; endDate?: string; timesOfDay: { type: 'Specified'; hours: number; minutes: number }[] };
    dateRegularity:
      | { type: 'Day'; frequency: number }
      | { type: 'Week'; frequency: number; daysOfWeek: string[] }
      | { type: 'SpecificMonth'; frequency: number; daysOfMonth: number[] }
      | { type: 'RelativeMonth'; frequency: number; daysOfWeek: string[]; index: string }
      | { type: 'Year'; dates: { month: number; day: number }[] };
    businessDayAdjustment: string;
  };
}

export interface ScheduledTimeAdjustment {
  dateAdjustment: { deltaDays: number; businessDayAdjustment: string };
  timeAdjustment: { setTo: { type: 'Specified'; hours: number; minutes: number } };
}

/** What both task activities map from the event (or the schedule) onto tasks. */
interface ActivityMappings {
  correlationIds?: EventHandlerMapping[];
  taskFields?: Record<string, FieldMapping>;
  scheduleDependentTaskFields?: Record<string, ScheduledTimeAdjustment>;
}

export type TaskActivity = ({ type: 'CreateNewTask'; initialTrigger?: string } & ActivityMappings) | ({ type: 'UpdateMatchingTasks'; filter?: string; trigger: string } & ActivityMappings);

/** A LUSID event handler: an event (or a schedule) that creates a task of a definition or updates matching
 *  tasks with a trigger (workflow/eventHandlerRunner.ts). */
export interface WfEventHandler extends WfNamedResource {
  status: 'Active' | 'Inactive';
  eventMatchingPattern: { eventType: string; filter?: string } | null;
  scheduleMatchingPattern: ScheduleMatchingPattern | null;
  runAsUserId: EventHandlerMapping;
  taskDefinitionId: ResourceId;
  taskDefinitionAsAt: number | null;
  taskActivity: TaskActivity;
  /** Events before this time are not its (it was created, or made Active, then). */
  activeSince: number;
  /** A schedule's next firing time (epoch ms), null when it has none left (or no schedule). */
  nextRunAt: number | null;
}

/** A Workflow-face task list as the store runs it in SQL (store/workflowTaskQuery.ts). */
export interface WfTaskQuery {
  accountSid: string;
  /** Only the tasks of this definition (`/api/taskdefinitions/{scope}/{code}/tasks`). */
  definition?: ResourceId;
  /** The parsed filter (core/lusidFilter.ts), none for every task. */
  filter?: FilterNode;
  /** Sort keys: a path of the Task representation, descending or not. */
  sort: { path: string[]; desc: boolean }[];
  offset: number;
  limit: number;
  /** What CurrentUser stands for in the filter. */
  currentUser: string;
}

/** A list's answer. `complete`: `tasks` is the page, filtered, sorted and paged in SQL. Otherwise SQL could
 *  not express all of it (a path only the representation has, such as terminalState): `tasks` are the
 *  candidates in creation order, narrowed by what it could express, for the caller to finish in memory. */
export interface WfTaskPage {
  tasks: WfTask[];
  hasMore: boolean;
  complete: boolean;
}
