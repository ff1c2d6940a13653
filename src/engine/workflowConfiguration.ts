// Validation and normalisation of a Workflow `Configuration` (reference/taskrouter.md §6). The text is kept as
// the client sent it; the normalised form (numbers as numbers, expressions compiled-checked) is what the
// routing engine will use. Every error names the offending field path, e.g.
// `task_routing.filters[1].targets[0].queue: must be a TaskQueue SID (WQ…)`.
import { LIMITS } from '../core/limits.ts';
import { ExpressionSyntaxError, compileExpression, parseOrderBy, type ExpressionScope } from '../expr/index.ts';

export interface RoutingTarget {
  queue: string; // inherited from the previous target when omitted
  priority?: number;
  timeout?: number;
  expression?: string;
  orderBy?: string;
  skipIf?: string;
  knownWorkerSid?: string;
  knownWorkerFriendlyName?: string;
}

export interface RoutingFilter {
  friendlyName?: string;
  expression: string;
  targets: RoutingTarget[];
}

export interface WorkflowConfiguration {
  filters: RoutingFilter[];
  defaultFilter?: { queue: string };
}

/** The name the routing engine uses for the validated form; numbers are numbers and every queue is explicit. */
export type NormalisedConfiguration = WorkflowConfiguration;

export type ConfigurationResult = { ok: true; config: WorkflowConfiguration } | { ok: false; message: string };

const QUEUE_SID = /^WQ[0-9a-fA-F]{32}$/;
const MAX_TIMEOUT = 1_209_600; // a task's maximum TTL: a step can never outlast it
const MAX_PRIORITY = 2 ** 31 - 1;
const TARGET_KEYS = new Set(['queue', 'priority', 'timeout', 'expression', 'order_by', 'skip_if', 'known_worker_sid', 'known_worker_friendly_name']);
const FILTER_KEYS = new Set(['filter_friendly_name', 'expression', 'targets']);

class ConfigError extends Error {}

