// Custom task fields (a category's plus its task type's) and the checks of a task's `data` against them.
// Field types are the console's: TEXT and PARAGRAPH (strings; TEXT honours options.max_length), DROPDOWN
// (options.enums keys), LABELS (a list of strings), DATE (ISO-8601 date), and the reference types USER, ASSET,
// PROJECT, PROVIDER, SERVICE_ACCOUNT, GLOBAL (an id, or a list of ids with selection_type MULTI).
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import type { TaskField } from '../core/opsflowEntities.ts';

export const FIELD_TYPES = ['TEXT', 'PARAGRAPH', 'DROPDOWN', 'LABELS', 'DATE', 'USER', 'ASSET', 'PROJECT', 'PROVIDER', 'SERVICE_ACCOUNT', 'GLOBAL'] as const;

export const taskFieldSchema = z.object({
  field_id: z.string().regex(/^[A-Za-z0-9_\-]{1,64}$/, { error: 'must be 1-64 letters, digits, _ or -' }),
  name: z.string().min(1).max(256),
  description: z.string().max(1024).optional(),
  field_type: z.enum(FIELD_TYPES, { error: `must be one of ${FIELD_TYPES.join(', ')}` }),
  options: z.record(z.string(), z.unknown()).optional(),
  selection_type: z.enum(['SINGLE', 'MULTI', 'SELECTION_NONE']).optional(),
  is_required: z.boolean().optional(),
  is_primary: z.boolean().optional(),
});

export function normaliseFields(fields: z.infer<typeof taskFieldSchema>[], where: string): TaskField[] {
  const seen = new Set<string>();
  return fields.map((f, i) => {
    if (seen.has(f.field_id)) throw new ApiError('opsInvalidParameter', `${where}[${i}]: field_id '${f.field_id}' is used twice`, [{ key: `${where}[${i}].field_id` }]);
    seen.add(f.field_id);
    const options = f.options ?? {};
    if (f.field_type === 'DROPDOWN') {
      const enums = options.enums;
      if (!Array.isArray(enums) || enums.length === 0 || !enums.every((e) => e && typeof e === 'object' && typeof (e as { key?: unknown }).key === 'string')) {
        throw new ApiError('opsInvalidParameter', `${where}[${i}]: a DROPDOWN field needs options.enums [{key, name}]`, [{ key: `${where}[${i}].options.enums` }]);
      }
    }
    return {
      field_id: f.field_id,
      name: f.name,
      description: f.description ?? '',
      field_type: f.field_type,
      options,
      selection_type: f.selection_type ?? 'SINGLE',
      is_required: f.is_required ?? false,
      is_primary: f.is_primary ?? false,
    };
  });
}

function invalidData(field: TaskField, message: string): ApiError {
  return new ApiError('opsInvalidParameter', `data.${field.field_id} (${field.field_type}) ${message}`, [{ key: `data.${field.field_id}` }]);
}

function checkOne(field: TaskField, v: unknown): void {
  switch (field.field_type) {
    case 'TEXT':
    case 'PARAGRAPH': {
      if (typeof v !== 'string') throw invalidData(field, 'must be a string');
      const max = Number(field.options.max_length);
      if (field.field_type === 'TEXT' && Number.isInteger(max) && max > 0 && v.length > max) throw invalidData(field, `must be at most ${max} characters`);
      return;
    }
    case 'DROPDOWN': {
      const keys = (field.options.enums as { key: string }[]).map((e) => e.key);
      if (typeof v !== 'string' || !keys.includes(v)) throw invalidData(field, `must be one of ${keys.join(', ')}`);
      return;
    }
    case 'DATE':
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) throw invalidData(field, 'must be an ISO-8601 date');
      return;
    default:
      if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw invalidData(field, 'must be an id (a non-empty string)');
  }
}

/** Checks `data` against the fields: known keys only, required ones present (on create), values of the type. */
export function checkTaskData(fields: TaskField[], data: Record<string, unknown>, creating: boolean): void {
  const byId = new Map(fields.map((f) => [f.field_id, f]));
  for (const [key, value] of Object.entries(data)) {
    const field = byId.get(key);
    if (!field) throw new ApiError('opsInvalidParameter', `data.${key} is not a field of this task's category or type${fields.length ? ` (fields: ${[...byId.keys()].join(', ')})` : ''}`, [{ key: `data.${key}` }]);
    if (value === null) continue;
    const multi = field.field_type === 'LABELS' || field.selection_type === 'MULTI';
    if (multi) {
      if (!Array.isArray(value)) throw invalidData(field, 'must be a list');
      if (field.field_type === 'LABELS') {
        if (!value.every((x) => typeof x === 'string')) throw invalidData(field, 'must be a list of strings');
      } else for (const x of value) checkOne(field, x);
    } else checkOne(field, value);
  }
  if (creating) {
    const missing = fields.filter((f) => f.is_required && (data[f.field_id] === undefined || data[f.field_id] === null || data[f.field_id] === ''));
    if (missing.length) throw new ApiError('opsRequiredParameter', `Required field${missing.length > 1 ? 's' : ''} ${missing.map((f) => `data.${f.field_id}`).join(', ')} missing`, missing.map((f) => ({ key: `data.${f.field_id}` })));
  }
}
