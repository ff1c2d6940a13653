// The statistics resources of a workspace, its workflows, task queues and workers: realtime figures from the
// live router, cumulative figures from the event log over the asked window (the last `Minutes`, default 15,
// or StartDate..EndDate), both optionally limited to one task channel.
import { invalid, notFound } from '../core/errors.ts';
import type { Activity } from '../core/entities.ts';
import type { EventQuery, Repository } from '../core/repository.ts';
import type { CommandContext } from '../engine/configuration/context.ts';
import type { Engine } from '../engine/engine.ts';
import { eventWindow } from '../engine/eventQueries.ts';
import type { WorkspaceRouter } from '../engine/routing/workspaceRouter.ts';
import { activityDurations, byType, CUMULATIVE_EVENT_TYPES, reservationCounts, taskCumulative } from './cumulative.ts';
import { taskFigures, workerFigures, type LiveWorker } from './realtime.ts';

export interface StatisticsParams {
  minutes?: number;
  startMs?: number;
  endMs?: number;
  /** A task channel SID or unique name. */
  taskChannel?: string;
  /** SplitByWaitTime thresholds in seconds. */
  splitBy?: number[];
}

/** Cumulative figures and the window they cover (the API renders the window as start_time/end_time). */
export interface Windowed<T> {
  fromMs: number;
  toMs: number;
  figures: T;
}

function channelSid(repo: Repository, workspaceSid: string, given: string | undefined): string | undefined {
  if (!given) return undefined;
  const channel = given.startsWith('TC') ? repo.get('taskChannel', given) : repo.findOne('taskChannel', { workspaceSid, uniqueName: given });
  if (!channel || channel.workspaceSid !== workspaceSid) throw invalid(`Invalid parameter TaskChannel: ${given} is not a task channel of this workspace`);
  return channel.sid;
}

function activitiesOf(repo: Repository, workspaceSid: string): Activity[] {
  return repo.findAll('activity', { workspaceSid });
}

/**
 * The window of a cumulative request. A `Minutes` window (TaskRouter's default, the last 15) starts at the
 * beginning of the minute `Minutes` ago, so that it reads only per-minute rollups: its exact start would cost
 * the raw events of a partial first minute on every request (at 2,000 events/s, up to 120,000 rows: the soak's
 * statistics rose from 5 to 170 ms once its window filled). It is then up to 59 s longer than asked, and
 * start_time says where it starts. A StartDate window is exact to the millisecond. `untilNow` tells the store
 * that no event is dated after the end (its unfinished last minute is read from the rollup too).
 */
function statisticsWindow(p: StatisticsParams, now: number): { fromMs: number; toMs: number; untilNow: boolean } {
  const w = eventWindow(p, now);
  const fromMs = p.startMs === undefined ? Math.floor(w.fromMs / 60_000) * 60_000 : w.fromMs;
  return { fromMs, toMs: w.toMs, untilNow: p.endMs === undefined };
}

/** The window's events summed per type by the store, for one scope (`data`) and optionally one channel. */
function windowTotals(repo: Repository, workspaceSid: string, p: StatisticsParams, now: number, data: EventQuery['data'] = {}) {
  const { fromMs, toMs, untilNow } = statisticsWindow(p, now);
  const channel = channelSid(repo, workspaceSid, p.taskChannel);
  const totals = repo.eventTotals({ workspaceSid, fromMs, toMs, untilNow, eventTypes: CUMULATIVE_EVENT_TYPES, data: channel ? { ...data, task_channel_sid: [channel] } : data }, p.splitBy ?? []);
  return { fromMs, toMs, totals: byType(totals) };
}

function workspaceRealtime(repo: Repository, router: WorkspaceRouter, p: StatisticsParams, now: number) {
  const taskChannelSid = channelSid(repo, router.workspace.sid, p.taskChannel);
  const tasks = taskFigures(router.liveTasks(), { taskChannelSid }, now);
  const workers = workerFigures(activitiesOf(repo, router.workspace.sid), router.liveWorkers(), () => true, taskChannelSid);
  return {
    activity_statistics: workers.activity_statistics,
    longest_task_waiting_age: tasks.longest_task_waiting_age,
    longest_task_waiting_sid: tasks.longest_task_waiting_sid,
    tasks_by_priority: tasks.tasks_by_priority,
    tasks_by_status: tasks.tasks_by_status,
    total_tasks: tasks.total_tasks,
    total_workers: workers.total_workers,
  };
}

type TaskCumulative = ReturnType<typeof taskCumulative>;

/** Fields of every task-scope cumulative schema (workspace, workflow, queue). */
const COMMON_CUMULATIVE: readonly (keyof TaskCumulative)[] = [
  'avg_task_acceptance_time', 'reservations_created', 'reservations_accepted', 'reservations_rejected', 'reservations_timed_out',
  'reservations_canceled', 'reservations_rescinded', 'split_by_wait_time', 'wait_duration_until_accepted', 'wait_duration_until_canceled',
  'tasks_canceled', 'tasks_completed', 'tasks_deleted', 'tasks_moved',
];

