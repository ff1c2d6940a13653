// /v1/Workspaces/{WS}/Tasks: create (routed at once), fetch, update (attributes, priority, AssignmentStatus
// canceled/wrapping/completed with Reason, If-Match), list with every filter, delete.
import type { FastifyInstance } from 'fastify';
import type { Task } from '../../core/entities.ts';
import { invalid } from '../../core/errors.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { requireChild, requireWorkspace } from '../../engine/configuration/context.ts';
import { taskQuery } from '../../engine/taskQuery.ts';
import { commandContext, ifMatchOf, listByQuery, listEnvelope, originOf, setEtag } from '../common/http.ts';
import { PAGING, decodeParams, jsonObjectText, param, NO_PARAMS } from '../common/params.ts';
import { newestFirstPage, pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import type { z } from 'zod';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';
import { TASK, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Tasks', d);

const MAX_TTL = 1_209_600;
const MAX_PRIORITY = 2 ** 31 - 1;
const STATUSES = ['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'] as const;

export function serializeTask(repo: Repository, origin: string, t: Task, now: number): z.output<typeof TASK> {
  const ws = workspaceUrl(origin, t.workspaceSid);
  const url = `${ws}/Tasks/${t.sid}`;
  const links: Record<string, string> = { workspace: ws, reservations: `${url}/Reservations` };
  if (t.taskQueueSid) links.task_queue = `${ws}/TaskQueues/${t.taskQueueSid}`;
  if (t.workflowSid) links.workflow = `${ws}/Workflows/${t.workflowSid}`;
  const channel = repo.get('taskChannel', t.taskChannelSid);
  return {
    account_sid: t.accountSid,
    age: Math.max(0, Math.floor((now - t.dateCreated) / 1000)),
    assignment_status: t.assignmentStatus,
    attributes: t.attributes,
    addons: '{}',
    date_created: isoDate(t.dateCreated),
    date_updated: isoDate(t.dateUpdated),
    task_queue_entered_date: isoDate(t.taskQueueEnteredAt),
    priority: t.priority,
    reason: t.reason,
    sid: t.sid,
    task_queue_sid: t.taskQueueSid,
    task_queue_friendly_name: t.taskQueueSid ? repo.get('taskQueue', t.taskQueueSid)?.friendlyName ?? null : null,
    task_channel_sid: t.taskChannelSid,
    task_channel_unique_name: channel?.uniqueName ?? null,
    timeout: t.timeout,
    workflow_sid: t.workflowSid,
    workflow_friendly_name: t.workflowSid ? repo.get('workflow', t.workflowSid)?.friendlyName ?? null : null,
    workspace_sid: t.workspaceSid,
    url,
    links,
    virtual_start_time: isoDate(t.virtualStartTime),
    ignore_capacity: t.ignoreCapacity,
    routing_target: t.routingTarget,
  };
}

/** ISO-8601 date-times as the twilio client sends them (`2026-01-02T03:04:05Z`); not before 1900. */
const isoDateTime = () =>
  param.string(64).transform((v, ctx) => {
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms) || ms < Date.UTC(1900, 0, 1)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time not before 1900' });
    }
    return ms;
  });

const attributes = () => param.string(LIMITS.attributes).transform((t) => jsonObjectText('Attributes', t, LIMITS.attributes));

const CREATE = {
  Timeout: param.int(1, MAX_TTL).optional(),
  Priority: param.int(0, MAX_PRIORITY).optional(),
  TaskChannel: param.string(64).optional(),
  // twilio-taskrouter's Worker.createTask names the channel with these (taskChannelUniqueName/taskChannelSid).
  TaskChannelUniqueName: param.string(64).optional(),
  TaskChannelSid: param.sid('TC').optional(),
  WorkflowSid: param.sid('WW').optional(),
  Attributes: attributes().optional(),
  VirtualStartTime: isoDateTime().optional(),
  RoutingTarget: param.string(34).optional(),
  IgnoreCapacity: param.bool().optional(),
  TaskQueueSid: param.sid('WQ').optional(),
};
const UPDATE = {
  Attributes: attributes().optional(),
  AssignmentStatus: param.enumOf(STATUSES).optional(),
  Reason: param.string(1024).optional(),
  Priority: param.int(0, MAX_PRIORITY).optional(),
  TaskChannel: param.string(64).optional(),
  VirtualStartTime: isoDateTime().optional(),
};
const LIST = {
  Priority: param.int(0, MAX_PRIORITY).optional(),
  AssignmentStatus: param.list(16).optional(),
  WorkflowSid: param.sid('WW').optional(),
  WorkflowName: param.string(64).optional(),
  TaskQueueSid: param.sid('WQ').optional(),
  TaskQueueName: param.string(64).optional(),
  EvaluateTaskAttributes: param.string(4096).optional(),
  RoutingTarget: param.string(34).optional(),
  Ordering: param.string(128).optional(),
  HasAddons: param.bool().optional(),
  ...PAGING,
};

type Params = { Params: { ws: string; sid: string } };

