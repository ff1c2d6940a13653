// Worker commands. Names are unique per workspace case-insensitively (TaskRouter: "Worker with the same
// friendly name already exists"); attributes are a JSON object of at most 4096 characters, kept as sent; a new
// worker starts in the workspace's default activity with one WorkerChannel per TaskChannel.
import { invalid, notFound } from '../../core/errors.ts';
import type { Activity, Worker, Workspace } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository, Where } from '../../core/repository.ts';
import { isSid, newSid } from '../../core/sid.ts';
import { type ExpressionScope, ExpressionSyntaxError, compileExpression } from '../../expr/index.ts';
import { assertVersion, type CommandContext, recordEvent, requireChild, requireWorkspace } from './context.ts';
import { orderingComparator } from './ordering.ts';
import { newWorkerChannel } from './workerChannels.ts';

const path = (ws: string, sid: string) => `/v1/Workspaces/${ws}/Workers/${sid}`;

/** Parses worker attributes; the text has been checked to be a JSON object by the API layer. */
export function parseAttributes(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

function requireActivity(repo: Repository, ws: Workspace, sid: string): Activity {
  const a = isSid(sid, 'WA') ? repo.get('activity', sid) : undefined;
  if (!a || a.workspaceSid !== ws.sid) throw invalid(`Invalid parameter ActivitySid: Activity ${sid} not found in this Workspace`);
  return a;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Names compare like the store's unique key (JavaScript toLowerCase). The store's `ci` filter folds ASCII
 *  only, so a name with other letters ('Émile' vs 'émile') is compared here instead of failing on the key. */
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function assertNameFree(repo: Repository, ws: Workspace, name: string, except?: string): void {
  const clash = ASCII.test(name)
    ? repo.findByUniqueKey('worker', { workspaceSid: ws.sid, friendlyName: name })
    : repo.findAll('worker', { workspaceSid: ws.sid }).find((w) => w.sid !== except && sameName(w.friendlyName, name));
  if (clash && clash.sid !== except) throw invalid(`Worker with the same friendly name already exists: ${name}`);
}

export function getWorker(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): Worker {
  const ws = requireWorkspace(repo, ctx, wsSid);
  return requireChild(repo, 'worker', ws, sid, path(wsSid, sid));
}

export function createWorker(
  repo: Repository,
  ctx: CommandContext,
  wsSid: string,
  input: { friendlyName: string; activitySid?: string; attributes?: string },
): Worker {
  const ws = requireWorkspace(repo, ctx, wsSid);
  assertNameFree(repo, ws, input.friendlyName);
  const activitySid = input.activitySid ?? ws.defaultActivitySid;
  if (!activitySid) throw invalid('Invalid parameter ActivitySid: the Workspace has no default activity; give ActivitySid');
  const activity = requireActivity(repo, ws, activitySid);
  if (repo.count('worker', { workspaceSid: ws.sid }) >= LIMITS.workersPerWorkspace) {
    throw invalid(`Maximum number of Workers (${LIMITS.workersPerWorkspace}) reached for this Workspace`);
  }
  const worker: Worker = {
    sid: newSid('WK'),
    accountSid: ws.accountSid,
    workspaceSid: ws.sid,
    friendlyName: input.friendlyName,
    activitySid: activity.sid,
    attributes: input.attributes ?? '{}',
    dateStatusChanged: ctx.now,
    dateCreated: ctx.now,
    dateUpdated: ctx.now,
    version: 0,
  };
  repo.insert('worker', worker);
  for (const channel of repo.findAll('taskChannel', { workspaceSid: ws.sid })) {
    repo.insert('workerChannel', newWorkerChannel(worker, channel, ctx.now));
  }
  recordEvent(repo, ctx, ws, workerEvent('worker.created', worker, activity));
  return worker;
}

export interface UpdateWorkerInput {
  friendlyName?: string;
  activitySid?: string;
  attributes?: string;
  rejectPendingReservations?: boolean;
  ifMatch?: string;
}

export function updateWorker(repo: Repository, ctx: CommandContext, wsSid: string, sid: string, input: UpdateWorkerInput): Worker {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const worker = requireChild(repo, 'worker', ws, sid, path(wsSid, sid));
  assertVersion(worker.version, input.ifMatch);
  if (input.friendlyName !== undefined) assertNameFree(repo, ws, input.friendlyName, worker.sid);
  const activity = input.activitySid !== undefined ? requireActivity(repo, ws, input.activitySid) : undefined;
  const activityChanged = activity !== undefined && activity.sid !== worker.activitySid;
  const updated: Worker = {
    ...worker,
    friendlyName: input.friendlyName ?? worker.friendlyName,
    activitySid: activity?.sid ?? worker.activitySid,
    attributes: input.attributes ?? worker.attributes,
    dateStatusChanged: activityChanged ? ctx.now : worker.dateStatusChanged,
    dateUpdated: ctx.now,
    version: worker.version + 1,
  };
  repo.update('worker', updated);
  if (activityChanged) {
    const previous = repo.get('activity', worker.activitySid);
    const inPreviousMs = ctx.now - worker.dateStatusChanged;
    const event = workerEvent('worker.activity.update', updated, activity);
    Object.assign(event.eventData, {
      worker_previous_activity_sid: worker.activitySid,
      worker_previous_activity_name: previous?.friendlyName ?? null,
      worker_time_in_previous_activity: String(Math.floor(inPreviousMs / 1000)),
      worker_time_in_previous_activity_ms: String(inPreviousMs),
    });
    recordEvent(repo, ctx, ws, event);
  }
  if (input.attributes !== undefined && input.attributes !== worker.attributes) {
    recordEvent(repo, ctx, ws, workerEvent('worker.attributes.update', updated, activity ?? repo.get('activity', updated.activitySid)));
  }
  return updated;
}

export function deleteWorker(repo: Repository, ctx: CommandContext, wsSid: string, sid: string, ifMatch?: string): void {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const worker = requireChild(repo, 'worker', ws, sid, path(wsSid, sid));
  assertVersion(worker.version, ifMatch);
  repo.deleteWhere('workerChannel', { workerSid: worker.sid });
  repo.delete('worker', worker.sid);
  recordEvent(repo, ctx, ws, workerEvent('worker.deleted', worker, repo.get('activity', worker.activitySid)));
}

export interface WorkerFilters {
  activityName?: string;
  activitySid?: string;
  available?: boolean;
  friendlyName?: string;
  targetWorkersExpression?: string;
  taskQueueName?: string;
  taskQueueSid?: string;
  ordering?: string;
}

/** How to list workers: a store filter, plus an in-memory refinement when an expression or an ordering is
 *  involved (those cannot be expressed as column equality). */
export interface WorkerQuery {
  workspaceSid: string;
  where: Where<'worker'>;
  refine?: (workers: Worker[]) => Worker[];
}

export function workerQuery(repo: Repository, ctx: CommandContext, wsSid: string, f: WorkerFilters): WorkerQuery {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const activities = repo.findAll('activity', { workspaceSid: ws.sid });
  const where: Where<'worker'> = { workspaceSid: ws.sid };
  let activitySids: string[] | undefined;
  const narrow = (sids: string[]) => {
    activitySids = activitySids ? activitySids.filter((s) => sids.includes(s)) : sids;
  };
  if (f.activitySid !== undefined) narrow([f.activitySid]);
  if (f.activityName !== undefined) narrow(activities.filter((a) => a.friendlyName.toLowerCase() === f.activityName!.toLowerCase()).map((a) => a.sid));
  if (f.available !== undefined) narrow(activities.filter((a) => a.available === f.available).map((a) => a.sid));
  if (activitySids) where.activitySid = { in: activitySids };
  const predicates: ((w: Worker) => boolean)[] = [];
  if (f.friendlyName !== undefined) {
    const name = f.friendlyName;
    if (ASCII.test(name)) where.friendlyName = { ci: name };
    else predicates.push((w) => sameName(w.friendlyName, name));
  }
  if (f.targetWorkersExpression !== undefined) {
    // Same language and key resolution as a queue's target_workers (a `worker.` prefix is tolerated).
    const expr = compileOrInvalid('TargetWorkersExpression', f.targetWorkersExpression, 'queue');
    const names = new Map(activities.map((a) => [a.sid, a.friendlyName]));
    predicates.push((w) =>
      expr.evaluate({
        root: { ...parseAttributes(w.attributes), sid: w.sid, friendly_name: w.friendlyName, activity_sid: w.activitySid, activity_name: names.get(w.activitySid) ?? null },
      }),
    );
  }
  if (f.taskQueueSid !== undefined || f.taskQueueName !== undefined) {
    const queue =
      f.taskQueueSid !== undefined
        ? repo.get('taskQueue', f.taskQueueSid)
        : repo.findOne('taskQueue', { workspaceSid: ws.sid, friendlyName: { ci: f.taskQueueName! } });
    if (!queue || queue.workspaceSid !== ws.sid) {
      throw notFound(`/v1/Workspaces/${ws.sid}/TaskQueues/${f.taskQueueSid ?? f.taskQueueName}`);
    }
    if (f.taskQueueSid !== undefined && f.taskQueueName !== undefined && !sameName(queue.friendlyName, f.taskQueueName)) {
      predicates.push(() => false);
    }
    // Membership exactly as the routing engine computes it: target_workers over the worker's attributes.
    // A stored expression always compiled when it was set; should one not, the queue simply has no members.
    let expr: ReturnType<typeof compileExpression> | undefined;
    try {
      expr = compileExpression(queue.targetWorkers, 'queue');
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
    }
    predicates.push((w) => expr !== undefined && expr.evaluate({ root: parseAttributes(w.attributes) }));
  }
  const comparator =
    f.ordering !== undefined
      ? orderingComparator<Worker>(f.ordering, {
          DateCreated: (w) => w.dateCreated,
          DateUpdated: (w) => w.dateUpdated,
          DateStatusChanged: (w) => w.dateStatusChanged,
          FriendlyName: (w) => w.friendlyName.toLowerCase(),
        })
      : undefined;
  if (predicates.length === 0 && !comparator) return { workspaceSid: ws.sid, where };
  return {
    workspaceSid: ws.sid,
    where,
    refine: (workers) => {
      const kept = workers.filter((w) => predicates.every((p) => p(w)));
      // Array.prototype.sort is stable, so equal keys keep creation order.
      return comparator ? kept.sort(comparator) : kept;
    },
  };
}

/** Compiles a list-filter expression, turning a syntax error into 20001 with the parser's message. */
export function compileOrInvalid(param: string, source: string, scope: ExpressionScope = 'plain') {
  try {
    return compileExpression(source, scope);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) throw invalid(`Invalid parameter ${param}: ${err.message}`);
    throw err;
  }
}

function workerEvent(eventType: string, w: Worker, activity: Activity | undefined) {
  return {
    eventType,
    resourceType: 'worker',
    resourceSid: w.sid,
    description: `Worker ${w.friendlyName} ${eventType.slice('worker.'.length)}`,
    eventData: {
      worker_sid: w.sid,
      worker_name: w.friendlyName,
      worker_attributes: w.attributes,
      worker_activity_sid: w.activitySid,
      worker_activity_name: activity?.friendlyName ?? null,
      worker_version: String(w.version),
    } as Record<string, string | null>,
  };
}
