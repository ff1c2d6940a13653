// The owner's memory: the live documents of the workspaces this process routes, and every account and API
// key, kept beside the database so that the hot path reads them without SQL. The database stays the truth:
// every write goes to both (write-through, in the same transaction), every change is recorded in an undo log
// until its commit group is committed, and a rolled-back transaction or a failed group is undone here, so the
// memory never holds a write the database does not.
//
// What is resident, and so what a query may be answered from here ("complete"):
//   account, apiKey                 all of them (loaded at start; small)
//   workspace and its configuration the workspaces loaded (loadWorkspace), with all their activities, task
//     (activity, taskChannel,       channels, workers, worker channels, task queues and workflows
//      worker, workerChannel,
//      taskQueue, workflow)
//   task                            the live tasks (pending, reserved, assigned, wrapping) of loaded
//                                   workspaces; a finished task leaves the live set, and the last few
//                                   thousand finished stay readable by sid (finishedTasks.ts), the rest are
//                                   read from the database
//   reservation                     every reservation of a resident task (live or recently finished), and
//                                   every one holding a worker (pending, accepted, wrapping) in a loaded
//                                   workspace
// A query this layer cannot answer completely (a finished task, a list of every workspace) returns undefined
// and the caller asks the database. Documents are frozen: they are shared with the router and with readers,
// and a caller that wants to change one makes a changed copy and writes it (the code base's rule already).
import type { EntityKind, EntityMap } from '../../core/entities.ts';
import type { FieldFilter, Where } from '../../core/repository.ts';
import { uniqueKey } from '../storeSchema.ts';
import { FinishedTasks } from './finishedTasks.ts';

export type ResidentKind = 'account' | 'apiKey' | 'workspace' | 'activity' | 'taskChannel' | 'worker' | 'workerChannel' | 'taskQueue' | 'workflow' | 'task' | 'reservation';

export const RESIDENT_KINDS: ReadonlySet<EntityKind> = new Set<ResidentKind>(['account', 'apiKey', 'workspace', 'activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation']);

/** Workspace children that are resident whole for a loaded workspace. */
const CONFIGURATION_KINDS: ReadonlySet<EntityKind> = new Set(['activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow']);

export const LIVE_TASK_STATUSES: ReadonlySet<string> = new Set(['pending', 'reserved', 'assigned', 'wrapping']);
const HOLDING_RESERVATION_STATUSES: ReadonlySet<string> = new Set(['pending', 'accepted', 'wrapping']);

/** Fields with an index (field value -> sids) besides the sid and the workspace. */
const INDEXED_FIELDS: Partial<Record<EntityKind, readonly string[]>> = {
  reservation: ['taskSid', 'workerSid'],
  workerChannel: ['workerSid'],
  apiKey: ['accountSid'],
};

type Doc = { sid: string; workspaceSid?: string; [field: string]: unknown };

/** One undo record: the document a sid had before a change (undefined: it was not resident), and its place
 *  in the database order; or a finished task whose entry changed (undone by dropping it: see finishedTasks.ts). */
type UndoEntry =
  | { kind: EntityKind; sid: string; before: Doc | undefined; position: number | undefined }
  | { finishedTask: string };

class Table {
  readonly bySid = new Map<string, Doc>();
  /** Sids per workspace, in insertion order (the database's seq order; see `ordered`). */
  readonly byWorkspace = new Map<string, Set<string>>();
  readonly indexes = new Map<string, Map<unknown, Set<string>>>();
  readonly uniqueKeys = new Map<string, string>();
  /** The largest position in each set (sids are added in order, mostly), and the sets a sid joined out of
   *  order (an undo put it back, or a key changed): those are sorted again on their next read. */
  readonly lastPosition = new WeakMap<Set<string>, number>();
  readonly unordered = new WeakSet<Set<string>>();
  /** The order of each resident sid (the database's seq where known, else the order of insertion here, which
   *  is the order the database gives new rows). */
  readonly position = new Map<string, number>();
  nextPosition = 1;

