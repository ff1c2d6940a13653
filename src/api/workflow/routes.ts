// The Workflow face (LUSID Workflow's REST API, JSON in and out) under /api: task definitions, tasks, workers
// (and their runs), workflows, event handlers, action logs and the access-control metadata. Authentication is
// the server's: a bearer token naming a user (a user token, or the OpenID Connect provider's; LUSID's SDKs send
// one), or HTTP Basic with AccountSid:AuthToken or ApiKeySid:ApiKeySecret, whose SID is then the user
// (CurrentUser, userIdCreated). Every response carries `lusid-meta-requestId`, and every error LUSID's
// problem-details body.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.ts';
import type { ResourceId } from '../../core/workflowEntities.ts';
import { ISO_DATE_TIME } from '../../workflow/filter/filterEvaluate.ts';
import { DEFAULT_LIMIT, type ListQuery, MAX_LIMIT } from '../../workflow/taskList.ts';
import type { Actor } from '../../workflow/taskCommands.ts';
import type { WorkflowService } from '../../workflow/workflowService.ts';
import type { LusidWorkflowService } from '../../workflow/lusidWorkflowService.ts';
import type { EventHandlerService } from '../../workflow/eventHandlerService.ts';
import { originOf, principalOf, userIdOf } from '../common/http.ts';
import { configureJsonFace } from '../common/jsonFace.ts';
import { lusidErrorBody } from './lusidError.ts';
import { accessControlledResources } from '../../workflow/accessResources.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lusidRequestId?: string;
  }
}

export interface WorkflowRouteDeps {
  clock: () => number;
  workflow: WorkflowService;
  workflows: LusidWorkflowService;
  eventHandlers: EventHandlerService;
}

type Query = Record<string, string | string[] | undefined>;

function validation(message: string, parameter: string): ApiError {
  return new ApiError('workflowValidation', message, [{ parameter }]);
}

/** The query parameters the route takes; anything else is refused (a typo would otherwise be ignored). */
function queryOf(request: FastifyRequest, allowed: readonly string[]): Query {
  const q = (request.query ?? {}) as Query;
  for (const key of Object.keys(q)) {
    if (!allowed.includes(key)) throw validation(`Unknown query parameter '${key.slice(0, 100)}'${allowed.length ? `; this endpoint takes ${allowed.join(', ')}` : ''}`, key.slice(0, 100));
  }
  return q;
}

function single(q: Query, key: string): string | undefined {
  const v = q[key];
  if (Array.isArray(v)) throw validation(`Query parameter '${key}' must be given once`, key);
  return v;
}

function asAtOf(q: Query): number | undefined {
  const v = single(q, 'asAt');
  if (v === undefined) return undefined;
  const ms = ISO_DATE_TIME.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw validation(`asAt '${v.slice(0, 64)}' must be an ISO-8601 date-time`, 'asAt');
  return ms;
}

function triggerOf(q: Query): string | undefined {
  const t = single(q, 'trigger');
  if (t !== undefined && (t.length === 0 || t.length > 256)) throw validation('trigger must be 1-256 characters', 'trigger');
  return t;
}

const LIST_PARAMS = ['asAt', 'filter', 'sortBy', 'limit', 'page'] as const;

function listQueryOf(q: Query): ListQuery {
  const limitText = single(q, 'limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = /^\d{1,6}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) throw validation(`limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
  }
  const sortBy = q.sortBy === undefined ? [] : Array.isArray(q.sortBy) ? q.sortBy : [q.sortBy];
  const asAt = asAtOf(q);
  const filter = single(q, 'filter');
  const page = single(q, 'page');
  return { limit, sortBy, ...(asAt !== undefined ? { asAt } : {}), ...(filter !== undefined ? { filter } : {}), ...(page !== undefined ? { page } : {}) };
}

