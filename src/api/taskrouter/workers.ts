// /v1/Workspaces/{WS}/Workers: create, fetch, update (If-Match), list with every filter, delete (If-Match).
// `available` and `activity_name` come from the worker's activity; ETag is the worker's version.
import type { FastifyInstance } from 'fastify';
import type { Activity, Worker } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { assertVersion } from '../../engine/configuration/context.ts';
import { createWorker, deleteWorker, getWorker, updateWorker, workerQuery } from '../../engine/configuration/workers.ts';
import { commandContext, ifMatchOf, listByQuery, originOf, setEtag } from '../common/http.ts';
import { PAGING, decodeParams, jsonObjectText, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import type { z } from 'zod';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { WORKER, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Workers', d);

/** `activityOf` lets a list resolve every worker's activity from one read of the workspace's activities. */
export function serializeWorker(
  repo: Repository,
  origin: string,
  w: Worker,
  activityOf: (sid: string) => Activity | undefined = (sid) => repo.get('activity', sid),
): z.output<typeof WORKER> {
  const activity = activityOf(w.activitySid);
  const url = workspaceUrl(origin, w.workspaceSid, `/Workers/${w.sid}`);
  const ws = workspaceUrl(origin, w.workspaceSid);
  return {
    account_sid: w.accountSid,
    activity_name: activity?.friendlyName ?? null,
    activity_sid: w.activitySid,
    attributes: w.attributes,
    available: activity?.available ?? false,
    date_created: isoDate(w.dateCreated),
    date_status_changed: isoDate(w.dateStatusChanged),
    date_updated: isoDate(w.dateUpdated),
    friendly_name: w.friendlyName,
    sid: w.sid,
    workspace_sid: w.workspaceSid,
    url,
    links: {
      activity: `${ws}/Activities/${w.activitySid}`,
      channels: `${url}/Channels`,
      cumulative_statistics: `${ws}/Workers/CumulativeStatistics`,
      real_time_statistics: `${ws}/Workers/RealTimeStatistics`,
      reservations: `${url}/Reservations`,
      statistics: `${ws}/Workers/Statistics`,
      worker_channels: `${url}/Channels`,
      worker_statistics: `${url}/Statistics`,
      workspace: ws,
    },
  };
}

const attributes = () => param.string(LIMITS.attributes).transform((t) => jsonObjectText('Attributes', t, LIMITS.attributes));

const CREATE = { FriendlyName: param.name(), ActivitySid: param.sid('WA').optional(), Attributes: attributes().optional() };
const UPDATE = {
  FriendlyName: param.name().optional(),
  ActivitySid: param.sid('WA').optional(),
  Attributes: attributes().optional(),
  RejectPendingReservations: param.bool().optional(),
};
const LIST = {
  ActivityName: param.string(64).optional(),
  ActivitySid: param.sid('WA').optional(),
  Available: param.bool().optional(),
  FriendlyName: param.string(64).optional(),
  TargetWorkersExpression: param.string(4096).optional(),
  TaskQueueName: param.string(64).optional(),
  TaskQueueSid: param.sid('WQ').optional(),
  Ordering: param.string(256).optional(),
  ...PAGING,
};

type Params = { Params: { ws: string; sid: string } };

export function registerWorkerRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Workers';

  app.post<Params>(base, doc({ summary: 'Create a Worker', body: CREATE, responses: { 201: WORKER } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const body = engine.run(ctx, request.params.ws, (repo, router) => {
      const w = createWorker(repo, ctx, request.params.ws, { friendlyName: p.FriendlyName, activitySid: p.ActivitySid, attributes: p.Attributes });
      router.workerUpserted(w, repo.findAll('workerChannel', { workerSid: w.sid }), ctx.now);
      setEtag(reply, w.version);
      return serializeWorker(repo, originOf(request), w);
    });
    reply.code(201);
    return body;
  });

  app.get<Params>(base, doc({ summary: 'List Workers (every TaskRouter filter, TargetWorkersExpression included)', query: LIST, responses: { 200: listOf('workers', WORKER) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const q = workerQuery(repo, ctx, request.params.ws, {
        activityName: p.ActivityName,
        activitySid: p.ActivitySid,
        available: p.Available,
        friendlyName: p.FriendlyName,
        targetWorkersExpression: p.TargetWorkersExpression,
        taskQueueName: p.TaskQueueName,
        taskQueueSid: p.TaskQueueSid,
        ordering: p.Ordering,
      });
      const activities = new Map(repo.findAll('activity', { workspaceSid: q.workspaceSid }).map((a) => [a.sid, a]));
      const serialize = (w: Worker) => serializeWorker(repo, originOf(request), w, (sid) => activities.get(sid));
      return listByQuery(request, repo, 'worker', 'workers', pageReq, q, serialize);
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch a Worker (ETag: its version)', query: NO_PARAMS, responses: { 200: WORKER } }), async (request, reply) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return store.read((repo) => {
      const w = getWorker(repo, ctx, request.params.ws, request.params.sid);
      setEtag(reply, w.version);
      return serializeWorker(repo, originOf(request), w);
    });
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: 'Update a Worker (If-Match)', body: UPDATE, responses: { 200: WORKER } }), async (request, reply) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    return engine.run(ctx, request.params.ws, (repo, router) => {
      const w = updateWorker(repo, ctx, request.params.ws, request.params.sid, {
        friendlyName: p.FriendlyName,
        activitySid: p.ActivitySid,
        attributes: p.Attributes,
        rejectPendingReservations: p.RejectPendingReservations,
        ifMatch: ifMatchOf(request),
      });
      router.workerUpserted(w, [], ctx.now, { rejectPendingReservations: p.RejectPendingReservations === true });
      setEtag(reply, w.version);
      return serializeWorker(repo, originOf(request), w);
    });
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete a Worker (If-Match)', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    engine.run(ctx, request.params.ws, (repo, router) => {
      const w = getWorker(repo, ctx, request.params.ws, request.params.sid);
      // A stale If-Match is answered 412 before the router refuses or cancels anything.
      assertVersion(w.version, ifMatchOf(request));
      router.workerDeleted(w.sid, ctx.now);
      deleteWorker(repo, ctx, request.params.ws, request.params.sid, ifMatchOf(request));
    });
    return reply.code(204).send();
  });
}
