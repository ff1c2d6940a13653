// Task definitions: the decoding of CreateTaskDefinitionRequest / UpdateTaskDefinitionRequest and the checks
// that make a definition a well-formed state machine. Every message names the offending state, trigger,
// field, transition or action, and the JSON path in `errorDetails`.
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import type { ActionDefinition, FieldDefinition, FieldMapping, ResourceId, TaskDefinitionDocument, TransitionDefinition } from '../core/workflowEntities.ts';
import { isRouteToWorkersWorker, routeToWorkersFromRunWorker } from './actionDetailsWire.ts';
import { coerceValue } from './fieldValues.ts';
import { FilterSyntaxError, parseFilter, referencedPaths } from './filter/filterParser.ts';

const name = (max = 256) => z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(max, { error: `must be at most ${max} characters` });
const text = (max = 1024) => z.string({ error: 'must be a string' }).max(max, { error: `must be at most ${max} characters` });
const idPart = () => name(64).regex(/^[A-Za-z0-9_.-]+$/, { error: 'may contain only letters, digits and _ . -' });

export const resourceIdSchema = z.object({ scope: idPart(), code: idPart() }, { error: 'must be an object {scope, code}' });

const fieldMapping = z.object({ mapFrom: name().optional(), setTo: z.unknown().optional() }).refine((m) => (m.mapFrom === undefined) !== (m.setTo === undefined), {
  error: 'must have exactly one of mapFrom and setTo',
});
const mappings = z.record(name(), fieldMapping);

const childConfig = z.object({
  taskDefinitionId: resourceIdSchema,
  taskDefinitionAsAt: text(64).optional(),
  initialTrigger: name().optional(),
  childTaskFields: mappings.optional(),
  mapStackingKeyFrom: name().optional(),
});

const actionDetails = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('RunWorker'),
      workerId: resourceIdSchema,
      workerAsAt: text(64).optional(),
      workerParameters: mappings.optional(),
      workerStatusTriggers: z
        .object({ started: name().optional(), completedWithResults: name().optional(), completedNoResults: name().optional(), failedToStart: name().optional(), failedToComplete: name().optional() })
        .optional(),
      childTaskConfigurations: z.array(childConfig.extend({ resultMatchingPattern: z.object({ filter: text(4096).optional() }).optional() })).max(50).optional(),
      workerTimeout: z.number().int().min(1).max(86_400).optional(),
    }),
    z.object({ type: z.literal('CreateChildTasks'), childTaskConfigurations: z.array(childConfig).min(1, { error: 'must not be empty' }).max(50) }),
    z.object({ type: z.literal('TriggerParentTask'), trigger: name() }),
    z.object({ type: z.literal('TriggerChildTasks'), trigger: name(), filter: text(4096).optional() }),
    z.object({
      type: z.literal('RouteToWorkers'),
      workspaceSid: z.string().regex(/^WS[0-9a-fA-F]{32}$/, { error: 'must be a WS SID' }),
      workflowSid: z.string().regex(/^WW[0-9a-fA-F]{32}$/, { error: 'must be a WW SID' }),
      taskChannel: name(64).optional(),
      priority: z.number().int().min(0).max(2 ** 31 - 1).optional(),
      timeout: z.number().int().min(1).max(1_209_600).optional(),
      attributes: mappings.optional(),
      completedTrigger: name().optional(),
      canceledTrigger: name().optional(),
    }),
  ],
  { error: 'type must be one of RunWorker, CreateChildTasks, TriggerParentTask, TriggerChildTasks, RouteToWorkers' },
);

