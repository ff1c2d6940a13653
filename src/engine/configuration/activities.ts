// Activity commands. `available` is fixed at creation: TaskRouter answers 200 to an update that tries to
// change it and leaves it as it was, so the update input has no such field.
import { invalid } from '../../core/errors.ts';
import type { Activity } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { newSid } from '../../core/sid.ts';
import { type CommandContext, recordEvent, requireChild, requireWorkspace } from './context.ts';

const path = (ws: string, sid: string) => `/v1/Workspaces/${ws}/Activities/${sid}`;

export function getActivity(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): Activity {
  const ws = requireWorkspace(repo, ctx, wsSid);
  return requireChild(repo, 'activity', ws, sid, path(wsSid, sid));
}

export function createActivity(
  repo: Repository,
  ctx: CommandContext,
  wsSid: string,
  input: { friendlyName: string; available?: boolean },
): Activity {
  const ws = requireWorkspace(repo, ctx, wsSid);
  if (repo.count('activity', { workspaceSid: ws.sid }) >= LIMITS.activitiesPerWorkspace) {
    throw invalid(`Maximum number of Activities (${LIMITS.activitiesPerWorkspace}) reached for this Workspace`);
  }
  if (repo.findOne('activity', { workspaceSid: ws.sid, friendlyName: { ci: input.friendlyName } })) {
    throw invalid(`Activity with the same friendly name already exists: ${input.friendlyName}`);
  }
  const activity: Activity = {
    sid: newSid('WA'),
    accountSid: ws.accountSid,
    workspaceSid: ws.sid,
    friendlyName: input.friendlyName,
    available: input.available ?? false,
    dateCreated: ctx.now,
    dateUpdated: ctx.now,
    version: 0,
  };
  repo.insert('activity', activity);
  recordEvent(repo, ctx, ws, activityEvent('activity.created', activity));
  return activity;
}

export function updateActivity(repo: Repository, ctx: CommandContext, wsSid: string, sid: string, input: { friendlyName?: string }): Activity {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const activity = requireChild(repo, 'activity', ws, sid, path(wsSid, sid));
  if (input.friendlyName !== undefined && input.friendlyName.toLowerCase() !== activity.friendlyName.toLowerCase()) {
    if (repo.findOne('activity', { workspaceSid: ws.sid, friendlyName: { ci: input.friendlyName } })) {
      throw invalid(`Activity with the same friendly name already exists: ${input.friendlyName}`);
    }
  }
  const updated: Activity = {
    ...activity,
    friendlyName: input.friendlyName ?? activity.friendlyName,
    dateUpdated: ctx.now,
    version: activity.version + 1,
  };
  repo.update('activity', updated);
  recordEvent(repo, ctx, ws, activityEvent('activity.updated', updated));
  return updated;
}

/** An activity in use (a worker is in it, the workspace or a queue points at it) cannot be deleted. */
export function deleteActivity(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): void {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const activity = requireChild(repo, 'activity', ws, sid, path(wsSid, sid));
  if (ws.defaultActivitySid === sid || ws.timeoutActivitySid === sid) {
    throw invalid(`Cannot delete Activity ${sid}: it is the Workspace's default or timeout activity`);
  }
  const workers = repo.count('worker', { workspaceSid: ws.sid, activitySid: sid });
  if (workers > 0) throw invalid(`Cannot delete Activity ${sid}: ${workers} Worker(s) are currently in it`);
  const queues = repo.findAll('taskQueue', { workspaceSid: ws.sid }).filter(
    (q) => q.reservationActivitySid === sid || q.assignmentActivitySid === sid,
  );
  if (queues.length > 0) throw invalid(`Cannot delete Activity ${sid}: TaskQueue ${queues[0]!.sid} uses it`);
  repo.delete('activity', sid);
  recordEvent(repo, ctx, ws, activityEvent('activity.deleted', activity));
}

function activityEvent(eventType: string, a: Activity) {
  return {
    eventType,
    resourceType: 'activity',
    resourceSid: a.sid,
    description: `Activity ${a.friendlyName} ${eventType.split('.')[1]}`,
    eventData: { activity_sid: a.sid, activity_name: a.friendlyName, activity_available: String(a.available) },
  };
}
