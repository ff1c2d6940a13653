// Workspace commands. A new workspace always gets the five default TaskChannels and the three standard
// activities (Offline is the default and timeout activity, so workers always have somewhere to start);
// Template=FIFO additionally creates "Sample Queue" (1==1) and "Default Fifo Workflow", as TaskRouter does.
import { ApiError, invalid } from '../../core/errors.ts';
import type { Activity, QueueOrder, TaskChannel, TaskQueue, Workflow, Workspace } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { newSid } from '../../core/sid.ts';
import { type CommandContext, recordEvent, requireWorkspace } from './context.ts';

export const DEFAULT_TASK_CHANNELS = [
  ['Default', 'default'],
  ['Voice', 'voice'],
  ['SMS', 'sms'],
  ['Chat', 'chat'],
  ['Video', 'video'],
] as const;

const STANDARD_ACTIVITIES = [
  ['Offline', false],
  ['Available', true],
  ['Unavailable', false],
] as const;

export interface CreateWorkspaceInput {
  friendlyName: string;
  eventCallbackUrl?: string;
  eventsFilter?: string;
  multiTaskEnabled?: boolean;
  template?: 'NONE' | 'FIFO';
  prioritizeQueueOrder?: QueueOrder;
}

export function createWorkspace(repo: Repository, ctx: CommandContext, input: CreateWorkspaceInput): Workspace {
  if (repo.count('workspace', { accountSid: ctx.accountSid }) >= LIMITS.workspacesPerAccount) {
    throw invalid(`Maximum number of Workspaces (${LIMITS.workspacesPerAccount}) reached for this account`);
  }
  const base = { accountSid: ctx.accountSid, dateCreated: ctx.now, dateUpdated: ctx.now, version: 0 };
  const ws: Workspace = {
    ...base,
    sid: newSid('WS'),
    friendlyName: input.friendlyName,
    eventCallbackUrl: input.eventCallbackUrl || null,
    eventsFilter: input.eventsFilter || null,
    multiTaskEnabled: input.multiTaskEnabled ?? true,
    defaultActivitySid: null,
    timeoutActivitySid: null,
    prioritizeQueueOrder: input.prioritizeQueueOrder ?? 'FIFO',
  };
  const child = { ...base, workspaceSid: ws.sid };
  const activities: Activity[] = STANDARD_ACTIVITIES.map(([friendlyName, available]) => ({
    ...child,
    sid: newSid('WA'),
    friendlyName,
    available,
  }));
  ws.defaultActivitySid = activities[0]!.sid;
  ws.timeoutActivitySid = activities[0]!.sid;
  repo.insert('workspace', ws);
  for (const a of activities) repo.insert('activity', a);
  for (const [friendlyName, uniqueName] of DEFAULT_TASK_CHANNELS) {
    const channel: TaskChannel = { ...child, sid: newSid('TC'), friendlyName, uniqueName, channelOptimizedRouting: false };
    repo.insert('taskChannel', channel);
  }
  recordEvent(repo, ctx, ws, {
    eventType: 'workspace.created',
    resourceType: 'workspace',
    resourceSid: ws.sid,
    description: `Workspace ${ws.friendlyName} created`,
    eventData: {},
  });
  if (input.template === 'FIFO') {
    const queue: TaskQueue = {
      ...child,
      sid: newSid('WQ'),
      friendlyName: 'Sample Queue',
      targetWorkers: '1==1',
      maxReservedWorkers: 1,
      taskOrder: 'FIFO',
      reservationActivitySid: null,
      assignmentActivitySid: null,
    };
    repo.insert('taskQueue', queue);
    const workflow: Workflow = {
      ...child,
      sid: newSid('WW'),
      friendlyName: 'Default Fifo Workflow',
      configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
      assignmentCallbackUrl: null,
      fallbackAssignmentCallbackUrl: null,
      taskReservationTimeout: 120,
    };
    repo.insert('workflow', workflow);
  }
  return ws;
}

export interface UpdateWorkspaceInput {
  friendlyName?: string;
  defaultActivitySid?: string;
  timeoutActivitySid?: string;
  eventCallbackUrl?: string;
  eventsFilter?: string;
  multiTaskEnabled?: boolean;
  prioritizeQueueOrder?: QueueOrder;
}

export function updateWorkspace(repo: Repository, ctx: CommandContext, sid: string, input: UpdateWorkspaceInput): Workspace {
  const ws = requireWorkspace(repo, ctx, sid);
  const activityIn = (param: string, activitySid: string) => {
    const a = repo.get('activity', activitySid);
    if (!a || a.workspaceSid !== ws.sid) throw invalid(`Invalid parameter ${param}: Activity ${activitySid} not found in this Workspace`);
  };
  if (input.defaultActivitySid !== undefined) activityIn('DefaultActivitySid', input.defaultActivitySid);
  if (input.timeoutActivitySid !== undefined) activityIn('TimeoutActivitySid', input.timeoutActivitySid);
  // TaskRouter: "once a Workspace has been migrated to multi-tasking it can no longer be converted back".
  if (input.multiTaskEnabled === false && ws.multiTaskEnabled) {
    throw new ApiError('invalidParameter', 'Invalid parameter MultiTaskEnabled: a multi-tasking Workspace cannot be converted back to single-tasking');
  }
  const updated: Workspace = {
    ...ws,
    friendlyName: input.friendlyName ?? ws.friendlyName,
    defaultActivitySid: input.defaultActivitySid ?? ws.defaultActivitySid,
    timeoutActivitySid: input.timeoutActivitySid ?? ws.timeoutActivitySid,
    eventCallbackUrl: input.eventCallbackUrl === undefined ? ws.eventCallbackUrl : input.eventCallbackUrl || null,
    eventsFilter: input.eventsFilter === undefined ? ws.eventsFilter : input.eventsFilter || null,
    multiTaskEnabled: input.multiTaskEnabled ?? ws.multiTaskEnabled,
    prioritizeQueueOrder: input.prioritizeQueueOrder ?? ws.prioritizeQueueOrder,
    dateUpdated: ctx.now,
    version: ws.version + 1,
  };
  repo.update('workspace', updated);
  recordEvent(repo, ctx, updated, {
    eventType: 'workspace.updated',
    resourceType: 'workspace',
    resourceSid: ws.sid,
    description: `Workspace ${updated.friendlyName} updated`,
    eventData: {},
  });
  return updated;
}

/** Deletes the workspace and everything in it (TaskRouter cascades). */
export function deleteWorkspace(repo: Repository, ctx: CommandContext, sid: string): void {
  const ws = requireWorkspace(repo, ctx, sid);
  // Tasks other faces asked for here (several nodes: taskRouteRequest) go too: no owner will create them.
  for (const kind of ['reservation', 'task', 'taskRouteRequest', 'workerChannel', 'worker', 'taskQueue', 'workflow', 'taskChannel', 'activity'] as const) {
    repo.deleteWhere(kind, { workspaceSid: ws.sid });
  }
  repo.deleteEvents(ws.sid);
  repo.delete('workspace', ws.sid);
}