const documentShape = {
  displayName: name(),
  description: text().optional(),
  states: z.array(z.object({ name: name(), displayName: text(256).optional(), description: text().optional(), category: text(256).optional() })).min(1, { error: 'must list at least one state' }).max(200),
  fieldSchema: z
    .array(
      z.object({
        name: name(),
        type: z.enum(['String', 'Decimal', 'DateTime', 'Boolean'], { error: 'must be one of String, Decimal, DateTime, Boolean' }),
        readOnlyStates: z
          .object({
            stateType: z.enum(['InitialState', 'AllStates', 'TerminalState', 'SelectedStates'], { error: 'must be one of InitialState, AllStates, TerminalState, SelectedStates' }),
            selectedStates: z.array(name()).optional(),
          })
          .optional(),
        valueConstraints: z
          .object({
            constraintType: z.enum(['Suggested', 'Validated'], { error: 'must be Suggested or Validated' }),
            valueSourceType: z.literal('AcceptableValues', { error: 'must be AcceptableValues' }),
            acceptableValues: z.array(z.unknown()).min(1, { error: 'must not be empty' }).max(1000),
          })
          .optional(),
        displayName: text(256).optional(),
        description: text().optional(),
        category: text(256).optional(),
        containsUrl: z.boolean().optional(),
      }),
    )
    .max(200)
    .optional(),
  initialState: z.object({ name: name(), requiredFields: z.array(name()).optional() }, { error: 'is required: {name, requiredFields?}' }),
  triggers: z.array(z.object({ name: name(), trigger: z.object({ type: z.literal('External', { error: 'must be External' }) }).optional(), displayName: text(256).optional(), description: text().optional() })).max(200).optional(),
  transitions: z
    .array(
      z.object({
        fromState: name(),
        toState: name(),
        trigger: name(),
        guard: text(4096).optional(),
        action: name().optional(),
        displayName: text(256).optional(),
        description: text().optional(),
        guardDescription: text().optional(),
        guardConditionNotMetMessage: text().optional(),
      }),
    )
    .max(1000)
    .optional(),
  actions: z.array(z.object({ name: name(), runAsUserId: text(256).optional(), actionDetails, displayName: text(256).optional(), description: text().optional() })).max(200).optional(),
};

export const createSchema = z.object({ id: resourceIdSchema, ...documentShape }, { error: 'must be a JSON object' });
export const updateSchema = z.object(documentShape, { error: 'must be a JSON object' });

/** What a definition's checks look up outside it (the store): LUSID workers and TaskRouter workflows. */
export interface DefinitionLookups {
  workerExists(id: ResourceId): boolean;
  /** null when the workflow exists in that workspace of the caller's account, else why not. */
  routingProblem(workspaceSid: string, workflowSid: string): string | null;
}

function invalidDefinition(message: string, path: string): ApiError {
  return new ApiError('workflowDefinitionInvalid', message, [{ path }]);
}

/** Turns the first zod issue into a message naming the JSON path. */
export function zodProblem(kind: 'workflowDefinitionInvalid' | 'workflowValidation', error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const where = path === '' ? 'The request body' : path;
  return new ApiError(kind, `${where}: ${issue.message}`, [{ path: path || '$' }]);
}

export function decodeCreateDefinition(body: unknown, lookups: DefinitionLookups): { id: ResourceId; document: TaskDefinitionDocument } {
  const parsed = createSchema.safeParse(body);
  if (!parsed.success) throw zodProblem('workflowDefinitionInvalid', parsed.error);
  const { id, ...rest } = parsed.data;
  return { id, document: checkDocument(rest, lookups) };
}

export function decodeUpdateDefinition(body: unknown, lookups: DefinitionLookups): TaskDefinitionDocument {
  const parsed = updateSchema.safeParse(body);
  if (!parsed.success) throw zodProblem('workflowDefinitionInvalid', parsed.error);
  return checkDocument(parsed.data, lookups);
}

/** Paths a guard may read besides `fields['x']`. */
const GUARD_IDENTIFIERS = new Set(['CurrentUser', 'UserCreated', 'UserUpdated', 'state', 'id', 'correlationIds', 'stackingKey']);

