// WorkerChannel commands: a worker's capacity and availability on one TaskChannel. Capacity 0 means the
// worker takes no new tasks of that channel; at most 50 (TaskRouter's limit). The load figures
// (assigned_tasks, available_capacity_percentage) are derived from the stored reservations, so they are
// right whoever changed them last (the API or the routing engine) and survive a restart.
import { invalid, notFound } from '../../core/errors.ts';
import type { TaskChannel, Worker, WorkerChannel, Workspace } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { isSid, newSid } from '../../core/sid.ts';
import { type CommandContext, recordEvent, requireChild, requireWorkspace } from './context.ts';
import { findTaskChannel } from './taskChannels.ts';

export function newWorkerChannel(worker: Worker, channel: TaskChannel, now: number): WorkerChannel {
  return {
    sid: newSid('WC'),
    accountSid: worker.accountSid,
    workspaceSid: worker.workspaceSid,
    workerSid: worker.sid,
    taskChannelSid: channel.sid,
    capacity: 1,
    available: true,
    dateCreated: now,
    dateUpdated: now,
    version: 0,
  };
}

/** Tasks a worker holds per TaskChannel SID: its accepted and wrapping reservations (the same rule the
 *  routing engine uses for capacity). One query per worker, so a channel list costs one read, not fifteen. */
export function assignedTaskCounts(repo: Repository, workspaceSid: string, workerSid: string): Map<string, number> {
  const counts = new Map<string, number>();
  const held = repo.findAll('reservation', { workspaceSid, workerSid, reservationStatus: { in: ['accepted', 'wrapping'] } });
  for (const r of held) counts.set(r.taskChannelSid, (counts.get(r.taskChannelSid) ?? 0) + 1);
  return counts;
}

/** The free share of the configured capacity, 0-100; 0 when the channel is unavailable or has no capacity. */
export function availableCapacityPercentage(wc: WorkerChannel, assigned: number): number {
  if (!wc.available || wc.capacity <= 0) return 0;
  return Math.floor((Math.max(0, wc.capacity - assigned) * 100) / wc.capacity);
}

function workerPath(wsSid: string, workerSid: string) {
  return `/v1/Workspaces/${wsSid}/Workers/${workerSid}`;
}

/** The worker's channel addressed by WC SID, TC SID or the task channel's unique name. */
function requireWorkerChannel(repo: Repository, ws: Workspace, worker: Worker, sidOrName: string): WorkerChannel {
  let wc: WorkerChannel | undefined;
  if (isSid(sidOrName, 'WC')) {
    wc = repo.get('workerChannel', sidOrName);
  } else {
    const channel = findTaskChannel(repo, ws, sidOrName);
    wc = channel && repo.findByUniqueKey('workerChannel', { workerSid: worker.sid, taskChannelSid: channel.sid });
  }
  if (!wc || wc.workerSid !== worker.sid) throw notFound(`${workerPath(ws.sid, worker.sid)}/Channels/${sidOrName}`);
  return wc;
}

export function requireWorker(repo: Repository, ws: Workspace, workerSid: string): Worker {
  return requireChild(repo, 'worker', ws, workerSid, workerPath(ws.sid, workerSid));
}

export function getWorkerChannel(repo: Repository, ctx: CommandContext, wsSid: string, workerSid: string, sidOrName: string): WorkerChannel {
  const ws = requireWorkspace(repo, ctx, wsSid);
  return requireWorkerChannel(repo, ws, requireWorker(repo, ws, workerSid), sidOrName);
}

export function updateWorkerChannel(
  repo: Repository,
  ctx: CommandContext,
  wsSid: string,
  workerSid: string,
  sidOrName: string,
  input: { capacity?: number; available?: boolean },
): WorkerChannel {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const worker = requireWorker(repo, ws, workerSid);
  const wc = requireWorkerChannel(repo, ws, worker, sidOrName);
  if (input.capacity !== undefined && (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > LIMITS.channelCapacity)) {
    throw invalid(`Invalid parameter Capacity: Capacity must be an integer between 0 and ${LIMITS.channelCapacity}`);
  }
  const updated: WorkerChannel = {
    ...wc,
    capacity: input.capacity ?? wc.capacity,
    available: input.available ?? wc.available,
    dateUpdated: ctx.now,
    version: wc.version + 1,
  };
  repo.update('workerChannel', updated);
  const channel = repo.get('taskChannel', wc.taskChannelSid);
  const activity = repo.get('activity', worker.activitySid);
  const assigned = assignedTaskCounts(repo, ws.sid, worker.sid).get(wc.taskChannelSid) ?? 0;
  // Field names follow TaskRouter's event callback parameters (reference §12.1), in snake_case.
  const eventData = {
    worker_sid: worker.sid,
    worker_name: worker.friendlyName,
    worker_attributes: worker.attributes,
    worker_activity_sid: worker.activitySid,
    worker_activity_name: activity?.friendlyName ?? null,
    worker_version: String(worker.version),
    task_channel_sid: wc.taskChannelSid,
    task_channel_unique_name: channel?.uniqueName ?? null,
    worker_channel_available: String(updated.available),
    worker_channel_available_capacity: String(availableCapacityPercentage(updated, assigned)),
    worker_channel_previous_capacity: String(wc.capacity),
    worker_channel_task_count: String(assigned),
  };
  const name = channel?.uniqueName ?? wc.taskChannelSid;
  if (updated.capacity !== wc.capacity) {
    recordEvent(repo, ctx, ws, {
      eventType: 'worker.capacity.update',
      resourceType: 'worker',
      resourceSid: worker.sid,
      description: `Worker ${worker.friendlyName} capacity on ${name} changed from ${wc.capacity} to ${updated.capacity}`,
      eventData,
    });
  }
  if (updated.available !== wc.available) {
    recordEvent(repo, ctx, ws, {
      eventType: 'worker.channel.availability.update',
      resourceType: 'worker',
      resourceSid: worker.sid,
      description: `Worker ${worker.friendlyName} ${updated.available ? 'available' : 'unavailable'} on ${name}`,
      eventData,
    });
  }
  return updated;
}
