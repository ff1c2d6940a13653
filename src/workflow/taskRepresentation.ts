// The Task resource as LUSID returns it (sdk/docs/Task.md), built from a stored task or from a task as it was
// at some asAt time. Related tasks (parent, ultimate parent, children) are read through `load`, so an asAt read
// shows them as they were at the same time. Filters and sort keys of the task list read this same shape.
import type { Repository } from '../core/repository.ts';
import type { VersionStamp, WfTask } from '../core/workflowEntities.ts';
import { isTerminal } from './taskDefinition.ts';

export type TaskLoader = (id: string) => WfTask | undefined;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function versionInfo(v: VersionStamp) {
  return {
    asAtCreated: iso(v.asAtCreated),
    userIdCreated: v.userIdCreated,
    requestIdCreated: v.requestIdCreated,
    asAtModified: iso(v.asAtModified),
    userIdModified: v.userIdModified,
    requestIdModified: v.requestIdModified,
    asAtVersionNumber: v.asAtVersionNumber,
  };
}

function definitionOf(repo: Repository, task: WfTask) {
  return repo.get('wfDefinitionVersion', task.definitionVersionSid)!;
}

function summary(repo: Repository, task: WfTask) {
  const def = definitionOf(repo, task);
  return {
    id: task.sid,
    taskDefinitionId: { scope: task.scope, code: task.code },
    taskDefinitionVersion: { asAtModified: iso(def.version.asAtModified) },
    taskDefinitionDisplayName: def.document.displayName,
    state: task.state,
  };
}

/** `now` is the time durations run to (the asAt time for a historical read). */
export function representTask(repo: Repository, task: WfTask, load: TaskLoader, now: number, origin: string) {
  const def = definitionOf(repo, task);
  const doc = def.document;
  const terminal = isTerminal(doc, task.state);
  const parent = task.parentId ? load(task.parentId) : undefined;
  const ultimate = task.ultimateParentId === task.sid ? task : load(task.ultimateParentId);
  const children = task.childIds.map(load).filter((c): c is WfTask => c !== undefined);
  const position = task.parentId ? (children.length ? 'IntermediateParent' : 'Child') : children.length ? 'UltimateParent' : 'Standalone';
  const lastTransition = task.asAtLastTransition ?? task.version.asAtCreated;
  // A terminal task stopped being open when it reached its terminal state.
  const openUntil = terminal ? lastTransition : now;
  const seconds = (from: number) => Math.max(0, Math.round((openUntil - from) / 1000));
  return {
    id: task.sid,
    taskDefinitionId: { scope: task.scope, code: task.code },
    taskDefinitionVersion: { asAtModified: iso(def.version.asAtModified) },
    taskDefinitionDisplayName: doc.displayName,
    state: task.state,
    terminalState: terminal,
    asAtLastTransition: task.asAtLastTransition === null ? null : iso(task.asAtLastTransition),
    ultimateParentTask: summary(repo, ultimate ?? task),
    parentTask: parent ? summary(repo, parent) : null,
    childTasks: children.map((c) => summary(repo, c)),
    correlationIds: task.correlationIds,
    fields: Object.entries(task.fields).map(([name, value]) => ({ name, value })),
    stackingKey: task.stackingKey,
    version: versionInfo(task.version),
    actionLogIdCreated: task.actionLogIdCreated,
    actionLogIdModified: task.actionLogIdModified,
    actionLogIdSubmitted: task.actionLogIdSubmitted,
    hierarchicalPosition: position,
    completionStatus: terminal ? 'Completed' : task.asAtLastTransition === null ? 'NotStarted' : 'InProgress',
    openDuration: seconds(task.version.asAtCreated),
    openDurationSinceLastUpdate: seconds(task.version.asAtModified),
    openDurationSinceLastTransition: seconds(lastTransition),
    links: [{ relation: 'Self', href: `${origin}/api/tasks/${task.sid}`, method: 'GET' }],
  };
}

export type TaskRepresentation = ReturnType<typeof representTask>;
