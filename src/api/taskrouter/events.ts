// /v1/Workspaces/{WS}/Events: the workspace's durable event log, read by time window (Minutes, default 15, or
// StartDate/EndDate) and filtered by EventType, TaskSid, WorkerSid, ReservationSid, TaskQueueSid, WorkflowSid,
// TaskChannel or Sid; and one event by SID. event_data values are strings, as TaskRouter sends them.
import type { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { EventRecord } from '../../core/entities.ts';
import { getEvent, listEvents } from '../../engine/eventQueries.ts';
import { commandContext, listEnvelope, originOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import { twilioRoute } from '../common/routeSchema.ts';
import { EVENT, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Events', d);

/** The REST path of the resource an event is about. */
function resourcePath(e: EventRecord): string {
  const sid = e.resourceSid;
  switch (e.resourceType) {
    case 'task':
      return `/Tasks/${sid}`;
    case 'reservation':
      return `/Tasks/${e.eventData.task_sid}/Reservations/${sid}`;
    case 'worker':
      return `/Workers/${sid}`;
    case 'activity':
      return `/Activities/${sid}`;
    case 'workflow':
      return `/Workflows/${sid}`;
    case 'task_queue':
      return `/TaskQueues/${sid}`;
    case 'task_channel':
      return `/TaskChannels/${sid}`;
    default:
      return '';
  }
}

/** event_data as TaskRouter sends it: every value a string (null where there is none). */
export function eventDataStrings(data: EventRecord['eventData']): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(data)) out[k] = v === null || v === undefined ? null : String(v);
  return out;
}

export function serializeEvent(origin: string, e: EventRecord): z.output<typeof EVENT> {
  return {
    account_sid: e.accountSid,
    actor_sid: e.actorSid,
    actor_type: e.actorType,
    actor_url: e.actorSid.startsWith('AC') ? `${origin}/2010-04-01/Accounts/${e.actorSid}.json` : workspaceUrl(origin, e.workspaceSid),
    description: e.description,
    event_data: eventDataStrings(e.eventData),
    event_date: isoDate(e.dateMs),
    event_date_ms: e.dateMs,
    event_type: e.eventType,
    resource_sid: e.resourceSid,
    resource_type: e.resourceType,
    resource_url: workspaceUrl(origin, e.workspaceSid, resourcePath(e)),
    sid: e.sid,
    source: 'switchboard',
    source_ip_address: null,
    url: workspaceUrl(origin, e.workspaceSid, `/Events/${e.sid}`),
    workspace_sid: e.workspaceSid,
  };
}

const LIST = {
  Minutes: param.int(1, 60 * 24 * 30).optional(),
  StartDate: param.date().optional(),
  EndDate: param.date().optional(),
  EventType: param.string(256).optional(),
  TaskSid: param.sid('WT').optional(),
  WorkerSid: param.sid('WK').optional(),
  ReservationSid: param.sid('WR').optional(),
  TaskQueueSid: param.sid('WQ').optional(),
  WorkflowSid: param.sid('WW').optional(),
  TaskChannel: param.string(64).optional(),
  Sid: param.sid('EV').optional(),
  ...PAGING,
};

type Params = { Params: { ws: string; sid: string } };

export function registerEventRoutes(app: FastifyInstance, { store, clock }: RouteDeps): void {
  const base = '/v1/Workspaces/:ws/Events';

  app.get<Params>(base, doc({ summary: 'List Events (a time window, every filter)', query: LIST, responses: { 200: listOf('events', EVENT) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const ctx = commandContext(request, clock());
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const result = listEvents(
        repo,
        ctx,
        request.params.ws,
        {
          minutes: p.Minutes,
          startMs: p.StartDate,
          endMs: p.EndDate,
          // Several types may be asked for at once, comma-separated (as EventsFilter lists them).
          eventTypes: p.EventType?.split(',').map((t) => t.trim()).filter(Boolean),
          taskSid: p.TaskSid,
          workerSid: p.WorkerSid,
          reservationSid: p.ReservationSid,
          taskQueueSid: p.TaskQueueSid,
          workflowSid: p.WorkflowSid,
          taskChannel: p.TaskChannel,
          sid: p.Sid,
        },
        pageReq.cursor,
      );
      return listEnvelope(request, 'events', pageReq, result, (e) => serializeEvent(originOf(request), e));
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch an Event', query: NO_PARAMS, responses: { 200: EVENT } }), async (request) => {
    decodeParams(NO_PARAMS, request.query);
    const ctx = commandContext(request, clock());
    return serializeEvent(originOf(request), store.read((repo) => getEvent(repo, ctx, request.params.ws, request.params.sid)));
  });
}
