// The tasks that finished last, with their reservations, kept in memory for a while after they leave the live
// set. A task's last events (task.completed, reservation.completed, ...) are pushed to the workers' sockets
// right after their commit, and the request that finished it answers with it: without this, each of those
// read the finished task and its reservations back from the database (about six indexed reads and JSON parses
// per lifecycle). Clients also fetch a task they have just completed.
//
// Bounded: the FINISHED_TASKS_KEPT most recently finished tasks (oldest dropped first); a task not here is read
// from the database as before. Like the live documents, what is here equals the database: every write of a
// held task or reservation goes through here (ResidentDocuments.write). Dropping an entry is always safe (the
// database answers instead), so undoing a change here is dropping the task it touched: ResidentDocuments'
// undo log does that for a rolled-back transaction or a failed group.
import type { FieldFilter } from '../../core/repository.ts';

type Doc = { sid: string; workspaceSid?: string; [field: string]: unknown };

/** How many finished tasks are kept (each with its reservations: a few KiB). */
export const FINISHED_TASKS_KEPT = 4_096;

/** A finished task and every reservation it had, in the database's order. */
interface FinishedEntry {
  readonly task: Doc;
  readonly reservations: ReadonlyMap<string, Doc>;
}

export class FinishedTasks {
  /** By task sid, least recently finished first (Map order). */
  private readonly entries = new Map<string, FinishedEntry>();
  private readonly taskOfReservation = new Map<string, string>();
  private readonly capacity: number;

  constructor(capacity = FINISHED_TASKS_KEPT) {
    this.capacity = capacity;
  }

  task(sid: string): Doc | undefined {
    return this.entries.get(sid)?.task;
  }

  reservation(sid: string): Doc | undefined {
    const taskSid = this.taskOfReservation.get(sid);
    return taskSid === undefined ? undefined : this.entries.get(taskSid)?.reservations.get(sid);
  }

  /** Whether the task is held (and so every reservation it has). */
  holds(taskSid: string): boolean {
    return this.entries.has(taskSid);
  }

  /** The reservations of a held task (all of them, in the database's order). */
  reservationsOf(taskSid: string): Doc[] | undefined {
    const entry = this.entries.get(taskSid);
    return entry ? [...entry.reservations.values()] : undefined;
  }

  /** A task has just finished: it is held with its reservations (the oldest held task is dropped if full). */
  add(task: Doc, reservations: readonly Doc[]): void {
    this.drop(task.sid);
    this.set(task.sid, { task, reservations: new Map(reservations.map((r) => [r.sid, r])) });
    while (this.entries.size > this.capacity) this.drop(this.entries.keys().next().value!);
  }

  /** A held task was written again (still finished): it keeps its reservations and its place. */
  updateTask(task: Doc): void {
    const entry = this.entries.get(task.sid);
    if (entry) this.entries.set(task.sid, { task, reservations: entry.reservations });
  }

  /** A reservation of a held task was written (or created) after the task finished. */
  updateReservation(reservation: Doc): void {
    const taskSid = reservation.taskSid as string;
    const entry = this.entries.get(taskSid);
    if (!entry) return;
    const reservations = new Map(entry.reservations);
    reservations.set(reservation.sid, reservation);
    this.entries.set(taskSid, { task: entry.task, reservations });
    this.taskOfReservation.set(reservation.sid, taskSid);
  }

  /** The held tasks that are, or have a reservation that is, matched by `where` (a delete by filter). */
  matching(kind: 'task' | 'reservation', matches: (doc: Doc, where: Record<string, FieldFilter | undefined>) => boolean, where: Record<string, FieldFilter | undefined>): string[] {
    const out: string[] = [];
    for (const sid of this.candidates(kind, where)) {
      const entry = this.entries.get(sid);
      if (entry && (kind === 'task' ? matches(entry.task, where) : [...entry.reservations.values()].some((r) => matches(r, where)))) out.push(sid);
    }
    return out;
  }

  /** The held tasks that can match `where`: the one it names, if it names one; else every one. Every task
   *  removed after the finished-task retention deletes its reservations by task (engine.ts, flush), and looking
   *  at all 4,096 entries for each took a third of the main thread at 200 lifecycles/s, from five minutes into
   *  a steady load. */
  private candidates(kind: 'task' | 'reservation', where: Record<string, FieldFilter | undefined>): Iterable<string> {
    if (kind === 'task') return typeof where.sid === 'string' ? [where.sid] : this.entries.keys();
    if (typeof where.taskSid === 'string') return [where.taskSid];
    if (typeof where.sid === 'string') {
      const task = this.taskOfReservation.get(where.sid);
      return task === undefined ? [] : [task];
    }
    return this.entries.keys();
  }

  /** The held tasks of a workspace, least recently finished first. */
  tasksOf(workspaceSid: string): Doc[] {
    return [...this.entries.values()].filter((e) => e.task.workspaceSid === workspaceSid).map((e) => e.task);
  }

  /** Forgets the held tasks of a workspace (it is unloaded: another node routes it, or it was deleted). */
  dropWorkspace(workspaceSid: string): void {
    for (const [sid, entry] of [...this.entries]) if (entry.task.workspaceSid === workspaceSid) this.drop(sid);
  }

  drop(taskSid: string): void {
    const entry = this.entries.get(taskSid);
    if (!entry) return;
    for (const r of entry.reservations.keys()) this.taskOfReservation.delete(r);
    this.entries.delete(taskSid);
  }

  private set(taskSid: string, entry: FinishedEntry): void {
    this.entries.set(taskSid, entry);
    for (const r of entry.reservations.keys()) this.taskOfReservation.set(r, taskSid);
  }
}
