// The statistics resources (reference §13): Statistics (realtime + cumulative), RealTimeStatistics and
// CumulativeStatistics of the workspace, each workflow and each task queue; the paged list of every queue's
// statistics; the bulk realtime POST (JSON body {"QueueSids": [...]}, 1-50 SIDs); and the workers' statistics.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { LIMITS } from '../../core/limits.ts';
import {
  queueStatistics,
  queuesRealtime,
  queuesStatistics,
  workerStatistics,
  workersStatistics,
  workflowStatistics,
  workspaceStatistics,
  type StatisticsParams,
  type Windowed,
} from '../../stats/statisticsQueries.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param } from '../common/params.ts';
import { pageArray, pageRequest } from '../common/paging.ts';
import { jsonRoute, twilioRoute } from '../common/routeSchema.ts';
import { TWILIO_ERROR } from '../common/twilioError.ts';
import {
  QUEUES_BULK_REALTIME, QUEUES_STATISTICS, QUEUE_CUMULATIVE, QUEUE_REALTIME, QUEUE_STATISTICS, WORKERS_CUMULATIVE, WORKERS_REALTIME,
  WORKERS_STATISTICS, WORKER_STATISTICS, WORKFLOW_CUMULATIVE, WORKFLOW_REALTIME, WORKFLOW_STATISTICS, WORKSPACE_CUMULATIVE,
  WORKSPACE_REALTIME, WORKSPACE_STATISTICS,
} from './resources.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';

const WINDOW = {
  Minutes: param.int(1, 60 * 24 * 30).optional(),
  StartDate: param.date().optional(),
  EndDate: param.date().optional(),
  TaskChannel: param.string(64).optional(),
};
const SPLIT = {
  SplitByWaitTime: param
    .string(256)
    .regex(/^\d{1,6}(,\d{1,6})*$/, { error: 'must be comma-separated whole seconds, e.g. 5,30,60' })
    .transform((v) => [...new Set(v.split(',').map(Number))].sort((a, b) => a - b))
    .optional(),
};

const FULL = { ...WINDOW, ...SPLIT };
const REALTIME = { TaskChannel: WINDOW.TaskChannel };
const QUEUES_LIST = { ...FULL, FriendlyName: param.string(64).optional(), ...PAGING };
const WORKERS = { ...WINDOW, TaskQueueSid: param.sid('WQ').optional(), TaskQueueName: param.string(64).optional(), FriendlyName: param.string(64).optional() };
/** The bulk realtime POST's JSON body (the handler checks it field by field, with messages that name the SID). */
const BULK = z.object({
  QueueSids: z.array(z.string()).min(1).max(50).optional().describe('1 to 50 TaskQueue SIDs'),
  queueSids: z.array(z.string()).min(1).max(50).optional().describe("the same, as the API reference's curl example spells it"),
  TaskChannel: z.string().optional(),
});
const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Statistics', d);

type WindowParams = { Minutes?: number; StartDate?: number; EndDate?: number; TaskChannel?: string; SplitByWaitTime?: number[] };

function statisticsParams(p: WindowParams): StatisticsParams {
  return { minutes: p.Minutes, startMs: p.StartDate, endMs: p.EndDate, taskChannel: p.TaskChannel, splitBy: p.SplitByWaitTime };
}

function cumulativeWire(c: Windowed<object>) {
  return { ...c.figures, start_time: isoDate(c.fromMs), end_time: isoDate(c.toMs) };
}

type Params = { Params: { ws: string; sid: string } };

