// Derives test/fixtures/lusid-workflow-sdk.json from a checkout of FINBOURNE's Workflow SDK for Python
// (github.com/finbourne/workflow-sdk-python, generated from LUSID's OpenAPI document): what each operation sends
// (method, path, path and query names, body, content types, response models; from sdk/lusid_workflow/api/*.py)
// and what each model accepts when the SDK deserialises a response (from sdk/lusid_workflow/models/*.py: fields
// with their JSON names, types, whether required or nullable, the `type` enums the SDK validates, oneOf lists).
// The tests use the result to send exactly what the SDK sends and to check every response the way the SDK's
// pydantic models would. It is run by hand (CI cannot fetch the SDK); the JSON it wrote is committed.
//
//   node --import tsx scripts/derive-lusid-sdk.ts /path/to/workflow-sdk-python [commit] > test/fixtures/lusid-workflow-sdk.json
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [root, commit = 'unknown'] = process.argv.slice(2);
if (!root) throw new Error('usage: derive-lusid-sdk.ts CHECKOUT [COMMIT]');

import type { FieldType, ModelDef, OperationDef } from '../test/support/lusidSdk.ts';

const SCALARS: Record<string, string> = {
  StrictStr: 'str',
  str: 'str',
  StrictInt: 'int',
  int: 'int',
  StrictFloat: 'float',
  float: 'float',
  StrictBool: 'bool',
  bool: 'bool',
  datetime: 'datetime',
  date: 'date',
  Any: 'any',
  object: 'any',
};

/** Parses a typing annotation (`Optional[List[Dict[str, FieldMapping]]]`) into a FieldType. */
function parseType(text: string): FieldType {
  const t = text.trim();
  const m = /^(\w+)\[(.*)\]$/.exec(t);
  if (!m) return SCALARS[t] ?? `model:${t}`;
  const args = splitArgs(m[2]!);
  switch (m[1]) {
    case 'Optional':
      return { optional: parseType(args[0]!) };
    case 'List':
    case 'conlist':
      return { list: parseType(args[0]!) };
    case 'Dict':
      return { dict: parseType(args[1]!) };
    case 'Union':
      return { union: args.map(parseType) };
    default:
      throw new Error(`unknown annotation ${t}`);
  }
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim());
}

type Field = NonNullable<ModelDef['fields']>[number];

const models: Record<string, ModelDef> = {};
const modelsDir = join(root, 'sdk/lusid_workflow/models');
for (const file of readdirSync(modelsDir).filter((f) => f.endsWith('.py') && f !== '__init__.py')) {
  const src = readFileSync(join(modelsDir, file), 'utf8');
  const cls = /^class (\w+)\(BaseModel\):/m.exec(src)?.[1];
  if (!cls) continue;
  const oneOf = /_ONE_OF_SCHEMAS = \[(.*)\]/.exec(src);
  if (oneOf) {
    models[cls] = { oneOf: [...oneOf[1]!.matchAll(/"(\w+)"/g)].map((x) => x[1]!) };
    continue;
  }
  const body = src.slice(src.indexOf(`class ${cls}(BaseModel):`), src.indexOf('__properties'));
  const fields: Field[] = [];
  for (const line of body.split('\n')) {
    const f = /^    (\w+):\s+(.+?)(?:\s*=\s*(.*))?\s*$/.exec(line);
    if (!f) continue;
    const [, pyName, annotation, init] = f;
    const alias = init ? /alias="([^"]+)"/.exec(init)?.[1] : undefined;
    const type = parseType(annotation!);
    const optional = typeof type === 'object' && 'optional' in type;
    // pydantic v1: Field(...) or no default on a non-Optional annotation is required; Optional defaults to None.
    const explicitRequired = init !== undefined && /^Field\(\s*\.\.\./.test(init);
    const hasDefault = init !== undefined && (init === 'None' || /default=|^Field\(\s*None/.test(init));
    const required = explicitRequired || (!optional && !hasDefault);
    fields.push({ name: alias ?? pyName!, type, required });
  }
  const model: ModelDef = { fields };
  // The SDK checks `type` against its enum for the classes that use it as a oneOf discriminator.
  const discriminated = /if '(\w+)' not in \[([\s\S]*?)\]:/.exec(src);
  const allowed = /if value not in \[([^\]]*)\]:/.exec(src);
  if (discriminated && allowed && discriminated[2]!.includes(`'${cls}'`)) model.typeEnum = [...allowed[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!);
  models[cls] = model;
}

const operations: Record<string, OperationDef> = {};
const apiDir = join(root, 'sdk/lusid_workflow/api');
for (const file of readdirSync(apiDir).filter((f) => f.endsWith('_api.py'))) {
  const src = readFileSync(join(apiDir, file), 'utf8');
  for (const m of src.matchAll(/def (\w+)_with_http_info\(self[\s\S]*?return self\.api_client\.call_api\(\s*'([^']+)', '(\w+)'/g)) {
    const text = m[0];
    const multi = new Set([...text.matchAll(/_collection_formats\['(\w+)'\] = 'multi'/g)].map((x) => x[1]!));
    const query: OperationDef['query'] = [];
    for (const q of text.matchAll(/_query_params\.append\(\('(\w+)', _params\['(\w+)'\]/g)) {
      if (!query.some((x) => x.wire === q[1])) query.push({ wire: q[1]!, param: q[2]!, multi: multi.has(q[1]!) });
    }
    const types = /select_header_content_type\(\s*\[([^\]]*)\]/.exec(text);
    // The SDK sends the first JSON type of the list (api_client.select_header_content_type).
    const contentType = types ? ([...types[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!).find((t) => /json/i.test(t)) ?? null) : null;
    const responses = Object.fromEntries([...text.split('_response_types_map = {')[1]!.split('}')[0]!.matchAll(/'(\d{3})': "?([\w[\], ]+?)"?,?\n/g)].map((x) => [x[1]!, x[2]!]));
    operations[m[1]!] = {
      method: m[3]!,
      path: m[2]!,
      pathParams: [...text.matchAll(/_path_params\['(\w+)'\] = _params\['\w+'\]/g)].map((x) => x[1]!),
      query,
      body: /_body_params = _params\['(\w+)'\]/.exec(text)?.[1] ?? null,
      contentType,
      responses,
    };
  }
}

const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, 'sdk/pyproject.toml'), 'utf8'))?.[1];
process.stdout.write(
  JSON.stringify(
    {
      source: { repository: 'finbourne/workflow-sdk-python', commit, package: 'lusid-workflow-sdk', version, derivedBy: 'scripts/derive-lusid-sdk.ts' },
      operations,
      models,
    },
    null,
    1,
  ) + '\n',
);
