// The persistence port. The engine reads and writes entities through this interface inside one transaction;
// only src/store implements it (and only src/store writes SQL). Lists are keyset-paged by insertion order so
// a page token stays valid while other rows are added or removed.
import type { EntityKind, EntityMap, EventRecord } from './entities.ts';
import type { OpsCollection, OpsScope, OpsSearch, OpsStat, OpsTask } from './opsflowEntities.ts';
import type { WfTaskPage, WfTaskQuery } from './workflowEntities.ts';

/** How Store.replaying runs a work. */
export interface ReplayOptions {
  /** The work reads or writes through the store after an await: carry its replay through them. */
  readonly acrossAwaits?: boolean;
}

/** Equality filters on entity fields. `{ field: { ci: 'x' } }` compares case-insensitively,
 *  `{ field: { in: [...] } }` matches any of the values, `{ field: { notNull: true } }` any value but null. */
export type FieldFilter = string | number | boolean | null | { ci: string } | { in: readonly (string | number | boolean)[] } | { notNull: true };
export type Where<K extends EntityKind> = { [F in keyof EntityMap[K]]?: FieldFilter };

export interface PageCursor {
  /** Rows strictly after this position (next page). */
  after?: number;
  /** Rows strictly before this position (previous page). */
  before?: number;
  /** Rows to skip from the start (absolute `Page=N` paging). */
  offset?: number;
  limit: number;
}

export interface PageResult<T> {
  items: T[];
  /** Position of each item, for building the next/previous tokens. */
  positions: number[];
  hasMore: boolean;
  hasPrevious: boolean;
}

/** A read of the event log: one workspace, a time window (epoch ms, both ends inclusive), optional event
 *  types, and `event_data` fields that must hold given values (any of the listed values for one field). */
export interface EventQuery {
  workspaceSid: string;
  fromMs: number;
  toMs: number;
  eventTypes?: readonly string[];
  data?: Record<string, readonly string[]>;
  /** The window ends at the present (a statistics window of the last N minutes): no event is dated after
   *  `toMs` yet, so the store may read the window's last, unfinished minute from its rollup instead of its
   *  raw events (it then also counts the events of the milliseconds between the clock reading and the read). */
  untilNow?: boolean;
}

/** Sum, minimum and maximum of a measure over the events of a group (0 when the group is empty). */
export interface MeasureTotals {
  sum: number;
  min: number;
  max: number;
}

/** The events of one type in a window, summed by the store: how many, their task age and task age in the
 *  queue (whole seconds, missing = 0), and for each asked threshold how many had a task age above it. */
export interface EventTypeTotals {
  eventType: string;
  count: number;
  taskAge: MeasureTotals;
  taskAgeInQueue: MeasureTotals;
  aboveAge: number[];
}

/** Time workers left each activity after, from worker.activity.update events (whole seconds per event). */
export interface ActivityTimeTotals {
  activitySid: string;
  count: number;
  seconds: MeasureTotals;
}

export interface Repository {
  get<K extends EntityKind>(kind: K, sid: string): EntityMap[K] | undefined;
  findAll<K extends EntityKind>(kind: K, where: Where<K>): EntityMap[K][];
  findOne<K extends EntityKind>(kind: K, where: Where<K>): EntityMap[K] | undefined;
  count<K extends EntityKind>(kind: K, where: Where<K>): number;
  /** The row holding the database-enforced unique key that `probe` would take (worker names per workspace,
   *  case-insensitive; task channel unique names; a worker's channel per task channel): an index lookup. */
  findByUniqueKey<K extends EntityKind>(kind: K, probe: Partial<EntityMap[K]>): EntityMap[K] | undefined;
  page<K extends EntityKind>(kind: K, where: Where<K>, cursor: PageCursor): PageResult<EntityMap[K]>;
  /** The list position of one row (what `PageCursor.after` takes), for clients that page by "after this SID". */
  positionOf(kind: EntityKind, sid: string): number | undefined;
  insert<K extends EntityKind>(kind: K, entity: EntityMap[K]): void;
  /** Replace the stored document with the same sid. */
  update<K extends EntityKind>(kind: K, entity: EntityMap[K]): void;
  /** Replace it if it is still stored (false if it was deleted meanwhile); no read of the old document. */
  updateIfPresent<K extends EntityKind>(kind: K, entity: EntityMap[K]): boolean;
  delete<K extends EntityKind>(kind: K, sid: string): void;
  /** Deletes what matches `where`, with the transaction. No count: a store that writes at the end of the commit
   *  group learns it only then. */
  deleteWhere<K extends EntityKind>(kind: K, where: Where<K>): void;
  appendEvent(event: EventRecord): void;
  getEvent(workspaceSid: string, sid: string): EventRecord | undefined;
  /** Events matching the query in log order, keyset-paged like entity lists. */
  queryEvents(query: EventQuery, cursor: PageCursor): PageResult<EventRecord>;
  /** Every event matching the query, in log order (statistics read a bounded window this way). */
  eventsMatching(query: EventQuery): EventRecord[];
  /** The matching events summed per event type (see EventTypeTotals), computed without reading them out. */
  eventTotals(query: EventQuery, ageThresholds: readonly number[]): EventTypeTotals[];
  /** The matching worker.activity.update events summed per previous activity. */
  activityTimeTotals(query: EventQuery): ActivityTimeTotals[];
  /** Up to `limit` events of the workspace after log position `after`, in order, with their positions. */
  eventsAfter(workspaceSid: string, after: number, limit: number, eventTypes?: readonly string[]): { position: number; event: EventRecord }[];
  /** The log position of the workspace's latest event of these types (any type if none are given; 0 if none). */
  lastEventPosition(workspaceSid: string, eventTypes: readonly string[]): number;
  getCursor(name: string): number | undefined;
  setCursor(name: string, position: number): void;
  deleteCursor(name: string): void;
  eventsFor(workspaceSid: string): EventRecord[];
  deleteEvents(workspaceSid: string): void;

