// Random TaskRouter requests for fuzzing: every operation of the public OpenAPI document (except deleting the
// target workspace itself), path SIDs that are mostly the seeded workspace's real ones, and parameters that are
// the operation's own names (plus unknown ones) with hostile values: unicode, 5,000-character strings, huge and
// odd numbers, JSON with `__proto__` and `constructor` keys, 300-deep nesting, repeated keys, empty values.
import fc from 'fast-check';
import { loadTaskRouterSpec } from '../support/taskRouterSpec.ts';

const spec = loadTaskRouterSpec();

export interface Operation {
  method: 'GET' | 'POST' | 'DELETE';
  template: string;
  params: string[];
}

export const OPERATIONS: Operation[] = Object.entries<any>(spec.paths).flatMap(([template, ops]) =>
  (['get', 'post', 'delete'] as const)
    .filter((m) => ops[m] && !(m === 'delete' && template === '/v1/Workspaces/{Sid}'))
    .map((m) => {
      const op = ops[m];
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name as string);
      const form = Object.keys(op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema?.properties ?? {});
      return { method: m.toUpperCase() as Operation['method'], template, params: m === 'get' ? query : form };
    }),
);

/** SIDs of the seeded workspace, by what a path segment names. */
export interface Targets {
  ws: string;
  worker: string;
  activity: string;
  queue: string;
  workflow: string;
  task: string;
  reservation: string;
  channel: string;
}

const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
  fc.constantFrom('', ' ', 'true', 'false', 'TRUE', '0', '-1', '-0', '1e309', '1e-400', '99999999999999999999999', 'NaN', 'Infinity', '0x10', '1.5', 'null', 'undefined'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"skills":["en"],"__proto__":null}',
    deep(300),
    '['.repeat(1000) + ']'.repeat(1000),
    'x'.repeat(5000),
    '{"a":"' + 'y'.repeat(4090) + '"}',
    'task.x == 1 AND (((((',
    '1 == 1',
    "skills HAS 'en'",
    'https://example.com/cb',
    'javascript:alert(1)',
  ),
  hex.map((h) => 'WA' + h),
  hex.map((h) => 'WK' + h),
  hex.map((h) => 'WQ' + h),
);

export interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
}

export function requestArbitrary(t: Targets): fc.Arbitrary<FuzzRequest> {
  const sidFor = (template: string, name: string, index: number): fc.Arbitrary<string> => {
    const before = template.split('/').slice(0, index).filter((s) => !s.startsWith('{')).at(-1) ?? '';
    const real: Record<string, string> = {
      WorkspaceSid: t.ws, WorkerSid: t.worker, TaskSid: t.task, TaskQueueSid: t.queue, WorkflowSid: t.workflow,
    };
    const bySegment: Record<string, string> = {
      Workspaces: t.ws, Workers: t.worker, Activities: t.activity, TaskQueues: t.queue, Workflows: t.workflow, Tasks: t.task,
      Reservations: t.reservation, TaskChannels: t.channel, Channels: 'default', Events: 'EV' + '0'.repeat(32),
    };
    const good = real[name] ?? bySegment[before] ?? t.ws;
    return fc.oneof({ weight: 8, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: hostileValue.map((v) => encodeURIComponent(v).slice(0, 300) || 'x') });
  };
  return fc.constantFrom(...OPERATIONS).chain((op) => {
    const segments = op.template.split('/');
    const pathParts = segments.map((seg, i) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      return m ? sidFor(op.template, m[1]!, i) : fc.constant(seg);
    });
    const names = fc.oneof({ weight: 6, arbitrary: op.params.length ? fc.constantFrom(...op.params) : fc.constant('Foo') }, { weight: 1, arbitrary: fc.constantFrom('Foo', '__proto__', 'constructor', 'friendlyname', 'Attributes[type]') });
    const params = fc.array(fc.tuple(names, hostileValue), { maxLength: 5 });
    return fc.tuple(fc.tuple(...pathParts), params).map(([parts, pairs]) => {
      const encoded = new URLSearchParams(pairs).toString();
      const path = parts.join('/');
      if (op.method === 'GET') return { method: 'GET', path: encoded ? `${path}?${encoded}` : path };
      return { method: op.method, path, body: op.method === 'POST' ? encoded : undefined };
    });
  });
}
