// /v1/Workspaces: create (with Template), fetch, update, list (FriendlyName filter), cascading delete.
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../core/entities.ts';
import type { Repository } from '../../core/repository.ts';
import { createWorkspace, deleteWorkspace, updateWorkspace } from '../../engine/configuration/workspaces.ts';
import { requireWorkspace } from '../../engine/configuration/context.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import type { z } from 'zod';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { WORKSPACE, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Workspaces', d);

export function serializeWorkspace(repo: Repository, origin: string, ws: Workspace): z.output<typeof WORKSPACE> {
  const url = workspaceUrl(origin, ws.sid);
  const activityName = (sid: string | null) => (sid ? repo.get('activity', sid)?.friendlyName ?? null : null);
  return {
    account_sid: ws.accountSid,
    date_created: isoDate(ws.dateCreated),
    date_updated: isoDate(ws.dateUpdated),
    default_activity_name: activityName(ws.defaultActivitySid),
    default_activity_sid: ws.defaultActivitySid,
    event_callback_url: ws.eventCallbackUrl,
    events_filter: ws.eventsFilter,
    friendly_name: ws.friendlyName,
    multi_task_enabled: ws.multiTaskEnabled,
    sid: ws.sid,
    timeout_activity_name: activityName(ws.timeoutActivitySid),
    timeout_activity_sid: ws.timeoutActivitySid,
    prioritize_queue_order: ws.prioritizeQueueOrder,
    url,
    links: {
      activities: `${url}/Activities`,
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
      task_queues: `${url}/TaskQueues`,
      tasks: `${url}/Tasks`,
      workers: `${url}/Workers`,
      workflows: `${url}/Workflows`,
      task_channels: `${url}/TaskChannels`,
      events: `${url}/Events`,
    },
  };
}

const QUEUE_ORDER = ['FIFO', 'LIFO'] as const;

const CREATE = {
  FriendlyName: param.name(),
  EventCallbackUrl: param.url().optional(),
  EventsFilter: param.string(4096).optional(),
  MultiTaskEnabled: param.bool().optional(),
  Template: param.enumOf(['NONE', 'FIFO'] as const).optional(),
  PrioritizeQueueOrder: param.enumOf(QUEUE_ORDER).optional(),
};

const UPDATE = {
  FriendlyName: param.name().optional(),
  DefaultActivitySid: param.sid('WA').optional(),
  TimeoutActivitySid: param.sid('WA').optional(),
  EventCallbackUrl: param.url().optional(),
  EventsFilter: param.string(4096).optional(),
  MultiTaskEnabled: param.bool().optional(),
  PrioritizeQueueOrder: param.enumOf(QUEUE_ORDER).optional(),
};

const LIST = { FriendlyName: param.string(64).optional(), ...PAGING };

export function registerWorkspaceRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  app.post('/v1/Workspaces', doc({ summary: 'Create a Workspace (Template=FIFO adds the usual activities, queue and workflow)', body: CREATE, responses: { 201: WORKSPACE } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const body = store.transaction((repo) => {
      const ws = createWorkspace(repo, ctx, {
        friendlyName: p.FriendlyName,
        eventCallbackUrl: p.EventCallbackUrl,
        eventsFilter: p.EventsFilter,
        multiTaskEnabled: p.MultiTaskEnabled,
        template: p.Template,
        prioritizeQueueOrder: p.PrioritizeQueueOrder,
      });
      return serializeWorkspace(repo, originOf(request), ws);
    });
    reply.code(201);
    return body;
  });

  app.get('/v1/Workspaces', doc({ summary: 'List Workspaces', query: LIST, responses: { 200: listOf('workspaces', WORKSPACE) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const result = repo.page('workspace', { accountSid: ctx.accountSid, friendlyName: p.FriendlyName }, pageReq.cursor);
      return listEnvelope(request, 'workspaces', pageReq, result, (ws) => serializeWorkspace(repo, originOf(request), ws));
    });
  });

  app.get<{ Params: { sid: string } }>('/v1/Workspaces/:sid', doc({ summary: 'Fetch a Workspace', query: NO_PARAMS, responses: { 200: WORKSPACE } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return store.read((repo) => serializeWorkspace(repo, originOf(request), requireWorkspace(repo, ctx, request.params.sid)));
  });

  app.post<{ Params: { sid: string } }>('/v1/Workspaces/:sid', doc({ summary: 'Update a Workspace', body: UPDATE, responses: { 200: WORKSPACE } }), async (request) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    return engine.reconfigure(ctx, request.params.sid, (repo) => {
      const ws = updateWorkspace(repo, ctx, request.params.sid, {
        friendlyName: p.FriendlyName,
        defaultActivitySid: p.DefaultActivitySid,
        timeoutActivitySid: p.TimeoutActivitySid,
        eventCallbackUrl: p.EventCallbackUrl,
        eventsFilter: p.EventsFilter,
        multiTaskEnabled: p.MultiTaskEnabled,
        prioritizeQueueOrder: p.PrioritizeQueueOrder,
      });
      return serializeWorkspace(repo, originOf(request), ws);
    });
  });

  app.delete<{ Params: { sid: string } }>('/v1/Workspaces/:sid', doc({ summary: 'Delete a Workspace and everything in it', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    store.transaction((repo) => deleteWorkspace(repo, ctx, request.params.sid));
    engine.forget(request.params.sid);
    return reply.code(204).send();
  });
}
