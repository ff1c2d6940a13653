// The Task resource as LUSID returns it (sdk/docs/Task.md), built from a stored task or from a task as it was
// at some asAt time. Related tasks (parent, ultimate parent, children) are read through `load`, so an asAt read
// shows them as they were at the same time. Filters and sort keys of the task list read this same shape.
import { isoMillis } from '../core/isoTimes.ts';
import type { Repository } from '../core/repository.ts';
import type { VersionStamp, WfDefinitionVersion, WfTask } from '../core/workflowEntities.ts';
import { isTerminal } from './taskDefinition.ts';

export type TaskLoader = (id: string) => WfTask | undefined;

/** What building a representation reads: related tasks (now or as at some time), definition versions (cached
 *  per request: a list shows thousands of tasks of a few definitions), and the time durations run to. */
export interface RepresentationContext {
  load: TaskLoader;
  definition: (versionSid: string) => WfDefinitionVersion;
  /** The time durations run to (the asAt time for a historical read). */
  now: number;
  origin: string;
}

/** A definition-version reader that parses each version once. */
export function cachedDefinitions(repo: Repository): (versionSid: string) => WfDefinitionVersion {
  const cache = new Map<string, WfDefinitionVersion>();
  return (sid) => {
    let v = cache.get(sid);
    if (!v) {
      v = repo.get('wfDefinitionVersion', sid)!;
      cache.set(sid, v);
    }
    return v;
  };
}

/** The Workflow face's dates: ISO-8601 with milliseconds (core/isoTimes.ts). */
export const iso = isoMillis;

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

function summary(ctx: RepresentationContext, task: WfTask) {
  const def = ctx.definition(task.definitionVersionSid);
  return {
    id: task.sid,
    taskDefinitionId: { scope: task.scope, code: task.code },
    taskDefinitionVersion: { asAtModified: iso(def.version.asAtModified) },
    taskDefinitionDisplayName: def.document.displayName,
    state: task.state,
  };
}

export function representTask(task: WfTask, ctx: RepresentationContext) {
  const { load, now, origin } = ctx;
  const def = ctx.definition(task.definitionVersionSid);
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
    ultimateParentTask: summary(ctx, ultimate ?? task),
    parentTask: parent ? summary(ctx, parent) : null,
    childTasks: children.map((c) => summary(ctx, c)),
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

/** Resolves filter and sort paths of a task without building its representation for the common ones (id, state,
 *  taskDefinitionId.*, fields['x'], correlationIds, stackingKey, version.*, the user aliases); any other path
 *  goes to `full` (the representation for lists; nothing for guards). Keys match case-insensitively, as the
 *  representation's do. */
export function taskPathResolver(task: WfTask, currentUser: string, full: (segments: string[]) => unknown) {
  return (segments: string[]): unknown => {
    const [a, b] = segments.map((x) => x.toLowerCase());
    if (segments.length === 1) {
      switch (a) {
        case 'id':
          return task.sid;
        case 'state':
          return task.state;
        case 'correlationids':
          return task.correlationIds;
        case 'stackingkey':
          return task.stackingKey;
        case 'currentuser':
          return currentUser;
        case 'usercreated':
          return task.version.userIdCreated;
        case 'userupdated':
          return task.version.userIdModified;
      }
    } else if (segments.length === 2) {
      if (a === 'fields') return Object.hasOwn(task.fields, segments[1]!) ? task.fields[segments[1]!] : undefined;
      if (a === 'taskdefinitionid' && (b === 'scope' || b === 'code')) return b === 'scope' ? task.scope : task.code;
      if (a === 'version') {
        const v = versionInfo(task.version) as Record<string, unknown>;
        const key = Object.keys(v).find((k) => k.toLowerCase() === b);
        return key === undefined ? undefined : v[key];
      }
    }
    return full(segments);
  };
}
