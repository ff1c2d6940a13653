// Reservations, reachable two ways with the same representation: /Tasks/{WT}/Reservations[/{WR}] and
// /Workers/{WK}/Reservations[/{WR}]. Updates accept ReservationStatus (accepted, rejected with
// WorkerActivitySid, wrapping, completed) and the voice instructions (conference, dequeue, call, redirect,
// supervise on the task path), which are recorded and move the reservation as TaskRouter documents;
// Switchboard places no calls (docs/compatibility.md).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Reservation } from '../../core/entities.ts';
import { notFound } from '../../core/errors.ts';
import type { Repository } from '../../core/repository.ts';
import { requireChild, requireWorkspace } from '../../engine/configuration/context.ts';
import { commandContext, ifMatchOf, listEnvelope, originOf, setEtag } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { type RouteDeps, isoDate, workspaceUrl } from './wire.ts';
import { twilioRoute } from '../common/routeSchema.ts';
import { RESERVATION, listOf } from './resources.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Reservations', d);

const STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;
const INSTRUCTIONS = ['conference', 'dequeue', 'call', 'redirect', 'supervise', 'accept', 'reject'] as const;

export function serializeReservation(repo: Repository, origin: string, r: Reservation): z.output<typeof RESERVATION> {
  const ws = workspaceUrl(origin, r.workspaceSid);
  return {
    account_sid: r.accountSid,
    date_created: isoDate(r.dateCreated),
    date_updated: isoDate(r.dateUpdated),
    reservation_status: r.reservationStatus,
    sid: r.sid,
    task_sid: r.taskSid,
    worker_name: repo.get('worker', r.workerSid)?.friendlyName ?? null,
    worker_sid: r.workerSid,
    workspace_sid: r.workspaceSid,
    url: `${ws}/Tasks/${r.taskSid}/Reservations/${r.sid}`,
    links: { task: `${ws}/Tasks/${r.taskSid}`, worker: `${ws}/Workers/${r.workerSid}`, workspace: ws },
  };
}

// Every instruction parameter of the OpenAPI document, kept as given (Switchboard records them).
const text = () => param.string(2048).optional();
const flag = () => param.string(8).optional();
const INSTRUCTION_PARAMS = {
  DequeuePostWorkActivitySid: text(), DequeueFrom: text(), DequeueRecord: text(), DequeueTimeout: param.int(1, 999).optional(),
  DequeueTo: text(), DequeueStatusCallbackUrl: param.url().optional(), DequeueStatusCallbackEvent: param.list(64).optional(),
  CallFrom: text(), CallRecord: text(), CallTimeout: param.int(1, 999).optional(), CallTo: text(), CallUrl: param.url().optional(),
  CallStatusCallbackUrl: param.url().optional(), CallAccept: flag(), RedirectCallSid: text(), RedirectAccept: flag(), RedirectUrl: param.url().optional(),
  To: text(), From: text(), StatusCallback: param.url().optional(), StatusCallbackMethod: text(), StatusCallbackEvent: param.list(64).optional(),
  Timeout: param.int(1, 999).optional(), Record: flag(), Muted: flag(), Beep: text(), StartConferenceOnEnter: flag(), EndConferenceOnExit: flag(),
  WaitUrl: text(), WaitMethod: text(), EarlyMedia: flag(), MaxParticipants: param.int(2, 250).optional(), ConferenceStatusCallback: param.url().optional(),
  ConferenceStatusCallbackMethod: text(), ConferenceStatusCallbackEvent: param.list(64).optional(), ConferenceRecord: text(), ConferenceTrim: text(),
  RecordingChannels: text(), RecordingStatusCallback: param.url().optional(), RecordingStatusCallbackMethod: text(),
  ConferenceRecordingStatusCallback: param.url().optional(), ConferenceRecordingStatusCallbackMethod: text(), Region: text(),
  SipAuthUsername: text(), SipAuthPassword: text(), PostWorkActivitySid: text(), EndConferenceOnCustomerExit: flag(),
  BeepOnCustomerEntrance: flag(), JitterBufferSize: text(),
};

const UPDATE = {
  ReservationStatus: param.enumOf(STATUSES).optional(),
  WorkerActivitySid: param.sid('WA').optional(),
  Instruction: param.enumOf(INSTRUCTIONS).optional(),
  ...INSTRUCTION_PARAMS,
};
const TASK_PATH_UPDATE = { ...UPDATE, Supervisor: text(), SupervisorMode: param.enumOf(['monitor', 'whisper', 'barge'] as const).optional() };

const WORKER_PATH_LIST = { ReservationStatus: param.enumOf(STATUSES).optional(), ...PAGING };
const TASK_PATH_LIST = { ...WORKER_PATH_LIST, WorkerSid: param.sid('WK').optional() };

