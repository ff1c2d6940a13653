// The form parameters TaskRouter posts to callbacks. Event callbacks (reference §12.1): EventType, AccountSid,
// WorkspaceSid, WorkspaceName, EventDescription, ResourceType, ResourceSid, Timestamp, Sid, and the event's
// data fields in PascalCase (task_sid -> TaskSid, worker_activity_name -> WorkerActivityName, …).
// Assignment callbacks (reference §11): the reservation, its task, worker, queue and workflow.
import type { EventRecord, Reservation, Task, Worker } from '../core/entities.ts';

const RESOURCE_TYPES: Record<string, string> = {
  task: 'Task',
  reservation: 'Reservation',
  worker: 'Worker',
  activity: 'Activity',
  workflow: 'Workflow',
  workspace: 'Workspace',
  task_queue: 'TaskQueue',
  task_channel: 'TaskChannel',
};

const pascal = (snake: string) => snake.replace(/(^|_)([a-z0-9])/g, (_, _sep: string, c: string) => c.toUpperCase());

export function eventCallbackParams(e: EventRecord): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(e.eventData)) {
    if (value !== null && value !== undefined) params[pascal(key)] = String(value);
  }
  return {
    ...params,
    Sid: e.sid,
    EventType: e.eventType,
    AccountSid: e.accountSid,
    WorkspaceSid: e.workspaceSid,
    WorkspaceName: String(e.eventData.workspace_name ?? ''),
    EventDescription: e.description,
    ResourceType: RESOURCE_TYPES[e.resourceType] ?? e.resourceType,
    ResourceSid: e.resourceSid,
    Timestamp: String(Math.floor(e.dateMs / 1000)),
  };
}

export function assignmentCallbackParams(r: Reservation, task: Task, worker: Worker | undefined, now: number): Record<string, string> {
  return {
    Timestamp: String(Math.floor(now / 1000)),
    AccountSid: r.accountSid,
    WorkspaceSid: r.workspaceSid,
    WorkflowSid: task.workflowSid ?? '',
    TaskQueueSid: task.taskQueueSid ?? '',
    WorkerSid: r.workerSid,
    WorkerAttributes: worker?.attributes ?? '{}',
    TaskSid: task.sid,
    TaskAttributes: task.attributes,
    TaskAge: String(Math.max(0, Math.floor((now - task.dateCreated) / 1000))),
    TaskPriority: String(task.priority),
    ReservationSid: r.sid,
  };
}
