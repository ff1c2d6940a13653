// LUSID "workers": automated jobs a RunWorker action starts. The kinds that make sense self-hosted:
//   Sleep        waits SleepTime seconds (durably: the wake-up time is stored), then completes with no results
//   Fail         fails to complete, with FailureMessage
//   HealthCheck  GETs its url: 2xx completes with one result {StatusCode}, anything else fails to complete
//   Webhook      POSTs {taskId, actionLogId, parameters} as JSON to its url; a 2xx answer may carry
//                {"results": [{...}, ...]}; 5xx, 429 and network errors are retried, then fail to complete
import { z } from 'zod';
import type { WfWorker } from '../core/workflowEntities.ts';
import { resourceIdSchema, zodProblem } from './taskDefinition.ts';

const url = () =>
  z.string({ error: 'must be a string' }).max(2048).refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), { error: 'must be an http(s) URL' });

const configuration = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Sleep') }),
    z.object({ type: z.literal('Fail') }),
    z.object({ type: z.literal('HealthCheck'), url: url() }),
    z.object({
      type: z.literal('Webhook'),
      url: url(),
      parameters: z.array(z.object({ name: z.string().min(1).max(256), type: z.enum(['String', 'Decimal', 'DateTime', 'Boolean', 'Int']), required: z.boolean().optional() })).max(100).optional(),
    }),
  ],
  { error: 'type must be one of Sleep, Fail, HealthCheck, Webhook' },
);

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
  return { id: r.data.id, displayName: r.data.displayName, description: r.data.description ?? null, workerConfiguration: r.data.workerConfiguration };
}

export function decodeUpdateWorker(input: unknown): WorkerInput {
  const r = updateSchema.safeParse(input);
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  return { displayName: r.data.displayName, description: r.data.description ?? null, workerConfiguration: r.data.workerConfiguration };
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
