// The Workflow face (LUSID Workflow's REST API, JSON in and out) under /api: task definitions, tasks, workers
// (and their runs), workflows, event handlers, action logs and the access-control metadata. Authentication is
// the server's: a bearer token naming a user (a user token, or the OpenID Connect provider's; LUSID's SDKs send
// one), or HTTP Basic with AccountSid:AuthToken or ApiKeySid:ApiKeySecret, whose SID is then the user
// (CurrentUser, userIdCreated). Every response carries `lusid-meta-requestId`, and every error LUSID's
// problem-details body.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.ts';
import type { ResourceId } from '../../core/workflowEntities.ts';
import { ISO_DATE_TIME } from '../../workflow/filter/filterEvaluate.ts';
import { DEFAULT_LIMIT, type ListQuery, MAX_LIMIT } from '../../workflow/taskList.ts';
import type { Actor } from '../../workflow/taskCommands.ts';
import type { WorkflowService } from '../../workflow/workflowService.ts';
import type { LusidWorkflowService } from '../../workflow/lusidWorkflowService.ts';
import type { EventHandlerService } from '../../workflow/eventHandlerService.ts';
import { accessControlledResources } from '../../workflow/accessResources.ts';
import { createSchema as CREATE_WORKFLOW, updateSchema as UPDATE_WORKFLOW } from '../../workflow/lusidWorkflowService.ts';
import { createSchema as CREATE_EVENT_HANDLER, updateSchema as UPDATE_EVENT_HANDLER } from '../../workflow/eventHandlers.ts';
import { originOf, principalOf, userIdOf } from '../common/http.ts';
import { configureJsonFace } from '../common/jsonFace.ts';
import { LUSID_ERROR, lusidErrorBody } from './lusidError.ts';
import { type RouteDoc, jsonRoute } from '../common/routeSchema.ts';
import { createSchema as CREATE_DEFINITION, updateSchema as UPDATE_DEFINITION } from '../../workflow/taskDefinition.ts';
import { createSchema as CREATE_WORKER, runSchema as RUN_WORKER, updateSchema as UPDATE_WORKER } from '../../workflow/workers.ts';
import { batchSchema as BATCH_UPDATE, createTaskSchema as CREATE_TASK, deleteTasksSchema as DELETE_TASKS, updateTaskSchema as UPDATE_TASK } from '../../workflow/workflowService.ts';

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

// The query parameters of each kind of route: the names a route accepts (anything else is refused, since a typo
// would otherwise be ignored) and what its document lists. Values are read by the helpers below.
const text = (what: string) => z.string().optional().describe(what);
const NO_QUERY = z.object({});
const AS_AT = z.object({ asAt: text('ISO 8601 date-time: the resource as it was then') });
const TRIGGER = z.object({ trigger: text('the trigger to fire with this request') });
const LIST_QUERY = z.object({
  asAt: AS_AT.shape.asAt,
  filter: text('a LUSID filter expression, e.g. state eq \'Pending\''),
  sortBy: z.union([z.string(), z.array(z.string())]).optional().describe('fields to sort by, each optionally followed by " desc"; repeatable'),
  limit: text(`page size, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`),
  page: text("the previous answer's nextPage token"),
});