  // The Opsflow face's tasks live in their own columns so its list and stat queries run as SQL.
  opsGetTask(taskId: string): OpsTask | undefined;
  opsInsertTask(task: OpsTask): void;
  opsUpdateTask(task: OpsTask): void;
  opsDeleteTask(taskId: string): void;
  /** A list query: the page of documents (tasks as OpsTask, events as EventRecord, others as their entity) and
   *  the number matching. */
  opsSearch(collection: OpsCollection, scope: OpsScope, query: OpsSearch): { results: unknown[]; total: number };
  /** A stat query's SQL part: grouped rows (or distinct values as `{value}` rows, or capped raw rows). */
  opsStat(collection: OpsCollection, scope: OpsScope, query: OpsStat): Record<string, unknown>[];

  /** A Workflow-face task list (filter, sort, page) in SQL: store/workflowTaskQuery.ts. */
  wfQueryTasks(query: WfTaskQuery): WfTaskPage;
}

/** Runs `work` in one transaction: all of it or (if it throws) none of it. It may be committed together with
 *  the other transactions of the same event-loop turn; `durable()` resolves once everything written so far is
 *  committed, and nothing may be acknowledged to a client before that. */
export interface Store {
  transaction<T>(work: (repo: Repository) => T): T;
  durable(): Promise<void>;
  /** Called if a commit fails: the writes of the transactions since the last commit are gone. */
  onFailure(listener: (err: Error) => void): () => void;
  /** Called after each commit with the events that transaction appended, in order (never for a rollback).
   *  Realtime pushes follow the durable log this way. Returns an unsubscribe function. */
  onCommit(listener: (events: EventRecord[]) => void): () => void;
  /** Observer of group commits (metrics): called after each successful group commit with the number of
   *  transactions it held and how long its COMMIT took. */
  onGroupCommit?(listener: (transactions: number, seconds: number) => void): () => void;
  /** Reads outside a write transaction. */
  read<T>(work: (repo: Repository) => T): T;
  /**
   * Runs `work` (which calls transaction() and read()) so that reads the store cannot answer at once are
   * fetched asynchronously: on PostgreSQL such a read throws a ReadMiss, and the work is run again once the
   * answer is in (store/readReplay.ts). On SQLite every read answers at once and this just runs `work`.
   * Request handlers, hooks and background loops run their store work through it. The reads a work makes
   * after an await belong to its replay only with `acrossAwaits` (store/readReplay.ts: carrying a replay through
   * awaits makes Node track every promise while it runs); without it, such a read that misses fails the work.
   */
  replaying<T>(work: () => T | Promise<T>, options?: ReplayOptions): Promise<T>;
  /** Whether a read may throw a ReadMiss (PostgreSQL). When it cannot (SQLite), the server runs route handlers
   *  as they are, without the replay's first-attempt wrapper, which would cost every request for nothing. */
  readonly readsMayMiss: boolean;
  /** Inside `replaying`: fetches these documents of `workspaceSid`, and the reservations of these tasks, in one
   *  round trip, so the work's reads of them (`get`, `findAll('reservation', { taskSid })`) answer at once
   *  instead of one replay each (PostgreSQL, a workspace another node routes; elsewhere nothing to do). */
  readAhead?(workspaceSid: string, documents: readonly { kind: EntityKind; sid: string }[], reservationsOfTasks?: readonly string[]): Promise<void>;
  /** Whether readAhead has nothing to do for the workspace: memory answers its documents (the node routes it). */
  answersFromMemory?(workspaceSid: string): boolean;
  /** Event retention (store/retention.ts): deletes up to `limit` of one workspace's events older than
   *  `cutoffMs` (then its rollup rows of the minutes before it), keeping those its webhook receiver is owed.
   *  Returns how many rows went (0: nothing left to prune there). */
  pruneBatch?(workspaceSid: string, cutoffMs: number, limit: number): Promise<number>;
  /** The workspaces whose event logs this process prunes (on several nodes: those it routes). */
  prunableWorkspaces?(): Promise<string[]>;
  /** After a retention pass over the workspaces: deletes up to `limit` of the rows that index events no longer
   *  there (PostgreSQL's shared log rows; other stores have none). Returns how many went. */
  pruneLogRows?(limit: number): Promise<number>;
  close(): void;
}
