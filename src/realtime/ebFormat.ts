// EventBridge ("EB") object formats used by the twilio-taskrouter Worker SDK (reference §17.4). They differ from
// the public REST JSON: dates are epoch seconds, every mutable object carries its integer `version`, tasks say
// `queue_sid`/`queue_name`/`workflow_name`, and a reservation nests its task.
import type { Activity, Reservation, Task, TaskQueue, Worker, WorkerChannel } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.floor(ms / 1000));

export function ebWorker(repo: Repository, w: Worker) {
  const activity = repo.get('activity', w.activitySid);
  return {
    account_sid: w.accountSid,
    workspace_sid: w.workspaceSid,
    sid: w.sid,
    friendly_name: w.friendlyName,
    attributes: w.attributes,
    activity_sid: w.activitySid,
    activity_name: activity?.friendlyName ?? null,
    available: activity?.available ?? false,
    date_created: seconds(w.dateCreated),
    date_updated: seconds(w.dateUpdated),
    date_status_changed: seconds(w.dateStatusChanged),
    version: w.version,
  };
}

export function ebActivity(a: Activity) {
  return {
    account_sid: a.accountSid,
    workspace_sid: a.workspaceSid,
    sid: a.sid,
    friendly_name: a.friendlyName,
    available: a.available,
    date_created: seconds(a.dateCreated),
    date_updated: seconds(a.dateUpdated),
  };
}

export function ebWorkerChannel(repo: Repository, wc: WorkerChannel) {
  const assigned = repo.count('reservation', { workerSid: wc.workerSid, taskChannelSid: wc.taskChannelSid, reservationStatus: { in: ['accepted', 'wrapping'] } });
  const free = wc.available && wc.capacity > 0 ? Math.max(0, wc.capacity - assigned) : 0;
  return {
    account_sid: wc.accountSid,
    workspace_sid: wc.workspaceSid,
    sid: wc.sid,
    worker_sid: wc.workerSid,
    task_channel_sid: wc.taskChannelSid,
    task_channel_unique_name: repo.get('taskChannel', wc.taskChannelSid)?.uniqueName ?? null,
    assigned_tasks: assigned,
    available: wc.available,
    available_capacity_percentage: wc.capacity > 0 ? Math.floor((free * 100) / wc.capacity) : 0,
    configured_capacity: wc.capacity,
    last_reserved_time: 0,
    date_created: seconds(wc.dateCreated),
    date_updated: seconds(wc.dateUpdated),
    version: wc.version,
  };
}

export function ebTask(repo: Repository, t: Task, now: number) {
  return {
    account_sid: t.accountSid,
    workspace_sid: t.workspaceSid,
    sid: t.sid,
    attributes: t.attributes,
    addons: '{}',
    age: Math.max(0, Math.floor((now - t.dateCreated) / 1000)),
    assignment_status: t.assignmentStatus,
    priority: t.priority,
    reason: t.reason,
    queue_sid: t.taskQueueSid,
    queue_name: t.taskQueueSid ? repo.get('taskQueue', t.taskQueueSid)?.friendlyName ?? null : null,
    workflow_sid: t.workflowSid,
    workflow_name: t.workflowSid ? repo.get('workflow', t.workflowSid)?.friendlyName ?? null : null,
    task_channel_sid: t.taskChannelSid,
    task_channel_unique_name: repo.get('taskChannel', t.taskChannelSid)?.uniqueName ?? null,
    routing_target: t.routingTarget,
    timeout: t.timeout,
    virtual_start_time: seconds(t.virtualStartTime),
    date_created: seconds(t.dateCreated),
    date_updated: seconds(t.dateUpdated),
    version: t.version,
  };
}

export function ebReservation(repo: Repository, r: Reservation, now: number) {
  const task = repo.get('task', r.taskSid);
  return {
    account_sid: r.accountSid,
    workspace_sid: r.workspaceSid,
    sid: r.sid,
    task_sid: r.taskSid,
    worker_sid: r.workerSid,
    worker_name: repo.get('worker', r.workerSid)?.friendlyName ?? null,
    task_channel_sid: r.taskChannelSid,
    reservation_status: r.reservationStatus,
    reservation_timeout: r.timeoutAt === null ? 0 : Math.max(0, Math.round((r.timeoutAt - now) / 1000)),
    task: task ? ebTask(repo, task, now) : null,
    date_created: seconds(r.dateCreated),
    date_updated: seconds(r.dateUpdated),
    version: r.version,
  };
}

export function ebTaskQueue(repo: Repository, q: TaskQueue) {
  const name = (sid: string | null) => (sid ? repo.get('activity', sid)?.friendlyName ?? null : null);
  return {
    account_sid: q.accountSid,
    workspace_sid: q.workspaceSid,
    sid: q.sid,
    friendly_name: q.friendlyName,
    target_workers: q.targetWorkers,
    max_reserved_workers: q.maxReservedWorkers,
    task_order: q.taskOrder,
    lifo_queue: q.taskOrder === 'LIFO',
    reservation_activity_sid: q.reservationActivitySid,
    reservation_activity_name: name(q.reservationActivitySid),
    assignment_activity_sid: q.assignmentActivitySid,
    assignment_activity_name: name(q.assignmentActivitySid),
    date_created: seconds(q.dateCreated),
    date_updated: seconds(q.dateUpdated),
    version: q.version,
  };
}

/** The EB list envelope: `contents` and `after_sid` paging (the SDK pages while `after_sid` is set). */
/** An EventBridge list page. The SDK asks for the next page with `AfterSid: after_sid`, or with
 *  `NextToken: meta.next_token` when it sent an `Ordering`; both are null on the last page. */
export function ebList<T>(contents: T[], afterSid: string | null, nextToken: string | null = null) {
  return { contents, after_sid: afterSid, meta: nextToken ? { list_key: 'contents', next_token: nextToken } : { list_key: 'contents' } };
}
