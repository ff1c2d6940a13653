// A client that sends exactly what FINBOURNE's Workflow SDK for Python (lusid-workflow-sdk, generated from
// LUSID's OpenAPI document) sends, and checks every answer the way its models deserialise it. Both come from
// test/fixtures/lusid-workflow-sdk.json, derived from the SDK's source by scripts/derive-lusid-sdk.ts (its
// `source` names the repository, commit and version). What the SDK does, from its api_client.py and rest.py:
//   * headers: Accept: application/json; X-LUSID-SDK-Language: Python; X-LUSID-SDK-Version; User-Agent
//     OpenAPI-Generator/<version>/python; Authorization: Bearer <access_token> (its only scheme, oauth2);
//   * Content-Type: the operation's first JSON type (application/json-patch+json on every write), else
//     application/json on every request, bodiless ones included (rest.py sets it when absent);
//   * path parameters quoted with no safe characters, query values with quote() (sortBy repeated), asAt as
//     %Y-%m-%dT%H:%M:%S.%fZ (microseconds);
//   * a body as json.dumps writes it (", " and ": " separators), none when the argument is None, and then
//     aiohttp sends Content-Length: 0 on POST, PUT, PATCH and DELETE.
// Responses are checked against the models as the SDK's from_dict + pydantic v1 read them: required fields
// present and not null, strict types, the `type` enums of discriminated classes, exactly one match of a oneOf.
import { appendFileSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';

export type FieldType = string | { list: FieldType } | { dict: FieldType } | { optional: FieldType } | { union: FieldType[] };
export interface ModelDef {
  fields?: { name: string; type: FieldType; required: boolean }[];
  oneOf?: string[];
  typeEnum?: string[];
}
export interface OperationDef {
  method: string;
  path: string;
  pathParams: string[];
  query: { wire: string; param: string; multi: boolean }[];
  body: string | null;
  contentType: string | null;
  responses: Record<string, string>;
}

export const SDK = JSON.parse(readFileSync(new URL('../fixtures/lusid-workflow-sdk.json', import.meta.url), 'utf8')) as {
  source: { version: string; commit: string };
  operations: Record<string, OperationDef>;
  models: Record<string, ModelDef>;
};

// ------------------------------------------------------------------ the schema check

/** pydantic v1's datetime parser: ISO 8601 date-times (and numbers, as Unix time). */
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** The problems the SDK would raise deserialising `value` as `type`, at `path` (empty: it deserialises). */
export function checkType(type: FieldType, value: unknown, path = '$'): string[] {
  if (typeof type === 'object') {
    if ('optional' in type) return value === null || value === undefined ? [] : checkType(type.optional, value, path);
    if (value === null || value === undefined) return [`${path}: none is not an allowed value`];
    if ('list' in type) return Array.isArray(value) ? value.flatMap((v, i) => checkType(type.list, v, `${path}[${i}]`)) : [`${path}: value is not a valid list`];
    if ('dict' in type) {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: value is not a valid dict`];
      return Object.entries(value as object).flatMap(([k, v]) => checkType(type.dict, v, `${path}.${k}`));
    }
    const options = type.union.map((t) => checkType(t, value, path));
    return options.some((o) => o.length === 0) ? [] : options.flat();
  }
  if (value === null || value === undefined) return [`${path}: none is not an allowed value`];
  switch (type) {
    case 'str':
      return typeof value === 'string' ? [] : [`${path}: str type expected, got ${JSON.stringify(value)}`];
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? [] : [`${path}: value is not a valid integer: ${JSON.stringify(value)}`];
    case 'float':
      return typeof value === 'number' ? [] : [`${path}: value is not a valid float`];
    case 'bool':
      return typeof value === 'boolean' ? [] : [`${path}: value is not a valid boolean`];
    case 'datetime':
    case 'date':
      return typeof value === 'number' || (typeof value === 'string' && (type === 'date' ? /^\d{4}-\d{2}-\d{2}$/.test(value) : DATETIME.test(value))) ? [] : [`${path}: invalid ${type} format: ${JSON.stringify(value)}`];
    case 'any':
      return [];
  }
  return checkModel(type.replace(/^model:/, ''), value, path);
}

export function checkModel(name: string, value: unknown, path = '$'): string[] {
  const model = SDK.models[name];
  if (!model) throw new Error(`no SDK model ${name}`);
  if (value === null || value === undefined) return [`${path}: none is not an allowed value (${name})`];
  if (model.oneOf) {
    const results = model.oneOf.map((m) => ({ m, problems: checkModel(m, value, path) }));
    const matches = results.filter((r) => r.problems.length === 0).map((r) => r.m);
    if (matches.length === 1) return [];
    return [`${path}: ${matches.length ? `multiple matches (${matches.join(', ')})` : 'no match'} for ${name} oneOf ${model.oneOf.join(', ')}: ${JSON.stringify(value).slice(0, 300)}`];
  }
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${name} expects an object`];
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const f of model.fields ?? []) {
    const v = obj[f.name];
    if (v === undefined || v === null) {
      if (f.required) problems.push(`${path}.${f.name}: field required (${name})`);
      continue;
    }
    problems.push(...checkType(f.type, v, `${path}.${f.name}`));
    if (f.name === 'type' && model.typeEnum && !model.typeEnum.includes(String(v))) problems.push(`${path}.type: must be one of enum values (${model.typeEnum.join(', ')}) (${name})`);
  }
  return problems;
}

// ------------------------------------------------------------------ the client

export interface SdkResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** What the SDK's quote(str(v), safe='') leaves alone. */
const quotePath = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** quote(str(v)): safe is '/'. */
const quoteQuery = (v: string) => quotePath(v).replace(/%2F/g, '/');

/** The SDK's asAt: datetime.strftime('%Y-%m-%dT%H:%M:%S.%fZ'), six digits of fraction. */
export function sdkDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** json.dumps with its default separators. */
function pythonJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

export class LusidSdkClient {
  readonly origin: string;
  private accessToken: string;

  constructor(origin: string, accessToken: string) {
    this.origin = origin;
    this.accessToken = accessToken;
  }

  /** Sends the operation as the SDK does; `params` uses the SDK's argument names (as_at, sort_by, ...), the
   *  body its request model's JSON. Answers with the parsed body, and every problem the SDK's models would
   *  raise reading it (a 2xx answer's declared model). */
  async raw(operation: string, params: Record<string, unknown> = {}, body?: unknown): Promise<SdkResponse & { problems: string[] }> {
    const op = SDK.operations[operation];
    if (!op) throw new Error(`the SDK has no operation ${operation}`);
    let path = op.path;
    for (const p of op.pathParams) path = path.replace(`{${p}}`, quotePath(String(params[p])));
    const query: string[] = [];
    for (const q of op.query) {
      const v = params[q.param];
      if (v === undefined || v === null) continue;
      const text = (x: unknown) => (x instanceof Date ? sdkDateTime(x.getTime()) : typeof x === 'boolean' ? String(x) : String(x));
      if (q.multi && Array.isArray(v)) for (const one of v) query.push(`${q.wire}=${quoteQuery(text(one))}`);
      else query.push(`${q.wire}=${quoteQuery(text(v))}`);
    }
    const url = new URL(`${this.origin}${path}${query.length ? `?${query.join('&')}` : ''}`);
    const payload = body === undefined || body === null || !op.body ? undefined : pythonJson(body);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-LUSID-SDK-Language': 'Python',
      'X-LUSID-SDK-Version': SDK.source.version,
      'User-Agent': `OpenAPI-Generator/${SDK.source.version}/python`,
      Authorization: `Bearer ${this.accessToken}`,
      'Content-Type': op.contentType ?? 'application/json',
    };
    if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
    else if (op.method !== 'GET') headers['Content-Length'] = '0';
    const res = await new Promise<SdkResponse>((resolve, reject) => {
      const req = httpRequest(url, { method: op.method, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: r.statusCode ?? 0, headers: r.headers, text, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
    const model = res.status >= 200 && res.status < 300 ? op.responses[String(res.status)] : undefined;
    const problems = model && model !== 'str' && model !== 'object' ? checkModel(model, res.body) : [];
    // By hand: LUSID_SDK_RECORD=file keeps every answer with its model, to feed to the SDK's own classes.
    if (model && process.env.LUSID_SDK_RECORD) appendFileSync(process.env.LUSID_SDK_RECORD, `${JSON.stringify({ what: operation, model, body: res.body })}\n`);
    return { ...res, problems };
  }

  /** The operation must succeed and its answer deserialise; returns the body. */
  async call(operation: string, params: Record<string, unknown> = {}, body?: unknown): Promise<any> {
    const res = await this.raw(operation, params, body);
    if (res.status < 200 || res.status >= 300) throw new Error(`${operation} -> ${res.status} ${res.text.slice(0, 500)}`);
    if (res.problems.length) throw new Error(`${operation}: the SDK could not deserialise the answer:\n  ${res.problems.join('\n  ')}`);
    return res.body;
  }
}
