// The Repository the engine and the faces use: reads of resident documents (residentDocuments.ts) come from
// memory, everything else from the database (`backend`, the store's SQL repository), and every write goes to
// both. A workspace this process routes is loaded whole the first time anything touches it; lists, events,
// statistics and the other faces' documents stay in SQL.
import type { EntityKind, EntityMap, EventRecord, Workspace } from '../../core/entities.ts';
import type { FieldFilter, PageCursor, Repository, Where } from '../../core/repository.ts';
import { LIVE_TASK_STATUSES, RESIDENT_KINDS, ResidentDocuments } from './residentDocuments.ts';

/** What the resident layer needs from the store beneath it besides its Repository. */
export interface ResidentBackend {
  repo: Repository;
  /** Every row of `kind` in the workspace with its insertion order (for loading), iterated once, in order, before
   *  the next kind's. */
  rowsOfWorkspace<K extends EntityKind>(kind: K, workspaceSid: string): Iterable<{ doc: EntityMap[K]; seq: number }>;
  /** Every row of a small table (accounts, API keys) with its insertion order. */
  rowsOf<K extends 'account' | 'apiKey'>(kind: K): Iterable<{ doc: EntityMap[K]; seq: number }>;
  /** Whether another process changed the database since the last look (the command-line tools write
   *  accounts and keys to the server's file). `soon`: the caller can use what memory holds if the last look
   *  is recent (a backend whose look is costly may skip it then); `now`: look once more in this turn. */
  externalChanges?(urgency: 'now' | 'soon'): boolean;
}

const CHILD_KINDS = ['activity', 'taskChannel', 'worker', 'workerChannel', 'taskQueue', 'workflow', 'task', 'reservation'] as const;

export class ResidentRepository implements Repository {
  readonly docs = new ResidentDocuments();
  private readonly backend: ResidentBackend;
  private readonly owns: (workspaceSid: string) => boolean;
  /** Workspaces loaded since the last committed group: a failed group unloads them (what they were loaded
   *  from may include its writes). */
  private loadedInGroup: string[] = [];

  constructor(backend: ResidentBackend, owns: (workspaceSid: string) => boolean = () => true) {
    this.backend = backend;
    this.owns = owns;
    this.loadCredentials();
  }

  private loadCredentials(): void {
    this.docs.loadAll('account', this.backend.rowsOf('account') as never);
    this.docs.loadAll('apiKey', this.backend.rowsOf('apiKey') as never);
  }

  /** Accounts and keys another process changed are read again before they are used. A credential check (a
   *  get, on every request) may use a recent look (`soon`): one that memory lacks is read from the store at
   *  once below, so a key created from the command line works at once. Lists look `now`. */
  private freshCredentials(kind: EntityKind, urgency: 'now' | 'soon'): void {
    if ((kind === 'account' || kind === 'apiKey') && this.backend.externalChanges?.(urgency)) this.loadCredentials();
  }

  // ---------------------------------------------------------------- residency

  /** Loads the workspace into memory if this process routes it and it is not there yet. */
  private ensureLoaded(workspaceSid: unknown): void {
    if (typeof workspaceSid !== 'string' || this.docs.isLoaded(workspaceSid) || !this.owns(workspaceSid)) return;
    const ws = this.backend.repo.get('workspace', workspaceSid);
    if (!ws) return;
    this.load(ws);
  }

  private load(ws: Workspace): void {
    const children = {} as Parameters<ResidentDocuments['loadWorkspace']>[1];
    for (const kind of CHILD_KINDS) (children as Record<string, unknown>)[kind] = this.backend.rowsOfWorkspace(kind, ws.sid);
    this.docs.loadWorkspace(ws, children);
    this.loadedInGroup.push(ws.sid);
  }

  /** Forgets a workspace another process routes now. */
  unload(workspaceSid: string): void {
    this.docs.unloadWorkspace(workspaceSid);
  }

  beginTransaction(): void {
    this.docs.beginTransaction();
  }

  rollbackTransaction(): void {
    this.docs.rollbackTransaction();
  }

  /** The open group is sent to the database (see ResidentDocuments.sealGroup). */
  sealGroup(): { undo: number; loaded: number } {
    return { undo: this.docs.sealGroup(), loaded: this.loadedInGroup.length };
  }

  groupCommitted(mark?: { undo: number; loaded: number }): void {
    this.docs.groupCommitted(mark?.undo);
    this.loadedInGroup.splice(0, mark?.loaded ?? this.loadedInGroup.length);
  }

  /** A group failed: memory goes back to the last committed state; workspaces loaded since are unloaded (what
   *  they were loaded from may have held the failed writes). */
  groupFailed(): void {
    this.docs.groupFailed();
    for (const ws of this.loadedInGroup) this.docs.unloadWorkspace(ws);
    this.loadedInGroup = [];
  }

  // ---------------------------------------------------------------- reads

  get<K extends EntityKind>(kind: K, sid: string): EntityMap[K] | undefined {
    if (!RESIDENT_KINDS.has(kind)) return this.backend.repo.get(kind, sid);
    this.freshCredentials(kind, 'soon');
    const hit = this.docs.get(kind, sid);
    if (hit) return hit;
    const stored = this.backend.repo.get(kind, sid);
    if (!stored) return undefined;
    const ws = kind === 'workspace' ? sid : (stored as { workspaceSid?: string }).workspaceSid;
    if (ws !== undefined && !this.docs.isLoaded(ws) && this.owns(ws)) {
      this.ensureLoaded(ws);
      return this.docs.get(kind, sid) ?? stored;
    }
    return stored;
  }

  findAll<K extends EntityKind>(kind: K, where: Where<K>): EntityMap[K][] {
    return this.resident(kind, where) ?? this.backend.repo.findAll(kind, where);
  }

