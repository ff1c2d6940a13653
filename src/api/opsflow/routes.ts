// The Opsflow face (SpaceONE opsflow's HTTP gateway): every verb is a POST with a JSON body under /opsflow/v1.
// Authentication is the server's: Basic (account or API key; the credential's SID is the user) or a bearer
// token naming a user (a user token, or the OpenID Connect provider's). The workspace is
// the `X-Workspace-Id` header, as SpaceONE takes it from a workspace-scoped token: with it a caller sees and
// creates that workspace's tasks; without it the caller is domain-wide and creates in `workspace-default`.
// Errors are SpaceONE's `{"detail": {"code": "ERROR_...", "message": "..."}}` (spaceoneError.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.ts';
import type { OpsActor, OpsflowService } from '../../opsflow/opsflowService.ts';
import type { OpsflowVariables } from '../../opsflow/variables.ts';
import { principalOf, userIdOf } from '../common/http.ts';
import { configureJsonFace } from '../common/jsonFace.ts';
import { spaceoneErrorBody } from './spaceoneError.ts';
import { type RouteDoc, jsonRoute } from '../common/routeSchema.ts';
import { S } from '../../opsflow/requests.ts';
import { CATEGORY_INFO, COMMENT_INFO, TASK_INFO, TASK_TYPE_INFO } from '../../opsflow/render.ts';
import { VARIABLE_INFO, VARIABLE_REQUESTS } from '../../opsflow/variables.ts';

export interface OpsflowRouteDeps {
  clock: () => number;
  opsflow: OpsflowService;
  variables: OpsflowVariables;
}

export const SPACEONE_ERROR = z
  .object({ detail: z.object({ code: z.string(), message: z.string(), details: z.array(z.record(z.string(), z.unknown())).optional() }) })
  .describe("SpaceONE's error body (python-core's HTTPException detail)");

/** What a change answers: the fields it updated. */
const UPDATED = z.looseObject({ updated: z.array(z.object({ field: z.string(), content: z.unknown() })).optional() });
const EMPTY = z.object({});
/** A list or stat answer; `only` picks a list's fields, so its results are open objects. */
const LIST = z.object({ results: z.array(z.record(z.string(), z.unknown())), total_count: z.number().int() });
/** A stat answer: rows, or plain values for `distinct`. */
const STAT = z.object({ results: z.array(z.unknown()), total_count: z.number().int() });

interface Verb {
  doc: RouteDoc;
  run: (a: OpsActor, body: unknown) => unknown;
}
const verb = (summary: string, request: z.ZodType, response: z.ZodType, run: Verb['run']): Verb => ({
  doc: { summary, body: request, responses: { 200: response, '4xx': SPACEONE_ERROR } },
  run,
});

