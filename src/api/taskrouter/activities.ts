// /v1/Workspaces/{WS}/Activities: create, fetch, update (FriendlyName; Available is ignored as TaskRouter
// does), list (FriendlyName, Available), delete (refused while the activity is in use).
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Activity } from '../../core/entities.ts';
import { createActivity, deleteActivity, getActivity, updateActivity } from '../../engine/configuration/activities.ts';
import { requireWorkspace } from '../../engine/configuration/context.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { ACTIVITY, listOf } from './resources.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';

export function serializeActivity(origin: string, a: Activity): z.output<typeof ACTIVITY> {
  return {
    account_sid: a.accountSid,
    available: a.available,
    date_created: isoDate(a.dateCreated),
    date_updated: isoDate(a.dateUpdated),
    friendly_name: a.friendlyName,
    sid: a.sid,
    workspace_sid: a.workspaceSid,
    url: workspaceUrl(origin, a.workspaceSid, `/Activities/${a.sid}`),
    links: { workspace: workspaceUrl(origin, a.workspaceSid) },
  };
}

type Params = { Params: { ws: string; sid: string } };

const CREATE = { FriendlyName: param.name(), Available: param.bool().optional() };
const LIST = { FriendlyName: param.string(64).optional(), Available: param.bool().optional(), ...PAGING };
// Available is accepted and ignored: it is immutable after create (TaskRouter answers 200 and keeps it).
const UPDATE = { FriendlyName: param.name().optional(), Available: param.bool().optional() };
const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Activities', d);

export function registerActivityRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Activities';

  app.post<Params>(base, doc({ summary: 'Create an Activity', body: CREATE, responses: { 201: ACTIVITY } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const a = engine.reconfigure(ctx, request.params.ws, (repo) =>
      createActivity(repo, ctx, request.params.ws, { friendlyName: p.FriendlyName, available: p.Available }),
    );
    reply.code(201);
    return serializeActivity(originOf(request), a);
  });

  app.get<Params>(base, doc({ summary: 'List Activities', query: LIST, responses: { 200: listOf('activities', ACTIVITY) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const result = repo.page('activity', { workspaceSid: ws.sid, friendlyName: p.FriendlyName, available: p.Available }, pageReq.cursor);
      return listEnvelope(request, 'activities', pageReq, result, (a) => serializeActivity(originOf(request), a));
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch an Activity', query: NO_PARAMS, responses: { 200: ACTIVITY } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return serializeActivity(originOf(request), store.read((repo) => getActivity(repo, ctx, request.params.ws, request.params.sid)));
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: 'Update an Activity', body: UPDATE, responses: { 200: ACTIVITY } }), async (request) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    const a = engine.reconfigure(ctx, request.params.ws, (repo) => updateActivity(repo, ctx, request.params.ws, request.params.sid, { friendlyName: p.FriendlyName }));
    return serializeActivity(originOf(request), a);
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete an Activity (refused while it is in use)', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    engine.reconfigure(ctx, request.params.ws, (repo) => deleteActivity(repo, ctx, request.params.ws, request.params.sid));
    return reply.code(204).send();
  });
}
