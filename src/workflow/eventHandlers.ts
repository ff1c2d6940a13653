// Event handlers (`/api/eventhandlers`, EventHandlersApi): decoding of CreateEventHandlerRequest and
// UpdateEventHandlerRequest, their representation (EventHandler), and what a handler sees of an event.
//
// The events are Switchboard's own, from the durable event log, each seen as
//   {eventType, eventId, eventTime, source, workspaceSid?, body: {...}}
// with eventType and body by source:
//   TaskRouter  the TaskRouter event type (task.created, task.completed, task.canceled, reservation.accepted,
//               worker.activity.update, ...); body = its event_data, plus `attributes` (task_attributes parsed)
//   Workflow    workflow.task.created / .updated / .deleted (a transition is an update with a trigger);
//               body = {taskId, taskDefinitionId {scope, code}, state, trigger, fields {name: value},
//               correlationIds, userId}
//   Opsflow     opsflow.created, opsflow.updated, opsflow.change_status, opsflow.commented, opsflow.deleted;
//               body = the Opsflow event (task_id, name, created_by, additional_info, ...)
// A filter is the LUSID filter language over that view (`body.attributes.priority gt 5`); `mapFrom` names a
// path in it (`body.task_sid`). Changes made by an event handler do not fire event handlers (no loops).
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import type { EventRecord } from '../core/entities.ts';
import { type EventHandlerMapping, type ScheduleMatchingPattern, type TaskActivity, type WfEventHandler, type WfTask, WORKFLOW_STREAM_PREFIX } from '../core/workflowEntities.ts';
import { FilterSyntaxError, parseFilter } from './filter/filterParser.ts';
import { ISO_DATE_TIME } from './filter/filterEvaluate.ts';
import { ADJUSTMENTS, RELATIVE_INDEXES, WEEKDAYS, isTimeZone } from './schedules.ts';
import { resourceIdSchema, zodProblem } from './taskDefinition.ts';
import { iso, versionInfo } from './taskRepresentation.ts';

const name = (max = 256) => z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(max);
const mapping = z
  .object({ mapFrom: name(1024).optional(), setTo: z.string().max(1024).optional() }, { error: 'must be {mapFrom} or {setTo}' })
  .refine((m) => (m.mapFrom === undefined) !== (m.setTo === undefined), { error: 'must have exactly one of mapFrom and setTo' });
const fieldMapping = z
  .object({ mapFrom: name(1024).optional(), setTo: z.unknown().optional() })
  .refine((m) => (m.mapFrom === undefined) !== (m.setTo === undefined), { error: 'must have exactly one of mapFrom and setTo' });
