// The persistent entities of the configuration layer, in domain (camelCase) form. Faces serialise them into
// their own wire formats; the store keeps each one as a JSON document next to its indexed keys.
// Dates are epoch milliseconds; `version` increments on every change and is the TaskRouter ETag.

export interface Account {
  sid: string;
  ownerAccountSid: string; // itself for a main account, the parent for a subaccount (as Twilio reports it)
  friendlyName: string;
  authToken: string;
  status: 'active' | 'suspended' | 'closed';
  dateCreated: number;
  dateUpdated: number;
}

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  // Kept in clear: HS256 access tokens (issue 4) are verified with the secret itself.
  secret: string;
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
}

export type EntityKind = keyof EntityMap;
