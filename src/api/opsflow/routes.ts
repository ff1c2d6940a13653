// The Opsflow face (SpaceONE opsflow's HTTP gateway): every verb is a POST with a JSON body under /opsflow/v1.
// Authentication is the server's: Basic (account or API key; the credential's SID is the user) or a bearer
// token naming a user (a user token, or the OpenID Connect provider's). The workspace is
// the `X-Workspace-Id` header, as SpaceONE takes it from a workspace-scoped token: with it a caller sees and
// creates that workspace's tasks; without it the caller is domain-wide and creates in `workspace-default`.
// Errors are SpaceONE's `{"error": {"code": "ERROR_...", "message": "..."}}`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, ERRORS } from '../../core/errors.ts';
import type { OpsActor, OpsflowService } from '../../opsflow/opsflowService.ts';
import { principalOf, userIdOf } from '../common/http.ts';
import { configureJsonFace } from '../common/jsonFace.ts';

export interface OpsflowRouteDeps {
  clock: () => number;
  opsflow: OpsflowService;
}

export function spaceoneErrorBody(err: ApiError) {
  const name = (ERRORS[err.kind] as { name?: string }).name;
  const code = name?.startsWith('ERROR_') ? name : `ERROR_${err.kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  return { error: { code, message: err.message, ...(err.details.length ? { details: err.details } : {}) } };
}

export function registerOpsflowRoutes(app: FastifyInstance, { clock, opsflow }: OpsflowRouteDeps): void {
  app.register(
    async (api) => {
      configureJsonFace(api, {
        validationKind: 'opsInvalidParameter',
        notFound: (request) => new ApiError('opsNotFound', `No Opsflow API endpoint ${request.method} ${request.url.split('?')[0]}; every verb is a POST`),
        body: (err) => spaceoneErrorBody(err),
      });

      const actor = (request: FastifyRequest): OpsActor => {
        const p = principalOf(request);
        const header = request.headers['x-workspace-id'];
        const workspaceId = (Array.isArray(header) ? header[0] : header) ?? null;
        if (workspaceId !== null && !/^[A-Za-z0-9_\-]{1,64}$/.test(workspaceId)) throw new ApiError('opsInvalidParameter', 'X-Workspace-Id must be 1-64 letters, digits, _ or -', [{ key: 'X-Workspace-Id' }]);
        return { accountSid: p.accountSid, userId: userIdOf(request), workspaceId, now: clock() };
      };
      const verbs: Record<string, Record<string, (a: OpsActor, body: unknown) => unknown>> = {
        task: {
          create: (a, b) => opsflow.createTask(a, b),
          update: (a, b) => opsflow.updateTask(a, b),
          update_description: (a, b) => opsflow.updateDescription(a, b),
          change_assignee: (a, b) => opsflow.changeAssignee(a, b),
          change_status: (a, b) => opsflow.changeStatus(a, b),
          delete: (a, b) => opsflow.deleteTask(a, b),
          get: (a, b) => opsflow.getTask(a, b),
          list: (a, b) => opsflow.listTasks(a, b),
          stat: (a, b) => opsflow.stat('task', a, b),
        },
        'task-category': {
          create: (a, b) => opsflow.createCategory(a, b),
          update: (a, b) => opsflow.updateCategory(a, b),
          update_fields: (a, b) => opsflow.updateCategoryFields(a, b),
          delete: (a, b) => opsflow.deleteCategory(a, b),
          get: (a, b) => opsflow.getCategory(a, b),
          list: (a, b) => opsflow.listCategories(a, b),
          stat: (a, b) => opsflow.stat('category', a, b),
        },
        'task-type': {
          create: (a, b) => opsflow.createTaskType(a, b),
          update: (a, b) => opsflow.updateTaskType(a, b),
          update_fields: (a, b) => opsflow.updateTaskTypeFields(a, b),
          delete: (a, b) => opsflow.deleteTaskType(a, b),
          get: (a, b) => opsflow.getTaskType(a, b),
          list: (a, b) => opsflow.listTaskTypes(a, b),
          stat: (a, b) => opsflow.stat('taskType', a, b),
        },
        comment: {
          create: (a, b) => opsflow.createComment(a, b),
          update: (a, b) => opsflow.updateComment(a, b),
          delete: (a, b) => opsflow.deleteComment(a, b),
          get: (a, b) => opsflow.getComment(a, b),
          list: (a, b) => opsflow.listComments(a, b),
        },
        event: {
          list: (a, b) => opsflow.listEvents(a, b),
          stat: (a, b) => opsflow.stat('event', a, b),
        },
      };
      for (const [resource, byVerb] of Object.entries(verbs)) {
        for (const [verb, handler] of Object.entries(byVerb)) {
          api.post(`/${resource}/${verb}`, async (request) => {
            if (request.body !== undefined && (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body))) {
              throw new ApiError('opsInvalidParameter', 'The request body must be a JSON object');
            }
            return handler(actor(request), request.body ?? {});
          });
        }
      }
    },
    { prefix: '/opsflow/v1' },
  );
}