type Decoded = z.infer<z.ZodObject<typeof TASK_PATH_UPDATE>>;

/** The instruction's own parameters (everything but status, activity and the instruction name). */
function instructionParams(p: Decoded): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || k === 'ReservationStatus' || k === 'WorkerActivitySid' || k === 'Instruction') continue;
    out[k] = Array.isArray(v) ? v : String(v);
  }
  return out;
}

type Params = { Params: { ws: string; parent: string; sid: string } };

export function registerReservationRoutes(app: FastifyInstance, { store, clock, engine }: RouteDeps): void {
  for (const via of ['task', 'worker'] as const) {
    const base = via === 'task' ? '/v1/Workspaces/:ws/Tasks/:parent/Reservations' : '/v1/Workspaces/:ws/Workers/:parent/Reservations';

    /** The reservation, checked to belong to the workspace and to the task or worker in the path. */
    const find = (repo: Repository, request: FastifyRequest<Params>) => {
      const ctx = commandContext(request, clock());
      const ws = requireWorkspace(repo, ctx, request.params.ws);
      const parentPath = `/v1/Workspaces/${ws.sid}/${via === 'task' ? 'Tasks' : 'Workers'}/${request.params.parent}`;
      requireChild(repo, via, ws, request.params.parent, parentPath);
      const r = requireChild(repo, 'reservation', ws, request.params.sid, `${parentPath}/Reservations/${request.params.sid}`);
      if ((via === 'task' ? r.taskSid : r.workerSid) !== request.params.parent) throw notFound(`${parentPath}/Reservations/${request.params.sid}`);
      return r;
    };

    app.get<Params>(base, doc({ summary: `List a ${via}'s Reservations`, query: via === 'task' ? TASK_PATH_LIST : WORKER_PATH_LIST, responses: { 200: listOf('reservations', RESERVATION) } }), async (request) => {
      const p = decodeParams(via === 'task' ? TASK_PATH_LIST : WORKER_PATH_LIST, request.query) as { ReservationStatus?: string; WorkerSid?: string; PageSize?: number; Page?: number; PageToken?: string };
      const ctx = commandContext(request, clock());
      const pageReq = pageRequest(p);
      return store.read((repo) => {
        const ws = requireWorkspace(repo, ctx, request.params.ws);
        requireChild(repo, via, ws, request.params.parent, `/v1/Workspaces/${ws.sid}/${via === 'task' ? 'Tasks' : 'Workers'}/${request.params.parent}`);
        const where = {
          workspaceSid: ws.sid,
          reservationStatus: p.ReservationStatus,
          ...(via === 'task' ? { taskSid: request.params.parent, workerSid: p.WorkerSid } : { workerSid: request.params.parent }),
        };
        return listEnvelope(request, 'reservations', pageReq, repo.page('reservation', where, pageReq.cursor), (r) => serializeReservation(repo, originOf(request), r));
      });
    });

    app.get<Params>(`${base}/:sid`, doc({ summary: `Fetch a ${via}'s Reservation`, query: NO_PARAMS, responses: { 200: RESERVATION } }), async (request, reply) => {
      decodeParams(NO_PARAMS, request.query);
      return store.read((repo) => {
        const r = find(repo, request);
        setEtag(reply, r.version);
        return serializeReservation(repo, originOf(request), r);
      });
    });

    app.post<Params>(`${base}/:sid`, doc({ summary: `Update a ${via}'s Reservation: accept, reject, complete, or an instruction (If-Match)`, body: via === 'task' ? TASK_PATH_UPDATE : UPDATE, responses: { 200: RESERVATION } }), async (request, reply) => {
      const p = decodeParams(via === 'task' ? TASK_PATH_UPDATE : UPDATE, request.body) as Decoded;
      const ctx = commandContext(request, clock());
      const instruction = p.Instruction === 'accept' ? undefined : p.Instruction === 'reject' ? undefined : p.Instruction;
      const status = p.Instruction === 'accept' ? 'accepted' : p.Instruction === 'reject' ? 'rejected' : p.ReservationStatus;
      engine.run(ctx, request.params.ws, (repo, router) => {
        const stored = find(repo, request);
        router.updateReservation(
          stored,
          {
            reservationStatus: status,
            workerActivitySid: p.WorkerActivitySid,
            instruction,
            instructionParams: instruction ? instructionParams(p) : undefined,
            ifMatch: ifMatchOf(request),
          },
          ctx.now,
        );
      });
      return store.read((repo) => {
        const r = repo.get('reservation', request.params.sid)!;
        setEtag(reply, r.version);
        return serializeReservation(repo, originOf(request), r);
      });
    });
  }
}