  constructor(fields: readonly string[]) {
    for (const f of fields) this.indexes.set(f, new Map());
  }
}

/** SQLite's lower() folds ASCII letters only; the in-memory answer must match the database's. */
function foldAscii(v: string): string {
  return v.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Whether a document's field passes one filter, as the stores' WHERE clauses decide it. */
export function fieldMatches(value: unknown, filter: FieldFilter): boolean {
  if (filter === null) return value === null || value === undefined;
  if (typeof filter === 'object') {
    if ('ci' in filter) return typeof value === 'string' && foldAscii(value) === foldAscii(filter.ci);
    if ('notNull' in filter) return value !== null && value !== undefined;
    return (filter.in as readonly unknown[]).includes(value);
  }
  return value === filter;
}

function matchesWhere(doc: Doc, where: Record<string, FieldFilter | undefined>): boolean {
  for (const field in where) {
    const filter = where[field];
    if (filter === undefined) continue;
    if (!fieldMatches(doc[field], filter)) return false;
  }
  return true;
}

/** The values a filter allows, when it allows only a known set (equality or `in`), else undefined. */
function allowedValues(filter: FieldFilter | undefined): readonly unknown[] | undefined {
  if (filter === undefined || filter === null) return undefined;
  if (typeof filter !== 'object') return [filter];
  return 'in' in filter ? filter.in : undefined;
}

/** The fields naming a parent many documents share (the account, the workspace, a channel, a queue, ...). */
const SHARED_SID_FIELDS = ['accountSid', 'workspaceSid', 'activitySid', 'taskChannelSid', 'taskQueueSid', 'workflowSid', 'workerSid'] as const;

/**
 * Points a loaded document's parent SIDs at one string per SID. JSON.parse gives every document its own copy of
 * each: a workspace of 500,000 tasks carried 2.5 million copies of a few thousand strings (~160 MB of the
 * restarted server's 900 MB, copied twice by the young-generation collector while loading). Runs before the
 * document is frozen.
 */
function shareSids(doc: Doc, shared: Map<string, string>): Doc {
  for (const field of SHARED_SID_FIELDS) {
    const value = doc[field];
    if (typeof value !== 'string') continue;
    const one = shared.get(value);
    if (one === undefined) shared.set(value, value);
    else doc[field] = one;
  }
  return doc;
}

export class ResidentDocuments {
  private readonly tables = new Map<EntityKind, Table>();
  private readonly loaded = new Set<string>();
  private readonly finished = new FinishedTasks();
  private undo: UndoEntry[] = [];
  /** Where the current transaction's entries start in `undo` (the rest belong to committed transactions of
   *  the open group). */
  private transactionStart = 0;

  constructor() {
    for (const kind of RESIDENT_KINDS) this.tables.set(kind, new Table(INDEXED_FIELDS[kind] ?? []));
  }

  isLoaded(workspaceSid: string): boolean {
    return this.loaded.has(workspaceSid);
  }

  loadedWorkspaces(): Iterable<string> {
    return this.loaded;
  }

  // ---------------------------------------------------------------- residency

  /** Whether `doc` of `kind` belongs in memory now (its workspace loaded, a task live, ...). */
  private belongs(kind: EntityKind, doc: Doc): boolean {
    switch (kind) {
      case 'account':
      case 'apiKey':
        return true;
      case 'workspace':
        return this.loaded.has(doc.sid);
      case 'task':
        return this.loaded.has(doc.workspaceSid!) && LIVE_TASK_STATUSES.has(doc.assignmentStatus as string);
      case 'reservation':
        // Every reservation of a live task, and every one that holds a worker (pending, accepted, wrapping).
        return this.tables.get('task')!.bySid.has(doc.taskSid as string) || (this.loaded.has(doc.workspaceSid!) && HOLDING_RESERVATION_STATUSES.has(doc.reservationStatus as string));
      default:
        return CONFIGURATION_KINDS.has(kind) && this.loaded.has(doc.workspaceSid!);
    }
  }

  /** Whether the answer to `where` over `kind` lies entirely in memory. */
  private complete(kind: EntityKind, where: Record<string, FieldFilter | undefined>): boolean {
    if (kind === 'account' || kind === 'apiKey') return true;
    const ws = typeof where.workspaceSid === 'string' ? where.workspaceSid : undefined;
    if (kind === 'workspace') return typeof where.sid === 'string' && this.loaded.has(where.sid);
    if (CONFIGURATION_KINDS.has(kind)) {
      if (ws !== undefined) return this.loaded.has(ws);
      // A worker's channels: complete once the worker is resident (its workspace is loaded).
      return kind === 'workerChannel' && typeof where.workerSid === 'string' && this.tables.get('worker')!.bySid.has(where.workerSid);
    }
    if (kind === 'task') {
      const statuses = allowedValues(where.assignmentStatus);
      return ws !== undefined && this.loaded.has(ws) && statuses !== undefined && statuses.every((s) => LIVE_TASK_STATUSES.has(s as string));
    }
    if (kind === 'reservation') {
      if (typeof where.taskSid === 'string' && (this.tables.get('task')!.bySid.has(where.taskSid) || this.finished.holds(where.taskSid))) return true;
      // Pending, accepted and wrapping reservations are held by live tasks: resident wherever their workspace is.
      const statuses = allowedValues(where.reservationStatus);
      if (statuses === undefined || !statuses.every((s) => HOLDING_RESERVATION_STATUSES.has(s as string))) return false;
      if (ws !== undefined) return this.loaded.has(ws);
      return typeof where.workerSid === 'string' && this.tables.get('worker')!.bySid.has(where.workerSid);
    }
    return false;
  }

  // ---------------------------------------------------------------- reads

  get<K extends EntityKind>(kind: K, sid: string): EntityMap[K] | undefined {
    const live = this.tables.get(kind)?.bySid.get(sid);
    if (live) return live as unknown as EntityMap[K];
    const finished = kind === 'task' ? this.finished.task(sid) : kind === 'reservation' ? this.finished.reservation(sid) : undefined;
    return finished as unknown as EntityMap[K] | undefined;
  }

  /** The documents matching `where` in database order, or undefined when memory cannot answer completely. */
  query<K extends EntityKind>(kind: K, where: Where<K>): EntityMap[K][] | undefined {
    const table = this.tables.get(kind);
    const w = where as Record<string, FieldFilter | undefined>;
    if (!table || !this.complete(kind, w)) return undefined;
    const finished = kind === 'reservation' && typeof w.taskSid === 'string' ? this.finished.reservationsOf(w.taskSid) : undefined;
    if (finished) return finished.filter((doc) => matchesWhere(doc, w)) as unknown as EntityMap[K][];
    const out: Doc[] = [];
    for (const sid of this.candidates(kind, table, w)) {
      const doc = table.bySid.get(sid)!;
      if (matchesWhere(doc, w)) out.push(doc);
    }
    return out as unknown as EntityMap[K][];
  }

  /** The document holding the database-enforced unique key `probe` would take, when memory can tell. */
  byUniqueKey<K extends EntityKind>(kind: K, probe: Partial<EntityMap[K]>): { found: EntityMap[K] | undefined } | undefined {
    const table = this.tables.get(kind);
    const key = uniqueKey(kind, probe);
    if (!table || key === null) return undefined;
    const p = probe as Record<string, unknown>;
    const owner = kind === 'workerChannel' ? this.tables.get('worker')!.bySid.get(p.workerSid as string)?.workspaceSid : (p.workspaceSid as string | undefined);
    if (owner === undefined || !this.loaded.has(owner)) return undefined;
    const sid = table.uniqueKeys.get(key);
    return { found: sid === undefined ? undefined : (table.bySid.get(sid) as unknown as EntityMap[K]) };
  }

  /** The sids that may match `where`, in database order: an index's set when the filter names one, else the
   *  workspace's. Sids rather than a generator of documents: a generator's yield per document was a third of
   *  reading a workspace's 500,000 live tasks at start. */
  private candidates(kind: EntityKind, table: Table, where: Record<string, FieldFilter | undefined>): Iterable<string> {
    if (typeof where.sid === 'string') return table.bySid.has(where.sid) ? [where.sid] : [];
    for (const [field, index] of table.indexes) {
      const values = allowedValues(where[field]);
      if (values === undefined) continue;
      if (values.length === 1) return this.sorted(table, index.get(values[0]));
      return this.inOrder(table, [...new Set(values.flatMap((v) => [...(index.get(v) ?? [])]))]);
    }
    if (typeof where.workspaceSid === 'string' && kind !== 'workspace') return this.sorted(table, table.byWorkspace.get(where.workspaceSid));
    return this.inOrder(table, [...table.bySid.keys()]);
  }

  /** A set's sids in database order: as stored, unless one joined it out of order. */
  private sorted(table: Table, sids: Set<string> | undefined): Iterable<string> {
    if (!sids) return [];
    if (table.unordered.has(sids)) {
      const order = [...sids].sort((a, b) => table.position.get(a)! - table.position.get(b)!);
      sids.clear();
      for (const s of order) sids.add(s);
      table.unordered.delete(sids);
    }
    return sids;
  }

  private inOrder(table: Table, sids: string[]): string[] {
    return sids.sort((a, b) => table.position.get(a)! - table.position.get(b)!);
  }

  // ---------------------------------------------------------------- loading

  /** Makes a workspace resident from what the database holds (in seq order per kind). */
  loadWorkspace(
    workspace: EntityMap['workspace'],
    children: { [K in 'activity' | 'taskChannel' | 'worker' | 'workerChannel' | 'taskQueue' | 'workflow' | 'task' | 'reservation']: Iterable<{ doc: EntityMap[K]; seq: number }> },
  ): void {
    this.loaded.add(workspace.sid);
    this.put('workspace', workspace as unknown as Doc, undefined);
    const shared = new Map<string, string>();
    for (const kind of ['activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation'] as const) {
      for (const { doc, seq } of children[kind]) {
        const d = doc as unknown as Doc;
        if (this.belongs(kind, d)) this.put(kind, shareSids(d, shared), seq);
      }
    }
  }

  /** Loads every account and API key (at start, and again when another process changed them). */
  loadAll(kind: 'account' | 'apiKey', docs: Iterable<{ doc: Doc; seq: number }>): void {
    const table = this.tables.get(kind)!;
    for (const sid of [...table.bySid.keys()]) this.remove(kind, table, sid);
    for (const { doc, seq } of docs) this.put(kind, doc, seq);
  }

  /** Forgets a workspace (another node routes it now, or it was deleted). */
  unloadWorkspace(workspaceSid: string): void {
    this.loaded.delete(workspaceSid);
    this.finished.dropWorkspace(workspaceSid);
    for (const [kind, table] of this.tables) {
      if (kind === 'workspace') {
        if (table.bySid.has(workspaceSid)) this.remove(kind, table, workspaceSid);
        continue;
      }
      for (const sid of [...(table.byWorkspace.get(workspaceSid) ?? [])]) this.remove(kind, table, sid);
    }
  }

  // ---------------------------------------------------------------- writes (with undo)

  /** Records that `doc` is now stored under its sid (an insert or an update), or evicts it when it no longer
   *  belongs in memory (a task that finished takes its reservations with it, into the finished tasks). */
  write(kind: EntityKind, doc: Doc): void {
    const table = this.tables.get(kind);
    if (!table) return;
    const before = table.bySid.get(doc.sid);
    if (!this.belongs(kind, doc)) {
      if (kind === 'task' || kind === 'reservation') this.writeFinished(kind, doc, before);
      if (before) this.deleteResident(kind, doc.sid);
      return;
    }
    if (kind === 'task') this.finished.drop(doc.sid);
    this.undo.push({ kind, sid: doc.sid, before, position: table.position.get(doc.sid) });
    this.put(kind, doc, undefined);
  }

  /** A task that is not live, or a reservation of one, was written: a task leaving the live set is held with
   *  its reservations (as the live set had them, before they leave it too); a held one is updated. */
  private writeFinished(kind: 'task' | 'reservation', doc: Doc, before: Doc | undefined): void {
    const taskSid = kind === 'task' ? doc.sid : (doc.taskSid as string);
    if (kind === 'task' && before && this.loaded.has(doc.workspaceSid!)) {
      const reservations = this.tables.get('reservation')!;
      const held = [...this.sorted(reservations, reservations.indexes.get('taskSid')!.get(doc.sid))].map((sid) => reservations.bySid.get(sid)!);
      this.undo.push({ finishedTask: taskSid });
      this.finished.add(doc, held);
      return;
    }
    if (!this.finished.holds(taskSid)) return;
    this.undo.push({ finishedTask: taskSid });
    if (kind === 'task') this.finished.updateTask(doc);
    else this.finished.updateReservation(doc);
  }

  delete(kind: EntityKind, sid: string): void {
    // A held finished task goes whole (dropping is always safe: the database answers instead).
    if (kind === 'task') this.finished.drop(sid);
    if (kind === 'reservation') {
      const task = this.finished.reservation(sid)?.taskSid;
      if (typeof task === 'string') this.finished.drop(task);
    }
    this.deleteResident(kind, sid);
  }

  /** Deletes the resident documents matching `where` (the database deletes the rest). */
  deleteWhere(kind: EntityKind, where: Record<string, FieldFilter | undefined>): void {
    const table = this.tables.get(kind);
    if (!table) return;
    if (kind === 'task' || kind === 'reservation') for (const task of this.finished.matching(kind, matchesWhere, where)) this.finished.drop(task);
    const doomed = [...this.candidates(kind, table, where)].filter((sid) => matchesWhere(table.bySid.get(sid)!, where));
    for (const sid of doomed) this.deleteResident(kind, sid);
  }

  private deleteResident(kind: EntityKind, sid: string): void {
    const table = this.tables.get(kind);
    const before = table?.bySid.get(sid);
    if (!table || !before) return;
    this.undo.push({ kind, sid, before, position: table.position.get(sid) });
    this.remove(kind, table, sid);
    if (kind === 'task') for (const r of [...(this.tables.get('reservation')!.indexes.get('taskSid')!.get(sid) ?? [])]) this.deleteResident('reservation', r);
  }

  /** Stores `doc`; a new sid takes `position` (the database's seq when loaded, its old place when an undo puts
   *  it back) or the next place. An update keeps the document's place in every set whose key it keeps. */
  private put(kind: EntityKind, doc: Doc, position: number | undefined): void {
    const table = this.tables.get(kind)!;
    Object.freeze(doc);
    const before = table.bySid.get(doc.sid);
    if (!before) {
      const at = position ?? table.nextPosition;
      table.position.set(doc.sid, at);
      table.nextPosition = Math.max(table.nextPosition, at + 1);
    }
    table.bySid.set(doc.sid, doc);
    const at = table.position.get(doc.sid)!;
    const ws = kind === 'workspace' ? undefined : doc.workspaceSid;
    if (ws !== (before && kind !== 'workspace' ? before.workspaceSid : undefined) || !before) {
      if (before && kind !== 'workspace' && before.workspaceSid !== undefined) this.leave(table.byWorkspace, before.workspaceSid, doc.sid);
      if (ws !== undefined) this.join(table, table.byWorkspace, ws, doc.sid, at);
    }
    for (const [field, index] of table.indexes) {
      if (before && before[field] === doc[field]) continue;
      if (before) this.leave(index, before[field], doc.sid);
      this.join(table, index, doc[field], doc.sid, at);
    }
    const oldKey = before ? uniqueKey(kind, before) : null;
    const key = uniqueKey(kind, doc);
    if (oldKey !== null && oldKey !== key && table.uniqueKeys.get(oldKey) === doc.sid) table.uniqueKeys.delete(oldKey);
    if (key !== null) table.uniqueKeys.set(key, doc.sid);
  }

  /** Adds a sid at `position` to a set; one older than the newest there leaves the set out of order until its
   *  next read. */
  private join<V>(table: Table, sets: Map<V, Set<string>>, value: V, sid: string, position: number): void {
    let set = sets.get(value);
    if (!set) sets.set(value, (set = new Set()));
    set.add(sid);
    const last = table.lastPosition.get(set);
    if (last !== undefined && position < last) table.unordered.add(set);
    else table.lastPosition.set(set, position);
  }

  private leave<V>(sets: Map<V, Set<string>>, value: V, sid: string): void {
    const set = sets.get(value);
    set?.delete(sid);
    if (set?.size === 0) sets.delete(value);
  }

  private remove(kind: EntityKind, table: Table, sid: string): void {
    const doc = table.bySid.get(sid);
    if (!doc) return;
    if (kind !== 'workspace' && doc.workspaceSid !== undefined) this.leave(table.byWorkspace, doc.workspaceSid, sid);
    for (const [field, index] of table.indexes) this.leave(index, doc[field], sid);
    const key = uniqueKey(kind, doc);
    if (key !== null && table.uniqueKeys.get(key) === sid) table.uniqueKeys.delete(key);
    table.bySid.delete(sid);
    table.position.delete(sid);
  }

  // ---------------------------------------------------------------- transactions and groups
  // The undo log holds every change not yet committed: the groups sent to the database (at most one on
  // PostgreSQL, whose COMMIT is awaited) and the open group. A group that fails takes every later change with
  // it (later transactions may have read what it wrote), so a failure undoes the whole log.

  /** A transaction starts: its changes can be undone alone. */
  beginTransaction(): void {
    this.transactionStart = this.undo.length;
  }

  /** The transaction rolled back: undo its changes, newest first. */
  rollbackTransaction(): void {
    this.restore(this.transactionStart);
  }

  /** The open group is sent to the database: returns the mark its commit passes to groupCommitted. */
  sealGroup(): number {
    return this.undo.length;
  }

  /** A sealed group committed: its changes (the log up to its mark) are in the database. */
  groupCommitted(mark: number = this.undo.length): void {
    this.undo.splice(0, mark);
    this.transactionStart = Math.max(0, this.transactionStart - mark);
  }

  /** A group failed: undo every change not committed, newest first. */
  groupFailed(): void {
    this.restore(0);
    this.transactionStart = 0;
  }

  private restore(from: number): void {
    for (let i = this.undo.length - 1; i >= from; i--) {
      const entry = this.undo[i]!;
      if ('finishedTask' in entry) {
        this.finished.drop(entry.finishedTask);
        continue;
      }
      const { kind, sid, before, position } = entry;
      const table = this.tables.get(kind)!;
      this.remove(kind, table, sid);
      if (before) this.put(kind, before, position);
    }
    this.undo.length = from;
  }

  /** The finished tasks held for a workspace and their reservations (tests compare them with the database). */
  finishedOf(workspaceSid: string): { task: Doc[]; reservation: Doc[] } {
    const task = this.finished.tasksOf(workspaceSid);
    return { task, reservation: task.flatMap((t) => this.finished.reservationsOf(t.sid)!) };
  }

  /** Every resident document of a workspace by kind (tests compare it with a fresh load). */
  residentOf(workspaceSid: string): Record<string, Doc[]> {
    const out: Record<string, Doc[]> = {};
    for (const [kind, table] of this.tables) {
      if (kind === 'account' || kind === 'apiKey') continue;
      const sids = kind === 'workspace' ? (table.bySid.has(workspaceSid) ? [workspaceSid] : []) : [...this.sorted(table, table.byWorkspace.get(workspaceSid))];
      out[kind] = sids.map((s) => table.bySid.get(s)!);
    }
    return out;
  }
}
