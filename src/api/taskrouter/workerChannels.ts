// /v1/Workspaces/{WS}/Workers/{WK}/Channels: list, fetch (by WC SID, TC SID or unique name), update
// Capacity and Available. assigned_tasks counts the worker's tasks on the channel (none before routing).
import type { FastifyInstance } from 'fastify';
import type { WorkerChannel } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { requireChild, requireWorkspace } from '../../engine/configuration/context.ts';
import { getWorkerChannel, updateWorkerChannel } from '../../engine/configuration/workerChannels.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';

/** Tasks currently assigned to the worker on this channel. Tasks arrive with the routing engine; until then 0. */
function assignedTasks(_wc: WorkerChannel): number {
  return 0;
}

export function serializeWorkerChannel(repo: Repository, origin: string, wc: WorkerChannel) {
  const assigned = assignedTasks(wc);
  const free = wc.available && wc.capacity > 0 ? Math.max(0, wc.capacity - assigned) : 0;
  return {
    account_sid: wc.accountSid,
    assigned_tasks: assigned,
    available: wc.available,
    available_capacity_percentage: wc.capacity > 0 ? Math.floor((free * 100) / wc.capacity) : 0,
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

type Params = { Params: { ws: string; wk: string; sid: string } };

export function registerWorkerChannelRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Workers/:wk/Channels';

  app.get<Params>(base, async (request) => {
    const p = decodeParams({ ...PAGING }, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const worker = requireChild(repo, 'worker', ws, request.params.wk, `/v1/Workspaces/${ws.sid}/Workers/${request.params.wk}`);
      const result = repo.page('workerChannel', { workerSid: worker.sid }, pageReq.cursor);
      return listEnvelope(request, 'channels', pageReq, result, (wc) => serializeWorkerChannel(repo, originOf(request), wc));
    });
  });

  app.get<Params>(`${base}/:sid`, async (request) => {
    decodeParams({}, request.query);
    const ctx = commandContext(request, clock());
    return store.read((repo) =>
      serializeWorkerChannel(repo, originOf(request), getWorkerChannel(repo, ctx, request.params.ws, request.params.wk, request.params.sid)),
    );
  });

  app.post<Params>(`${base}/:sid`, async (request) => {
    const p = decodeParams({ Capacity: param.int(0, LIMITS.channelCapacity).optional(), Available: param.bool().optional() }, request.body);
    const ctx = commandContext(request, clock());
    return engine.run(ctx, request.params.ws, (repo, router) => {
      const wc = updateWorkerChannel(repo, ctx, request.params.ws, request.params.wk, request.params.sid, { capacity: p.Capacity, available: p.Available });
      router.workerUpserted(repo.get('worker', wc.workerSid)!, [wc], ctx.now);
      return serializeWorkerChannel(repo, originOf(request), wc);
    });
  });
}
