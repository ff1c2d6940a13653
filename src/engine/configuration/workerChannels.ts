// WorkerChannel commands: a worker's capacity and availability on one TaskChannel. Capacity 0 means the
// worker takes no new tasks of that channel; at most 50 (TaskRouter's limit).
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
    wc = channel && repo.findOne('workerChannel', { workerSid: worker.sid, taskChannelSid: channel.sid });
  }
  if (!wc || wc.workerSid !== worker.sid) throw notFound(`${workerPath(ws.sid, worker.sid)}/Channels/${sidOrName}`);
  return wc;
}

export function getWorkerChannel(repo: Repository, ctx: CommandContext, wsSid: string, workerSid: string, sidOrName: string): WorkerChannel {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const worker = requireChild(repo, 'worker', ws, workerSid, workerPath(wsSid, workerSid));
  return requireWorkerChannel(repo, ws, worker, sidOrName);
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
  const worker = requireChild(repo, 'worker', ws, workerSid, workerPath(wsSid, workerSid));
  const wc = requireWorkerChannel(repo, ws, worker, sidOrName);
  if (input.capacity !== undefined && (input.capacity < 0 || input.capacity > LIMITS.channelCapacity)) {
    throw invalid(`Invalid parameter Capacity: must be between 0 and ${LIMITS.channelCapacity}`);
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
  const eventData = {
    worker_sid: worker.sid,
    worker_name: worker.friendlyName,
    task_channel_sid: wc.taskChannelSid,
    task_channel_unique_name: channel?.uniqueName ?? null,
    worker_channel_available: String(updated.available),
    worker_channel_available_capacity: String(updated.capacity),
    worker_channel_previous_capacity: String(wc.capacity),
  };
  if (updated.capacity !== wc.capacity) {
    recordEvent(repo, ctx, ws, { eventType: 'worker.capacity.update', resourceType: 'worker', resourceSid: worker.sid, description: `Worker ${worker.friendlyName} capacity on ${channel?.uniqueName} changed`, eventData });
  }
  if (updated.available !== wc.available) {
    recordEvent(repo, ctx, ws, { eventType: 'worker.channel.availability.update', resourceType: 'worker', resourceSid: worker.sid, description: `Worker ${worker.friendlyName} availability on ${channel?.uniqueName} changed`, eventData });
  }
  return updated;
}
