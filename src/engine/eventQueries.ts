// Reads of a workspace's event log for the Events resource: the time window TaskRouter's parameters describe
// (the last `Minutes`, default 15, or StartDate..EndDate) and the filters by event type and by the task, worker,
// reservation, queue, workflow or task channel an event concerns.
import { invalid, notFound } from '../core/errors.ts';
import type { EventRecord } from '../core/entities.ts';
import type { EventQuery, PageCursor, PageResult, Repository } from '../core/repository.ts';
import { requireWorkspace, type CommandContext } from './configuration/context.ts';

export interface EventFilter {
  minutes?: number;
  startMs?: number;
  endMs?: number;
  eventTypes?: string[];
  taskSid?: string;
  workerSid?: string;
  reservationSid?: string;
  taskQueueSid?: string;
  workflowSid?: string;
  /** A task channel SID or unique name. */
  taskChannel?: string;
  sid?: string;
}

export const DEFAULT_EVENT_MINUTES = 15;

/** The window [from, to] in epoch ms: StartDate..EndDate, or the `minutes` before EndDate (or now). */
export function eventWindow(f: { minutes?: number; startMs?: number; endMs?: number }, now: number): { fromMs: number; toMs: number } {
  const toMs = f.endMs ?? now;
  const fromMs = f.startMs ?? toMs - (f.minutes ?? DEFAULT_EVENT_MINUTES) * 60_000;
  if (fromMs > toMs) throw invalid('Invalid parameter StartDate: StartDate must be before EndDate');
  return { fromMs, toMs };
}

function eventQuery(repo: Repository, workspaceSid: string, f: EventFilter, now: number): EventQuery {
  const data: Record<string, string[]> = {};
  if (f.taskSid) data.task_sid = [f.taskSid];
  if (f.workerSid) data.worker_sid = [f.workerSid];
  if (f.reservationSid) data.reservation_sid = [f.reservationSid];
  if (f.taskQueueSid) data.task_queue_sid = [f.taskQueueSid];
  if (f.workflowSid) data.workflow_sid = [f.workflowSid];
  if (f.taskChannel) {
    const channel = f.taskChannel.startsWith('TC')
      ? repo.get('taskChannel', f.taskChannel)
      : repo.findOne('taskChannel', { workspaceSid, uniqueName: f.taskChannel });
    // An unknown channel matches nothing, as a filter on an unknown SID does.
    data.task_channel_sid = [channel?.workspaceSid === workspaceSid ? channel.sid : f.taskChannel];
  }
  return { workspaceSid, ...eventWindow(f, now), eventTypes: f.eventTypes, data };
}

export function listEvents(repo: Repository, ctx: CommandContext, wsSid: string, f: EventFilter, cursor: PageCursor): PageResult<EventRecord> {
  const ws = requireWorkspace(repo, ctx, wsSid);
  if (f.sid) {
    const one = repo.getEvent(ws.sid, f.sid);
    const { fromMs, toMs } = eventWindow(f, ctx.now);
    const items = one && one.dateMs >= fromMs && one.dateMs <= toMs ? [one] : [];
    return { items, positions: items.map(() => 0), hasMore: false, hasPrevious: false };
  }
  return repo.queryEvents(eventQuery(repo, ws.sid, f, ctx.now), cursor);
}

export function getEvent(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): EventRecord {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const e = repo.getEvent(ws.sid, sid);
  if (!e) throw notFound(`/Workspaces/${ws.sid}/Events/${sid}`);
  return e;
}
