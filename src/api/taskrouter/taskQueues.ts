// /v1/Workspaces/{WS}/TaskQueues: create, fetch, update, list (FriendlyName, EvaluateWorkerAttributes,
// WorkerSid, Ordering), delete. The statistics sub-resources come with the statistics work.
import type { FastifyInstance } from 'fastify';
import type { TaskQueue } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { createTaskQueue, deleteTaskQueue, getTaskQueue, taskQueueQuery, updateTaskQueue } from '../../engine/configuration/taskQueues.ts';
import { commandContext, listByQuery, originOf } from '../common/http.ts';
import { PAGING, decodeParams, jsonObjectText, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import type { z } from 'zod';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { TASK_QUEUE, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('TaskQueues', d);

export function serializeTaskQueue(repo: Repository, origin: string, q: TaskQueue): z.output<typeof TASK_QUEUE> {
  const ws = workspaceUrl(origin, q.workspaceSid);
  const url = `${ws}/TaskQueues/${q.sid}`;
  const activityName = (sid: string | null) => (sid ? repo.get('activity', sid)?.friendlyName ?? null : null);
  const links: Record<string, string> = {};
  if (q.assignmentActivitySid) links.assignment_activity = `${ws}/Activities/${q.assignmentActivitySid}`;
  if (q.reservationActivitySid) links.reservation_activity = `${ws}/Activities/${q.reservationActivitySid}`;
  Object.assign(links, {
    workspace: ws,
    statistics: `${url}/Statistics`,
    real_time_statistics: `${url}/RealTimeStatistics`,
    cumulative_statistics: `${url}/CumulativeStatistics`,
    list_statistics: `${ws}/TaskQueues/Statistics`,
    bulk_real_time_statistics: `${ws}/TaskQueues/RealTimeStatistics`,
  });
  return {
    account_sid: q.accountSid,
    assignment_activity_sid: q.assignmentActivitySid,
    assignment_activity_name: activityName(q.assignmentActivitySid),
    date_created: isoDate(q.dateCreated),
    date_updated: isoDate(q.dateUpdated),
    friendly_name: q.friendlyName,
    max_reserved_workers: q.maxReservedWorkers,
    reservation_activity_sid: q.reservationActivitySid,
    reservation_activity_name: activityName(q.reservationActivitySid),
    sid: q.sid,
    target_workers: q.targetWorkers,
    task_order: q.taskOrder,
    url,
    workspace_sid: q.workspaceSid,
    links,
  };
}

const FIELDS = {
  TargetWorkers: param.string(LIMITS.targetWorkers).optional(),
  MaxReservedWorkers: param.int(1, LIMITS.maxReservedWorkers).optional(),
  TaskOrder: param.enumOf(['FIFO', 'LIFO'] as const).optional(),
  ReservationActivitySid: param.sid('WA').optional(),
  AssignmentActivitySid: param.sid('WA').optional(),
};
const CREATE = { FriendlyName: param.name(), ...FIELDS };
const UPDATE = { FriendlyName: param.name().optional(), ...FIELDS };
const LIST = {
  FriendlyName: param.string(64).optional(),
  EvaluateWorkerAttributes: param.string(LIMITS.attributes).transform((t) => jsonObjectText('EvaluateWorkerAttributes', t, LIMITS.attributes)).optional(),
  WorkerSid: param.sid('WK').optional(),
  Ordering: param.string(256).optional(),
  ...PAGING,
};

type Params = { Params: { ws: string; sid: string } };

function input(p: { FriendlyName?: string } & { [K in keyof typeof FIELDS]?: any }) {
  return {
    friendlyName: p.FriendlyName,
    targetWorkers: p.TargetWorkers,
    maxReservedWorkers: p.MaxReservedWorkers,
    taskOrder: p.TaskOrder,
    reservationActivitySid: p.ReservationActivitySid,
    assignmentActivitySid: p.AssignmentActivitySid,
  };
}

export function registerTaskQueueRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/TaskQueues';

  app.post<Params>(base, doc({ summary: 'Create a TaskQueue', body: CREATE, responses: { 201: TASK_QUEUE } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const body = engine.reconfigure(ctx, request.params.ws, (repo) =>
      serializeTaskQueue(repo, originOf(request), createTaskQueue(repo, ctx, request.params.ws, { ...input(p), friendlyName: p.FriendlyName })),
    );
    reply.code(201);
    return body;
  });

  app.get<Params>(base, doc({ summary: 'List TaskQueues (EvaluateWorkerAttributes, WorkerSid, Ordering)', query: LIST, responses: { 200: listOf('task_queues', TASK_QUEUE) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const q = taskQueueQuery(repo, ctx, request.params.ws, {
        friendlyName: p.FriendlyName,
        evaluateWorkerAttributes: p.EvaluateWorkerAttributes,
        workerSid: p.WorkerSid,
        ordering: p.Ordering,
      });
      const serialize = (tq: TaskQueue) => serializeTaskQueue(repo, originOf(request), tq);
      return listByQuery(request, repo, 'taskQueue', 'task_queues', pageReq, q, serialize);
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch a TaskQueue', query: NO_PARAMS, responses: { 200: TASK_QUEUE } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return store.read((repo) => serializeTaskQueue(repo, originOf(request), getTaskQueue(repo, ctx, request.params.ws, request.params.sid)));
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: 'Update a TaskQueue', body: UPDATE, responses: { 200: TASK_QUEUE } }), async (request) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    return engine.reconfigure(ctx, request.params.ws, (repo) =>
      serializeTaskQueue(repo, originOf(request), updateTaskQueue(repo, ctx, request.params.ws, request.params.sid, input(p))),
    );
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete a TaskQueue (refused while it has active tasks)', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    engine.reconfigure(ctx, request.params.ws, (repo, router) => {
      router.assertNoActiveTasksIn('taskQueue', request.params.sid);
      deleteTaskQueue(repo, ctx, request.params.ws, request.params.sid);
    });
    return reply.code(204).send();
  });
}
