// /v1/Workspaces/{WS}/Workers/{WK}/Channels: list, fetch (by WC SID, TC SID or unique name), update
// Capacity and Available. assigned_tasks counts the worker's accepted and wrapping reservations on the channel.
import type { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { WorkerChannel } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { requireWorkspace } from '../../engine/configuration/context.ts';
import {
  assignedTaskCounts,
  availableCapacityPercentage,
  getWorkerChannel,
  requireWorker,
  updateWorkerChannel,
} from '../../engine/configuration/workerChannels.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import { twilioRoute } from '../common/routeSchema.ts';
import { WORKER_CHANNEL, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('WorkerChannels', d);

/** The channel's assigned task count, from the worker's stored reservations. */
function assignedOn(repo: Repository, wc: WorkerChannel): number {
  return assignedTaskCounts(repo, wc.workspaceSid, wc.workerSid).get(wc.taskChannelSid) ?? 0;
}

/** `assigned` is the worker's task count on this channel (assignedTaskCounts); a list reads it once. */
export function serializeWorkerChannel(repo: Repository, origin: string, wc: WorkerChannel, assigned = assignedOn(repo, wc)): z.output<typeof WORKER_CHANNEL> {
  return {
    account_sid: wc.accountSid,
    assigned_tasks: assigned,
    available: wc.available,
    available_capacity_percentage: availableCapacityPercentage(wc, assigned),
    configured_capacity: wc.capacity,
    date_created: isoDate(wc.dateCreated),
    date_updated: isoDate(wc.dateUpdated),
    sid: wc.sid,
    task_channel_sid: wc.taskChannelSid,
    task_channel_unique_name: repo.get('taskChannel', wc.taskChannelSid)?.uniqueName ?? null,
    worker_sid: wc.workerSid,
    workspace_sid: wc.workspaceSid,
    url: workspaceUrl(origin, wc.workspaceSid, `/Workers/${wc.workerSid}/Channels/${wc.sid}`),
  };
}

const UPDATE = { Capacity: param.int(0, LIMITS.channelCapacity).optional(), Available: param.bool().optional() };

type Params = { Params: { ws: string; wk: string; sid: string } };

export function registerWorkerChannelRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Workers/:wk/Channels';

  app.get<Params>(base, doc({ summary: "List a Worker's channels", query: PAGING, responses: { 200: listOf('channels', WORKER_CHANNEL) } }), async (request) => {
    const p = decodeParams(PAGING, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const worker = requireWorker(repo, ws, request.params.wk);
      const result = repo.page('workerChannel', { workspaceSid: ws.sid, workerSid: worker.sid }, pageReq.cursor);
      const assigned = assignedTaskCounts(repo, ws.sid, worker.sid);
      return listEnvelope(request, 'channels', pageReq, result, (wc) =>
        serializeWorkerChannel(repo, originOf(request), wc, assigned.get(wc.taskChannelSid) ?? 0),
      );
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: "Fetch a Worker's channel (by SID or task channel unique name)", query: NO_PARAMS, responses: { 200: WORKER_CHANNEL } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return store.read((repo) =>
      serializeWorkerChannel(repo, originOf(request), getWorkerChannel(repo, ctx, request.params.ws, request.params.wk, request.params.sid)),
    );
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: "Update a Worker's channel: capacity and availability", body: UPDATE, responses: { 200: WORKER_CHANNEL } }), async (request) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    return engine.run(ctx, request.params.ws, (repo, router) => {
      const wc = updateWorkerChannel(repo, ctx, request.params.ws, request.params.wk, request.params.sid, { capacity: p.Capacity, available: p.Available });
      router.workerUpserted(repo.get('worker', wc.workerSid)!, [wc], ctx.now);
      return serializeWorkerChannel(repo, originOf(request), wc);
    });
  });
}
