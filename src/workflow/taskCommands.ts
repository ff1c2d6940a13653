// The commands on Workflow-face tasks, run inside one store transaction: create, update (fields, correlation
// ids, a trigger), delete. Each validates everything before it changes anything, so a refused request changes
// nothing; each change is recorded as an event carrying the task's full document afterwards (history and asAt
// reads are rebuilt from those), and an action named by a transition is queued in the same transaction.
//
// A task's state machine is its definition's (the version the task was created with):
//   create:   (none) -> initialState            requiredFields present; optional trigger applied at once
//   trigger:  state  -> toState                  a transition (fromState = state, trigger) whose guard holds
//   delete:   any    -> (gone)                   its pending actions are dropped
// A state without outgoing transitions is terminal.
import { ApiError } from '../core/errors.ts';
import type { Repository } from '../core/repository.ts';
import { newSid } from '../core/sid.ts';
import {
  type FieldValue,
  type ResourceId,
  type TaskDefinitionDocument,
  type VersionStamp,
  type WfDefinitionVersion,
  type WfTask,
  workflowStream,
} from '../core/workflowEntities.ts';
import { coerceValue, isReadOnly, violatesConstraint } from './fieldValues.ts';
import { evaluateFilter } from './filter/filterEvaluate.ts';
import { parseFilter } from './filter/filterParser.ts';
import { isTerminal } from './taskDefinition.ts';
import { taskPathResolver } from './taskRepresentation.ts';

/** Who acts, for which request, and when. `userId` is the bearer token's user, or the credential's SID (account
 *  or API key). */
export interface Actor {
  accountSid: string;
  userId: string;
  requestId: string;
  now: number;
}

export interface TaskInput {
  correlationIds?: string[];
  fields?: { name: string; value: unknown }[];
  stackingKey?: string | null;
}

export function newStamp(actor: Actor): VersionStamp {
  return {
    asAtCreated: actor.now,
    userIdCreated: actor.userId,
    requestIdCreated: actor.requestId,
    asAtModified: actor.now,
    userIdModified: actor.userId,
    requestIdModified: actor.requestId,
    asAtVersionNumber: 1,
  };
}

export function bumpStamp(v: VersionStamp, actor: Actor): VersionStamp {
  return { ...v, asAtModified: actor.now, userIdModified: actor.userId, requestIdModified: actor.requestId, asAtVersionNumber: v.asAtVersionNumber + 1 };
}

export function taskNotFound(id: string): ApiError {
  return new ApiError('workflowTaskNotFound', `Task ${id} was not found`, [{ id }]);
}

export function requireTask(repo: Repository, accountSid: string, id: string): WfTask {
  const t = repo.get('wfTask', id);
  if (!t || t.accountSid !== accountSid) throw taskNotFound(id);
  return t;
}

/** The definition version in force under (scope, code) at `asAt` (now when absent). */
export function definitionVersionAt(repo: Repository, accountSid: string, id: ResourceId, asAt?: number): WfDefinitionVersion {
  const missing = () => new ApiError('workflowDefinitionNotFound', `Task definition ${id.scope}/${id.code} was not found`, [{ scope: id.scope, code: id.code }]);
  if (asAt === undefined) {
    const def = repo.findByUniqueKey('wfDefinition', { accountSid, scope: id.scope, code: id.code });
    if (!def) throw missing();
    return repo.get('wfDefinitionVersion', def.currentVersionSid)!;
  }
  // As it was: the latest version made at or before asAt (versions are kept after a delete).
  let best: WfDefinitionVersion | undefined;
  for (const v of repo.findAll('wfDefinitionVersion', { accountSid, scope: id.scope, code: id.code })) if (v.version.asAtModified <= asAt) best = v;
  if (!best) throw missing();
  return best;
}

export function pinnedDefinition(repo: Repository, task: WfTask): TaskDefinitionDocument {
  return repo.get('wfDefinitionVersion', task.definitionVersionSid)!.document;
}

function fieldError(message: string, field: string): ApiError {
  return new ApiError('workflowFieldInvalid', message, [{ field }]);
}

/** Merges `given` into `current`, checking each value's type, its constraint and (on updates) whether the field
 *  is read-only in the task's state. A null value removes the field. */
