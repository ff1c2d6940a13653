// TaskChannel commands. A channel can be addressed by its SID or its unique_name (TaskRouter accepts both in
// the path). Every worker has one WorkerChannel per TaskChannel, so creating a channel gives every worker of
// the workspace a channel (capacity 1, available) and deleting it removes them.
import { invalid, notFound } from '../../core/errors.ts';
import type { TaskChannel, Workspace } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { isSid, newSid } from '../../core/sid.ts';
import { type CommandContext, recordEvent, requireWorkspace } from './context.ts';
import { newWorkerChannel } from './workerChannels.ts';

const UNIQUE_NAME = /^[A-Za-z0-9_]{1,64}$/;

function findByUniqueName(repo: Repository, ws: Workspace, name: string): TaskChannel | undefined {
  // Unique names are [A-Za-z0-9_] only, so the store's ASCII case folding is exact here.
  return repo.findOne('taskChannel', { workspaceSid: ws.sid, uniqueName: { ci: name } });
}

/** Finds a channel of the workspace by SID or unique name (case-insensitive), or undefined. A unique name
 *  may itself look like a TC SID (letters and digits), so a SID that matches nothing is tried as a name. */
export function findTaskChannel(repo: Repository, ws: Workspace, sidOrName: string): TaskChannel | undefined {
  if (isSid(sidOrName, 'TC')) {
    const c = repo.get('taskChannel', sidOrName);
    if (c) return c.workspaceSid === ws.sid ? c : undefined;
  }
  return findByUniqueName(repo, ws, sidOrName);
}

function requireTaskChannel(repo: Repository, ws: Workspace, sidOrName: string): TaskChannel {
  const c = findTaskChannel(repo, ws, sidOrName);
  if (!c) throw notFound(`/v1/Workspaces/${ws.sid}/TaskChannels/${sidOrName}`);
  return c;
}

export function getTaskChannel(repo: Repository, ctx: CommandContext, wsSid: string, sidOrName: string): TaskChannel {
  return requireTaskChannel(repo, requireWorkspace(repo, ctx, wsSid), sidOrName);
}

export function createTaskChannel(
  repo: Repository,
  ctx: CommandContext,
  wsSid: string,
  input: { friendlyName: string; uniqueName: string; channelOptimizedRouting?: boolean },
): TaskChannel {
  const ws = requireWorkspace(repo, ctx, wsSid);
  if (!UNIQUE_NAME.test(input.uniqueName)) {
    throw invalid('Invalid parameter UniqueName: UniqueName may contain only letters, digits and underscores (no hyphens)');
  }
  if (findByUniqueName(repo, ws, input.uniqueName)) {
    throw invalid(`TaskChannel with the same unique name already exists: ${input.uniqueName}`);
  }
  if (repo.count('taskChannel', { workspaceSid: ws.sid }) >= LIMITS.taskChannelsPerWorkspace) {
    throw invalid(`Maximum number of TaskChannels (${LIMITS.taskChannelsPerWorkspace}) reached for this Workspace`);
  }
  const channel: TaskChannel = {
    sid: newSid('TC'),
    accountSid: ws.accountSid,
    workspaceSid: ws.sid,
    friendlyName: input.friendlyName,
    uniqueName: input.uniqueName,
    channelOptimizedRouting: input.channelOptimizedRouting ?? false,
    dateCreated: ctx.now,
    dateUpdated: ctx.now,
    version: 0,
  };
  repo.insert('taskChannel', channel);
  for (const worker of repo.findAll('worker', { workspaceSid: ws.sid })) {
    repo.insert('workerChannel', newWorkerChannel(worker, channel, ctx.now));
  }
  recordEvent(repo, ctx, ws, channelEvent('task-channel.created', channel));
  return channel;
}

export function updateTaskChannel(
  repo: Repository,
  ctx: CommandContext,
  wsSid: string,
  sidOrName: string,
  input: { friendlyName?: string; channelOptimizedRouting?: boolean },
): TaskChannel {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const channel = requireTaskChannel(repo, ws, sidOrName);
  const updated: TaskChannel = {
    ...channel,
    friendlyName: input.friendlyName ?? channel.friendlyName,
    channelOptimizedRouting: input.channelOptimizedRouting ?? channel.channelOptimizedRouting,
    dateUpdated: ctx.now,
    version: channel.version + 1,
  };
  repo.update('taskChannel', updated);
  recordEvent(repo, ctx, ws, channelEvent('task-channel.updated', updated));
  return updated;
}

export function deleteTaskChannel(repo: Repository, ctx: CommandContext, wsSid: string, sidOrName: string): void {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const channel = requireTaskChannel(repo, ws, sidOrName);
  repo.deleteWhere('workerChannel', { workspaceSid: ws.sid, taskChannelSid: channel.sid });
  repo.delete('taskChannel', channel.sid);
  recordEvent(repo, ctx, ws, channelEvent('task-channel.deleted', channel));
}

function channelEvent(eventType: string, c: TaskChannel) {
  return {
    eventType,
    resourceType: 'task_channel',
    resourceSid: c.sid,
    description: `TaskChannel ${c.uniqueName} ${eventType.split('.')[1]}`,
    eventData: {
      task_channel_sid: c.sid,
      task_channel_name: c.friendlyName,
      task_channel_unique_name: c.uniqueName,
      task_channel_optimized_routing: String(c.channelOptimizedRouting),
    },
  };
}