/** The channel a new task names: TaskChannel, or the SDK's TaskChannelUniqueName / TaskChannelSid. */
function taskChannelOf(p: { TaskChannel?: string; TaskChannelUniqueName?: string; TaskChannelSid?: string }): string | undefined {
  const given = [p.TaskChannel, p.TaskChannelUniqueName, p.TaskChannelSid].filter((v): v is string => v !== undefined);
  if (new Set(given).size > 1) throw invalid('Invalid parameter TaskChannel: TaskChannel, TaskChannelUniqueName and TaskChannelSid name different channels');
  return given[0];
}

function statusList(values: string[] | undefined) {
  if (!values) return undefined;
  // Twilio documents repeated keys; comma-separated values (seen in its examples) are accepted too.
  const all = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const v of all) {
    if (!(STATUSES as readonly string[]).includes(v)) throw invalid(`Invalid parameter AssignmentStatus: ${v} is not one of ${STATUSES.join(', ')}`);
  }
  return all as (typeof STATUSES)[number][];
}

export function registerTaskRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Tasks';

  app.post<Params>(base, doc({ summary: 'Create a Task (routed at once)', body: CREATE, responses: { 201: TASK } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const ctx = commandContext(request, clock());
    const body = engine.run(ctx, request.params.ws, (repo, router) => {
      const t = router.createTask(
        {
          attributes: p.Attributes ?? '{}',
          priority: p.Priority,
          timeout: p.Timeout,
          taskChannel: taskChannelOf(p),
          workflowSid: p.WorkflowSid,
          virtualStartTime: p.VirtualStartTime,
          routingTarget: p.RoutingTarget,
          ignoreCapacity: p.IgnoreCapacity,
          taskQueueSid: p.TaskQueueSid,
        },
        ctx.now,
      );
      return t;
    });
    const task = store.read((repo) => repo.get('task', body.sid)) ?? body;
    setEtag(reply, task.version);
    // Returned, not sent: a handler that returns `reply` (a thenable) makes fastify attach stream listeners to
    // wait for the response, about 4 µs a request (the routes' 201 answers all do this).
    reply.code(201);
    return store.read((repo) => serializeTask(repo, originOf(request), task, ctx.now));
  });

  app.get<Params>(base, doc({ summary: 'List Tasks (every TaskRouter filter, EvaluateTaskAttributes included)', query: LIST, responses: { 200: listOf('tasks', TASK) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const q = taskQuery(repo, ctx, request.params.ws, {
        priority: p.Priority,
        assignmentStatus: statusList(p.AssignmentStatus),
        workflowSid: p.WorkflowSid,
        workflowName: p.WorkflowName,
        taskQueueSid: p.TaskQueueSid,
        taskQueueName: p.TaskQueueName,
        evaluateTaskAttributes: p.EvaluateTaskAttributes,
        routingTarget: p.RoutingTarget,
        ordering: p.Ordering,
        hasAddons: p.HasAddons,
      });
      const serialize = (t: Task) => serializeTask(repo, originOf(request), t, ctx.now);
      const newest = q.newestFirst ? newestFirstPage(pageReq, (cursor) => repo.page('task', q.where, cursor)) : undefined;
      if (newest) return listEnvelope(request, 'tasks', pageReq, newest, serialize, 'newestFirst');
      return listByQuery(request, repo, 'task', 'tasks', pageReq, q, serialize);
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch a Task (ETag: its version)', query: NO_PARAMS, responses: { 200: TASK } }), async (request, reply) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return store.read((repo) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const t = requireChild(repo, 'task', ws, request.params.sid, `/v1/Workspaces/${ws.sid}/Tasks/${request.params.sid}`);
      setEtag(reply, t.version);
      return serializeTask(repo, originOf(request), t, ctx.now);
    });
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: 'Update a Task (AssignmentStatus, Attributes, Priority, ...; If-Match)', body: UPDATE, responses: { 200: TASK } }), async (request, reply) => {
    const p = decodeParams(UPDATE, request.body);
    const ctx = commandContext(request, clock());
    const sid = request.params.sid;
    engine.run(ctx, request.params.ws, (repo, router) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const stored = requireChild(repo, 'task', ws, sid, `/v1/Workspaces/${ws.sid}/Tasks/${sid}`);
      router.updateTask(
        sid,
        {
          attributes: p.Attributes,
          priority: p.Priority,
          assignmentStatus: p.AssignmentStatus,
          reason: p.Reason,
          taskChannel: p.TaskChannel,
          virtualStartTime: p.VirtualStartTime,
          ifMatch: ifMatchOf(request),
        },
        ctx.now,
        stored,
      );
    });
    return store.read((repo) => {
      const t = repo.get('task', sid)!;
      setEtag(reply, t.version);
      return serializeTask(repo, originOf(request), t, ctx.now);
    });
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete a Task (If-Match)', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const ctx = commandContext(request, clock());
    const sid = request.params.sid;
    engine.run(ctx, request.params.ws, (repo, router) => {
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const stored = requireChild(repo, 'task', ws, sid, `/v1/Workspaces/${ws.sid}/Tasks/${sid}`);
      router.deleteTask(sid, ifMatchOf(request), ctx.now, stored);
    });
    return reply.code(204).send();
  });
}