/** The query parameters the route takes (its query schema's keys); anything else is refused. */
function queryOf(request: FastifyRequest, schema: z.ZodObject): Query {
  const allowed = Object.keys(schema.shape);
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

// Responses: LUSID's shapes, rendered by workflow/taskRepresentation.ts and friends; documented as open objects
// with their main fields.
const open = (what: string, shape: z.ZodRawShape = {}) => z.looseObject(shape).describe(what);
const RESOURCE_ID = z.object({ scope: z.string(), code: z.string() });
const DEFINITION = open('a TaskDefinition: states, fields, triggers, transitions and actions, with its version', { id: RESOURCE_ID });
const TASK = open('a Task: its definition, state, fields, version, parent and children', { id: z.string(), state: z.unknown() });
const WORKER = open('a Worker: its type (Sleep, Fail, HealthCheck, Webhook) and settings', { id: RESOURCE_ID });
const PAGE = (what: string) => open(`a page of ${what}: values, href, nextPage and previousPage tokens`, { values: z.array(z.unknown()) });
const DELETED = open('DeletedEntityResponse: href, effectiveFrom, asAt', { href: z.string() });
const ACTION_LOG = open('the log of an action run: its activity and outcome');
const WORKER_RUN = open('a worker run: its id (the runId of $result)');
const WORKER_RESULT = open("a worker run's status and results");
const WORKFLOW = open('a Workflow: its root task definition and the structure it reaches', { id: RESOURCE_ID });
const EVENT_HANDLER = open('an EventHandler: its event or schedule pattern, run-as user and task activity', { id: RESOURCE_ID });
const RESOURCES = open('the access-controlled resources of the Workflow API');
const doc = (tag: string, d: RouteDoc) => jsonRoute(tag, { ...d, responses: { ...d.responses, '4xx': LUSID_ERROR } });

export function registerWorkflowFaceRoutes(app: FastifyInstance, { clock, workflow, workflows, eventHandlers }: WorkflowRouteDeps): void {
  app.register(
    async (api) => {
      // Every response carries its request id, which errors, version info and history also name. Declared, so
      // that every request of the face has it from the start (one hidden class: see server.ts).
      api.decorateRequest('lusidRequestId', undefined);
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
      api.post('/taskdefinitions', doc('Task definitions', { summary: 'Create a task definition', body: CREATE_DEFINITION, query: NO_QUERY, responses: { 201: DEFINITION } }), async (request, reply) => {
        queryOf(request, NO_QUERY);
        reply.code(201);
        return workflow.createDefinition(actor(request), request.body, originOf(request));
      });
      api.get('/taskdefinitions', doc('Task definitions', { summary: 'List task definitions', query: LIST_QUERY, responses: { 200: PAGE('task definitions') } }), async (request) => {
        const q = listQueryOf(queryOf(request, LIST_QUERY));
        return workflow.listDefinitions(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/taskdefinitions/:scope/:code', doc('Task definitions', { summary: 'Get a task definition (asAt: as it was then)', query: AS_AT, responses: { 200: DEFINITION } }), async (request) => {
        const q = queryOf(request, AS_AT);
        return workflow.getDefinition(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      api.put('/taskdefinitions/:scope/:code', doc('Task definitions', { summary: 'Update a task definition (a new version; tasks stay on theirs)', body: UPDATE_DEFINITION, query: NO_QUERY, responses: { 200: DEFINITION } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.updateDefinition(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/taskdefinitions/:scope/:code', doc('Task definitions', { summary: 'Delete a task definition', query: NO_QUERY, responses: { 200: DELETED } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.deleteDefinition(actor(request), id(request.params), href(request));
      });
      api.get('/taskdefinitions/:scope/:code/tasks', doc('Task definitions', { summary: "List a task definition's tasks", query: LIST_QUERY, responses: { 200: PAGE('tasks') } }), async (request) => {
        const q = listQueryOf(queryOf(request, LIST_QUERY));
        return workflow.definitionTasks(principalOf(request).accountSid, id(request.params), q, originOf(request), userIdOf(request), clock());
      });

      // ---------------------------------------------------------------- tasks
      api.post('/tasks', doc('Tasks', { summary: 'Create a task (trigger: fire a trigger at once)', body: CREATE_TASK, query: TRIGGER, responses: { 201: TASK } }), async (request, reply) => {
        const trigger = triggerOf(queryOf(request, TRIGGER));
        reply.code(201);
        return workflow.createTask(actor(request), request.body, trigger, originOf(request));
      });
      api.get('/tasks', doc('Tasks', { summary: 'List tasks', query: LIST_QUERY, responses: { 200: PAGE('tasks') } }), async (request) => {
        const q = listQueryOf(queryOf(request, LIST_QUERY));
        return workflow.listTasks(principalOf(request).accountSid, q, clock(), originOf(request), userIdOf(request));
      });
      api.post('/tasks/$delete', doc('Tasks', { summary: 'Delete tasks by id', body: DELETE_TASKS, query: NO_QUERY, responses: { 200: DELETED } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.deleteTasks(actor(request), request.body, href(request));
      });
      api.patch('/tasks/$update', doc('Tasks', { summary: 'Update tasks in a batch (fields, triggers)', body: BATCH_UPDATE, query: NO_QUERY, responses: { 200: open('the updated tasks and the failures, by id') } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.batchUpdate(actor(request), request.body, originOf(request));
      });
      api.get('/tasks/:id', doc('Tasks', { summary: 'Get a task (asAt: as it was then)', query: AS_AT, responses: { 200: TASK } }), async (request) => {
        const q = queryOf(request, AS_AT);
        return workflow.getTask(principalOf(request).accountSid, (request.params as { id: string }).id, asAtOf(q), clock(), originOf(request));
      });
      api.post('/tasks/:id', doc('Tasks', { summary: "Update a task's fields and fire a trigger", body: UPDATE_TASK, query: TRIGGER, responses: { 200: TASK } }), async (request) => {
        const trigger = triggerOf(queryOf(request, TRIGGER));
        return workflow.updateTask(actor(request), (request.params as { id: string }).id, request.body, trigger, originOf(request));
      });
      api.delete('/tasks/:id', doc('Tasks', { summary: 'Delete a task', query: NO_QUERY, responses: { 200: DELETED } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.deleteTask(actor(request), (request.params as { id: string }).id, href(request));
      });
      api.get('/tasks/:id/history', doc('Tasks', { summary: "A task's history: every version, from the event log", query: AS_AT, responses: { 200: PAGE('task versions') } }), async (request) => {
        const asAt = asAtOf(queryOf(request, AS_AT)) ?? clock();
        const values = workflow.history(principalOf(request).accountSid, (request.params as { id: string }).id, asAt);
        return { values, href: href(request), links: [] };
      });

      // ---------------------------------------------------------------- workers and action logs
      api.post('/workers', doc('Workers', { summary: 'Create an automated worker', body: CREATE_WORKER, query: NO_QUERY, responses: { 201: WORKER } }), async (request, reply) => {
        queryOf(request, NO_QUERY);
        reply.code(201);
        return workflow.createWorker(actor(request), request.body, originOf(request));
      });
      api.get('/workers', doc('Workers', { summary: 'List workers', query: LIST_QUERY, responses: { 200: PAGE('workers') } }), async (request) => {
        const q = listQueryOf(queryOf(request, LIST_QUERY));
        return workflow.listWorkers(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/workers/:scope/:code', doc('Workers', { summary: 'Get a worker (asAt: as it was then)', query: AS_AT, responses: { 200: WORKER } }), async (request) => {
        const q = queryOf(request, AS_AT);
        return workflow.getWorker(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      // A run outside any task; its result by run id (a static segment: `$result` is never a worker's code here).
      api.post('/workers/:scope/:code/$run', doc('Workers', { summary: 'Run a worker outside any task', body: RUN_WORKER, query: AS_AT, responses: { 200: WORKER_RUN } }), async (request) => {
        const q = queryOf(request, AS_AT);
        return workflow.runWorker(actor(request), id(request.params), asAtOf(q), request.body);
      });
      api.get('/workers/:runId/$result', doc('Workers', { summary: "A worker run's result", query: NO_QUERY, responses: { 200: WORKER_RESULT } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.workerResult(principalOf(request).accountSid, (request.params as { runId: string }).runId);
      });
      api.put('/workers/:scope/:code', doc('Workers', { summary: 'Update a worker', body: UPDATE_WORKER, query: NO_QUERY, responses: { 200: WORKER } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.updateWorker(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/workers/:scope/:code', doc('Workers', { summary: 'Delete a worker', query: NO_QUERY, responses: { 200: DELETED } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.deleteWorker(actor(request), id(request.params), href(request));
      });
      // ---------------------------------------------------------------- workflows (LUSID's WorkflowsApi)
      api.post('/workflows', doc('Workflows', { summary: 'Create a workflow', body: CREATE_WORKFLOW, query: NO_QUERY, responses: { 201: WORKFLOW } }), async (request, reply) => {
        queryOf(request, NO_QUERY);
        reply.code(201);
        return workflows.create(actor(request), request.body, originOf(request));
      });
      api.get('/workflows', doc('Workflows', { summary: 'List workflows', query: LIST_QUERY, responses: { 200: PAGE('workflows') } }), async (request) => {
        const q = listQueryOf(queryOf(request, LIST_QUERY));
        return workflows.list(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/workflows/:scope/:code', doc('Workflows', { summary: 'Get a workflow (asAt: as it was then)', query: AS_AT, responses: { 200: WORKFLOW } }), async (request) => {
        const q = queryOf(request, AS_AT);
        return workflows.get(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      api.put('/workflows/:scope/:code', doc('Workflows', { summary: 'Update a workflow', body: UPDATE_WORKFLOW, query: NO_QUERY, responses: { 200: WORKFLOW } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflows.update(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/workflows/:scope/:code', doc('Workflows', { summary: 'Delete a workflow', query: NO_QUERY, responses: { 200: DELETED } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflows.delete(actor(request), id(request.params), href(request));
      });

      // ---------------------------------------------------------------- event handlers (EventHandlersApi)
      api.post('/eventhandlers', doc('Event handlers', { summary: 'Create an event handler', body: CREATE_EVENT_HANDLER, query: NO_QUERY, responses: { 201: EVENT_HANDLER } }), async (request, reply) => {
        queryOf(request, NO_QUERY);
        reply.code(201);
        return eventHandlers.create(actor(request), request.body, originOf(request));
      });
      api.get('/eventhandlers', doc('Event handlers', { summary: 'List event handlers', query: LIST_QUERY, responses: { 200: PAGE('event handlers') } }), async (request) => {
        const q = listQueryOf(queryOf(request, LIST_QUERY));
        return eventHandlers.list(principalOf(request).accountSid, q, originOf(request), userIdOf(request));
      });
      api.get('/eventhandlers/:scope/:code', doc('Event handlers', { summary: 'Get an event handler (asAt: as it was then)', query: AS_AT, responses: { 200: EVENT_HANDLER } }), async (request) => {
        const q = queryOf(request, AS_AT);
        return eventHandlers.get(principalOf(request).accountSid, id(request.params), asAtOf(q), originOf(request));
      });
      api.put('/eventhandlers/:scope/:code', doc('Event handlers', { summary: 'Update an event handler', body: UPDATE_EVENT_HANDLER, query: NO_QUERY, responses: { 200: EVENT_HANDLER } }), async (request) => {
        queryOf(request, NO_QUERY);
        return eventHandlers.update(actor(request), id(request.params), request.body, originOf(request));
      });
      api.delete('/eventhandlers/:scope/:code', doc('Event handlers', { summary: 'Delete an event handler', query: NO_QUERY, responses: { 200: DELETED } }), async (request) => {
        queryOf(request, NO_QUERY);
        return eventHandlers.delete(actor(request), id(request.params), href(request));
      });

      api.get('/metadata/access/resources', doc('Metadata', { summary: 'The access-controlled resources (ApplicationMetadataApi)', query: NO_QUERY, responses: { 200: RESOURCES } }), async (request) => {
        queryOf(request, NO_QUERY);
        return accessControlledResources(href(request));
      });
      api.get('/actionlogs/:id', doc('Action logs', { summary: "An action's log", query: NO_QUERY, responses: { 200: ACTION_LOG } }), async (request) => {
        queryOf(request, NO_QUERY);
        return workflow.getActionLog(principalOf(request).accountSid, (request.params as { id: string }).id);
      });
    },
    { prefix: '/api' },
  );
}