const specifiedTime = z.object({
  type: z.literal('Specified', { error: "must be 'Specified' (Switchboard has no cut labels)" }),
  hours: z.number().int().min(0).max(23),
  minutes: z.number().int().min(0).max(59),
});
const adjustment = z.enum(ADJUSTMENTS, { error: `must be one of ${ADJUSTMENTS.join(', ')}` });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date (YYYY-MM-DD)' }).refine((d) => !Number.isNaN(Date.parse(d)), { error: 'must be a valid date' });
const weekdays = z.array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` })).min(1).max(7);
const frequency = z.number().int().min(1).max(1000);

const schedule = z.object({
  context: z.object({
    timeZone: z.string().max(64).refine(isTimeZone, { error: 'must be a TZ identifier (e.g. Europe/London)' }),
    holidayCalendars: z.array(z.object({ scope: z.string(), code: z.string() })).max(0, { error: 'are not supported: Switchboard has no holiday calendars (business days are Monday to Friday)' }).optional(),
  }),
  recurrencePattern: z.object({
    timeConstraints: z.object({ startDate: date, endDate: date.optional(), timesOfDay: z.array(specifiedTime).min(1).max(48) }),
    dateRegularity: z.discriminatedUnion(
      'type',
      [
        z.object({ type: z.literal('Day'), frequency }),
        z.object({ type: z.literal('Week'), frequency, daysOfWeek: weekdays }),
        z.object({ type: z.literal('SpecificMonth'), frequency, daysOfMonth: z.array(z.number().int().min(1).max(31)).min(1).max(31) }),
        z.object({ type: z.literal('RelativeMonth'), frequency, daysOfWeek: weekdays, index: z.enum(RELATIVE_INDEXES) }),
        z.object({ type: z.literal('Year'), dates: z.array(z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) })).min(1).max(366) }),
      ],
      { error: 'type must be one of Day, Week, SpecificMonth, RelativeMonth, Year' },
    ),
    businessDayAdjustment: adjustment,
  }),
});
const scheduled = z.record(name(), z.object({ dateAdjustment: z.object({ deltaDays: z.number().int().min(-366).max(366), businessDayAdjustment: adjustment }), timeAdjustment: z.object({ setTo: specifiedTime }) }));

const activity = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('CreateNewTask'), initialTrigger: name().optional(), correlationIds: z.array(mapping).max(100).optional(), taskFields: z.record(name(), fieldMapping).optional(), scheduleDependentTaskFields: scheduled.optional() }),
    z.object({
      type: z.literal('UpdateMatchingTasks'),
      filter: z.string().max(4096).optional(),
      trigger: name(),
      correlationIds: z.array(mapping).max(100).optional(),
      taskFields: z.record(name(), fieldMapping).optional(),
      scheduleDependentTaskFields: scheduled.optional(),
    }),
  ],
  { error: 'type must be CreateNewTask or UpdateMatchingTasks' },
);

const bodyShape = {
  displayName: name(),
  description: z.string().max(1024).nullable().optional(),
  status: z.enum(['Active', 'Inactive'], { error: 'must be Active or Inactive' }),
  eventMatchingPattern: z.object({ eventType: name(128), filter: z.string().max(4096).nullable().optional() }).nullable().optional(),
  scheduleMatchingPattern: schedule.nullable().optional(),
  runAsUserId: mapping,
  taskDefinitionId: resourceIdSchema,
  taskDefinitionAsAt: z.string().regex(ISO_DATE_TIME, { error: 'must be an ISO-8601 date-time' }).nullable().optional(),
  taskActivity: activity,
};
export const createSchema = z.object({ id: resourceIdSchema, ...bodyShape }, { error: 'must be a JSON object' });
export const updateSchema = z.object(bodyShape, { error: 'must be a JSON object' });

export type EventHandlerInput = Pick<WfEventHandler, 'displayName' | 'description' | 'status' | 'eventMatchingPattern' | 'scheduleMatchingPattern' | 'runAsUserId' | 'taskDefinitionId' | 'taskDefinitionAsAt' | 'taskActivity'>;

function invalid(message: string, path: string): ApiError {
  return new ApiError('workflowEventHandlerInvalid', message, [{ path }]);
}

function checkFilter(text: string | undefined | null, path: string): void {
  if (!text) return;
  try {
    parseFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw invalid(`${path} '${text.slice(0, 200)}' is not a valid filter: ${err.message}`, path);
    throw err;
  }
}

function checkPath(text: string | undefined, path: string): void {
  if (text === undefined) return;
  try {
    const node = parseFilter(`${text} exists`);
    if (node.kind === 'exists' && node.operand.kind === 'path') return;
  } catch {
    // below
  }
  throw invalid(`${path} '${text.slice(0, 200)}' must be a path into the event, such as body.task_sid`, path);
}

function decodeBody(d: z.infer<typeof updateSchema>): EventHandlerInput {
  const hasEvent = !!d.eventMatchingPattern;
  const hasSchedule = !!d.scheduleMatchingPattern;
  if (hasEvent === hasSchedule) throw invalid('An event handler has exactly one of eventMatchingPattern and scheduleMatchingPattern', hasEvent ? 'scheduleMatchingPattern' : 'eventMatchingPattern');
  checkFilter(d.eventMatchingPattern?.filter, 'eventMatchingPattern.filter');
  if (d.taskActivity.type === 'UpdateMatchingTasks') checkFilter(d.taskActivity.filter, 'taskActivity.filter');
  checkPath(d.runAsUserId.mapFrom, 'runAsUserId.mapFrom');
  for (const [k, m] of Object.entries(d.taskActivity.taskFields ?? {})) checkPath(m.mapFrom, `taskActivity.taskFields.${k}.mapFrom`);
  (d.taskActivity.correlationIds ?? []).forEach((m, i) => checkPath(m.mapFrom, `taskActivity.correlationIds[${i}].mapFrom`));
  if (d.taskActivity.scheduleDependentTaskFields && Object.keys(d.taskActivity.scheduleDependentTaskFields).length && !hasSchedule) {
    throw invalid('scheduleDependentTaskFields need a scheduleMatchingPattern', 'taskActivity.scheduleDependentTaskFields');
  }
  const pattern = d.eventMatchingPattern ? { eventType: d.eventMatchingPattern.eventType, ...(d.eventMatchingPattern.filter ? { filter: d.eventMatchingPattern.filter } : {}) } : null;
  return {
    displayName: d.displayName,
    description: d.description ?? null,
    status: d.status,
    eventMatchingPattern: pattern,
    scheduleMatchingPattern: (d.scheduleMatchingPattern ?? null) as ScheduleMatchingPattern | null,
    runAsUserId: d.runAsUserId as EventHandlerMapping,
    taskDefinitionId: d.taskDefinitionId,
    taskDefinitionAsAt: d.taskDefinitionAsAt ? Date.parse(d.taskDefinitionAsAt) : null,
    taskActivity: d.taskActivity as TaskActivity,
  };
}

export function decodeCreateEventHandler(body: unknown): { id: { scope: string; code: string } } & EventHandlerInput {
  const r = createSchema.safeParse(body);
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  return { id: r.data.id, ...decodeBody(r.data) };
}

export function decodeUpdateEventHandler(body: unknown): EventHandlerInput {
  const r = updateSchema.safeParse(body);
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  return decodeBody(r.data);
}

export function eventHandlerRepresentation(h: WfEventHandler, origin: string) {
  return {
    id: { scope: h.scope, code: h.code },
    version: versionInfo(h.version),
    displayName: h.displayName,
    description: h.description,
    status: h.status,
    eventMatchingPattern: h.eventMatchingPattern,
    scheduleMatchingPattern: h.scheduleMatchingPattern,
    runAsUserId: h.runAsUserId,
    taskDefinitionId: h.taskDefinitionId,
    taskDefinitionAsAt: h.taskDefinitionAsAt === null ? null : iso(h.taskDefinitionAsAt),
    taskActivity: h.taskActivity,
    links: [{ relation: 'Self', href: `${origin}/api/eventhandlers/${encodeURIComponent(h.scope)}/${encodeURIComponent(h.code)}`, method: 'GET' }],
  };
}

/** What a handler sees of an event (see the header), or undefined for an event no handler sees. */
export function eventView(e: EventRecord): Record<string, unknown> | undefined {
  const head = { eventType: e.eventType, eventId: e.sid, eventTime: iso(e.dateMs) };
  if (e.workspaceSid.startsWith('WS')) {
    const body: Record<string, unknown> = { ...e.eventData };
    if (typeof e.eventData.task_attributes === 'string') {
      try {
        body.attributes = JSON.parse(e.eventData.task_attributes);
      } catch {
        // attributes that are not JSON stay text
      }
    }
    return { ...head, source: 'TaskRouter', workspaceSid: e.workspaceSid, body };
  }
  if (e.workspaceSid.startsWith(WORKFLOW_STREAM_PREFIX)) {
    if (!e.eventType.startsWith('workflow.task.')) return undefined;
    const t = JSON.parse(String(e.eventData.task)) as WfTask;
    return {
      ...head,
      source: 'Workflow',
      body: { taskId: t.sid, taskDefinitionId: { scope: t.scope, code: t.code }, state: t.state, trigger: e.eventData.trigger ?? null, fields: t.fields, correlationIds: t.correlationIds, userId: e.eventData.user_id },
    };
  }
  if (e.workspaceSid.startsWith('opsflow:')) return { ...head, source: 'Opsflow', body: { ...e.eventData } };
  return undefined;
}
