// /v1/Workspaces/{WS}/TaskChannels: create, fetch/update/delete by SID or unique_name, list.
import type { FastifyInstance } from 'fastify';
import type { TaskChannel } from '../../core/entities.ts';
import { requireWorkspace } from '../../engine/configuration/context.ts';
import { createTaskChannel, deleteTaskChannel, getTaskChannel, updateTaskChannel } from '../../engine/configuration/taskChannels.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import type { z } from 'zod';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { TASK_CHANNEL, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('TaskChannels', d);

export function serializeTaskChannel(origin: string, c: TaskChannel): z.output<typeof TASK_CHANNEL> {
  return {
    account_sid: c.accountSid,
    date_created: isoDate(c.dateCreated),
    date_updated: isoDate(c.dateUpdated),
    friendly_name: c.friendlyName,
    sid: c.sid,
    unique_name: c.uniqueName,
    workspace_sid: c.workspaceSid,
    channel_optimized_routing: c.channelOptimizedRouting,
    url: workspaceUrl(origin, c.workspaceSid, `/TaskChannels/${c.sid}`),
    links: { workspace: workspaceUrl(origin, c.workspaceSid) },
  };
}

const CREATE = { FriendlyName: param.name(), UniqueName: param.name(), ChannelOptimizedRouting: param.bool().optional() };
const UPDATE = { FriendlyName: param.name().optional(), ChannelOptimizedRouting: param.bool().optional() };

type Params = { Params: { ws: string; sid: string } };

export function registerTaskChannelRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/TaskChannels';

  app.post<Params>(base, doc({ summary: 'Create a TaskChannel', body: CREATE, responses: { 201: TASK_CHANNEL } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const c = engine.reconfigure(ctx, request.params.ws, (repo) =>
      createTaskChannel(repo, ctx, request.params.ws, { friendlyName: p.FriendlyName, uniqueName: p.UniqueName, channelOptimizedRouting: p.ChannelOptimizedRouting }),
    );
    reply.code(201);
    return serializeTaskChannel(originOf(request), c);
  });

  app.get<Params>(base, doc({ summary: 'List TaskChannels', query: PAGING, responses: { 200: listOf('channels', TASK_CHANNEL) } }), async (request) => {
    const p = decodeParams(PAGING, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const result = repo.page('taskChannel', { workspaceSid: ws.sid }, pageReq.cursor);
      return listEnvelope(request, 'channels', pageReq, result, (c) => serializeTaskChannel(originOf(request), c));
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch a TaskChannel by SID or unique name', query: NO_PARAMS, responses: { 200: TASK_CHANNEL } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return serializeTaskChannel(originOf(request), store.read((repo) => getTaskChannel(repo, ctx, request.params.ws, request.params.sid)));
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: 'Update a TaskChannel', body: UPDATE, responses: { 200: TASK_CHANNEL } }), async (request) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    const c = engine.reconfigure(ctx, request.params.ws, (repo) =>
      updateTaskChannel(repo, ctx, request.params.ws, request.params.sid, { friendlyName: p.FriendlyName, channelOptimizedRouting: p.ChannelOptimizedRouting }),
    );
    return serializeTaskChannel(originOf(request), c);
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete a TaskChannel', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    engine.reconfigure(ctx, request.params.ws, (repo, router) => {
      router.assertNoActiveTasksIn('taskChannel', getTaskChannel(repo, ctx, request.params.ws, request.params.sid).sid);
      deleteTaskChannel(repo, ctx, request.params.ws, request.params.sid);
    });
    return reply.code(204).send();
  });
}