/** The cumulative figures of one scope (`data` selects its events): the common fields plus the scope's own,
 *  each named as its OpenAPI schema names it (`tasks_entered` is the workflow's or the queue's entry count). */
function scopedCumulative(
  repo: Repository,
  wsSid: string,
  p: StatisticsParams,
  now: number,
  data: EventQuery['data'],
  own: Record<string, keyof TaskCumulative>,
): Windowed<object> {
  const { fromMs, toMs, totals } = windowTotals(repo, wsSid, p, now, data);
  const c = taskCumulative(totals, p.splitBy);
  const figures = Object.fromEntries([...COMMON_CUMULATIVE.map((k) => [k, c[k]]), ...Object.entries(own).map(([name, k]) => [name, c[k]])]);
  return { fromMs, toMs, figures };
}

function workspaceCumulative(repo: Repository, workspaceSid: string, p: StatisticsParams, now: number): Windowed<object> {
  return scopedCumulative(repo, workspaceSid, p, now, {}, { tasks_created: 'tasks_created', tasks_timed_out_in_workflow: 'tasks_timed_out_in_workflow' });
}

export function workspaceStatistics(engine: Engine, ctx: CommandContext, wsSid: string, p: StatisticsParams) {
  return engine.inspect(ctx, wsSid, (repo, router) => ({
    realtime: workspaceRealtime(repo, router, p, ctx.now),
    cumulative: workspaceCumulative(repo, router.workspace.sid, p, ctx.now),
  }));
}

function requireWorkflow(repo: Repository, wsSid: string, sid: string) {
  const wf = repo.get('workflow', sid);
  if (!wf || wf.workspaceSid !== wsSid) throw notFound(`/Workspaces/${wsSid}/Workflows/${sid}`);
  return wf;
}

function requireQueue(repo: Repository, wsSid: string, sid: string) {
  const q = repo.get('taskQueue', sid);
  if (!q || q.workspaceSid !== wsSid) throw notFound(`/Workspaces/${wsSid}/TaskQueues/${sid}`);
  return q;
}

export function workflowStatistics(engine: Engine, ctx: CommandContext, wsSid: string, wwSid: string, p: StatisticsParams) {
  return engine.inspect(ctx, wsSid, (repo, router) => {
    requireWorkflow(repo, wsSid, wwSid);
    const taskChannelSid = channelSid(repo, wsSid, p.taskChannel);
    const tasks = taskFigures(router.liveTasks(), { workflowSid: wwSid, taskChannelSid }, ctx.now);
    return {
      realtime: {
        longest_task_waiting_age: tasks.longest_task_waiting_age,
        longest_task_waiting_sid: tasks.longest_task_waiting_sid,
        tasks_by_priority: tasks.tasks_by_priority,
        tasks_by_status: tasks.tasks_by_status,
        total_tasks: tasks.total_tasks,
      },
      cumulative: scopedCumulative(repo, wsSid, p, ctx.now, { workflow_sid: [wwSid] }, {
        tasks_entered: 'workflow_entered',
        tasks_timed_out_in_workflow: 'tasks_timed_out_in_workflow',
      }),
    };
  });
}

function queueRealtime(repo: Repository, router: WorkspaceRouter, queueSid: string, taskChannelSid: string | undefined, now: number) {
  const members = router.queueMembers(queueSid) ?? new Set<string>();
  const tasks = taskFigures(router.liveTasks(), { taskQueueSid: queueSid, taskChannelSid }, now);
  const workers = workerFigures(activitiesOf(repo, router.workspace.sid), router.liveWorkers(), (w: LiveWorker) => members.has(w.entity.sid), taskChannelSid);
  return {
    activity_statistics: workers.activity_statistics,
    longest_task_waiting_age: tasks.longest_task_waiting_age,
    longest_task_waiting_sid: tasks.longest_task_waiting_sid,
    longest_relative_task_age_in_queue: tasks.longest_relative_task_age_in_queue,
    longest_relative_task_sid_in_queue: tasks.longest_relative_task_sid_in_queue,
    tasks_by_priority: tasks.tasks_by_priority,
    tasks_by_status: tasks.tasks_by_status,
    total_available_workers: workers.total_available_workers,
    total_eligible_workers: workers.total_workers,
    total_tasks: tasks.total_tasks,
  };
}

function queueCumulative(repo: Repository, wsSid: string, queueSid: string, p: StatisticsParams, now: number): Windowed<object> {
  return scopedCumulative(repo, wsSid, p, now, { task_queue_sid: [queueSid] }, {
    tasks_entered: 'queue_entered',
    wait_duration_in_queue_until_accepted: 'wait_duration_in_queue_until_accepted',
  });
}

