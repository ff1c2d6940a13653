// The persistent entities of the configuration layer, in domain (camelCase) form. Faces serialise them into
// their own wire formats; the store keeps each one as a JSON document next to its indexed keys.
// Dates are epoch milliseconds; `version` increments on every change and is the TaskRouter ETag.

import type { OpsCategory, OpsComment, OpsRoute, OpsTaskType, OpsVariable } from './opsflowEntities.ts';
import type { WfActionLog, WfDefinition, WfDefinitionVersion, WfEventHandler, WfPendingAction, WfRoute, WfTask, WfWorker, WfWorkflow } from './workflowEntities.ts';

export interface Account {
  sid: string;
  ownerAccountSid: string; // itself for a main account, the parent for a subaccount (as Twilio reports it)
  friendlyName: string;
  /** The auth token, sealed under the master key (auth/secretBox.ts: `secrets.authTokenOf(account)` opens it).
   *  Older versions stored it in clear (`authToken`): such rows are sealed at start (auth/storedSecrets.ts). */
  authTokenSealed: string;
  status: 'active' | 'suspended' | 'closed';
  dateCreated: number;
  dateUpdated: number;
}

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  /** The secret, sealed under the master key (`secrets.secretOf(key)` opens it). It cannot be hashed: HS256
   *  access tokens are verified with the secret itself. */
  secretSealed: string;
  dateCreated: number;
  dateUpdated: number;
}

export type QueueOrder = 'FIFO' | 'LIFO';

interface WorkspaceChild {
  sid: string;
  accountSid: string;
  workspaceSid: string;
  dateCreated: number;
  dateUpdated: number;
  version: number;
}

export interface Workspace {
  sid: string;
  accountSid: string;
  friendlyName: string;
  eventCallbackUrl: string | null;
  eventsFilter: string | null;
  multiTaskEnabled: boolean;
  defaultActivitySid: string | null;
  timeoutActivitySid: string | null;
  prioritizeQueueOrder: QueueOrder;
  dateCreated: number;
  dateUpdated: number;
  version: number;
}

export interface Activity extends WorkspaceChild {
  friendlyName: string;
  available: boolean;
}

export interface TaskChannel extends WorkspaceChild {
  friendlyName: string;
  uniqueName: string;
  channelOptimizedRouting: boolean;
}

export interface Worker extends WorkspaceChild {
  friendlyName: string;
  activitySid: string;
  attributes: string; // the JSON text exactly as the client sent it
  dateStatusChanged: number;
}

export interface WorkerChannel extends WorkspaceChild {
  workerSid: string;
  taskChannelSid: string;
  capacity: number;
  available: boolean;
}

export interface TaskQueue extends WorkspaceChild {
  friendlyName: string;
  targetWorkers: string;
  maxReservedWorkers: number;
  taskOrder: QueueOrder;
  reservationActivitySid: string | null;
  assignmentActivitySid: string | null;
}

export interface Workflow extends WorkspaceChild {
  friendlyName: string;
  configuration: string; // the JSON text as sent
  assignmentCallbackUrl: string | null;
  fallbackAssignmentCallbackUrl: string | null;
  taskReservationTimeout: number;
}

/** One row of the durable event log (the TaskRouter Events resource reads it). */
export interface EventRecord {
  sid: string;
  accountSid: string;
  workspaceSid: string;
  eventType: string;
  actorType: string;
  actorSid: string;
  resourceType: string;
  resourceSid: string;
  description: string;
  eventData: Record<string, string | number | boolean | null>;
  dateMs: number;
}

/** A TaskRouter task that another face (a Workflow RouteToWorkers action, a routed Opsflow task) asked for in
 *  a workspace this node does not route: stored in that face's transaction, created by the workspace's owner
 *  with this SID (several nodes only; see Engine.createTaskFor). */
export interface TaskRouteRequest {
  sid: string;
  accountSid: string;
  workspaceSid: string;
  input: { attributes: string; workflowSid?: string; taskChannel?: string; priority?: number; timeout?: number };
  requestedAt: number;
}

export interface EntityMap {
  account: Account;
  apiKey: ApiKey;
  workspace: Workspace;
  activity: Activity;
  taskChannel: TaskChannel;
  worker: Worker;
  workerChannel: WorkerChannel;
  taskQueue: TaskQueue;
  workflow: Workflow;
  task: Task;
  reservation: Reservation;
  wfDefinition: WfDefinition;
  wfDefinitionVersion: WfDefinitionVersion;
  wfTask: WfTask;
  wfWorker: WfWorker;
  wfActionLog: WfActionLog;
  wfPendingAction: WfPendingAction;
  wfRoute: WfRoute;
  wfWorkflow: WfWorkflow;
  wfEventHandler: WfEventHandler;
  opsCategory: OpsCategory;
  opsTaskType: OpsTaskType;
  opsComment: OpsComment;
  opsRoute: OpsRoute;
  opsVariable: OpsVariable;
  taskRouteRequest: TaskRouteRequest;
}

export type EntityKind = keyof EntityMap;

export type TaskStatus = 'pending' | 'reserved' | 'assigned' | 'wrapping' | 'completed' | 'canceled';

export interface Task extends WorkspaceChild {
  attributes: string; // the JSON text as sent
  assignmentStatus: TaskStatus;
  priority: number;
  /** Seconds the task may live before TaskRouter cancels it (TTL). */
  timeout: number;
  taskChannelSid: string;
  workflowSid: string | null;
  taskQueueSid: string | null;
  taskQueueEnteredAt: number | null;
  virtualStartTime: number;
  reason: string | null;
  routingTarget: string | null;
  ignoreCapacity: boolean;
  /** Where the task is in its workflow: the matched filter (-1 = default filter) and the current target. */
  filterIndex: number | null;
  targetIndex: number | null;
  /** Timers, persisted with the task so they survive a restart: TTL expiry, end of the current routing step,
   *  removal of a finished task. */
  expiresAt: number | null;
  stepDeadline: number | null;
  cleanupAt: number | null;
  /** Monotonic insertion order; breaks ties in queue ordering. */
  seq: number;
  /** pending -> reserved transitions so far (TaskRouter cancels a task at 1,000). Absent on older rows = 0. */
  assignmentCount?: number;
}

export type ReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timeout' | 'canceled' | 'rescinded' | 'wrapping' | 'completed';

export interface Reservation extends WorkspaceChild {
  taskSid: string;
  workerSid: string;
  taskChannelSid: string;
  taskQueueSid: string | null;
  reservationStatus: ReservationStatus;
  /** When a pending reservation times out (persisted timer). */
  timeoutAt: number | null;
  /** The last instruction the client sent (dequeue, call, redirect, conference, supervise), recorded as given. */
  instruction: string | null;
  instructionParams: Record<string, string | string[]> | null;
}
