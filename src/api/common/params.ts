// Decoding of Twilio-style parameters (form bodies and query strings): PascalCase names, every value a string,
// repeated keys for arrays, `true/1/yes` booleans. Each endpoint declares its parameters as a zod shape built
// from these helpers; decodeParams() turns the first problem into a 20001 error that names the parameter.
// Parameters the endpoint does not take are ignored, as Twilio ignores them (taskrouter.js sends `Minutes` to
// statistics that have no window); they are remembered per decoded input so the server can name them in the
// `X-Switchboard-Ignored-Parameters` response header and a debug log line.
import { z } from 'zod';
import { invalid } from '../../core/errors.ts';

const TRUE_VALUES = /^(true|1|yes)$/i;

const single = (what: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? 'is required' : `must be a single ${what}`) });

export const param = {
  string: (max = 4096) => single('string').max(max, { error: `must be at most ${max} characters` }),
  /** FriendlyName-style names: 1-64 characters. */
  name: (max = 64) =>
    single('string')
      .min(1, { error: 'must not be empty' })
      .max(max, { error: `must be at most ${max} characters` }),
  /** Twilio booleans: true/1/yes (any case) are true, every other value is false. */
  bool: () => single('value').transform((v) => TRUE_VALUES.test(v)),
  int: (min: number, max: number) =>
    single('integer')
      .regex(/^[+-]?\d{1,16}$/, { error: 'must be an integer' })
      .transform(Number)
      .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` })),
  enumOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    single('value').refine((v): v is T[number] => (values as readonly string[]).includes(v), {
      error: `must be one of ${values.join(', ')}`,
    }) as unknown as z.ZodType<T[number], string>,
  /** Repeated keys (`AssignmentStatus=a&AssignmentStatus=b`) as an array; one key gives a one-element array. */
  list: (max = 4096) =>
    z
      .union([z.string().max(max), z.array(z.string().max(max, { error: `values must be at most ${max} characters` }))])
      .transform((v) => (Array.isArray(v) ? v : [v])),
  sid: (prefix: string) =>
    single('string').regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), { error: `must be a ${prefix} SID` }),
  /** ISO 8601 date or date-time (`2026-11-30`, `2026-11-30T10:00:00Z`, with an offset); decoded to epoch ms. */
  date: () =>
    single('string')
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, { error: 'must be an ISO 8601 date-time' })
      .transform((v) => Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes('T') ? v : `${v}Z`))
      .refine((ms) => Number.isFinite(ms), { error: 'must be a valid date' }),
  url: () =>
    single('string')
      .max(2048, { error: 'must be at most 2048 characters' })
      .refine((v) => v === '' || isHttpUrl(v), { error: 'must be an absolute http(s) URL' }),
};

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The parameters of an endpoint that takes none (a fetch): decodeParams(NO_PARAMS, request.query) notes what
 *  the request sent anyway. One shared shape, because schemas are compiled once per shape object (see
 *  paramsObject): a literal `{}` per request would compile a new schema on every call. */
export const NO_PARAMS: z.ZodRawShape = Object.freeze({});

/** Paging parameters accepted by every list endpoint. */
export const PAGING = {
  PageSize: param.int(1, 1000).optional(),
  Page: param.int(0, 1_000_000).optional(),
  PageToken: param.string(64).optional(),
};

/** The names decodeParams() ignored in an input object (a request's query or body), by that object. */
const ignoredByInput = new WeakMap<object, string[]>();

/** The parameters of this query or body that the endpoint ignored (it does not take them). */
export function ignoredParameters(input: unknown): string[] {
  return input && typeof input === 'object' ? (ignoredByInput.get(input) ?? []) : [];
}

export const IGNORED_PARAMETERS_HEADER = 'X-Switchboard-Ignored-Parameters';

/** The header's value: the names percent-encoded (a name may hold any character), at most 20 of them. */
export function ignoredParametersHeader(names: string[]): string {
  const shown = names.slice(0, 20).map((n) => encodeURIComponent(n.slice(0, 100)));
  return shown.join(', ') + (names.length > 20 ? `, (${names.length - 20} more)` : '');
}

/** Compiled object schemas by shape: zod compiles an object schema on first use, which costs more than the
 *  parse itself, so a route whose shape is a module constant compiles it once. */
const compiled = new WeakMap<z.ZodRawShape, z.ZodObject>();

/** The object schema of a parameter shape (undeclared keys are dropped: Twilio ignores them): the one decodeParams() decodes with, and the one the route's
 *  documented schema shows (common/routeSchema.ts). */
export function paramsObject(shape: z.ZodRawShape): z.ZodObject {
  let schema = compiled.get(shape);
  if (!schema) {
    // A plain object schema drops the keys it does not declare.
    schema = z.object(shape);
    compiled.set(shape, schema);
  }
  return schema;
}

export function decodeParams<S extends z.ZodRawShape>(shape: S, input: unknown): z.infer<z.ZodObject<S>> {
  const source = input && typeof input === 'object' ? input : {};
  const result = paramsObject(shape).safeParse(source);
  if (result.success) {
    const ignored = Object.keys(source).filter((k) => !Object.hasOwn(shape, k));
    if (ignored.length > 0) ignoredByInput.set(source, ignored);
    return result.data as z.infer<z.ZodObject<S>>;
  }
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'body');
  if (issue.message === 'is required') throw invalid(`Missing required parameter ${name} in the request`);
  throw invalid(`Invalid parameter ${name}: ${name} ${issue.message}`);
}

/** Parses a JSON-in-a-form-field value (Attributes, Configuration) that must be a JSON object. */
export function jsonObjectText(name: string, text: string, maxLength: number): string {
  if (text.length > maxLength) throw invalid(`Invalid parameter ${name}: ${name} must be at most ${maxLength} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(`Invalid parameter ${name}: ${name} must be valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`Invalid parameter ${name}: ${name} must be a JSON object`);
  }
  return text;
}
