// Versions of the Workflow face's resources named by scope and code (workers, workflows, event handlers), for
// `asAt` reads: every create, update and delete appends an event to the account's workflow log stream carrying
// the resource's whole document afterwards, as task changes do. The resource at T is the document of its last
// event at or before T (none, or a deletion, means it did not exist then). The event's indexed `task_sid`
// column holds the resource's key (`worker:scope/code`), so one resource's versions are an index range.
// A resource made before its kind recorded versions has no events: its current row stands for every time
// since its creation.
import type { EventRecord } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';
import { newSid } from '../core/sid.ts';
import { type ResourceId, type WfNamedResource, workflowStream } from '../core/workflowEntities.ts';
import type { Actor } from './taskCommands.ts';

export type VersionedKind = 'worker' | 'workflow' | 'eventHandler';

type Versioned = WfNamedResource;

function resourceKey(kind: VersionedKind, id: ResourceId): string {
  return `${kind}:${id.scope}/${id.code}`;
}

export function recordResourceEvent<T extends Versioned>(repo: Repository, actor: Actor, kind: VersionedKind, change: 'created' | 'updated' | 'deleted', doc: T): void {
  repo.appendEvent({
    sid: newSid('EV', actor.now),
    accountSid: doc.accountSid,
    workspaceSid: workflowStream(doc.accountSid),
    eventType: `workflow.${kind}.${change}`,
    actorType: 'user',
    actorSid: actor.userId,
    resourceType: kind,
    resourceSid: doc.sid,
    description: `${kind} ${doc.scope}/${doc.code} ${change}`,
    eventData: { task_sid: resourceKey(kind, doc), document: JSON.stringify(doc), user_id: actor.userId, request_id: actor.requestId },
    dateMs: actor.now,
  });
}

/** The resource as it was at `asAt`; `current` is the stored row (for resources older than their events). */
export function resourceAsAt<T extends Versioned>(repo: Repository, accountSid: string, kind: VersionedKind, id: ResourceId, asAt: number, current: T | undefined): T | undefined {
  const events = repo.eventsMatching({ workspaceSid: workflowStream(accountSid), fromMs: 0, toMs: asAt, data: { task_sid: [resourceKey(kind, id)] } });
  const last = events[events.length - 1];
  if (last) return last.eventType.endsWith('.deleted') ? undefined : (JSON.parse(String(last.eventData.document)) as T);
  // No version recorded by then: the row, if it was made by then and has never changed since.
  const anyLater = repo.eventsMatching({ workspaceSid: workflowStream(accountSid), fromMs: asAt + 1, toMs: Number.MAX_SAFE_INTEGER, data: { task_sid: [resourceKey(kind, id)] } }).length > 0;
  if (!anyLater && current && current.version.asAtCreated <= asAt) return current;
  return undefined;
}

/** Every resource of the kind as it was at `asAt`, in creation order; `current` are the stored rows. */
export function resourcesAsAt<T extends Versioned>(repo: Repository, accountSid: string, kind: VersionedKind, asAt: number, current: T[]): T[] {
  const latest = new Map<string, EventRecord>();
  const everVersioned = new Set<string>();
  for (const e of repo.eventsMatching({ workspaceSid: workflowStream(accountSid), fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, eventTypes: [`workflow.${kind}.created`, `workflow.${kind}.updated`, `workflow.${kind}.deleted`] })) {
    everVersioned.add(e.resourceSid);
    if (e.dateMs <= asAt) latest.set(e.resourceSid, e);
  }
  const out: T[] = [...latest.values()].filter((e) => !e.eventType.endsWith('.deleted')).map((e) => JSON.parse(String(e.eventData.document)) as T);
  for (const row of current) if (!everVersioned.has(row.sid) && row.version.asAtCreated <= asAt) out.push(row);
  return out.sort((a, b) => a.version.asAtCreated - b.version.asAtCreated);
}
