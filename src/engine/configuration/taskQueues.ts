// TaskQueue commands. `target_workers` is syntax-checked when it is set (20001 with the parser's message and
// column) and evaluated per worker by the routing engine; a queue referenced by a workflow cannot be deleted
// (the workflow would route into nothing).
import { invalid } from '../../core/errors.ts';
import type { QueueOrder, TaskQueue, Workspace } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository, Where } from '../../core/repository.ts';
import { isSid, newSid } from '../../core/sid.ts';
import { ExpressionSyntaxError, compileExpression } from '../../expr/index.ts';
import { type CommandContext, recordEvent, requireChild, requireWorkspace } from './context.ts';
import { orderingComparator } from './ordering.ts';
import { parseAttributes } from './workers.ts';
import { validateWorkflowConfiguration, referencedQueueSids } from '../workflowConfiguration.ts';

const path = (ws: string, sid: string) => `/v1/Workspaces/${ws}/TaskQueues/${sid}`;

export interface TaskQueueInput {
  friendlyName?: string;
  targetWorkers?: string;
  maxReservedWorkers?: number;
  taskOrder?: QueueOrder;
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
}

function checkTargetWorkers(source: string): void {
  try {
    compileExpression(source, 'queue');
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) throw invalid(`Invalid parameter TargetWorkers: ${err.message}`);
    throw err;
  }
}

function checkActivity(repo: Repository, ws: Workspace, param: string, sid: string | undefined): void {
  if (sid === undefined) return;
  const a = isSid(sid, 'WA') ? repo.get('activity', sid) : undefined;
  if (!a || a.workspaceSid !== ws.sid) throw invalid(`Invalid parameter ${param}: Activity ${sid} not found in this Workspace`);
}

function validateInput(repo: Repository, ws: Workspace, input: TaskQueueInput): void {
  if (input.targetWorkers !== undefined) checkTargetWorkers(input.targetWorkers);
  checkActivity(repo, ws, 'ReservationActivitySid', input.reservationActivitySid);
  checkActivity(repo, ws, 'AssignmentActivitySid', input.assignmentActivitySid);
}

export function getTaskQueue(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): TaskQueue {
  const ws = requireWorkspace(repo, ctx, wsSid);
  return requireChild(repo, 'taskQueue', ws, sid, path(wsSid, sid));
}

export function createTaskQueue(repo: Repository, ctx: CommandContext, wsSid: string, input: TaskQueueInput & { friendlyName: string }): TaskQueue {
  const ws = requireWorkspace(repo, ctx, wsSid);
  validateInput(repo, ws, input);
  if (repo.count('taskQueue', { workspaceSid: ws.sid }) >= LIMITS.taskQueuesPerWorkspace) {
    throw invalid(`Maximum number of TaskQueues (${LIMITS.taskQueuesPerWorkspace}) reached for this Workspace`);
  }
  const queue: TaskQueue = {
    sid: newSid('WQ'),
    accountSid: ws.accountSid,
    workspaceSid: ws.sid,
    friendlyName: input.friendlyName,
    targetWorkers: input.targetWorkers ?? '1==1',
    maxReservedWorkers: input.maxReservedWorkers ?? 1,
    taskOrder: input.taskOrder ?? 'FIFO',
    reservationActivitySid: input.reservationActivitySid ?? null,
    assignmentActivitySid: input.assignmentActivitySid ?? null,
    dateCreated: ctx.now,
    dateUpdated: ctx.now,
    version: 0,
  };
  repo.insert('taskQueue', queue);
  recordEvent(repo, ctx, ws, queueEvent('task-queue.created', queue));
  return queue;
}