export function queueStatistics(engine: Engine, ctx: CommandContext, wsSid: string, wqSid: string, p: StatisticsParams) {
  return engine.inspect(ctx, wsSid, (repo, router) => {
    requireQueue(repo, wsSid, wqSid);
    return {
      realtime: queueRealtime(repo, router, wqSid, channelSid(repo, wsSid, p.taskChannel), ctx.now),
      cumulative: queueCumulative(repo, wsSid, wqSid, p, ctx.now),
    };
  });
}

/** Statistics of every queue of the workspace (optionally with this friendly name), in queue order. */
export function queuesStatistics(engine: Engine, ctx: CommandContext, wsSid: string, p: StatisticsParams & { friendlyName?: string }) {
  return engine.inspect(ctx, wsSid, (repo, router) => {
    const taskChannelSid = channelSid(repo, wsSid, p.taskChannel);
    const queues = repo.findAll('taskQueue', { workspaceSid: wsSid, ...(p.friendlyName ? { friendlyName: p.friendlyName } : {}) });
    return queues.map((q) => ({
      taskQueueSid: q.sid,
      realtime: queueRealtime(repo, router, q.sid, taskChannelSid, ctx.now),
      cumulative: queueCumulative(repo, wsSid, q.sid, p, ctx.now),
    }));
  });
}

/** Realtime statistics of up to 50 queues at once; an unknown (but well-formed) SID gets zeros. */
export function queuesRealtime(engine: Engine, ctx: CommandContext, wsSid: string, queueSids: readonly string[], taskChannel?: string) {
  return engine.inspect(ctx, wsSid, (repo, router) => {
    const taskChannelSid = channelSid(repo, wsSid, taskChannel);
    return queueSids.map((sid) => ({ taskQueueSid: sid, ...queueRealtime(repo, router, sid, taskChannelSid, ctx.now) }));
  });
}

export interface WorkerSelection {
  taskQueueSid?: string;
  taskQueueName?: string;
  friendlyName?: string;
}

function workersCumulative(repo: Repository, wsSid: string, p: StatisticsParams, now: number, workerSids: Set<string> | undefined): Windowed<object> {
  const { fromMs, toMs, untilNow } = statisticsWindow(p, now);
  const window = { fromMs, toMs };
  const channel = channelSid(repo, wsSid, p.taskChannel);
  const workers: Record<string, string[]> = workerSids ? { worker_sid: [...workerSids] } : {};
  // Reservations count on the asked channel; time in activities is the worker's, whatever the channel.
  const reservations = repo.eventTotals(
    { workspaceSid: wsSid, ...window, untilNow, eventTypes: CUMULATIVE_EVENT_TYPES.filter((t) => t.startsWith('reservation.')), data: channel ? { ...workers, task_channel_sid: [channel] } : workers },
    [],
  );
  const activityTime = workerSids?.size === 0 ? [] : repo.activityTimeTotals({ workspaceSid: wsSid, ...window, untilNow, data: workers });
  return {
    ...window,
    figures: { activity_durations: activityDurations(activitiesOf(repo, wsSid), activityTime), ...reservationCounts(byType(reservations)) },
  };
}

export function workersStatistics(engine: Engine, ctx: CommandContext, wsSid: string, p: StatisticsParams & WorkerSelection) {
  return engine.inspect(ctx, wsSid, (repo, router) => {
    let selected: Set<string> | undefined;
    if (p.taskQueueSid || p.taskQueueName) {
      const q = p.taskQueueSid ? repo.get('taskQueue', p.taskQueueSid) : repo.findOne('taskQueue', { workspaceSid: wsSid, friendlyName: p.taskQueueName });
      selected = new Set(q && q.workspaceSid === wsSid ? (router.queueMembers(q.sid) ?? []) : []);
    }
    if (p.friendlyName) {
      const named = new Set(repo.findAll('worker', { workspaceSid: wsSid, friendlyName: { ci: p.friendlyName } }).map((w) => w.sid));
      selected = selected ? new Set([...selected].filter((s) => named.has(s))) : named;
    }
    const taskChannelSid = channelSid(repo, wsSid, p.taskChannel);
    const workers = workerFigures(activitiesOf(repo, wsSid), router.liveWorkers(), (w) => !selected || selected.has(w.entity.sid), taskChannelSid);
    return {
      realtime: { activity_statistics: workers.activity_statistics, total_workers: workers.total_workers },
      cumulative: workersCumulative(repo, wsSid, p, ctx.now, selected),
    };
  });
}

export function workerStatistics(engine: Engine, ctx: CommandContext, wsSid: string, wkSid: string, p: StatisticsParams) {
  return engine.inspect(ctx, wsSid, (repo) => {
    const w = repo.get('worker', wkSid);
    if (!w || w.workspaceSid !== wsSid) throw notFound(`/Workspaces/${wsSid}/Workers/${wkSid}`);
    return { cumulative: workersCumulative(repo, wsSid, p, ctx.now, new Set([wkSid])) };
  });
}
