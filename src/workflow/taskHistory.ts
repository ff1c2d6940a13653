// History and asAt reads of Workflow-face tasks, from the event log. Every change appended an event holding
// the task's whole document afterwards, so "the task at T" is the document of its last event at or before T
// (none, or a deletion, means it did not exist then), and the history is the difference between consecutive
// documents, one ChangeItem per attribute that changed.
import type { EventRecord } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';
import { type WfTask, workflowStream } from '../core/workflowEntities.ts';
import { iso } from './taskRepresentation.ts';

function eventsOf(repo: Repository, accountSid: string, id: string, toMs: number): EventRecord[] {
  return repo.eventsMatching({ workspaceSid: workflowStream(accountSid), fromMs: 0, toMs, data: { task_sid: [id] } });
}

function documentOf(e: EventRecord): WfTask {
  return JSON.parse(String(e.eventData.task)) as WfTask;
}

/** The task as it was at `asAt`, or undefined if it did not exist then. */
export function taskAsAt(repo: Repository, accountSid: string, id: string, asAt: number): WfTask | undefined {
  const events = eventsOf(repo, accountSid, id, asAt);
  const last = events[events.length - 1];
  if (!last || last.eventType === 'workflow.task.deleted') return undefined;
  return documentOf(last);
}

/** Every task of the account as it was at `asAt`, in creation order. */
export function tasksAsAt(repo: Repository, accountSid: string, asAt: number): WfTask[] {
  const latest = new Map<string, EventRecord>();
  for (const e of repo.eventsMatching({ workspaceSid: workflowStream(accountSid), fromMs: 0, toMs: asAt })) {
    if (e.eventType.startsWith('workflow.task.')) latest.set(e.resourceSid, e);
  }
  return [...latest.values()].filter((e) => e.eventType !== 'workflow.task.deleted').map(documentOf);
}

export interface ChangeItem {
  asAtModified: string;
  userIdModified: string;
  requestIdModified: string;
  asAtVersionNumber: number;
  action: string;
  attributeName: string;
  previousValue?: unknown;
  newValue: unknown;
}

/** The attributes a ChangeItem can name, and how to read each from a task document. */
function attributes(t: WfTask | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!t) return out;
  out.set('state', t.state);
  for (const [k, v] of Object.entries(t.fields)) out.set(`fields.${k}`, v);
  out.set('correlationIds', t.correlationIds);
  if (t.stackingKey !== null) out.set('stackingKey', t.stackingKey);
  if (t.childIds.length) out.set('childTasks', t.childIds);
  return out;
}

const ACTION: Record<string, string> = { 'workflow.task.created': 'Create', 'workflow.task.updated': 'Update', 'workflow.task.deleted': 'Delete' };

/** The task's changes, oldest first, up to `asAt`. Undefined if the task never existed (by then). */
export function taskHistory(repo: Repository, accountSid: string, id: string, asAt: number): ChangeItem[] | undefined {
  const events = eventsOf(repo, accountSid, id, asAt);
  if (!events.length) return undefined;
  const items: ChangeItem[] = [];
  let before: WfTask | undefined;
  for (const e of events) {
    const doc = documentOf(e);
    const base = {
      asAtModified: iso(e.dateMs),
      userIdModified: String(e.eventData.user_id),
      requestIdModified: String(e.eventData.request_id),
      asAtVersionNumber: doc.version.asAtVersionNumber,
      action: e.eventData.trigger ? `${ACTION[e.eventType]}:${e.eventData.trigger}` : ACTION[e.eventType]!,
    };
    if (e.eventType === 'workflow.task.deleted') {
      items.push({ ...base, attributeName: 'deleted', previousValue: false, newValue: true });
      before = undefined;
      continue;
    }
    const prev = attributes(before);
    const next = attributes(doc);
    for (const [name, value] of next) {
      const old = prev.get(name);
      if (JSON.stringify(old) !== JSON.stringify(value)) items.push({ ...base, attributeName: name, ...(old !== undefined ? { previousValue: old } : {}), newValue: value });
    }
    for (const [name, old] of prev) if (!next.has(name)) items.push({ ...base, attributeName: name, previousValue: old, newValue: null });
    // A transition back into the same state changes no attribute, but it happened: record it on `state`.
    if (e.eventData.trigger && before && before.state === doc.state) items.push({ ...base, attributeName: 'state', previousValue: doc.state, newValue: doc.state });
    before = doc;
  }
  return items;
}