function mergeFields(
  doc: TaskDefinitionDocument,
  current: Record<string, FieldValue>,
  given: { name: string; value: unknown }[] | undefined,
  state: string | null,
): Record<string, FieldValue> {
  const out = { ...current };
  const seen = new Set<string>();
  for (const f of given ?? []) {
    if (seen.has(f.name)) throw fieldError(`Field '${f.name}' is given more than once`, f.name);
    seen.add(f.name);
    const def = doc.fieldSchema.find((d) => d.name === f.name);
    if (!def) {
      const known = doc.fieldSchema.map((d) => d.name);
      throw fieldError(`Field '${f.name}' is not in the task definition's fieldSchema${known.length ? ` (fields: ${known.join(', ')})` : ''}`, f.name);
    }
    if (state !== null && isReadOnly(def, state, doc.initialState.name, isTerminal(doc, state))) {
      if (out[f.name] === f.value) continue; // re-sending the current value is not a change
      throw fieldError(`Field '${f.name}' is read-only in state '${state}'`, f.name);
    }
    if (f.value === null) {
      delete out[f.name];
      continue;
    }
    const r = coerceValue(def.type, f.value);
    if ('error' in r) throw fieldError(`Field '${f.name}' (${def.type}) ${r.error}; got ${JSON.stringify(f.value)?.slice(0, 100)}`, f.name);
    if (violatesConstraint(def, r.value)) {
      throw fieldError(`Field '${f.name}' must be one of ${def.valueConstraints!.acceptableValues.map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(r.value)}`, f.name);
    }
    out[f.name] = r.value;
  }
  return out;
}

/** Finds the transition for `trigger` from the task's state whose guard holds, or throws (changing nothing). */
function chooseTransition(doc: TaskDefinitionDocument, task: WfTask, trigger: string, actor: Actor) {
  const candidates = doc.transitions.filter((t) => t.fromState === task.state && t.trigger === trigger);
  if (candidates.length === 0) {
    const valid = [...new Set(doc.transitions.filter((t) => t.fromState === task.state).map((t) => t.trigger))];
    const known = doc.triggers.some((t) => t.name === trigger);
    throw new ApiError(
      'workflowTransitionNotFound',
      `${known ? `Trigger '${trigger}' has no transition from state '${task.state}'` : `Trigger '${trigger}' is not a trigger of this task's definition`}` +
        `; valid triggers in state '${task.state}': ${valid.length ? valid.join(', ') : 'none (the state is terminal)'}`,
      [{ trigger, state: task.state }],
    );
  }
  // Guards read only fields, the user aliases and the task's own keys (checked when the definition was saved).
  const resolve = taskPathResolver(task, actor.userId, () => undefined);
  for (const t of candidates) {
    if (t.guard === undefined || evaluateFilter(parseFilter(t.guard), resolve)) return t;
  }
  const first = candidates[0]!;
  throw new ApiError('workflowGuardNotMet', first.guardConditionNotMetMessage ?? `The guard condition '${first.guard}' of trigger '${trigger}' in state '${task.state}' was not met`, [
    { trigger, state: task.state, guard: first.guard ?? '' },
  ]);
}

/** Appends the event recording a task change: the task's whole document after it (history and asAt read it). */
export function recordTaskEvent(repo: Repository, actor: Actor, task: WfTask, change: 'created' | 'updated' | 'deleted', trigger: string | null): void {
  repo.appendEvent({
    sid: newSid('EV', actor.now),
    accountSid: task.accountSid,
    workspaceSid: workflowStream(task.accountSid),
    eventType: `workflow.task.${change}`,
    actorType: 'user',
    actorSid: actor.userId,
    resourceType: 'task',
    resourceSid: task.sid,
    description: `Task ${task.sid} ${change}${trigger ? ` by trigger ${trigger}` : ''}`,
    eventData: { task_sid: task.sid, task: JSON.stringify(task), trigger, user_id: actor.userId, request_id: actor.requestId },
    dateMs: actor.now,
  });
}

/** Queues the named action of a transition (the outbox) with its log; the task records the log's id. */
function submitAction(repo: Repository, actor: Actor, task: WfTask, doc: TaskDefinitionDocument, actionName: string): void {
  const action = doc.actions.find((a) => a.name === actionName)!;
  const logId = crypto.randomUUID();
  repo.insert('wfActionLog', {
    sid: logId,
    accountSid: task.accountSid,
    taskId: task.sid,
    requestId: actor.requestId,
    actionType: action.actionDetails.type,
    runAsUserId: action.runAsUserId ?? null,
    loggedItems: [{ timestamp: actor.now, logType: 'Submitted', details: `Action '${action.name}' (${action.actionDetails.type}) submitted from state '${task.state}'` }],
  });
  repo.insert('wfPendingAction', {
    sid: crypto.randomUUID(),
    accountSid: task.accountSid,
    taskId: task.sid,
    actionLogId: logId,
    details: action.actionDetails,
    userId: action.runAsUserId ?? actor.userId,
    runAt: actor.now,
    phase: 'submitted',
    attempts: 0,
  });
  task.actionLogIdSubmitted = logId;
}

