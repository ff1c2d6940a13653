// Builds synthetic workspaces for the engine benchmark (and for profiling it): W workers, Q queues where queue
// 0 takes everyone and queue i takes the workers whose `skill` is i, one workflow into queue 0.
import type { Activity, TaskChannel, TaskQueue, Worker, WorkerChannel, Workflow, Workspace } from '../src/core/entities.ts';
import { type RouterSnapshot, WorkspaceRouter } from '../src/engine/routing/workspaceRouter.ts';

let counter = 0;
const sid = (prefix: string) => prefix + (++counter).toString(16).padStart(32, '0');
const base = { accountSid: 'AC' + '1'.repeat(32), workspaceSid: 'WS' + '1'.repeat(32), dateCreated: 0, dateUpdated: 0, version: 0 };

export function workspace(opts: { workers: number; queues: number; workerAvailable: boolean; capacity?: number }): RouterSnapshot {
  const ws: Workspace = {
    sid: base.workspaceSid, accountSid: base.accountSid, friendlyName: 'bench', eventCallbackUrl: null, eventsFilter: null,
    multiTaskEnabled: true, defaultActivitySid: null, timeoutActivitySid: null, prioritizeQueueOrder: 'FIFO', dateCreated: 0, dateUpdated: 0, version: 0,
  };
  const available: Activity = { ...base, sid: sid('WA'), friendlyName: 'Available', available: true };
  const offline: Activity = { ...base, sid: sid('WA'), friendlyName: 'Offline', available: false };
  ws.defaultActivitySid = offline.sid;
  ws.timeoutActivitySid = offline.sid;
  const channel: TaskChannel = { ...base, sid: sid('TC'), friendlyName: 'Default', uniqueName: 'default', channelOptimizedRouting: false };
  // Queue i takes workers with skill i % queues; queue 0 also targets everyone (the "all agents" queue).
  const queues: TaskQueue[] = [];
  for (let i = 0; i < opts.queues; i++) {
    queues.push({ ...base, sid: sid('WQ'), friendlyName: `q${i}`, targetWorkers: i === 0 ? '1==1' : `skill == ${i}`, maxReservedWorkers: 1, taskOrder: 'FIFO', reservationActivitySid: null, assignmentActivitySid: null });
  }
  const workers: Worker[] = [];
  const workerChannels: WorkerChannel[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const w: Worker = { ...base, sid: sid('WK'), friendlyName: `w${i}`, activitySid: opts.workerAvailable ? available.sid : offline.sid, attributes: JSON.stringify({ skill: i % opts.queues }), dateStatusChanged: i };
    workers.push(w);
    workerChannels.push({ ...base, sid: sid('WC'), workerSid: w.sid, taskChannelSid: channel.sid, capacity: opts.capacity ?? 1, available: true });
  }
  const workflow: Workflow = {
    ...base, sid: sid('WW'), friendlyName: 'wf', configuration: JSON.stringify({ task_routing: { default_filter: { queue: queues[0]!.sid } } }),
    assignmentCallbackUrl: null, fallbackAssignmentCallbackUrl: null, taskReservationTimeout: 120,
  };
  return { workspace: ws, activities: [available, offline], taskChannels: [channel], workers, workerChannels, queues, workflows: [workflow], tasks: [], reservations: [] };
}

export const ids = (prefix: 'WT' | 'WR') => sid(prefix);

/** Runs n full lifecycles (create -> reserve -> accept -> complete) and returns lifecycles per second. */
export function lifecycles(router: WorkspaceRouter, n: number, start: number): number {
  let now = start;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    now += 1;
    router.createTask({ attributes: '{"type":"bench"}' }, now);
    const effects = router.takeEffects();
    let reservation;
    for (const w of effects.writes.values()) if (w.kind === 'reservation') reservation = w.entity;
    if (!reservation) throw new Error('task was not reserved');
    router.updateReservation(reservation, { reservationStatus: 'accepted' }, now);
    router.updateTask(reservation.taskSid, { assignmentStatus: 'completed' }, now, undefined);
    router.takeEffects();
  }
  return n / ((performance.now() - t0) / 1000);
}

