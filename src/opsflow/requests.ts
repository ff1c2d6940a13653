// Decoding of the Opsflow face's request bodies (SpaceONE's request messages): one zod schema per verb, and the
// first problem turned into ERROR_REQUIRED_PARAMETER or ERROR_INVALID_PARAMETER naming the key.
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import { type Mentions, STATUS_TYPES } from '../core/opsflowEntities.ts';
import { taskFieldSchema } from './taskFields.ts';

export function decode<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.map(String).join('.') || 'body';
  const required = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
  throw new ApiError(required ? 'opsRequiredParameter' : 'opsInvalidParameter', required ? `Required parameter. (key = ${key})` : `Invalid parameter. (key = ${key}, reason = ${issue.message})`, [{ key }]);
}

export function notFound(key: string, value: string): ApiError {
  return new ApiError('opsNotFound', `Value not found. (key = ${key}, value = ${value.slice(0, 100)})`, [{ key, value: value.slice(0, 100) }]);
}

const id = () => z.string().min(1).max(128);
const struct = () => z.record(z.string(), z.unknown());
const mentionsSchema = z.object({ USER: z.array(z.string().max(256)).max(100).optional(), USER_GROUP: z.array(z.string().max(256)).max(100).optional() });
const priority = z.enum(['HIGH', 'MEDIUM', 'LOW'], { error: 'must be HIGH, MEDIUM or LOW' });
const statusOption = z.object({ status_id: z.string().regex(/^[A-Za-z0-9_\-]{1,64}$/).optional(), name: z.string().min(1).max(128), color: z.string().max(32).optional(), is_default: z.boolean().optional() });
export const statusOptionsSchema = z.object({ TODO: z.array(statusOption).min(1).max(50), IN_PROGRESS: z.array(statusOption).min(1).max(50), COMPLETED: z.array(statusOption).min(1).max(50) }, { error: 'must have TODO, IN_PROGRESS and COMPLETED lists' });
const fieldsSchema = z.array(taskFieldSchema).max(100);
const routingSchema = z.object({ workspace_sid: z.string().regex(/^WS[0-9a-fA-F]{32}$/, { error: 'must be a WS SID' }), workflow_sid: z.string().regex(/^WW[0-9a-fA-F]{32}$/, { error: 'must be a WW SID' }), task_channel: z.string().max(64).optional() });
const queryField = { query: z.unknown().optional() };

export const S = {
  categoryCreate: z.object({ name: z.string().min(1).max(256), description: z.string().max(4096).optional(), status_options: statusOptionsSchema, fields: fieldsSchema.optional(), vars: struct().optional(), tags: struct().optional(), package_id: z.string().max(128).optional() }),
  categoryUpdate: z.object({ category_id: id(), name: z.string().min(1).max(256).optional(), description: z.string().max(4096).optional(), status_options: statusOptionsSchema.optional(), force: z.boolean().optional(), vars: struct().optional(), tags: struct().optional(), package_id: z.string().max(128).optional() }),
  categoryFields: z.object({ category_id: id(), fields: fieldsSchema, force: z.boolean().optional() }),
  categoryRef: z.object({ category_id: id() }),
  categoryList: z.object({ ...queryField, category_id: id().optional(), name: z.string().max(256).optional(), include_deleted: z.boolean().optional() }),
  typeCreate: z.object({ name: z.string().min(1).max(256), description: z.string().max(4096).optional(), fields: fieldsSchema.optional(), assignee_pool: z.array(z.string().min(1).max(256)).max(1000).optional(), require_project: z.boolean().optional(), routing: routingSchema.optional(), vars: struct().optional(), tags: struct().optional(), category_id: id() }),
  typeUpdate: z.object({ task_type_id: id(), name: z.string().min(1).max(256).optional(), description: z.string().max(4096).optional(), assignee_pool: z.array(z.string().min(1).max(256)).max(1000).optional(), require_project: z.boolean().optional(), routing: routingSchema.nullable().optional(), vars: struct().optional(), tags: struct().optional() }),
  typeFields: z.object({ task_type_id: id(), fields: fieldsSchema, force: z.boolean().optional() }),
  typeDelete: z.object({ task_type_id: id(), new_task_type_id: id().optional() }),
  typeGet: z.object({ task_type_id: id(), include_category_fields: z.boolean().optional() }),
  typeList: z.object({ ...queryField, task_type_id: id().optional(), name: z.string().max(256).optional(), category_id: id().optional() }),
  taskCreate: z.object({ name: z.string().min(1).max(256), status_id: id(), priority: priority.optional(), description: z.string().max(65_536).optional(), files: z.array(id()).max(100).optional(), mentions: mentionsSchema.optional(), assignee: z.string().min(1).max(256).optional(), data: struct().optional(), reference_id: z.string().max(256).optional(), project_id: z.string().min(1).max(128).optional(), task_type_id: id() }),
  taskUpdate: z.object({ task_id: id(), name: z.string().min(1).max(256).optional(), priority: priority.optional(), data: struct().optional(), project_id: z.string().min(1).max(128).optional() }),
  taskDescription: z.object({ task_id: id(), description: z.string().max(65_536), files: z.array(id()).max(100).optional(), mentions: mentionsSchema.optional() }),
  taskAssignee: z.object({ task_id: id(), assignee: z.string().min(1).max(256) }),
  taskStatus: z.object({ task_id: id(), status_id: id(), assignee: z.string().min(1).max(256).optional() }),
  taskRef: z.object({ task_id: id() }),
  taskList: z.object({ ...queryField, task_id: id().optional(), name: z.string().max(256).optional(), status_id: id().optional(), status_type: z.enum(STATUS_TYPES).optional(), priority: priority.optional(), assignee: z.string().max(256).optional(), related_asset_id: z.string().max(128).optional(), workspace_id: z.string().max(128).optional(), project_id: z.string().max(128).optional(), category_id: id().optional(), task_type_id: id().optional() }),
  commentCreate: z.object({ task_id: id(), comment: z.string().min(1).max(65_536), comment_type: z.enum(['COMMENT', 'TASK_DESCRIPTION']).optional(), mentions: mentionsSchema.optional() }),
  commentUpdate: z.object({ comment_id: id(), comment: z.string().min(1).max(65_536), mentions: mentionsSchema.optional() }),
  commentRef: z.object({ comment_id: id() }),
  commentList: z.object({ ...queryField, task_id: id().optional(), comment_type: z.enum(['COMMENT', 'TASK_DESCRIPTION']).optional(), user_id: z.string().max(256).optional(), user_group_id: z.string().max(256).optional() }),
  eventList: z.object({ ...queryField, task_id: id().optional(), event_type: z.string().max(64).optional() }),
  stat: z.object({ query: z.unknown() }),
};

export function mentionsOf(m: z.infer<typeof mentionsSchema> | undefined): Mentions {
  return { USER: m?.USER ?? [], USER_GROUP: m?.USER_GROUP ?? [] };
}
