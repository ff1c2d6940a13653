// Which of the other nodes' events a node's commit listeners need, when several nodes share one database
// (store/postgres/sharedLog.ts reads only these from the shared events table). Each part of a node says what it
// needs: its worker sockets and the workspaces it routes need every event of those workspaces; the background
// loops (Workflow actions and event handlers, the Opsflow route follower) need a few event types of a few
// workspaces, the account-wide streams and the events of accounts with event handlers. Reading every event on
// the node running the background loops cost a sixth of a three-node cluster's CPU per lifecycle.
//
// A listener may be told of more than it asked for (the parts are merged, and the types of one part apply to the
// streams of another), never less: listeners filter what they hear, and use commit events only to wake up and
// read their durable cursors, so an interest that grows later loses nothing either.

export interface LogInterest {
  /** Every event of these log streams (workspace SIDs, or `workflow:AC...` and the like). */
  readonly streams: ReadonlySet<string>;
  /** Every event of the streams that start with one of these (`workflow:`). */
  readonly streamPrefixes: readonly string[];
  /** Every event of these accounts. */
  readonly accounts: ReadonlySet<string>;
  /** Every event of these types, in any stream. */
  readonly types: ReadonlySet<string>;
  /** Events of these types in these streams. */
  readonly typed: { readonly streams: ReadonlySet<string>; readonly types: ReadonlySet<string> };
}

/** Anything a part leaves out it does not need. */
export type LogInterestPart = Partial<LogInterest>;

const NONE: ReadonlySet<string> = new Set();

/** One interest covering every part's. */
export function mergeInterests(parts: readonly LogInterestPart[]): LogInterest {
  const union = (sets: (ReadonlySet<string> | undefined)[]): ReadonlySet<string> => {
    const present = sets.filter((s): s is ReadonlySet<string> => s !== undefined && s.size > 0);
    if (present.length === 0) return NONE;
    if (present.length === 1) return present[0]!;
    const all = new Set<string>();
    for (const s of present) for (const x of s) all.add(x);
    return all;
  };
  return {
    streams: union(parts.map((p) => p.streams)),
    streamPrefixes: [...new Set(parts.flatMap((p) => p.streamPrefixes ?? []))],
    accounts: union(parts.map((p) => p.accounts)),
    types: union(parts.map((p) => p.types)),
    typed: { streams: union(parts.map((p) => p.typed?.streams)), types: union(parts.map((p) => p.typed?.types)) },
  };
}

/** The streams, event types and accounts a commit wrote. */
export interface CommitLists {
  readonly streams: readonly string[];
  readonly types: readonly string[];
  readonly accounts: readonly string[];
}

/** Whether a commit that wrote these streams, types and accounts may hold an event this interest needs (the
 *  commit's lists lose which type went with which stream, so this may say yes when no single event matches). */
export function mayInterest(interest: LogInterest, commit: CommitLists): boolean {
  return (
    commit.streams.some((s) => interest.streams.has(s) || interest.streamPrefixes.some((p) => s.startsWith(p))) ||
    commit.accounts.some((a) => interest.accounts.has(a)) ||
    commit.types.some((t) => interest.types.has(t)) ||
    (commit.streams.some((s) => interest.typed.streams.has(s)) && commit.types.some((t) => interest.typed.types.has(t)))
  );
}

/** An interest as JSON (its sets as sorted lists): equal interests give equal texts. */
export function interestToJson(interest: LogInterest): string {
  const list = (set: ReadonlySet<string> | readonly string[]) => [...set].sort();
  return JSON.stringify({
    streams: list(interest.streams),
    streamPrefixes: list(interest.streamPrefixes),
    accounts: list(interest.accounts),
    types: list(interest.types),
    typed: { streams: list(interest.typed.streams), types: list(interest.typed.types) },
  });
}

/** The interest interestToJson wrote; anything else (another version's form) is undefined. */
export function interestFromJson(value: unknown): LogInterest | undefined {
  const v = value as { streams?: unknown; streamPrefixes?: unknown; accounts?: unknown; types?: unknown; typed?: { streams?: unknown; types?: unknown } } | null;
  const strings = (x: unknown): string[] | undefined => (Array.isArray(x) && x.every((s) => typeof s === 'string') ? x : undefined);
  const streams = strings(v?.streams), prefixes = strings(v?.streamPrefixes), accounts = strings(v?.accounts), types = strings(v?.types);
  const typedStreams = strings(v?.typed?.streams), typedTypes = strings(v?.typed?.types);
  if (!streams || !prefixes || !accounts || !types || !typedStreams || !typedTypes) return undefined;
  return { streams: new Set(streams), streamPrefixes: prefixes, accounts: new Set(accounts), types: new Set(types), typed: { streams: new Set(typedStreams), types: new Set(typedTypes) } };
}
