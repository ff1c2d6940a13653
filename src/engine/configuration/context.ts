// What every configuration command receives besides the repository: who acts and when. The clock is injected
// so tests can control time.
import { ApiError, notFound } from '../../core/errors.ts';
import type { EntityMap, Workspace } from '../../core/entities.ts';
import type { Repository } from '../../core/repository.ts';
import { newSid } from '../../core/sid.ts';

export interface CommandContext {
  accountSid: string;
  now: number;
}

/** The workspace if it exists and belongs to the caller's account; otherwise 20404 (never 403: another
 *  account's resources must be indistinguishable from missing ones). */
export function requireWorkspace(repo: Repository, ctx: CommandContext, sid: string): Workspace {
  const ws = repo.get('workspace', sid);
  if (!ws || ws.accountSid !== ctx.accountSid) throw notFound(`/v1/Workspaces/${sid}`);
  return ws;
}

/** Fetches a workspace child by SID, 20404 unless it lives in that workspace. */
export function requireChild<K extends 'activity' | 'taskChannel' | 'worker' | 'workerChannel' | 'taskQueue' | 'workflow' | 'task' | 'reservation'>(
  repo: Repository,
  kind: K,
  ws: Workspace,
  sid: string,
  path: string,
): EntityMap[K] {
  const row = repo.get(kind, sid);
  if (!row || row.workspaceSid !== ws.sid) throw notFound(path);
  return row;
}

export interface EventInput {
  eventType: string;
  resourceType: string;
  resourceSid: string;
  description: string;
  eventData: Record<string, string | number | boolean | null>;
}

/** Appends one event to the workspace's durable log, in the same transaction as the change it describes. */
export function recordEvent(repo: Repository, ctx: CommandContext, ws: Workspace, e: EventInput): void {
  repo.appendEvent({
    // The sid carries the event's time: the log finds an event by its workspace and time (no index on sids).
    sid: newSid('EV', ctx.now),
    accountSid: ws.accountSid,
    workspaceSid: ws.sid,
    actorType: 'account',
    actorSid: ctx.accountSid,
    dateMs: ctx.now,
    ...e,
    eventData: { workspace_sid: ws.sid, workspace_name: ws.friendlyName, ...e.eventData },
  });
}

/** Optimistic concurrency: `expected` is the client's If-Match (the version it last saw). */
export function assertVersion(current: number, expected: string | undefined): void {
  if (expected !== undefined && expected !== String(current)) {
    throw new ApiError('preconditionFailed', `The If-Match header (${expected}) does not match the current version (${current})`);
  }
}