function checkFilterText(source: string, what: string, path: string, fieldNames: Set<string> | undefined): void {
  let node;
  try {
    node = parseFilter(source);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw invalidDefinition(`${what} '${source}' is not a valid filter: ${err.message}`, path);
    throw err;
  }
  if (!fieldNames) return;
  for (const p of referencedPaths(node)) {
    if (p.kind !== 'path') continue;
    if (p.segments[0] === 'fields' && p.segments.length === 2) {
      if (!fieldNames.has(p.segments[1]!)) throw invalidDefinition(`${what} refers to field '${p.segments[1]}', which is not in the fieldSchema`, path);
    } else if (!(p.segments.length === 1 && GUARD_IDENTIFIERS.has(p.segments[0]!))) {
      throw invalidDefinition(`${what} refers to '${p.text}'; a guard may read fields['name'], ${[...GUARD_IDENTIFIERS].join(', ')}`, path);
    }
  }
}

function unique(names: string[], what: string, path: string): Set<string> {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw invalidDefinition(`${what} '${n}' is defined more than once`, `${path}[${i}]`);
    seen.add(n);
  });
  return seen;
}

type DocumentInput = z.infer<typeof updateSchema>;

function checkDocument(d: DocumentInput, lookups: DefinitionLookups): TaskDefinitionDocument {
  const states = unique(d.states.map((s) => s.name), 'State', 'states');
  const fieldSchema = (d.fieldSchema ?? []) as FieldDefinition[];
  const fields = unique(fieldSchema.map((f) => f.name), 'Field', 'fieldSchema');
  const triggers = unique((d.triggers ?? []).map((t) => t.name), 'Trigger', 'triggers');
  const actions = unique((d.actions ?? []).map((a) => a.name), 'Action', 'actions');

  fieldSchema.forEach((f, i) => {
    const ro = f.readOnlyStates;
    if (ro?.stateType === 'SelectedStates' && !(ro.selectedStates?.length)) {
      throw invalidDefinition(`Field '${f.name}': readOnlyStates of type SelectedStates must list selectedStates`, `fieldSchema[${i}].readOnlyStates`);
    }
    for (const s of ro?.selectedStates ?? []) {
      if (!states.has(s)) throw invalidDefinition(`Field '${f.name}': read-only state '${s}' is not a state of this definition`, `fieldSchema[${i}].readOnlyStates`);
    }
    if (f.valueConstraints) {
      f.valueConstraints.acceptableValues = f.valueConstraints.acceptableValues.map((v, j) => {
        const r = coerceValue(f.type, v);
        if ('error' in r) throw invalidDefinition(`Field '${f.name}': acceptable value ${JSON.stringify(v)} ${r.error}`, `fieldSchema[${i}].valueConstraints.acceptableValues[${j}]`);
        return r.value;
      });
    }
  });

  if (!states.has(d.initialState.name)) throw invalidDefinition(`Initial state '${d.initialState.name}' is not a state of this definition`, 'initialState.name');
  for (const f of d.initialState.requiredFields ?? []) {
    if (!fields.has(f)) throw invalidDefinition(`Required field '${f}' of the initial state is not in the fieldSchema`, 'initialState.requiredFields');
  }

  const checkMappings = (m: Record<string, FieldMapping> | undefined, what: string, path: string, extra: Set<string> = new Set()) => {
    for (const [key, mapping] of Object.entries(m ?? {})) {
      if (mapping.mapFrom !== undefined && !fields.has(mapping.mapFrom) && !extra.has(mapping.mapFrom)) {
        throw invalidDefinition(`${what} '${key}' maps from field '${mapping.mapFrom}', which is not in the fieldSchema`, `${path}.${key}`);
      }
    }
  };
  const knownTrigger = (t: string | undefined, what: string, path: string) => {
    if (t !== undefined && !triggers.has(t)) throw invalidDefinition(`${what} uses trigger '${t}', which is not in triggers`, path);
  };

  (d.actions ?? []).forEach((a, i) => {
    const path = `actions[${i}].actionDetails`;
    const what = `Action '${a.name}'`;
    // A RunWorker of Switchboard/RouteToWorkers is RouteToWorkers as LUSID's SDKs write it (actionDetailsWire.ts).
    if (a.actionDetails.type === 'RunWorker' && isRouteToWorkersWorker(a.actionDetails.workerId)) a.actionDetails = routeToWorkersFromRunWorker(a.actionDetails, path);
    const det = a.actionDetails;
    switch (det.type) {
      case 'RunWorker': {
        if (!lookups.workerExists(det.workerId)) throw invalidDefinition(`${what} runs worker ${det.workerId.scope}/${det.workerId.code}, which does not exist`, `${path}.workerId`);
        checkMappings(det.workerParameters, `${what}: worker parameter`, `${path}.workerParameters`);
        for (const [k, t] of Object.entries(det.workerStatusTriggers ?? {})) knownTrigger(t, `${what} (workerStatusTriggers.${k})`, `${path}.workerStatusTriggers.${k}`);
        det.childTaskConfigurations?.forEach((c, j) => {
          if (c.resultMatchingPattern?.filter) checkFilterText(c.resultMatchingPattern.filter, `${what}: result filter`, `${path}.childTaskConfigurations[${j}].resultMatchingPattern.filter`, undefined);
        });
        break;
      }
      case 'CreateChildTasks':
        det.childTaskConfigurations.forEach((c, j) => checkMappings(c.childTaskFields, `${what}: child field`, `${path}.childTaskConfigurations[${j}].childTaskFields`));
        break;
      case 'TriggerChildTasks':
        if (det.filter) checkFilterText(det.filter, `${what}: filter`, `${path}.filter`, undefined);
        break;
      case 'TriggerParentTask':
        break;
      case 'RouteToWorkers': {
        const problem = lookups.routingProblem(det.workspaceSid, det.workflowSid);
        if (problem) throw invalidDefinition(`${what}: ${problem}`, path);
        checkMappings(det.attributes, `${what}: attribute`, `${path}.attributes`, new Set(['id', 'state']));
        knownTrigger(det.completedTrigger, what, `${path}.completedTrigger`);
        knownTrigger(det.canceledTrigger, what, `${path}.canceledTrigger`);
        break;
      }
    }
  });

  (d.transitions ?? []).forEach((t, i) => {
    const path = `transitions[${i}]`;
    const what = `Transition ${i} (${t.fromState} -[${t.trigger}]-> ${t.toState})`;
    if (!states.has(t.fromState)) throw invalidDefinition(`${what}: fromState '${t.fromState}' is not a state of this definition`, `${path}.fromState`);
    if (!states.has(t.toState)) throw invalidDefinition(`${what}: toState '${t.toState}' is not a state of this definition`, `${path}.toState`);
    if (!triggers.has(t.trigger)) throw invalidDefinition(`${what}: trigger '${t.trigger}' is not in triggers`, `${path}.trigger`);
    if (t.action !== undefined && !actions.has(t.action)) throw invalidDefinition(`${what}: action '${t.action}' is not in actions`, `${path}.action`);
    if (t.guard !== undefined) checkFilterText(t.guard, `${what}: guard`, `${path}.guard`, fields);
  });

  return {
    displayName: d.displayName,
    ...(d.description !== undefined ? { description: d.description } : {}),
    states: d.states,
    fieldSchema,
    initialState: { name: d.initialState.name, requiredFields: d.initialState.requiredFields ?? [] },
    triggers: (d.triggers ?? []).map((t) => ({ ...t, trigger: { type: 'External' as const } })),
    transitions: (d.transitions ?? []) as TransitionDefinition[],
    actions: (d.actions ?? []) as ActionDefinition[],
  };
}

/** A state with no transition out of it: "no onward transitions are possible". */
export function isTerminal(doc: TaskDefinitionDocument, state: string): boolean {
  return !doc.transitions.some((t) => t.fromState === state);
}