/** Moves the task by `trigger` (mutating it) and queues the transition's action. Throws before any change. */
function fire(repo: Repository, actor: Actor, task: WfTask, doc: TaskDefinitionDocument, trigger: string): void {
  const t = chooseTransition(doc, task, trigger, actor);
  task.state = t.toState;
  task.asAtLastTransition = actor.now;
  if (t.action !== undefined) submitAction(repo, actor, task, doc, t.action);
}

function checkCorrelationIds(ids: string[] | undefined): void {
  for (const id of ids ?? []) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 1024) throw new ApiError('workflowValidation', 'correlationIds must be non-empty strings of at most 1024 characters', [{ path: 'correlationIds' }]);
  }
}

export interface CreateOptions {
  trigger?: string;
  parent?: WfTask;
  /** The definition as at this time (child tasks created with taskDefinitionAsAt). */
  definitionAsAt?: number;
  actionLogIdCreated?: string;
}

export function createTask(repo: Repository, actor: Actor, definitionId: ResourceId, input: TaskInput, options: CreateOptions = {}): WfTask {
  const version = definitionVersionAt(repo, actor.accountSid, definitionId, options.definitionAsAt);
  const doc = version.document;
  checkCorrelationIds(input.correlationIds);
  const fields = mergeFields(doc, {}, input.fields, null);
  const missing = doc.initialState.requiredFields.filter((f) => fields[f] === undefined);
  if (missing.length) {
    throw new ApiError('workflowFieldInvalid', `Required field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} of initial state '${doc.initialState.name}' not given`, missing.map((field) => ({ field })));
  }
  const id = crypto.randomUUID();
  const task: WfTask = {
    sid: id,
    accountSid: actor.accountSid,
    scope: definitionId.scope,
    code: definitionId.code,
    definitionKey: `${definitionId.scope}/${definitionId.code}`,
    definitionVersionSid: version.sid,
    state: doc.initialState.name,
    fields,
    correlationIds: input.correlationIds ?? options.parent?.correlationIds ?? [],
    stackingKey: input.stackingKey ?? null,
    parentId: options.parent?.sid ?? null,
    ultimateParentId: options.parent ? options.parent.ultimateParentId : id,
    childIds: [],
    version: newStamp(actor),
    asAtLastTransition: null,
    actionLogIdCreated: options.actionLogIdCreated ?? null,
    actionLogIdModified: null,
    actionLogIdSubmitted: null,
  };
  if (options.trigger !== undefined) fire(repo, actor, task, doc, options.trigger);
  repo.insert('wfTask', task);
  recordTaskEvent(repo, actor, task, 'created', options.trigger ?? null);
  if (options.parent) {
    const parent = repo.get('wfTask', options.parent.sid)!;
    parent.childIds = [...parent.childIds, id];
    parent.version = bumpStamp(parent.version, actor);
    repo.update('wfTask', parent);
    recordTaskEvent(repo, actor, parent, 'updated', null);
  }
  return task;
}

/** Applies fields, correlation ids and stacking key, then the trigger (whose guard sees the merged fields). */
export function updateTask(repo: Repository, actor: Actor, id: string, input: TaskInput, trigger?: string, actionLogIdModified?: string): WfTask {
  const task = structuredClone(requireTask(repo, actor.accountSid, id));
  const doc = pinnedDefinition(repo, task);
  checkCorrelationIds(input.correlationIds);
  task.fields = mergeFields(doc, task.fields, input.fields, task.state);
  if (input.correlationIds !== undefined) task.correlationIds = input.correlationIds;
  if (input.stackingKey !== undefined) task.stackingKey = input.stackingKey;
  if (trigger !== undefined) fire(repo, actor, task, doc, trigger);
  task.version = bumpStamp(task.version, actor);
  if (actionLogIdModified !== undefined) task.actionLogIdModified = actionLogIdModified;
  repo.update('wfTask', task);
  recordTaskEvent(repo, actor, task, 'updated', trigger ?? null);
  return task;
}

export function deleteTask(repo: Repository, actor: Actor, id: string): void {
  const task = requireTask(repo, actor.accountSid, id);
  repo.delete('wfTask', id);
  for (const p of repo.findAll('wfPendingAction', { taskId: id })) {
    repo.delete('wfPendingAction', p.sid);
    appendLog(repo, p.actionLogId, actor.now, 'Cancelled', `Task ${id} was deleted before the action ran`);
  }
  recordTaskEvent(repo, actor, { ...task, version: bumpStamp(task.version, actor) }, 'deleted', null);
}

export function appendLog(repo: Repository, logId: string, now: number, logType: string, details: string): void {
  const log = repo.get('wfActionLog', logId);
  if (!log) return;
  log.loggedItems.push({ timestamp: now, logType, details });
  repo.update('wfActionLog', log);
}
