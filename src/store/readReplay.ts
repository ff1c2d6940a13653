// Synchronous code over an asynchronous database. The engine and the faces read through the synchronous
// Repository port; on PostgreSQL, a read that memory cannot answer (a document this node does not route, a
// list, the event log) cannot block the event loop waiting for the database. Instead it throws a ReadMiss
// naming what it needs; `replaying` catches it, fetches that read asynchronously, remembers the answer and runs
// the work again from the start, where the read now finds its answer. Work is replayed only while it has not
// changed anything (a transaction that throws rolls back whole), so a replay is as if the first attempts never
// ran. Each replay costs one round trip for the one read it lacked; reads of the owner's own documents never
// miss.
import { AsyncLocalStorage } from 'node:async_hooks';

/** A read the work needs and memory lacks: its key (the same read gives the same key) and how to fetch it. */
export class ReadMiss extends Error {
  readonly key: string;
  readonly fetch: () => Promise<unknown>;
  constructor(key: string, fetch: () => Promise<unknown>) {
    super(`the read ${key.slice(0, 200)} needs the database (run the work through Store.replaying)`);
    this.key = key;
    this.fetch = fetch;
  }
}

/** The work being replayed: the answers fetched for it, and whether this attempt has written anything. */
interface Replay {
  answers: Map<string, unknown>;
  wrote: boolean;
}

const current = new AsyncLocalStorage<Replay>();

/** The answer fetched for `key` in the current replay, or a ReadMiss to fetch it. */
export function replayedRead<T>(key: string, fetch: () => Promise<T>): T {
  const known = current.getStore()?.answers;
  if (known?.has(key)) return known.get(key) as T;
  throw new ReadMiss(key, fetch);
}

/** The reads among `keys` the current replay has no answer for yet (all of them outside a replay). */
export function unanswered(keys: readonly string[]): string[] {
  const known = current.getStore()?.answers;
  return known ? keys.filter((k) => !known.has(k)) : [...keys];
}

/** Answers fetched ahead of the reads that will ask for them (several in one round trip instead of one replay
 *  each): the current replay's reads of these keys answer at once. Outside a replay they are dropped. */
export function answerAhead(answers: Iterable<[key: string, value: unknown]>): void {
  const known = current.getStore()?.answers;
  if (known) for (const [key, value] of answers) known.set(key, value);
}

/** The store staged a transaction's writes in the current attempt: a miss after this point cannot be
 *  replayed (the writes would be made twice) and is reported as the bug it is. */
export function replayWrote(): void {
  const r = current.getStore();
  if (r) r.wrote = true;
}

function missAfterWrite(err: ReadMiss): Error {
  return new Error(`a read missed after this work wrote (${err.key.slice(0, 200)}): read before writing, or replay the reads after the write on their own`);
}

/**
 * Runs `work` once, as the first attempt of a replay: synchronously when the work is synchronous (a handler
 * that sends through its reply stays as it was). A ReadMiss it throws (or rejects with) before it wrote
 * anything is passed on for the caller to replay the work with `replay`; one after a write is the bug it is.
 */
export function firstAttempt<T>(work: () => T): T {
  const state: Replay = { answers: new Map(), wrote: false };
  const guard = (err: unknown): never => {
    throw err instanceof ReadMiss && state.wrote ? missAfterWrite(err) : err;
  };
  try {
    const value = current.run(state, work);
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
export async function replay<T>(work: () => T | Promise<T>, beforeFetch: () => Promise<void>): Promise<T> {
  const state: Replay = { answers: new Map(), wrote: false };
  return current.run(state, async () => {
    for (let attempt = 0; ; attempt++) {
      state.wrote = false;
      try {
        return await work();
      } catch (err) {
        if (!(err instanceof ReadMiss) || attempt >= MAX_REPLAYS) throw err;
        if (state.wrote) throw missAfterWrite(err);
        await beforeFetch();
        state.answers.set(err.key, await err.fetch());
      }
    }
  });
}
