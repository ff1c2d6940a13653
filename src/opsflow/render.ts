// The Opsflow face's wire shapes (SpaceONE's *Info messages): dates as ISO-8601, ids under their SpaceONE names.
// Each shape is also a zod schema: the renderers are typed by them and the routes document them.
import { z } from 'zod';
import { isoMillis } from '../core/isoTimes.ts';
import type { OpsCategory, OpsComment, OpsTask, OpsTaskType } from '../core/opsflowEntities.ts';

export const iso = (ms: number | null) => (ms === null ? null : isoMillis(ms));

/** How descriptions and comments are written: Markdown, as the console's opsflow editors write and show them (no
 *  request of the protos sets another). */
export const CONTENTS_TYPE = 'markdown';

const date = () => z.string().nullable().describe('ISO 8601 date-time');
const json = (what: string) => z.unknown().describe(what);

export const CATEGORY_INFO = z.object({
  category_id: z.string(), name: z.string(), description: z.string(), status_options: json('{TODO, IN_PROGRESS, COMPLETED}: lists of {status_id, name, color, is_default}'),
  fields: json('custom fields'), state: z.enum(['ENABLED', 'DELETED']), vars: json('variables'), tags: json('tags'), domain_id: z.string(), package_id: z.string().nullable(),
  created_at: date(), updated_at: date(), deleted_at: date(),
});
export const TASK_TYPE_INFO = z.object({
  task_type_id: z.string(), name: z.string(), description: z.string(), fields: json('custom fields'), assignee_pool: z.array(z.string()), require_project: z.boolean(),
  routing: json('Switchboard: {workspace_sid, workflow_sid, task_channel?} routes its tasks through TaskRouter').nullable(), vars: json('variables'), tags: json('tags'),
  domain_id: z.string(), category_id: z.string(), created_at: date(), updated_at: date(),
});
export const TASK_INFO = z.object({
  task_id: z.string(), name: z.string(), status_id: z.string(), status_type: z.enum(['TODO', 'IN_PROGRESS', 'COMPLETED']), priority: z.string(), description: z.string(),
  data: json('custom field values'), files: z.array(z.object({ file_id: z.string() })), mentions: json('{USER, USER_GROUP}'), assignee: z.string(), created_by: z.string(),
  reference_id: z.string(), related_assets: z.array(z.string()), contents_type: z.string(), domain_id: z.string(), workspace_id: z.string(), project_id: z.string(), category_id: z.string(),
  task_type_id: z.string(), created_at: date(), started_at: date(), updated_at: date(), completed_at: date(),
  started_duration: z.number().nullable(), in_progress_duration: z.number().nullable(), completed_duration: z.number().nullable(),
});
export const COMMENT_INFO = z.object({
  comment_id: z.string(), task_id: z.string(), comment: z.string(), comment_type: z.enum(['COMMENT', 'TASK_DESCRIPTION']), is_edited: z.boolean(), mentions: json('{USER, USER_GROUP}'),
  source: json('where the comment came from'), reference_id: z.string(), contents_type: z.string(),
  created_by: z.string(), domain_id: z.string(), workspace_id: z.string(), project_id: z.string(), created_at: date(), updated_at: date(),
});
export const EVENT_INFO = z.object({
  event_id: z.unknown(), event_type: z.unknown(), name: z.unknown(), description: z.string(), created_type: z.unknown(), created_by: z.unknown(), additional_info: json('before/after values'),
  task_id: z.unknown(), domain_id: z.string(), workspace_id: z.unknown(), project_id: z.unknown(), created_at: date(), updated_at: date(),
});

export function renderCategory(c: OpsCategory): z.output<typeof CATEGORY_INFO> {
  return {
    category_id: c.sid, name: c.name, description: c.description, status_options: c.status_options, fields: c.fields, state: c.state, vars: c.vars, tags: c.tags,
    domain_id: c.accountSid, package_id: c.package_id, created_at: iso(c.created_at), updated_at: iso(c.updated_at), deleted_at: iso(c.deleted_at),
  };
}

export function renderType(t: OpsTaskType, categoryFields?: OpsCategory['fields']): z.output<typeof TASK_TYPE_INFO> {
  return {
    task_type_id: t.sid, name: t.name, description: t.description, fields: categoryFields ? [...categoryFields, ...t.fields] : t.fields, assignee_pool: t.assignee_pool,
    require_project: t.require_project, routing: t.routing, vars: t.vars, tags: t.tags, domain_id: t.accountSid, category_id: t.category_id,
    created_at: iso(t.created_at), updated_at: iso(t.updated_at),
  };
}

export function renderTask(t: OpsTask): z.output<typeof TASK_INFO> {
  return {
    task_id: t.task_id, name: t.name, status_id: t.status_id, status_type: t.status_type, priority: t.priority, description: t.description ?? '', data: t.data,
    files: t.files.map((file_id) => ({ file_id })), mentions: t.mentions, assignee: t.assignee ?? '', created_by: t.created_by, reference_id: t.reference_id ?? '', related_assets: [] as string[],
    contents_type: CONTENTS_TYPE,
    domain_id: t.domain_id, workspace_id: t.workspace_id, project_id: t.project_id ?? '', category_id: t.category_id, task_type_id: t.task_type_id,
    created_at: iso(t.created_at), started_at: iso(t.started_at), updated_at: iso(t.updated_at), completed_at: iso(t.completed_at),
    started_duration: t.started_duration, in_progress_duration: t.in_progress_duration, completed_duration: t.completed_duration,
  };
}

export function renderComment(c: OpsComment): z.output<typeof COMMENT_INFO> {
  return {
    comment_id: c.sid, task_id: c.task_id, comment: c.comment, comment_type: c.comment_type, is_edited: c.is_edited, mentions: c.mentions, source: c.source ?? {},
    reference_id: c.reference_id ?? '', contents_type: CONTENTS_TYPE, created_by: c.created_by,
    domain_id: c.accountSid, workspace_id: c.workspace_id, project_id: c.project_id ?? '', created_at: iso(c.created_at), updated_at: iso(c.updated_at),
  };
}

export function pick(row: Record<string, unknown>, only: string[] | undefined): Record<string, unknown> {
  if (!only) return row;
  return Object.fromEntries(only.filter((k) => k in row).map((k) => [k, row[k]]));
}

/** Dates in stat rows come back as ms (columns) or ISO (rendered rows): render ms keys that are dates. */
export function renderStatRow(row: Record<string, unknown>, dateKeys: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = dateKeys.has(k) && typeof v === 'number' ? iso(v) : v;
  return out;
}
