// /v1/Workspaces/{WS}/Workflows: create, fetch, update (ReEvaluateTasks accepted), list (FriendlyName), delete.
import type { FastifyInstance } from 'fastify';
import type { Workflow } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import { requireWorkspace } from '../../engine/configuration/context.ts';
import { createWorkflow, deleteWorkflow, getWorkflow, updateWorkflow } from '../../engine/configuration/workflows.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';

export function serializeWorkflow(origin: string, w: Workflow) {
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

type Params = { Params: { ws: string; sid: string } };

export function registerWorkflowRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Workflows';

  app.post<Params>(base, async (request, reply) => {
    const p = decodeParams({ FriendlyName: param.name(), Configuration: param.string(LIMITS.workflowConfiguration), ...FIELDS }, request.body);
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
    return reply.code(201).send(serializeWorkflow(originOf(request), w));
  });

  app.get<Params>(base, async (request) => {
    const p = decodeParams({ FriendlyName: param.string(64).optional(), ...PAGING }, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const result = repo.page('workflow', { workspaceSid: ws.sid, friendlyName: p.FriendlyName }, pageReq.cursor);
      return listEnvelope(request, 'workflows', pageReq, result, (w) => serializeWorkflow(originOf(request), w));
    });
  });

  app.get<Params>(`${base}/:sid`, async (request) => {
    decodeParams({}, request.query);
    const ctx = commandContext(request, clock());
    return serializeWorkflow(originOf(request), store.read((repo) => getWorkflow(repo, ctx, request.params.ws, request.params.sid)));
  });

  app.post<Params>(`${base}/:sid`, async (request) => {
    const p = decodeParams(
      { FriendlyName: param.name().optional(), Configuration: param.string(LIMITS.workflowConfiguration).optional(), ReEvaluateTasks: param.bool().optional(), ...FIELDS },
      request.body,
    );
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

  app.delete<Params>(`${base}/:sid`, async (request, reply) => {
    const ctx = commandContext(request, clock());
    engine.reconfigure(ctx, request.params.ws, (repo, router) => {
      router.assertNoActiveTasksIn('workflow', request.params.sid);
      deleteWorkflow(repo, ctx, request.params.ws, request.params.sid);
    });
    return reply.code(204).send();
  });
}
