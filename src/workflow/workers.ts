// LUSID "workers": automated jobs a RunWorker action starts. The kinds that make sense self-hosted:
//   Sleep        waits SleepTime seconds (durably: the wake-up time is stored), then completes with no results
//   Fail         fails to complete, with FailureMessage
//   HealthCheck  GETs its url: 2xx completes with one result {StatusCode}, anything else fails to complete
//   Webhook      POSTs {taskId, actionLogId, parameters} as JSON to its url; a 2xx answer may carry
//                {"results": [{...}, ...]}; 5xx, 429 and network errors are retried, then fail to complete
//
// Webhook is Switchboard's own kind. LUSID's SDKs read a worker's configuration as exactly one of LUSID's
// kinds (a oneOf over FailResponse, HealthCheckResponse, LibraryResponse, ..., each checking its `type`), so a
// Webhook worker is shown as a `Library` worker, LUSID's kind for workers the platform provides, with its own
// members beside: {"type": "Library", "libraryWorker": "Webhook", "url": ..., "parameters": [...]}. That form
// is accepted back as input, as is {"type": "Webhook", ...}.
import { z } from 'zod';
import { ROUTE_TO_WORKERS_WORKER, type WfWorker } from '../core/workflowEntities.ts';
import { ApiError } from '../core/errors.ts';
import { resourceIdSchema, zodProblem } from './taskDefinition.ts';

const url = () =>
  z.string({ error: 'must be a string' }).max(2048).refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), { error: 'must be an http(s) URL' });

const webhookParameters = z.array(z.object({ name: z.string().min(1).max(256), type: z.enum(['String', 'Decimal', 'DateTime', 'Boolean', 'Int']), required: z.boolean().optional() })).max(100).optional();

const configuration = z
  .discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('Sleep') }),
      z.object({ type: z.literal('Fail') }),
      z.object({ type: z.literal('HealthCheck'), url: url() }),
      z.object({ type: z.literal('Webhook'), url: url(), parameters: webhookParameters }),
      z.object({ type: z.literal('Library'), libraryWorker: z.literal('Webhook', { error: "must be 'Webhook' (the library worker Switchboard provides)" }), url: url(), parameters: webhookParameters }),
    ],
    { error: 'type must be one of Sleep, Fail, HealthCheck, Webhook (or Library with libraryWorker Webhook)' },
  )
  .transform((c): WfWorker['workerConfiguration'] => (c.type === 'Library' ? { type: 'Webhook', url: c.url, ...(c.parameters ? { parameters: c.parameters } : {}) } : c));

const body = {
  displayName: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(256),
  description: z.string().max(1024).optional(),
  workerConfiguration: configuration,
};
export const createSchema = z.object({ id: resourceIdSchema, ...body }, { error: 'must be a JSON object' });
export const updateSchema = z.object(body, { error: 'must be a JSON object' });

export type WorkerInput = Pick<WfWorker, 'displayName' | 'workerConfiguration'> & { description: string | null };

export function decodeCreateWorker(input: unknown): { id: { scope: string; code: string } } & WorkerInput {
  const r = createSchema.safeParse(input);
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  if (r.data.id.scope === ROUTE_TO_WORKERS_WORKER.scope && r.data.id.code === ROUTE_TO_WORKERS_WORKER.code) {
    throw new ApiError('workflowValidation', `The worker id ${ROUTE_TO_WORKERS_WORKER.scope}/${ROUTE_TO_WORKERS_WORKER.code} is Switchboard's own (RouteToWorkers actions run it)`, [{ path: 'id' }]);
  }
  return { id: r.data.id, displayName: r.data.displayName, description: r.data.description ?? null, workerConfiguration: r.data.workerConfiguration };
}

export function decodeUpdateWorker(input: unknown): WorkerInput {
  const r = updateSchema.safeParse(input);
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  return { displayName: r.data.displayName, description: r.data.description ?? null, workerConfiguration: r.data.workerConfiguration };
}

/** The configuration as LUSID's SDKs read it (see the header: a Webhook is a Library worker). */
export function workerConfigurationResponse(config: WfWorker['workerConfiguration']): Record<string, unknown> {
  if (config.type !== 'Webhook') return config;
  return { type: 'Library', libraryWorker: 'Webhook', url: config.url, ...(config.parameters ? { parameters: config.parameters } : {}) };
}

export const runSchema = z.object(
  {
    parameters: z.array(z.object({ name: z.string({ error: 'must be a string' }).min(1).max(256), value: z.unknown() }, { error: 'must be {name, value} objects' })).max(100),
    workerTimeout: z.number().int().min(1).max(86_400).optional(),
  },
  { error: 'must be a JSON object {parameters, workerTimeout?}' },
);

/** RunWorkerRequest: {parameters: [{name, value}], workerTimeout?}; a parameter named twice is refused. */
export function decodeRunWorker(input: unknown): { parameters: Record<string, unknown>; workerTimeout?: number } {
  const r = runSchema.safeParse(input ?? { parameters: [] });
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  const parameters: Record<string, unknown> = {};
  for (const p of r.data.parameters) {
    if (Object.hasOwn(parameters, p.name)) throw new ApiError('workflowValidation', `Parameter '${p.name}' is given more than once`, [{ parameter: p.name }]);
    if (p.value !== null && p.value !== undefined) parameters[p.name] = p.value;
  }
  return { parameters, ...(r.data.workerTimeout !== undefined ? { workerTimeout: r.data.workerTimeout } : {}) };
}

export interface ParameterDefinition {
  name: string;
  type: string;
  required: boolean;
  description?: string;
}

/** The parameters a worker of this configuration accepts (LUSID's Worker.parameters). */
export function workerParameters(config: WfWorker['workerConfiguration']): ParameterDefinition[] {
  switch (config.type) {
    case 'Sleep':
      return [{ name: 'SleepTime', type: 'Int', required: true, description: 'Seconds to sleep' }];
    case 'Fail':
      return [{ name: 'FailureMessage', type: 'String', required: false, description: 'The message the failure is logged with' }];
    case 'HealthCheck':
      return [];
    case 'Webhook':
      return (config.parameters ?? []).map((p) => ({ name: p.name, type: p.type, required: p.required ?? false }));
  }
}

export function workerResultFields(config: WfWorker['workerConfiguration']): { name: string; type: string }[] {
  return config.type === 'HealthCheck' ? [{ name: 'StatusCode', type: 'Int' }] : [];
}
