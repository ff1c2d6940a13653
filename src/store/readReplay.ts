// Synchronous code over an asynchronous database. The engine and the faces read through the synchronous
// Repository port; on PostgreSQL, a read that memory cannot answer (a document this node does not route, a
// list, the event log) cannot block the event loop waiting for the database. Instead it throws a ReadMiss
// naming what it needs; `replaying` catches it, fetches that read asynchronously, remembers the answer and runs
// the work again from the start, where the read now finds its answer. Work is replayed only while it has not
// changed anything (a transaction that throws rolls back whole), so a replay is as if the first attempts never
// ran. Each replay costs one round trip for the one read it lacked; reads of the owner's own documents never
// miss.
//
// Which replay a read belongs to: the one whose work is running synchronously (`active`). That covers every
// read a work makes before its first `await`, which is where the engine's commands, the route handlers and
// the background loops read and write. A work that reads after an await asks for `acrossAwaits`, and its
// replay is carried through its awaits by an AsyncLocalStorage. Only those: while any AsyncLocalStorage runs,
// Node 20 calls a hook for every promise the process creates; carrying every request's replay that way, the
// hook's own functions were about 35 µs of the ~1,500 µs a PostgreSQL node's main thread spent per lifecycle
// (perf, bench/cluster.ts's load; alternated runs could not tell the difference from the machine's drift). So
// the storage is enabled only while such a replay runs. A read after an await in a work that did not ask is
// caught: when it misses, the work fails with an error saying so instead of being replayed (it may have
// written before the miss, and a replay would write twice).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ReplayOptions } from '../core/repository.ts';

/** A read the work needs and memory lacks: its key (the same read gives the same key) and how to fetch it. */
export class ReadMiss extends Error {
  readonly key: string;
  readonly fetch: () => Promise<unknown>;
  /** The replay that was current when the read missed: the one to fetch it and run again (none: it cannot be
   *  replayed). */
  readonly replay: object | undefined;
  constructor(key: string, fetch: () => Promise<unknown>, replay: object | undefined) {
    super(`the read ${key.slice(0, 200)} needs the database (run the work through Store.replaying)`);
    this.key = key;
    this.fetch = fetch;
    this.replay = replay;
  }
}

/** The work being replayed: the answers fetched for it, and whether this attempt has written anything. */
interface Replay {
  answers: Map<string, unknown>;
  wrote: boolean;
}

/** The replay whose work is running synchronously now. Microtasks never run inside a synchronous call, so a
 *  work's continuations after an await never see it set for them. */
let active: Replay | undefined;
/** The replays of works that read after their awaits, and how many run now (the storage is enabled only then). */
const acrossAwaits = new AsyncLocalStorage<Replay>();
let acrossAwaitsRunning = 0;

function current(): Replay | undefined {
  return active ?? (acrossAwaitsRunning > 0 ? acrossAwaits.getStore() : undefined);
}

/** Runs `work`'s synchronous part as `state`'s. */
function runAs<T>(state: Replay, work: () => T): T {
  const outer = active;
  active = state;
  try {
    return work();
  } finally {
    active = outer;
  }
}

/** The answer fetched for `key` in the current replay, or a ReadMiss to fetch it. */
export function replayedRead<T>(key: string, fetch: () => Promise<T>): T {
  const replay = current();
  if (replay?.answers.has(key)) return replay.answers.get(key) as T;
  throw new ReadMiss(key, fetch, replay);
}

/** The reads among `keys` the current replay has no answer for yet (all of them outside a replay). */
export function unanswered(keys: readonly string[]): string[] {
  const known = current()?.answers;
  return known ? keys.filter((k) => !known.has(k)) : [...keys];
}

/** Answers fetched ahead of the reads that will ask for them (several in one round trip instead of one replay
 *  each): the current replay's reads of these keys answer at once. Outside a replay they are dropped. */
export function answerAhead(answers: Iterable<[key: string, value: unknown]>): void {
  const known = current()?.answers;
  if (known) for (const [key, value] of answers) known.set(key, value);
}

/** The store staged a transaction's writes in the current attempt: a miss after this point cannot be
 *  replayed (the writes would be made twice) and is reported as the bug it is. */
export function replayWrote(): void {
  const r = current();
  if (r) r.wrote = true;
}

function missAfterWrite(err: ReadMiss): Error {
  return new Error(`a read missed after this work wrote (${err.key.slice(0, 200)}): read before writing, or replay the reads after the write on their own`);
}

function missAfterAwait(err: ReadMiss): Error {
  return new Error(`a read missed after an await of replayed work (${err.key.slice(0, 200)}): replay it with { acrossAwaits: true }, or replay the reads after the await on their own`);
}

/** A miss that cannot be replayed, as the error it is; anything else as it was (a miss of another replay, one
 *  this work runs inside of, is that replay's to fetch). */
function unreplayable(err: unknown, state: Replay): unknown {
  if (!(err instanceof ReadMiss)) return err;
  if (err.replay === undefined) return missAfterAwait(err);
  if (err.replay !== state) return err;
  return state.wrote ? missAfterWrite(err) : err;
}

/**
 * Runs `work` once, as the first attempt of a replay: synchronously when the work is synchronous (a handler
 * that sends through its reply stays as it was). A ReadMiss it throws (or rejects with) before it wrote
 * anything is passed on for the caller to replay the work with `replay`; one after a write, or after an await,
 * is the bug it is.
 */
export function firstAttempt<T>(work: () => T): T {
  const state: Replay = { answers: new Map(), wrote: false };
  const guard = (err: unknown): never => {
    throw unreplayable(err, state);
  };
  try {
    const value = runAs(state, work);
    return (value instanceof Promise ? value.catch(guard) : value) as T;
  } catch (err) {
    return guard(err);
  }
}

/** A work that misses this many reads in a row is a bug (a read whose key changes on every attempt). */
const MAX_REPLAYS = 200;

/**
 * Runs `work` until it completes without a ReadMiss: each miss is fetched (after `beforeFetch`, which lets the
 * store make earlier writes visible to the read) and the work starts again with every answer so far. A replay
 * inside another is its own: it runs its work to the end before the outer one goes on, so work that has done
 * something that must not be repeated (a request it made, a write it committed) replays only what follows.
 */
export async function replay<T>(work: () => T | Promise<T>, beforeFetch: () => Promise<void>, options: ReplayOptions = {}): Promise<T> {
  const state: Replay = { answers: new Map(), wrote: false };
  const attempts = async (): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      state.wrote = false;
      try {
        return await runAs(state, work);
      } catch (err) {
        // Only this replay's own miss, before a write, is fetched and run again.
        const miss = unreplayable(err, state);
        if (!(miss instanceof ReadMiss) || miss.replay !== state || attempt >= MAX_REPLAYS) throw miss;
        await beforeFetch();
        state.answers.set(miss.key, await miss.fetch());
      }
    }
  };
  if (!options.acrossAwaits) return attempts();
  acrossAwaitsRunning++;
  try {
    return await acrossAwaits.run(state, attempts);
  } finally {
    // Disabled when the last one ends: the promise hook it installed goes with it.
    if (--acrossAwaitsRunning === 0) acrossAwaits.disable();
  }
}