function fail(path: string, message: string): never {
  throw new ConfigError(`${path}: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Integers may arrive as numbers or numeric strings (`"priority": "10"` is common in real configurations). */
function integer(v: unknown, path: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail(path, 'must be an integer');
  if (n < min || n > max) fail(path, `must be between ${min} and ${max}`);
  return n;
}

function expression(v: unknown, path: string, scope: ExpressionScope): string {
  if (typeof v !== 'string') fail(path, 'must be a string');
  try {
    compileExpression(v, scope);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) fail(path, `invalid expression: ${err.message}`);
    throw err;
  }
  return v;
}

function queueSid(v: unknown, path: string, queueExists?: (sid: string) => boolean): string {
  if (typeof v !== 'string' || !QUEUE_SID.test(v)) fail(path, 'must be a TaskQueue SID (WQ followed by 32 hex digits)');
  if (queueExists && !queueExists(v)) fail(path, `TaskQueue ${v} not found in this Workspace`);
  return v;
}

function target(raw: unknown, path: string, inherited: string | undefined, queueExists?: (sid: string) => boolean): RoutingTarget {
  if (!isObject(raw)) fail(path, 'must be an object');
  const unknown = Object.keys(raw).filter((k) => !TARGET_KEYS.has(k));
  if (unknown.length) fail(path, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  let queue = inherited;
  if (raw.queue !== undefined) queue = queueSid(raw.queue, `${path}.queue`, queueExists);
  if (queue === undefined) fail(`${path}.queue`, 'is required on the first target of a filter');
  const t: RoutingTarget = { queue };
  if (raw.priority !== undefined) t.priority = integer(raw.priority, `${path}.priority`, 0, MAX_PRIORITY);
  if (raw.timeout !== undefined) t.timeout = integer(raw.timeout, `${path}.timeout`, 1, MAX_TIMEOUT);
  if (raw.expression !== undefined) t.expression = expression(raw.expression, `${path}.expression`, 'target');
  if (raw.skip_if !== undefined) t.skipIf = expression(raw.skip_if, `${path}.skip_if`, 'skipIf');
  if (raw.order_by !== undefined) {
    if (typeof raw.order_by !== 'string') fail(`${path}.order_by`, 'must be a string');
    try {
      parseOrderBy(raw.order_by);
    } catch (err) {
      if (err instanceof ExpressionSyntaxError) fail(`${path}.order_by`, err.message);
      throw err;
    }
    t.orderBy = raw.order_by;
  }
  if (raw.known_worker_sid !== undefined && raw.known_worker_friendly_name !== undefined) {
    fail(path, 'known_worker_sid and known_worker_friendly_name cannot both be set');
  }
  for (const [key, field] of [['known_worker_sid', 'knownWorkerSid'], ['known_worker_friendly_name', 'knownWorkerFriendlyName']] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    // Dotted names only: the engine splits the reference on '.' to read the task attribute.
    if (typeof v !== 'string' || !/^task(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$/.test(v)) fail(`${path}.${key}`, 'must be a task attribute reference such as task.agent_sid');
    t[field] = v;
  }
  return t;
}

function validate(text: string, queueExists?: (sid: string) => boolean): WorkflowConfiguration {
  if (text.length > LIMITS.workflowConfiguration) fail('Configuration', `must be at most ${LIMITS.workflowConfiguration} characters`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail('Configuration', 'must be valid JSON');
  }
  if (!isObject(doc)) fail('Configuration', 'must be a JSON object');
  // Twilio's known-agent-routing page shows `{filters, default_filter}` without the `task_routing` wrapper;
  // accept that form too and treat it the same.
  const routing = doc.task_routing ?? (doc.filters !== undefined || doc.default_filter !== undefined ? doc : undefined);
  if (!isObject(routing)) fail('task_routing', 'is required and must be an object');
  const base = doc.task_routing !== undefined ? 'task_routing' : 'Configuration';
  const extra = Object.keys(routing).filter((k) => k !== 'filters' && k !== 'default_filter');
  if (extra.length) fail(base, `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);

  const filters: RoutingFilter[] = [];
  if (routing.filters !== undefined) {
    if (!Array.isArray(routing.filters)) fail(`${base}.filters`, 'must be an array');
    routing.filters.forEach((raw: unknown, i: number) => {
      const path = `${base}.filters[${i}]`;
      if (!isObject(raw)) fail(path, 'must be an object');
      const unknown = Object.keys(raw).filter((k) => !FILTER_KEYS.has(k));
      if (unknown.length) fail(path, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
      if (raw.filter_friendly_name !== undefined && typeof raw.filter_friendly_name !== 'string') fail(`${path}.filter_friendly_name`, 'must be a string');
      if (raw.expression === undefined) fail(`${path}.expression`, 'is required');
      const expr = expression(raw.expression, `${path}.expression`, 'filter');
      if (!Array.isArray(raw.targets) || raw.targets.length === 0) fail(`${path}.targets`, 'must be a non-empty array');
      const targets: RoutingTarget[] = [];
      let inherited: string | undefined;
      raw.targets.forEach((t: unknown, j: number) => {
        const normalised = target(t, `${path}.targets[${j}]`, inherited, queueExists);
        inherited = normalised.queue;
        targets.push(normalised);
      });
      filters.push({ friendlyName: raw.filter_friendly_name as string | undefined, expression: expr, targets });
    });
  }
  const config: WorkflowConfiguration = { filters };
  if (routing.default_filter !== undefined) {
    const path = `${base}.default_filter`;
    const d = routing.default_filter;
    if (!isObject(d)) fail(path, 'must be an object');
    const unknown = Object.keys(d).filter((k) => k !== 'queue');
    if (unknown.length) fail(path, `only queue is allowed here, not ${unknown.join(', ')}`);
    config.defaultFilter = { queue: queueSid(d.queue, `${path}.queue`, queueExists) };
  }
  if (filters.length === 0 && !config.defaultFilter) fail(base, 'needs at least one filter or a default_filter');
  return config;
}

export function validateWorkflowConfiguration(text: string, queueExists?: (sid: string) => boolean): ConfigurationResult {
  try {
    return { ok: true, config: validate(text, queueExists) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message };
    throw err;
  }
}

export function referencedQueueSids(config: WorkflowConfiguration): string[] {
  const sids = new Set<string>();
  for (const f of config.filters) for (const t of f.targets) sids.add(t.queue);
  if (config.defaultFilter) sids.add(config.defaultFilter.queue);
  return [...sids];
}
