// Steps room: a task's way through its workflow. route() starts it (or sends it to its RoutingTarget), enterStep
// places it in a target's queue and tries to reserve it, advance() moves it past a target on a step timeout or
// a skip_if, and a workflow with nothing left cancels it.
import type { Task } from '../../core/entities.ts';
import { copyTask } from '../../core/entityCopies.ts';
import type { CompiledTarget, CompiledWorkflow } from './compiledWorkflow.ts';
import * as effects from './effects.ts';
import * as offers from './offers.ts';
import * as queues from './queues.ts';
import type { QueueState, RouterState, TaskState } from './state.ts';
import * as tasks from './tasks.ts';

/** The target's skip_if over the queue's members: counts of available and unavailable workers, and by activity SID. */
function skipIfHolds(s: RouterState, target: CompiledTarget, q: QueueState): boolean {
  if (!target.skipIf) return false;
  const counts: Record<string, number> = { available: 0, unavailable: 0 };
  for (const sid of q.members) {
    const w = s.workers.get(sid);
    if (!w) continue;
    counts[w.available ? 'available' : 'unavailable']!++;
    counts[w.entity.activitySid] = (counts[w.entity.activitySid] ?? 0) + 1;
  }
  return target.skipIf.evaluate({ workers: counts });
}

/** Places a task in the target (filterIndex -1 = default filter) and tries to reserve it; follows skip_if
 *  to later targets and filters; cancels the task when the workflow has nothing left. */
function enterStep(s: RouterState, ts: TaskState, wf: CompiledWorkflow, filterIndex: number, targetIndex: number, now: number): void {
  const target = filterIndex < 0 ? wf.defaultTarget : wf.filters[filterIndex]?.targets[targetIndex];
  const q = target ? s.queues.get(target.queue) : undefined;
  if (!target || !q) {
    tasks.cancelTask(s, ts, 'Task canceled on Workflow timeout', now, 'workflow.timeout');
    return;
  }
  queues.dequeue(ts);
  queues.reorder(ts, (t) => {
    const next = copyTask(t);
    next.filterIndex = filterIndex;
    next.targetIndex = targetIndex;
    next.taskQueueSid = q.sid;
    next.taskQueueEnteredAt = now;
    next.priority = target.priority ?? t.priority;
    next.stepDeadline = target.timeout !== undefined ? now + target.timeout * 1000 : null;
    next.dateUpdated = now;
    return next;
  });
  queues.enqueue(s, ts);
  effects.write(s, { kind: 'task', entity: ts.entity });
  if (ts.entity.stepDeadline !== null) s.timers.push({ at: ts.entity.stepDeadline, kind: 'step', sid: ts.entity.sid });
  const data = effects.extend(effects.taskData(s, ts), { workflow_filter_name: filterIndex >= 0 ? wf.filters[filterIndex]!.friendlyName ?? null : 'Default Filter' });
  effects.emit(s, 'task-queue.entered', 'task', ts.entity.sid, `Task ${ts.entity.sid} entered TaskQueue ${q.entity?.friendlyName}`, data);
  effects.emit(s, 'workflow.target-matched', 'task', ts.entity.sid, `Task ${ts.entity.sid} matched a Workflow target`, data);
  const created = offers.tryAssignTask(s, ts, now);
  if (created === 0 && skipIfHolds(s, target, q)) advance(s, ts, wf, now, 'skipped');
}

/** Moves a task past its current target: the next target of its filter, else the next matching filter
 *  (after skip_if only), else the default filter (skip only), else the workflow is exhausted. */
export function advance(s: RouterState, ts: TaskState, wf: CompiledWorkflow, now: number, why: 'timeout' | 'skipped'): void {
  const t = ts.entity;
  const f = t.filterIndex ?? -1;
  const next = (t.targetIndex ?? 0) + 1;
  if (f >= 0 && next < wf.filters[f]!.targets.length) {
    effects.emit(s, why === 'timeout' ? 'task-queue.timeout' : 'task-queue.moved', 'task', t.sid, `Task ${t.sid} moved to the next routing step`, effects.taskData(s, ts));
    enterStep(s, ts, wf, f, next, now);
    return;
  }
  if (why === 'skipped' && f >= 0) {
    for (let i = f + 1; i < wf.filters.length; i++) {
      if (wf.filters[i]!.expression.evaluate({ root: ts.attributes })) return enterStep(s, ts, wf, i, 0, now);
    }
    if (wf.defaultTarget) return enterStep(s, ts, wf, -1, 0, now);
  }
  tasks.cancelTask(s, ts, why === 'timeout' ? 'Task canceled on Workflow timeout' : 'Task canceled: every Workflow step was skipped', now, why === 'timeout' ? 'workflow.timeout' : 'workflow.skipped');
}

/** The task entering a queue outside any workflow step (its RoutingTarget's, or none for a worker's direct queue). */
function unplaced(t: Task, taskQueueSid: string | null, now: number): Task {
  const next = copyTask(t);
  next.taskQueueSid = taskQueueSid;
  next.taskQueueEnteredAt = now;
  next.filterIndex = null;
  next.targetIndex = null;
  next.stepDeadline = null;
  return next;
}

/** Sends a task through its workflow (or its RoutingTarget) from the start. */
export function route(s: RouterState, ts: TaskState, now: number): void {
  const t = ts.entity;
  if (t.routingTarget?.startsWith('WK')) {
    queues.dequeue(ts);
    ts.entity = unplaced(t, null, now);
    queues.enqueue(s, ts);
    effects.write(s, { kind: 'task', entity: ts.entity });
    offers.tryAssignTask(s, ts, now);
    return;
  }
  if (t.routingTarget?.startsWith('WQ')) {
    queues.dequeue(ts);
    ts.entity = unplaced(t, t.routingTarget, now);
    queues.enqueue(s, ts);
    effects.write(s, { kind: 'task', entity: ts.entity });
    effects.emit(s, 'task-queue.entered', 'task', t.sid, `Task ${t.sid} entered TaskQueue`, effects.taskData(s, ts));
    offers.tryAssignTask(s, ts, now);
    return;
  }
  const wf = t.workflowSid ? s.workflows.get(t.workflowSid) : undefined;
  if (!wf) return;
  effects.emit(s, 'workflow.entered', 'task', t.sid, `Task ${t.sid} entered Workflow ${wf.entity.friendlyName}`, effects.taskData(s, ts));
  const index = wf.filters.findIndex((f) => f.expression.evaluate({ root: ts.attributes }));
  if (index >= 0) enterStep(s, ts, wf, index, 0, now);
  else if (wf.defaultTarget) enterStep(s, ts, wf, -1, 0, now);
  else tasks.cancelTask(s, ts, 'Task did not match any Workflow filter and the Workflow has no default_filter', now, 'workflow.timeout');
}

/** Workflow update with ReEvaluateTasks=true: pending tasks of that workflow go through it again. */
export function reEvaluate(s: RouterState, workflowSid: string, now: number): void {
  for (const ts of [...s.tasks.values()]) {
    if (ts.entity.workflowSid === workflowSid && ts.entity.assignmentStatus === 'pending') route(s, ts, now);
  }
}