export function registerStatisticsRoutes(app: FastifyInstance, { clock, engine }: RouteDeps): void {
  const ws = '/v1/Workspaces/:ws';
  const envelope = (request: FastifyRequest<Params>, path: string) => ({
    account_sid: commandContext(request, clock()).accountSid,
    workspace_sid: request.params.ws,
    url: workspaceUrl(originOf(request), request.params.ws, path),
  });

  // Workspace
  app.get<Params>(`${ws}/Statistics`, doc({ summary: "A Workspace's statistics: realtime and cumulative", query: FULL, responses: { 200: WORKSPACE_STATISTICS } }), async (request) => {
    const p = decodeParams(FULL, request.query);
    const s = workspaceStatistics(engine, commandContext(request, clock()), request.params.ws, statisticsParams(p));
    return { ...envelope(request, '/Statistics'), cumulative: cumulativeWire(s.cumulative), realtime: s.realtime };
  });
  app.get<Params>(`${ws}/RealTimeStatistics`, doc({ summary: "A Workspace's realtime statistics", query: REALTIME, responses: { 200: WORKSPACE_REALTIME } }), async (request) => {
    const p = decodeParams(REALTIME, request.query);
    const s = workspaceStatistics(engine, commandContext(request, clock()), request.params.ws, statisticsParams(p));
    return { ...envelope(request, '/RealTimeStatistics'), ...s.realtime };
  });
  app.get<Params>(`${ws}/CumulativeStatistics`, doc({ summary: "A Workspace's cumulative statistics over a window", query: FULL, responses: { 200: WORKSPACE_CUMULATIVE } }), async (request) => {
    const p = decodeParams(FULL, request.query);
    const s = workspaceStatistics(engine, commandContext(request, clock()), request.params.ws, statisticsParams(p));
    return { ...envelope(request, '/CumulativeStatistics'), ...cumulativeWire(s.cumulative) };
  });

  // Workflows and task queues: the same three resources each, under their own SID key.
  const SCHEMAS = {
    Workflows: { full: WORKFLOW_STATISTICS, realtime: WORKFLOW_REALTIME, cumulative: WORKFLOW_CUMULATIVE, one: 'a Workflow' },
    TaskQueues: { full: QUEUE_STATISTICS, realtime: QUEUE_REALTIME, cumulative: QUEUE_CUMULATIVE, one: 'a TaskQueue' },
  };
  const perResource = (resource: 'Workflows' | 'TaskQueues', sidKey: 'workflow_sid' | 'task_queue_sid', read: typeof workflowStatistics | typeof queueStatistics) => {
    const schemas = SCHEMAS[resource];
    const stats = (request: FastifyRequest<Params>, shape: typeof FULL | typeof REALTIME) =>
      read(engine, commandContext(request, clock()), request.params.ws, request.params.sid, statisticsParams(decodeParams(shape, request.query) as WindowParams));
    const head = (request: FastifyRequest<Params>, leaf: string) => ({ ...envelope(request, `/${resource}/${request.params.sid}/${leaf}`), [sidKey]: request.params.sid });
    app.get<Params>(`${ws}/${resource}/:sid/Statistics`, doc({ summary: `The statistics of ${schemas.one}: realtime and cumulative`, query: FULL, responses: { 200: schemas.full } }), async (request) => {
      const s = stats(request, FULL);
      return { ...head(request, 'Statistics'), cumulative: cumulativeWire(s.cumulative), realtime: s.realtime };
    });
    app.get<Params>(`${ws}/${resource}/:sid/RealTimeStatistics`, doc({ summary: `The realtime statistics of ${schemas.one}`, query: REALTIME, responses: { 200: schemas.realtime } }), async (request) => ({ ...head(request, 'RealTimeStatistics'), ...stats(request, REALTIME).realtime }));
    app.get<Params>(`${ws}/${resource}/:sid/CumulativeStatistics`, doc({ summary: `The cumulative statistics of ${schemas.one} over a window`, query: FULL, responses: { 200: schemas.cumulative } }), async (request) => ({ ...head(request, 'CumulativeStatistics'), ...cumulativeWire(stats(request, FULL).cumulative) }));
  };
  perResource('Workflows', 'workflow_sid', workflowStatistics);

  // Task queues
  app.get<Params>(`${ws}/TaskQueues/Statistics`, doc({ summary: "Every TaskQueue's statistics, paged", query: QUEUES_LIST, responses: { 200: QUEUES_STATISTICS } }), async (request) => {
    const p = decodeParams(QUEUES_LIST, request.query);
    const ctx = commandContext(request, clock());
    const all = queuesStatistics(engine, ctx, request.params.ws, { ...statisticsParams(p), friendlyName: p.FriendlyName });
    const pageReq = pageRequest(p);
    return listEnvelope(
      request,
      'task_queues_statistics',
      pageReq,
      pageArray(all, pageReq),
      (q) => ({ account_sid: ctx.accountSid, workspace_sid: request.params.ws, task_queue_sid: q.taskQueueSid, cumulative: cumulativeWire(q.cumulative), realtime: q.realtime }),
      'offset',
    );
  });
  perResource('TaskQueues', 'task_queue_sid', queueStatistics);

  // The one JSON endpoint of TaskRouter: its own scope with a JSON parser (the rest of the face refuses JSON).
  app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(invalid('The request body must be JSON: {"QueueSids": ["WQ…", …]}'), undefined);
      }
    });
    const bulkDoc = jsonRoute('Statistics', { summary: 'Realtime statistics of up to 50 TaskQueues (JSON body)', body: BULK, responses: { 200: QUEUES_BULK_REALTIME, '4xx': TWILIO_ERROR } });
    scope.post<Params>(`${ws}/TaskQueues/RealTimeStatistics`, bulkDoc, async (request, reply) => {
      const body = request.body as { QueueSids?: unknown; queueSids?: unknown; TaskChannel?: unknown } | undefined;
      // The API reference names the field QueueSids; its curl example sends queueSids. Both are accepted.
      const sids = body?.QueueSids ?? body?.queueSids;
      if (!Array.isArray(sids) || sids.length < 1 || sids.length > 50) throw invalid('Invalid parameter QueueSids: QueueSids must be a list of 1 to 50 TaskQueue SIDs');
      for (const sid of sids) {
        if (typeof sid !== 'string' || !/^WQ[0-9a-fA-F]{32}$/.test(sid)) throw invalid(`Invalid parameter QueueSids: ${String(sid).slice(0, 64)} is not a TaskQueue SID`);
      }
      const taskChannel = typeof body?.TaskChannel === 'string' ? body.TaskChannel : undefined;
      const data = queuesRealtime(engine, commandContext(request, clock()), request.params.ws, sids as string[], taskChannel);
      return reply.send({
        ...envelope(request, '/TaskQueues/RealTimeStatistics'),
        task_queue_data: data.map(({ taskQueueSid, ...figures }) => ({ task_queue_sid: taskQueueSid, ...figures })),
        task_queue_response_count: data.length,
      });
    });
  });

  // Workers
  app.get<Params>(`${ws}/Workers/Statistics`, doc({ summary: "The Workers' statistics: realtime and cumulative", query: WORKERS, responses: { 200: WORKERS_STATISTICS } }), async (request) => {
    const p = decodeParams(WORKERS, request.query);
    const s = workersStatistics(engine, commandContext(request, clock()), request.params.ws, {
      ...statisticsParams(p),
      taskQueueSid: p.TaskQueueSid,
      taskQueueName: p.TaskQueueName,
      friendlyName: p.FriendlyName,
    });
    return { ...envelope(request, '/Workers/Statistics'), cumulative: cumulativeWire(s.cumulative), realtime: s.realtime };
  });
  app.get<Params>(`${ws}/Workers/RealTimeStatistics`, doc({ summary: "The Workers' realtime statistics", query: REALTIME, responses: { 200: WORKERS_REALTIME } }), async (request) => {
    const p = decodeParams(REALTIME, request.query);
    const s = workersStatistics(engine, commandContext(request, clock()), request.params.ws, statisticsParams(p));
    return { ...envelope(request, '/Workers/RealTimeStatistics'), ...s.realtime };
  });
  app.get<Params>(`${ws}/Workers/CumulativeStatistics`, doc({ summary: "The Workers' cumulative statistics over a window", query: WINDOW, responses: { 200: WORKERS_CUMULATIVE } }), async (request) => {
    const p = decodeParams(WINDOW, request.query);
    const s = workersStatistics(engine, commandContext(request, clock()), request.params.ws, statisticsParams(p));
    return { ...envelope(request, '/Workers/CumulativeStatistics'), ...cumulativeWire(s.cumulative) };
  });
  app.get<Params>(`${ws}/Workers/:sid/Statistics`, doc({ summary: "A Worker's cumulative statistics over a window", query: WINDOW, responses: { 200: WORKER_STATISTICS } }), async (request) => {
    const p = decodeParams(WINDOW, request.query);
    const s = workerStatistics(engine, commandContext(request, clock()), request.params.ws, request.params.sid, statisticsParams(p));
    return { ...envelope(request, `/Workers/${request.params.sid}/Statistics`), worker_sid: request.params.sid, cumulative: cumulativeWire(s.cumulative) };
  });
}
