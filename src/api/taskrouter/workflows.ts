// /v1/Workspaces/{WS}/Workflows: create, fetch, update (ReEvaluateTasks accepted), list (FriendlyName), delete.
import type { FastifyInstance } from 'fastify';
import type { Workflow } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import { requireWorkspace } from '../../engine/configuration/context.ts';
import { createWorkflow, deleteWorkflow, getWorkflow, updateWorkflow } from '../../engine/configuration/workflows.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import type { z } from 'zod';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { WORKFLOW, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Workflows', d);

export function serializeWorkflow(origin: string, w: Workflow): z.output<typeof WORKFLOW> {
  const url = workspaceUrl(origin, w.workspaceSid, `/Workflows/${w.sid}`);
  return {
    account_sid: w.accountSid,
    assignment_callback_url: w.assignmentCallbackUrl,
    configuration: w.configuration,
    date_created: isoDate(w.dateCreated),
    date_updated: isoDate(w.dateUpdated),
    document_content_type: 'application/json',
    fallback_assignment_callback_url: w.fallbackAssignmentCallbackUrl,
    friendly_name: w.friendlyName,
    sid: w.sid,
    task_reservation_timeout: w.taskReservationTimeout,
    workspace_sid: w.workspaceSid,
    url,
    links: {
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
    },
  };
}

const FIELDS = {
  AssignmentCallbackUrl: param.url().optional(),
  FallbackAssignmentCallbackUrl: param.url().optional(),
  TaskReservationTimeout: param.int(1, LIMITS.taskReservationTimeout).optional(),
};

const CREATE = { FriendlyName: param.name(), Configuration: param.string(LIMITS.workflowConfiguration), ...FIELDS };
const LIST = { FriendlyName: param.string(64).optional(), ...PAGING };
const UPDATE = { FriendlyName: param.name().optional(), Configuration: param.string(LIMITS.workflowConfiguration).optional(), ReEvaluateTasks: param.bool().optional(), ...FIELDS };

type Params = { Params: { ws: string; sid: string } };

export function registerWorkflowRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Workflows';

  app.post<Params>(base, doc({ summary: 'Create a Workflow (its configuration is validated, errors name the field)', body: CREATE, responses: { 201: WORKFLOW } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const w = engine.reconfigure(ctx, request.params.ws, (repo) =>
      createWorkflow(repo, ctx, request.params.ws, {
        friendlyName: p.FriendlyName,
        configuration: p.Configuration,
        assignmentCallbackUrl: p.AssignmentCallbackUrl,
        fallbackAssignmentCallbackUrl: p.FallbackAssignmentCallbackUrl,
        taskReservationTimeout: p.TaskReservationTimeout,
      }),
    );
    reply.code(201);
    return serializeWorkflow(originOf(request), w);
  });

  app.get<Params>(base, doc({ summary: 'List Workflows', query: LIST, responses: { 200: listOf('workflows', WORKFLOW) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const result = repo.page('workflow', { workspaceSid: ws.sid, friendlyName: p.FriendlyName }, pageReq.cursor);
      return listEnvelope(request, 'workflows', pageReq, result, (w) => serializeWorkflow(originOf(request), w));
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch a Workflow', query: NO_PARAMS, responses: { 200: WORKFLOW } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return serializeWorkflow(originOf(request), store.read((repo) => getWorkflow(repo, ctx, request.params.ws, request.params.sid)));
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: 'Update a Workflow (ReEvaluateTasks re-routes its pending tasks)', body: UPDATE, responses: { 200: WORKFLOW } }), async (request) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    const w = engine.reconfigure(
      ctx,
      request.params.ws,
      (repo) =>
      updateWorkflow(repo, ctx, request.params.ws, request.params.sid, {
        friendlyName: p.FriendlyName,
        configuration: p.Configuration,
        assignmentCallbackUrl: p.AssignmentCallbackUrl,
        fallbackAssignmentCallbackUrl: p.FallbackAssignmentCallbackUrl,
        taskReservationTimeout: p.TaskReservationTimeout,
        reEvaluateTasks: p.ReEvaluateTasks,
      }),
      (router) => {
        if (p.ReEvaluateTasks) router.reEvaluate(request.params.sid, ctx.now);
        router.rebalance(ctx.now);
      },
    );
    return serializeWorkflow(originOf(request), w);
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete a Workflow (refused while it has active tasks)', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    engine.reconfigure(ctx, request.params.ws, (repo, router) => {
      router.assertNoActiveTasksIn('workflow', request.params.sid);
      deleteWorkflow(repo, ctx, request.params.ws, request.params.sid);
    });
    return reply.code(204).send();
  });
}
