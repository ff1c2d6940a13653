// A category's statuses and what moving a task between them does. SpaceONE has no transition rules: any status
// of the category may be set at any time; the bucket (status type) of the new status decides the SLA fields:
//   -> IN_PROGRESS (first time)  started_at = now, started_duration = now - created_at
//   -> COMPLETED                 completed_at = now, completed_duration = now - created_at,
//                                in_progress_duration = now - (started_at ?? now)
//   COMPLETED -> other           completed_at and the completion durations are cleared (reopened)
//   anything else                only status_id / status_type change
import type { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import { type OpsCategory, type OpsTask, STATUS_TYPES, type StatusOptions, type StatusType } from '../core/opsflowEntities.ts';
import { newId } from './ids.ts';
import type { statusOptionsSchema } from './requests.ts';

/** Status options with ids and exactly one default per bucket (the first, when none is marked). */
export function normaliseStatuses(input: z.infer<typeof statusOptionsSchema>): StatusOptions {
  const seen = new Set<string>();
  const out = {} as StatusOptions;
  for (const type of STATUS_TYPES) {
    const list = input[type];
    if (list.filter((s) => s.is_default).length > 1) throw new ApiError('opsInvalidParameter', `status_options.${type} has more than one default status`, [{ key: `status_options.${type}` }]);
    const anyDefault = list.some((s) => s.is_default);
    out[type] = list.map((s, i) => {
      const statusId = s.status_id ?? newId('status');
      if (seen.has(statusId)) throw new ApiError('opsInvalidParameter', `status_id '${statusId}' is used twice`, [{ key: `status_options.${type}[${i}].status_id` }]);
      seen.add(statusId);
      return { status_id: statusId, name: s.name, color: s.color ?? '', is_default: anyDefault ? s.is_default === true : i === 0 };
    });
  }
  return out;
}

export function statusTypeOf(category: OpsCategory, statusId: string): StatusType | undefined {
  return STATUS_TYPES.find((t) => category.status_options[t].some((s) => s.status_id === statusId));
}

export function statusInfo(category: OpsCategory, statusId: string) {
  const type = statusTypeOf(category, statusId);
  const option = type ? category.status_options[type].find((s) => s.status_id === statusId) : undefined;
  return { status_id: statusId, name: option?.name ?? statusId, status_type: type ?? null };
}

export function defaultStatus(category: OpsCategory, type: StatusType): string {
  return (category.status_options[type].find((s) => s.is_default) ?? category.status_options[type][0]!).status_id;
}

/** Moves a task to a status, stamping the SLA fields (table above). Mutates and returns it. */
export function moveToStatus(task: OpsTask, category: OpsCategory, statusId: string, now: number): OpsTask {
  const type = statusTypeOf(category, statusId);
  if (!type) throw new ApiError('opsInvalidParameter', `status_id '${statusId}' is not a status of category ${category.sid}`, [{ key: 'status_id' }]);
  const seconds = (from: number) => Math.max(0, Math.round((now - from) / 1000));
  if (type === 'IN_PROGRESS' && task.started_at === null) {
    task.started_at = now;
    task.started_duration = seconds(task.created_at);
  }
  if (type === 'COMPLETED' && task.status_type !== 'COMPLETED') {
    task.completed_at = now;
    task.completed_duration = seconds(task.created_at);
    task.in_progress_duration = seconds(task.started_at ?? now);
  } else if (type !== 'COMPLETED' && task.status_type === 'COMPLETED') {
    task.completed_at = null;
    task.completed_duration = null;
    task.in_progress_duration = null;
  }
  task.status_id = statusId;
  task.status_type = type;
  return task;
}