export function updateTaskQueue(repo: Repository, ctx: CommandContext, wsSid: string, sid: string, input: TaskQueueInput): TaskQueue {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const queue = requireChild(repo, 'taskQueue', ws, sid, path(wsSid, sid));
  validateInput(repo, ws, input);
  const updated: TaskQueue = {
    ...queue,
    friendlyName: input.friendlyName ?? queue.friendlyName,
    targetWorkers: input.targetWorkers ?? queue.targetWorkers,
    maxReservedWorkers: input.maxReservedWorkers ?? queue.maxReservedWorkers,
    taskOrder: input.taskOrder ?? queue.taskOrder,
    reservationActivitySid: input.reservationActivitySid ?? queue.reservationActivitySid,
    assignmentActivitySid: input.assignmentActivitySid ?? queue.assignmentActivitySid,
    dateUpdated: ctx.now,
    version: queue.version + 1,
  };
  repo.update('taskQueue', updated);
  if (updated.targetWorkers !== queue.targetWorkers) {
    const event = queueEvent('task-queue.expression.updated', updated);
    event.eventData.task_queue_previous_target_expression = queue.targetWorkers;
    recordEvent(repo, ctx, ws, event);
  }
  return updated;
}

export function deleteTaskQueue(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): void {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const queue = requireChild(repo, 'taskQueue', ws, sid, path(wsSid, sid));
  const user = repo.findAll('workflow', { workspaceSid: ws.sid }).find((wf) => routesTo(wf.configuration, queue.sid));
  if (user) throw invalid(`Cannot delete TaskQueue ${queue.sid}: Workflow ${user.sid} (${user.friendlyName}) routes to it`);
  repo.delete('taskQueue', queue.sid);
  recordEvent(repo, ctx, ws, queueEvent('task-queue.deleted', queue));
}

/** Whether a stored workflow configuration routes to the queue. A configuration that no longer validates (an
 *  expression the parser has since become stricter about) still counts when its text names the queue: refusing
 *  a delete is recoverable, a workflow routing into a missing queue is not. */
function routesTo(configuration: string, queueSid: string): boolean {
  const parsed = validateWorkflowConfiguration(configuration);
  return parsed.ok ? referencedQueueSids(parsed.config).includes(queueSid) : configuration.includes(queueSid);
}

/** A stored target_workers compiled for list filtering; one that no longer compiles matches no worker, exactly
 *  as a queue without members (see workers.ts, TaskQueueSid filter). */
function membership(q: TaskQueue): (root: Record<string, unknown>) => boolean {
  try {
    const expr = compileExpression(q.targetWorkers, 'queue');
    return (root) => expr.evaluate({ root });
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return () => false;
    throw err;
  }
}

export interface TaskQueueFilters {
  friendlyName?: string;
  evaluateWorkerAttributes?: string;
  workerSid?: string;
  ordering?: string;
}

export function taskQueueQuery(repo: Repository, ctx: CommandContext, wsSid: string, f: TaskQueueFilters) {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const where: Where<'taskQueue'> = { workspaceSid: ws.sid, friendlyName: f.friendlyName };
  // Each filter gives the attributes of one (real or hypothetical) worker; a queue is kept when its
  // target_workers matches every one of them.
  const roots: Record<string, unknown>[] = [];
  if (f.evaluateWorkerAttributes !== undefined) roots.push(parseAttributes(f.evaluateWorkerAttributes));
  if (f.workerSid !== undefined) {
    const worker = requireChild(repo, 'worker', ws, f.workerSid, `/v1/Workspaces/${ws.sid}/Workers/${f.workerSid}`);
    roots.push(parseAttributes(worker.attributes));
  }
  const comparator =
    f.ordering !== undefined
      ? orderingComparator<TaskQueue>(f.ordering, {
          DateCreated: (q) => q.dateCreated,
          DateUpdated: (q) => q.dateUpdated,
          FriendlyName: (q) => q.friendlyName.toLowerCase(),
        })
      : undefined;
  if (roots.length === 0 && !comparator) return { where };
  return {
    where,
    refine: (queues: TaskQueue[]) => {
      const kept = roots.length === 0 ? queues : queues.filter((q) => roots.every(membership(q)));
      // Array.prototype.sort is stable: equal keys keep creation order.
      return comparator ? kept.sort(comparator) : kept;
    },
  };
}

function queueEvent(eventType: string, q: TaskQueue) {
  return {
    eventType,
    resourceType: 'task_queue',
    resourceSid: q.sid,
    description: `TaskQueue ${q.friendlyName} ${eventType.slice('task-queue.'.length)}`,
    eventData: { task_queue_sid: q.sid, task_queue_name: q.friendlyName, task_queue_target_expression: q.targetWorkers } as Record<string, string>,
  };
}
