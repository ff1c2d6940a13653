// Decoding of the Opsflow face's request bodies (SpaceONE's request messages): one zod schema per verb, and the
// first problem turned into SpaceONE's error for it, as python-core's `_raise_pydantic_error` does:
//   a key that is absent (or null)           ERROR_REQUIRED_PARAMETER      "Required parameter. (key = name)"
//   a value of the wrong JSON type           ERROR_INVALID_PARAMETER_TYPE  "... (key = name, type = str)"
//   any other problem (range, enum, format)  ERROR_INVALID_PARAMETER       "... (key = name, reason = ...)"
// Zod 4 issues do not carry the input, so the kind is told by the issue's code and, for `invalid_type`, by
// whether the body holds a value at the issue's path. A null member of the body counts as absent where the schema
// takes no null (pydantic's Optional fields take None; a required one is then reported missing).
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import { type Mentions, STATUS_TYPES } from '../core/opsflowEntities.ts';
import { OPS_EVENT_TYPES } from './events.ts';
import { taskFieldSchema } from './taskFields.ts';

/** Python's (pydantic's) names for the JSON types zod expects, as python-core's message names them. */
const TYPE_NAMES: Record<string, string> = { string: 'str', number: 'float', int: 'int', boolean: 'bool', array: 'list', object: 'dict', record: 'dict' };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let v = body;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Drops the body's null members whose schema takes no null (they count as absent). */
function withoutNulls(schema: z.ZodType, body: unknown): unknown {
  if (!isObject(body) || !(schema instanceof z.ZodObject)) return body;
  const shape = schema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null && shape[k] && !shape[k].safeParse(null).success) continue;
    out[k] = v;
  }
  return out;
}

/** The SpaceONE error for the first problem of a failed parse. */
function issueError(issue: z.core.$ZodIssue, body: unknown, prefix = ''): ApiError {
  const key = prefix + (issue.path.map(String).join('.') || 'body');
  if (issue.code === 'invalid_type') {
    const given = valueAt(body, issue.path);
    if (given === undefined || given === null) return new ApiError('opsRequiredParameter', `Required parameter. (key = ${key})`, [{ key }]);
    const type = TYPE_NAMES[issue.expected] ?? issue.expected;
    return new ApiError('opsInvalidParameterType', `Parameter type is invalid. (key = ${key}, type = ${type})`, [{ key, type }]);
  }
  return new ApiError('opsInvalidParameter', `Parameter is invalid. (key = ${key}, reason = ${issue.message})`, [{ key }]);
}

export function decode<T>(schema: z.ZodType<T>, body: unknown): T {
  const input = withoutNulls(schema, body ?? {});
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw issueError(r.error.issues[0]!, input);
}

export function notFound(key: string, value: string): ApiError {
  // python-core's ERROR_NOT_FOUND message; the same for a missing object and another workspace's or domain's.
  return new ApiError('opsNotFound', `Resource cannot be found or access is denied. (${key} = ${value.slice(0, 100)})`, [{ key, value: value.slice(0, 100) }]);
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
  typeUpdate: z.object({ task_type_id: id(), name: z.string().min(1).max(256).optional(), description: z.string().max(4096).optional(), assignee_pool: z.array(z.string().min(1).max(256)).max(1000).optional(), require_project: z.boolean().optional(), routing: routingSchema.nullable().optional(), vars: struct().optional(), tags: struct().optional(), category_id: id().optional() }),
  typeFields: z.object({ task_type_id: id(), fields: fieldsSchema, force: z.boolean().optional() }),
  typeDelete: z.object({ task_type_id: id(), new_task_type_id: id().optional() }),
  typeGet: z.object({ task_type_id: id(), include_category_fields: z.boolean().optional() }),
  typeList: z.object({ ...queryField, task_type_id: id().optional(), name: z.string().max(256).optional(), category_id: id().optional() }),
  taskCreate: z.object({ name: z.string().min(1).max(256), status_id: id(), priority: priority.optional(), description: z.string().max(65_536).optional(), files: z.array(id()).max(100).optional(), mentions: mentionsSchema.optional(), assignee: z.string().min(1).max(256).optional(), data: struct().optional(), reference_id: z.string().max(256).optional(), project_id: z.string().min(1).max(128), task_type_id: id() }),
  taskUpdate: z.object({ task_id: id(), name: z.string().min(1).max(256).optional(), priority: priority.optional(), data: struct().optional(), project_id: z.string().max(128).optional() }),
  taskDescription: z.object({ task_id: id(), description: z.string().max(65_536), files: z.array(id()).max(100).optional(), mentions: mentionsSchema.optional() }),
  taskAssignee: z.object({ task_id: id(), assignee: z.string().min(1).max(256) }),
  taskStatus: z.object({ task_id: id(), status_id: id(), assignee: z.string().min(1).max(256).optional() }),
  taskRef: z.object({ task_id: id() }),
  taskList: z.object({ ...queryField, task_id: id().optional(), name: z.string().max(256).optional(), status_id: id().optional(), status_type: z.enum(STATUS_TYPES).optional(), priority: priority.optional(), assignee: z.string().max(256).optional(), related_asset_id: z.string().max(128).optional(), workspace_id: z.string().max(128).optional(), project_id: z.string().max(128).optional(), category_id: id().optional(), task_type_id: id().optional() }),
  commentCreate: z.object({ task_id: id(), comment: z.string().min(1).max(65_536), comment_type: z.enum(['COMMENT', 'TASK_DESCRIPTION']).optional(), mentions: mentionsSchema.optional(), source: struct().optional(), reference_id: z.string().max(256).optional() }),
  commentUpdate: z.object({ comment_id: id(), comment: z.string().min(1).max(65_536), mentions: mentionsSchema.optional() }),
  commentRef: z.object({ comment_id: id() }),
  commentList: z.object({
    ...queryField, task_id: id().optional(), comment_id: id().optional(), comment_type: z.enum(['COMMENT', 'TASK_DESCRIPTION']).optional(), user_id: z.string().max(256).optional(),
    user_group_id: z.string().max(256).optional(), workspace_id: z.string().max(128).optional(), project_id: z.string().max(128).optional(),
  }),
  eventList: z.object({
    ...queryField, task_id: id().optional(), event_type: z.enum(OPS_EVENT_TYPES, { error: `must be one of ${OPS_EVENT_TYPES.join(', ')}` }).optional(), created_type: z.string().max(64).optional(),
    event_id: id().optional(), created_by: z.string().max(256).optional(), workspace_id: z.string().max(128).optional(), project_id: z.string().max(128).optional(),
  }),
  stat: z.object({ query: z.unknown() }),
};

export function mentionsOf(m: z.infer<typeof mentionsSchema> | undefined): Mentions {
  return { USER: m?.USER ?? [], USER_GROUP: m?.USER_GROUP ?? [] };
}