export function registerWorkflowFaceRoutes(app: FastifyInstance, { clock, workflow, workflows, eventHandlers }: WorkflowRouteDeps): void {
  app.register(
    async (api) => {
      // Every response carries its request id, which errors, version info and history also name.
      api.addHook('onRequest', async (request, reply) => {
        request.lusidRequestId = randomUUID();
        reply.header('lusid-meta-requestId', request.lusidRequestId);
      });
      configureJsonFace(api, {
        validationKind: 'workflowValidation',
        notFound: (request) => new ApiError('notFound', `No Workflow API endpoint ${request.method} ${request.url.split('?')[0]}`),
        body: (err, request) => lusidErrorBody(err, request.lusidRequestId ?? randomUUID()),
      });

      const actor = (request: FastifyRequest): Actor => ({ accountSid: principalOf(request).accountSid, userId: userIdOf(request), requestId: request.lusidRequestId!, now: clock() });
      const href = (request: FastifyRequest) => `${originOf(request)}${request.url.split('?')[0]}`;
      const id = (params: unknown): ResourceId => params as ResourceId;

      // ---------------------------------------------------------------- task definitions
      api.post('/taskdefinitions', async (request, reply) => {
        queryOf(request, []);
        reply.code(201);
        return workflow.createDefinition(actor(request), request.body, originOf(request));
      });
      api.get('/taskdefinitions', async (request) => {
        const q = listQueryOf(queryOf(request, LIST_PARAMS));
        return workflow.listDefinitions(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/taskdefinitions/:scope/:code', async (request) => {
        const q = queryOf(request, ['asAt']);
        return workflow.getDefinition(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      api.put('/taskdefinitions/:scope/:code', async (request) => {
        queryOf(request, []);
        return workflow.updateDefinition(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/taskdefinitions/:scope/:code', async (request) => {
        queryOf(request, []);
        return workflow.deleteDefinition(actor(request), id(request.params), href(request));
      });
      api.get('/taskdefinitions/:scope/:code/tasks', async (request) => {
        const q = listQueryOf(queryOf(request, LIST_PARAMS));
        return workflow.definitionTasks(principalOf(request).accountSid, id(request.params), q, originOf(request), userIdOf(request), clock());
      });

      // ---------------------------------------------------------------- tasks
      api.post('/tasks', async (request, reply) => {
        const trigger = triggerOf(queryOf(request, ['trigger']));
        reply.code(201);
        return workflow.createTask(actor(request), request.body, trigger, originOf(request));
      });
      api.get('/tasks', async (request) => {
        const q = listQueryOf(queryOf(request, LIST_PARAMS));
        return workflow.listTasks(principalOf(request).accountSid, q, clock(), originOf(request), userIdOf(request));
      });
      api.post('/tasks/$delete', async (request) => {
        queryOf(request, []);
        return workflow.deleteTasks(actor(request), request.body, href(request));
      });
      api.patch('/tasks/$update', async (request) => {
        queryOf(request, []);
        return workflow.batchUpdate(actor(request), request.body, originOf(request));
      });
      api.get('/tasks/:id', async (request) => {
        const q = queryOf(request, ['asAt']);
        return workflow.getTask(principalOf(request).accountSid, (request.params as { id: string }).id, asAtOf(q), clock(), originOf(request));
      });
      api.post('/tasks/:id', async (request) => {
        const trigger = triggerOf(queryOf(request, ['trigger']));
        return workflow.updateTask(actor(request), (request.params as { id: string }).id, request.body, trigger, originOf(request));
      });
      api.delete('/tasks/:id', async (request) => {
        queryOf(request, []);
        return workflow.deleteTask(actor(request), (request.params as { id: string }).id, href(request));
      });
      api.get('/tasks/:id/history', async (request) => {
        const asAt = asAtOf(queryOf(request, ['asAt'])) ?? clock();
        const values = workflow.history(principalOf(request).accountSid, (request.params as { id: string }).id, asAt);
        return { values, href: href(request), links: [] };
      });

      // ---------------------------------------------------------------- workers and action logs
      api.post('/workers', async (request, reply) => {
        queryOf(request, []);
        reply.code(201);
        return workflow.createWorker(actor(request), request.body, originOf(request));
      });
      api.get('/workers', async (request) => {
        const q = listQueryOf(queryOf(request, LIST_PARAMS));
        return workflow.listWorkers(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/workers/:scope/:code', async (request) => {
        const q = queryOf(request, ['asAt']);
        return workflow.getWorker(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      // A run outside any task; its result by run id (a static segment: `$result` is never a worker's code here).
      api.post('/workers/:scope/:code/$run', async (request) => {
        const q = queryOf(request, ['asAt']);
        return workflow.runWorker(actor(request), id(request.params), asAtOf(q), request.body);
      });
      api.get('/workers/:runId/$result', async (request) => {
        queryOf(request, []);
        return workflow.workerResult(principalOf(request).accountSid, (request.params as { runId: string }).runId);
      });
      api.put('/workers/:scope/:code', async (request) => {
        queryOf(request, []);
        return workflow.updateWorker(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/workers/:scope/:code', async (request) => {
        queryOf(request, []);
        return workflow.deleteWorker(actor(request), id(request.params), href(request));
      });
      // ---------------------------------------------------------------- workflows (LUSID's WorkflowsApi)
      api.post('/workflows', async (request, reply) => {
        queryOf(request, []);
        reply.code(201);
        return workflows.create(actor(request), request.body, originOf(request));
      });
      api.get('/workflows', async (request) => {
        const q = listQueryOf(queryOf(request, LIST_PARAMS));
        return workflows.list(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/workflows/:scope/:code', async (request) => {
        const q = queryOf(request, ['asAt']);
        return workflows.get(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      api.put('/workflows/:scope/:code', async (request) => {
        queryOf(request, []);
        return workflows.update(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/workflows/:scope/:code', async (request) => {
        queryOf(request, []);
        return workflows.delete(actor(request), id(request.params), href(request));
      });

      // ---------------------------------------------------------------- event handlers (EventHandlersApi)
      api.post('/eventhandlers', async (request, reply) => {
        queryOf(request, []);
        reply.code(201);
        return eventHandlers.create(actor(request), request.body, originOf(request));
      });
      api.get('/eventhandlers', async (request) => {
        const q = listQueryOf(queryOf(request, LIST_PARAMS));
        return eventHandlers.list(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/eventhandlers/:scope/:code', async (request) => {
        const q = queryOf(request, ['asAt']);
        return eventHandlers.get(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      api.put('/eventhandlers/:scope/:code', async (request) => {
        queryOf(request, []);
        return eventHandlers.update(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/eventhandlers/:scope/:code', async (request) => {
        queryOf(request, []);
        return eventHandlers.delete(actor(request), id(request.params), href(request));
      });

      api.get('/metadata/access/resources', async (request) => {
        queryOf(request, []);
        return accessControlledResources(href(request));
      });
      api.get('/actionlogs/:id', async (request) => {
        queryOf(request, []);
        return workflow.getActionLog(principalOf(request).accountSid, (request.params as { id: string }).id);
      });
    },
    { prefix: '/api' },
  );
}
