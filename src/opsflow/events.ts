// The Opsflow audit trail's event types (opsflow v1 EventInfo.EventType) and what each carries in
// `additional_info`, under the names the Cloudforet console reads (EventAdditionalInfo, TaskProgressEventView):
//   CREATED        created_by, created_at, after_status                      task/create
//   UPDATED        updated_by, updated_at, updated_data[{updated_field,      task/update, update_description,
//                  updated_content}]                                         change_assignee, a routed accept
//   CHANGE_STATUS  changed_by, changed_at, before_status, after_status,      task/change_status, a routed
//                  updated_data                                              accept or completion
//   COMMENTED      created_by, created_at, comment_id, mentions             comment/create
// The proto's EventType has no DELETED, so SpaceONE's event list never returns one: a task's deletion is kept in
// Switchboard's own log (event type `opsflow.deleted`, for operators) but is not an Opsflow event, and event/list
// and event/stat leave it out (OPS_UNLISTED_EVENT_TYPE). The deleted task's earlier events stay listed.
import type { z } from 'zod';
import type { EventRecord } from '../core/entities.ts';
import { isoMillis } from '../core/isoTimes.ts';
import type { EVENT_INFO } from './render.ts';

export const OPS_EVENT_TYPES = ['CREATED', 'UPDATED', 'CHANGE_STATUS', 'COMMENTED'] as const;
export type OpsEventType = (typeof OPS_EVENT_TYPES)[number];

/** The actor and time fields of each event type (the console prints "Unknown" without them). */
const ACTOR_FIELDS: Record<OpsEventType, readonly [by: string, at: string]> = {
  CREATED: ['created_by', 'created_at'],
  UPDATED: ['updated_by', 'updated_at'],
  CHANGE_STATUS: ['changed_by', 'changed_at'],
  COMMENTED: ['created_by', 'created_at'],
};

/** An event's additional_info: who and when under the type's names, then the type's own facts. */
export function additionalInfo(type: OpsEventType, userId: string, now: number, facts: Record<string, unknown>): Record<string, unknown> {
  const [by, at] = ACTOR_FIELDS[type];
  return { [by]: userId, [at]: isoMillis(now), ...facts };
}

/** EventInfo. Events recorded before the per-type fields existed get them from the event's own actor and time. */
export function renderEvent(e: EventRecord): z.output<typeof EVENT_INFO> {
  const d = e.eventData;
  const stored = JSON.parse(String(d.additional_info ?? '{}')) as Record<string, unknown>;
  const type = d.event_type as OpsEventType;
  const at = isoMillis(e.dateMs);
  return {
    event_id: d.event_id, event_type: type, name: d.name, description: e.description, created_type: d.created_type, created_by: d.created_by,
    additional_info: ACTOR_FIELDS[type] ? { ...additionalInfo(type, String(d.created_by), e.dateMs, {}), ...stored } : stored,
    task_id: d.task_sid, domain_id: e.accountSid, workspace_id: d.workspace_id, project_id: d.project_id, created_at: at, updated_at: at,
  };
}
