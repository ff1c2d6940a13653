// The Opsflow face's wire shapes (SpaceONE's *Info messages): dates as ISO-8601, ids under their SpaceONE names.
import type { OpsCategory, OpsComment, OpsTask, OpsTaskType } from '../core/opsflowEntities.ts';

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** How descriptions and comments are written: Markdown, as the console's opsflow editors write and show them (no
 *  request of the protos sets another). */
export const CONTENTS_TYPE = 'markdown';

export function renderCategory(c: OpsCategory) {
  return {
    category_id: c.sid, name: c.name, description: c.description, status_options: c.status_options, fields: c.fields, state: c.state, vars: c.vars, tags: c.tags,
    domain_id: c.accountSid, package_id: c.package_id, created_at: iso(c.created_at), updated_at: iso(c.updated_at), deleted_at: iso(c.deleted_at),
  };
}

export function renderType(t: OpsTaskType, categoryFields?: OpsCategory['fields']) {
  return {
    task_type_id: t.sid, name: t.name, description: t.description, fields: categoryFields ? [...categoryFields, ...t.fields] : t.fields, assignee_pool: t.assignee_pool,
    require_project: t.require_project, routing: t.routing, vars: t.vars, tags: t.tags, domain_id: t.accountSid, category_id: t.category_id,
    created_at: iso(t.created_at), updated_at: iso(t.updated_at),
  };
}

export function renderTask(t: OpsTask) {
  return {
    task_id: t.task_id, name: t.name, status_id: t.status_id, status_type: t.status_type, priority: t.priority, description: t.description ?? '', data: t.data,
    files: t.files.map((file_id) => ({ file_id })), mentions: t.mentions, assignee: t.assignee ?? '', created_by: t.created_by, reference_id: t.reference_id ?? '', related_assets: [] as string[],
    contents_type: CONTENTS_TYPE,
    domain_id: t.domain_id, workspace_id: t.workspace_id, project_id: t.project_id ?? '', category_id: t.category_id, task_type_id: t.task_type_id,
    created_at: iso(t.created_at), started_at: iso(t.started_at), updated_at: iso(t.updated_at), completed_at: iso(t.completed_at),
    started_duration: t.started_duration, in_progress_duration: t.in_progress_duration, completed_duration: t.completed_duration,
  };
}

export function renderComment(c: OpsComment) {
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