  findOne<K extends EntityKind>(kind: K, where: Where<K>): EntityMap[K] | undefined {
    const hit = this.resident(kind, where);
    return hit ? hit[0] : this.backend.repo.findOne(kind, where);
  }

  count<K extends EntityKind>(kind: K, where: Where<K>): number {
    return this.resident(kind, where)?.length ?? this.backend.repo.count(kind, where);
  }

  private resident<K extends EntityKind>(kind: K, where: Where<K>): EntityMap[K][] | undefined {
    if (!RESIDENT_KINDS.has(kind)) return undefined;
    this.freshCredentials(kind, 'now');
    const w = where as Record<string, FieldFilter | undefined>;
    this.ensureLoaded(w.workspaceSid);
    return this.docs.query(kind, where);
  }

  findByUniqueKey<K extends EntityKind>(kind: K, probe: Partial<EntityMap[K]>): EntityMap[K] | undefined {
    if (!RESIDENT_KINDS.has(kind)) return this.backend.repo.findByUniqueKey(kind, probe);
    this.ensureLoaded((probe as { workspaceSid?: string }).workspaceSid);
    const hit = this.docs.byUniqueKey(kind, probe);
    return hit ? hit.found : this.backend.repo.findByUniqueKey(kind, probe);
  }

  page: Repository['page'] = (kind, where, cursor: PageCursor) => this.backend.repo.page(kind, where, cursor);
  positionOf: Repository['positionOf'] = (kind, sid) => this.backend.repo.positionOf(kind, sid);

  // ---------------------------------------------------------------- writes

  insert<K extends EntityKind>(kind: K, entity: EntityMap[K]): void {
    this.backend.repo.insert(kind, entity);
    if (!RESIDENT_KINDS.has(kind)) return;
    // A workspace created here is routed here (one process; on several nodes the creator takes its lease).
    if (kind === 'workspace' && this.owns(entity.sid) && !this.docs.isLoaded(entity.sid)) {
      this.docs.loadWorkspace(entity as Workspace, { activity: [], taskChannel: [], worker: [], workerChannel: [], taskQueue: [], workflow: [], task: [], reservation: [] });
      this.loadedInGroup.push(entity.sid);
      return;
    }
    this.docs.write(kind, entity as never);
  }

  update<K extends EntityKind>(kind: K, entity: EntityMap[K]): void {
    this.backend.repo.update(kind, entity);
    if (RESIDENT_KINDS.has(kind)) this.docs.write(kind, entity as never);
  }

  updateIfPresent<K extends EntityKind>(kind: K, entity: EntityMap[K]): boolean {
    const present = this.backend.repo.updateIfPresent(kind, entity);
    if (present && RESIDENT_KINDS.has(kind)) this.docs.write(kind, entity as never);
    return present;
  }

  delete<K extends EntityKind>(kind: K, sid: string): void {
    this.backend.repo.delete(kind, sid);
    if (RESIDENT_KINDS.has(kind)) this.docs.delete(kind, sid);
  }

  deleteWhere<K extends EntityKind>(kind: K, where: Where<K>): void {
    this.backend.repo.deleteWhere(kind, where);
    if (RESIDENT_KINDS.has(kind)) this.docs.deleteWhere(kind, where as Record<string, FieldFilter | undefined>);
  }

  // ---------------------------------------------------------------- the rest is SQL

  appendEvent = (event: EventRecord) => this.backend.repo.appendEvent(event);
  getEvent: Repository['getEvent'] = (ws, sid) => this.backend.repo.getEvent(ws, sid);
  queryEvents: Repository['queryEvents'] = (q, c) => this.backend.repo.queryEvents(q, c);
  eventsMatching: Repository['eventsMatching'] = (q) => this.backend.repo.eventsMatching(q);
  eventTotals: Repository['eventTotals'] = (q, t) => this.backend.repo.eventTotals(q, t);
  activityTimeTotals: Repository['activityTimeTotals'] = (q) => this.backend.repo.activityTimeTotals(q);
  eventsAfter: Repository['eventsAfter'] = (ws, after, limit, types) => this.backend.repo.eventsAfter(ws, after, limit, types);
  lastEventPosition: Repository['lastEventPosition'] = (ws, types) => this.backend.repo.lastEventPosition(ws, types);
  getCursor: Repository['getCursor'] = (name) => this.backend.repo.getCursor(name);
  setCursor: Repository['setCursor'] = (name, position) => this.backend.repo.setCursor(name, position);
  deleteCursor: Repository['deleteCursor'] = (name) => this.backend.repo.deleteCursor(name);
  eventsFor: Repository['eventsFor'] = (ws) => this.backend.repo.eventsFor(ws);
  deleteEvents: Repository['deleteEvents'] = (ws) => this.backend.repo.deleteEvents(ws);
  opsGetTask: Repository['opsGetTask'] = (id) => this.backend.repo.opsGetTask(id);
  opsInsertTask: Repository['opsInsertTask'] = (t) => this.backend.repo.opsInsertTask(t);
  opsUpdateTask: Repository['opsUpdateTask'] = (t) => this.backend.repo.opsUpdateTask(t);
  opsDeleteTask: Repository['opsDeleteTask'] = (id) => this.backend.repo.opsDeleteTask(id);
  opsSearch: Repository['opsSearch'] = (c, s, q) => this.backend.repo.opsSearch(c, s, q);
  opsStat: Repository['opsStat'] = (c, s, q) => this.backend.repo.opsStat(c, s, q);
  wfQueryTasks: Repository['wfQueryTasks'] = (q) => this.backend.repo.wfQueryTasks(q);
}

export { LIVE_TASK_STATUSES };
