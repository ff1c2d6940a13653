// How to list tasks: equality filters the store can apply, plus an in-memory refinement for
// EvaluateTaskAttributes and Ordering (TaskRouter: `Attribute:Order[,…]` with DateCreated, Priority or
// VirtualStartTime; DateCreated and VirtualStartTime together are not allowed). `DateCreated:desc` alone (a
// console's "newest first") is insertion order reversed: `newestFirst` says the store's pages can be read
// backwards instead of sorting every task in memory.
import { invalid, notFound } from '../core/errors.ts';
import type { Task, TaskStatus } from '../core/entities.ts';
import type { Repository, Where } from '../core/repository.ts';
import { compileOrInvalid } from './configuration/workers.ts';
import { requireWorkspace, type CommandContext } from './configuration/context.ts';
import { orderingComparator } from './configuration/ordering.ts';

export interface TaskFilters {
  priority?: number;
  assignmentStatus?: TaskStatus[];
  workflowSid?: string;
  workflowName?: string;
  taskQueueSid?: string;
  taskQueueName?: string;
  evaluateTaskAttributes?: string;
  routingTarget?: string;
  ordering?: string;
  hasAddons?: boolean;
}

export function taskQuery(repo: Repository, ctx: CommandContext, wsSid: string, f: TaskFilters) {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const where: Where<'task'> = {
    workspaceSid: ws.sid,
    priority: f.priority,
    assignmentStatus: f.assignmentStatus ? { in: f.assignmentStatus } : undefined,
    workflowSid: f.workflowSid,
    taskQueueSid: f.taskQueueSid,
    routingTarget: f.routingTarget,
  };
  if (f.workflowName !== undefined) {
    const wf = repo.findOne('workflow', { workspaceSid: ws.sid, friendlyName: f.workflowName });
    if (!wf) throw notFound(`/v1/Workspaces/${ws.sid}/Workflows?FriendlyName=${f.workflowName}`);
    if (f.workflowSid !== undefined && f.workflowSid !== wf.sid) where.sid = { in: [] };
    where.workflowSid = wf.sid;
  }
  if (f.taskQueueName !== undefined) {
    const q = repo.findOne('taskQueue', { workspaceSid: ws.sid, friendlyName: f.taskQueueName });
    if (!q) throw notFound(`/v1/Workspaces/${ws.sid}/TaskQueues?FriendlyName=${f.taskQueueName}`);
    if (f.taskQueueSid !== undefined && f.taskQueueSid !== q.sid) where.sid = { in: [] };
    where.taskQueueSid = q.sid;
  }
  // Switchboard runs no add-ons: every task's addons are "{}", so HasAddons=true matches nothing.
  if (f.hasAddons === true) where.sid = { in: [] };
  const expression = f.evaluateTaskAttributes !== undefined ? compileOrInvalid('EvaluateTaskAttributes', f.evaluateTaskAttributes) : undefined;
  let comparator: ((a: Task, b: Task) => number) | undefined;
  if (f.ordering !== undefined) {
    const attrs = f.ordering.split(',').map((p) => p.split(':')[0]!.trim().toLowerCase());
    if (attrs.includes('datecreated') && attrs.includes('virtualstarttime')) {
      throw invalid('Invalid parameter Ordering: DateCreated and VirtualStartTime cannot be combined');
    }
    comparator = orderingComparator<Task>(f.ordering, {
      DateCreated: (t) => t.seq,
      Priority: (t) => t.priority,
      VirtualStartTime: (t) => t.virtualStartTime,
    });
  }
  if (!expression && !comparator) return { where };
  const newestFirst = !expression && f.ordering!.replace(/\s+/g, '').toLowerCase() === 'datecreated:desc';
  return {
    where,
    newestFirst,
    refine: (tasks: Task[]) => {
      const kept = expression ? tasks.filter((t) => expression.evaluate({ root: JSON.parse(t.attributes) })) : tasks;
      return comparator ? kept.sort(comparator) : kept;
    },
  };
}