export function registerOpsflowRoutes(app: FastifyInstance, { clock, opsflow, variables }: OpsflowRouteDeps): void {
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
      // Each verb: the request schema the service decodes its body with (opsflow/requests.ts), the response it
      // renders (opsflow/render.ts), and the service call. The documents are generated from this table.
      const verbs: Record<string, Record<string, Verb>> = {
        task: {
          create: verb('Create a task', S.taskCreate, TASK_INFO, (a, b) => opsflow.createTask(a, b)),
          update: verb('Update a task', S.taskUpdate, UPDATED, (a, b) => opsflow.updateTask(a, b)),
          update_description: verb("Change a task's description", S.taskDescription, UPDATED, (a, b) => opsflow.updateDescription(a, b)),
          change_assignee: verb("Change a task's assignee", S.taskAssignee, UPDATED, (a, b) => opsflow.changeAssignee(a, b)),
          change_status: verb("Change a task's status", S.taskStatus, UPDATED, (a, b) => opsflow.changeStatus(a, b)),
          delete: verb('Delete a task', S.taskRef, EMPTY, (a, b) => opsflow.deleteTask(a, b)),
          get: verb('Get a task', S.taskRef, TASK_INFO, (a, b) => opsflow.getTask(a, b)),
          list: verb('List tasks (a SpaceONE query: filter, sort, page, only, keyword, count_only)', S.taskList, LIST, (a, b) => opsflow.listTasks(a, b)),
          stat: verb('Statistics over tasks (a SpaceONE stat query: aggregate group/count/sort/limit, distinct)', S.stat, STAT, (a, b) => opsflow.stat('task', a, b)),
        },
        'task-category': {
          create: verb('Create a category with its statuses', S.categoryCreate, CATEGORY_INFO, (a, b) => opsflow.createCategory(a, b)),
          update: verb('Update a category', S.categoryUpdate, CATEGORY_INFO, (a, b) => opsflow.updateCategory(a, b)),
          update_fields: verb("Replace a category's fields", S.categoryFields, CATEGORY_INFO, (a, b) => opsflow.updateCategoryFields(a, b)),
          delete: verb('Delete a category', S.categoryRef, CATEGORY_INFO, (a, b) => opsflow.deleteCategory(a, b)),
          get: verb('Get a category', S.categoryRef, CATEGORY_INFO, (a, b) => opsflow.getCategory(a, b)),
          list: verb('List categories', S.categoryList, LIST, (a, b) => opsflow.listCategories(a, b)),
          stat: verb('Statistics over categories', S.stat, STAT, (a, b) => opsflow.stat('category', a, b)),
        },
        'task-type': {
          create: verb('Create a task type', S.typeCreate, TASK_TYPE_INFO, (a, b) => opsflow.createTaskType(a, b)),
          update: verb('Update a task type', S.typeUpdate, TASK_TYPE_INFO, (a, b) => opsflow.updateTaskType(a, b)),
          update_fields: verb("Replace a task type's fields", S.typeFields, TASK_TYPE_INFO, (a, b) => opsflow.updateTaskTypeFields(a, b)),
          delete: verb('Delete a task type (its tasks move to new_task_type_id)', S.typeDelete, EMPTY, (a, b) => opsflow.deleteTaskType(a, b)),
          get: verb('Get a task type', S.typeGet, TASK_TYPE_INFO, (a, b) => opsflow.getTaskType(a, b)),
          list: verb('List task types', S.typeList, LIST, (a, b) => opsflow.listTaskTypes(a, b)),
          stat: verb('Statistics over task types', S.stat, STAT, (a, b) => opsflow.stat('taskType', a, b)),
        },
        comment: {
          create: verb('Comment a task', S.commentCreate, COMMENT_INFO, (a, b) => opsflow.createComment(a, b)),
          update: verb('Edit a comment', S.commentUpdate, COMMENT_INFO, (a, b) => opsflow.updateComment(a, b)),
          delete: verb('Delete a comment', S.commentRef, EMPTY, (a, b) => opsflow.deleteComment(a, b)),
          get: verb('Get a comment', S.commentRef, COMMENT_INFO, (a, b) => opsflow.getComment(a, b)),
          list: verb('List comments', S.commentList, LIST, (a, b) => opsflow.listComments(a, b)),
          stat: verb('Statistics over comments', S.stat, STAT, (a, b) => opsflow.stat('comment', a, b)),
        },
        event: {
          list: verb("List tasks' events (the audit trail)", S.eventList, LIST, (a, b) => opsflow.listEvents(a, b)),
          stat: verb('Statistics over events', S.stat, STAT, (a, b) => opsflow.stat('event', a, b)),
        },
        variable: {
          create: verb('Create a variable of a workspace', VARIABLE_REQUESTS.create, VARIABLE_INFO, (a, b) => variables.create(a, b)),
          update: verb('Update a variable', VARIABLE_REQUESTS.update, VARIABLE_INFO, (a, b) => variables.update(a, b)),
          delete: verb('Delete a variable', VARIABLE_REQUESTS.ref, EMPTY, (a, b) => variables.delete(a, b)),
          get: verb('Get a variable', VARIABLE_REQUESTS.ref, VARIABLE_INFO, (a, b) => variables.get(a, b)),
          list: verb('List variables', VARIABLE_REQUESTS.list, LIST, (a, b) => variables.list(a, b)),
          stat: verb('Statistics over variables', S.stat, STAT, (a, b) => variables.stat(a, b)),
        },
      };
      for (const [resource, byVerb] of Object.entries(verbs)) {
        for (const [name, { doc, run }] of Object.entries(byVerb)) {
          api.post(`/${resource}/${name}`, jsonRoute(`Opsflow ${resource}`, doc), async (request) => {
            if (request.body !== undefined && (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body))) {
              throw new ApiError('opsInvalidParameter', 'The request body must be a JSON object');
            }
            return run(actor(request), request.body ?? {});
          });
        }
      }
    },
    { prefix: '/opsflow/v1' },
  );
}
