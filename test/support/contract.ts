// Contract checks against the public TaskRouter OpenAPI document: a response must validate against the
// operation's schema (ajv) AND carry exactly the schema's fields, no more and no fewer (ajv alone would
// accept extra or missing properties, since the document declares neither additionalProperties nor required).
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import assert from 'node:assert/strict';
import { loadTaskRouterSpec } from './taskRouterSpec.ts';

const spec = loadTaskRouterSpec();

/** `nullable` without a `type` means "any JSON value" in the document (event_data, statistics objects); ajv
 *  refuses that combination, and without `nullable` it means the same. */
function dropUntypedNullable(node: any): void {
  if (!node || typeof node !== 'object') return;
  if (!Array.isArray(node) && node.nullable && node.type === undefined && node.$ref === undefined) delete node.nullable;
  for (const child of Object.values(node)) dropUntypedNullable(child);
}
dropUntypedNullable(spec.components);

const ajv = new (Ajv as any).default({ strict: false, allErrors: true });
(addFormats as any).default(ajv);
ajv.addFormat('uri-map', true);
ajv.addFormat('http-method', true);
ajv.addSchema({ components: spec.components }, 'spec');

function resolve(schema: any): any {
  if (schema?.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return spec.components.schemas[name];
  }
  return schema;
}

/** The response schema of an operation, e.g. ('get', '/v1/Workspaces/{Sid}', 200). */
export function responseSchema(method: string, pathTemplate: string, status: number): any {
  const op = spec.paths[pathTemplate]?.[method.toLowerCase()];
  assert.ok(op, `no operation ${method} ${pathTemplate} in the OpenAPI document`);
  const response = op.responses[String(status)];
  assert.ok(response, `${method} ${pathTemplate} has no ${status} response in the document`);
  return response.content?.['application/json']?.schema;
}

function rewriteRefs(schema: any): any {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"spec#/components/schemas/'));
}

function exactKeys(value: any, schema: any, where: string): void {
  const s = resolve(schema);
  if (!s || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  if (s.type !== 'object' || !s.properties || s.format === 'uri-map') return;
  const expected = Object.keys(s.properties).sort();
  const actual = Object.keys(value).sort();
  assert.deepEqual(actual, expected, `${where}: fields differ from the OpenAPI schema`);
  for (const [k, sub] of Object.entries<any>(s.properties)) {
    const subSchema = resolve(sub);
    if (subSchema?.type === 'array' && Array.isArray(value[k])) {
      value[k].forEach((item: any, i: number) => exactKeys(item, subSchema.items, `${where}.${k}[${i}]`));
    }
  }
}

/** Asserts the response status and that its body conforms to the document. */
export function assertContract(method: string, pathTemplate: string, res: { status: number; body: any }, status: number): void {
  assert.equal(res.status, status, `${method} ${pathTemplate}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  const schema = responseSchema(method, pathTemplate, status);
  if (!schema) {
    assert.equal(res.body, undefined, `${method} ${pathTemplate}: expected an empty body`);
    return;
  }
  const validate = ajv.compile(rewriteRefs(schema));
  const ok = validate(res.body);
  assert.ok(ok, `${method} ${pathTemplate}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 2000)}`);
  exactKeys(res.body, schema, `${method} ${pathTemplate}`);
}

/** Twilio's error body: {code, message, more_info, status} and nothing else. */
export function assertTwilioError(res: { status: number; body: any }, status: number, code: number): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body ?? {}).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(res.body.code, code, `expected code ${code}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 0);
  assert.equal(res.body.more_info, `https://www.twilio.com/docs/errors/${code}`);
}

/** Every attempt fails with the given status and Twilio code, and `snapshot()` reads the same afterwards. */
export async function assertRejectedUnchanged(
  snapshot: () => unknown,
  attempts: [() => Promise<{ status: number; body: any }>, number, number][],
): Promise<void> {
  const before = snapshot();
  for (const [attempt, status, code] of attempts) assertTwilioError(await attempt(), status, code);
  assert.deepEqual(snapshot(), before);
}
