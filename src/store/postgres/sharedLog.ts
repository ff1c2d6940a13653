// What a node's commit listeners (WebSocket pushes, webhook wake-ups, metrics, the background loops) hear when
// several nodes share one PostgreSQL database: their own node's events and, from the shared events table, the
// other nodes' events they need.
//
// * Own events are heard at once, from memory, when their group's COMMIT is answered (as on SQLite). They used
//   to be read back from the table like every other node's: a query per commit on every node, each commit's
//   rows decoded by every node, and every push a round trip later.
// * Other nodes' events are read in (transaction id, seq) order, only from transactions older than every
//   transaction still running anywhere (`tx_id < pg_snapshot_xmin(pg_current_snapshot())`, the horizon), so a
//   row committed late with an earlier seq is never skipped. After a read that reaches the horizon, the
//   position moves to it. Own rows are skipped: by transaction id in the query once the COMMIT's answer named
//   it, and by sid meanwhile (a read may see a group committed before this node has handled its answer). A
//   read goes through the transactions (event_commits: one row for each that wrote events, with the streams,
//   types and accounts of its events) and reads the events of those that may hold something it needs: not
//   every event committed since the last read, as it did when each node read each event (migration 0042).
// * Only what this node's listeners need is read (`interest`, core/logInterest.ts): a workspace's events when
//   this node routes it or holds sockets in it; on the node running the background loops also the few types,
//   streams and accounts they follow. A commit's NOTIFY names the log streams, event types and accounts it
//   wrote; a node reads when they may interest it (or the lists were too long to send), and polls every
//   `pollMs` in case a notification was lost. Cluster nodes send the NOTIFY only when another node's published
//   interest may match the commit (interestExchange.ts).
// * Order. A socket hears a workspace's events in commit order. Its events come from one node at a time (the
//   lease holder; the fence refuses any other), but when a workspace changes hands, the old owner's last
//   commits may not have been read here yet when this node commits its first. So the first own group of a
//   log stream (since this node started, or took the workspace over) is held until the log has been read past
//   its transaction; own groups after a held one wait behind it. From then on the stream's own events are
//   heard at once. A read may also meet an own group before this node has handled its COMMIT's answer (the
//   node was paused between the two, and another node took the workspace over and wrote after it): the group
//   is heard there, in log order, before the rows after it, and not again when the answer comes.
import { CoalescedRun } from '../../core/coalescedRun.ts';
import type { EventRecord } from '../../core/entities.ts';
import { type CommitLists, type LogInterest, mayInterest } from '../../core/logInterest.ts';
import { EVENT_READ_COLUMNS, type EventReadRow, eventFromRow } from '../storeSchema.ts';

/** What this node's listeners need of the other nodes' events now. */
export type LogInterestSource = () => 'everything' | LogInterest;

type LogRow = EventReadRow & { horizon: string; tx: string | null; seq: number | null; sid: string | null };

const BATCH = 500;
/** A NOTIFY payload is at most 8,000 bytes; longer lists are sent as '' (read whatever it was; the store's other
 *  announcements do the same). */
export const MAX_NOTIFY_PAYLOAD = 7_900;
/** How soon a read is retried while an own group waits for the log to pass it. */
const HELD_RETRY_MS = 5;

function logQuery(filtered: boolean): string {
  // $4 streams, $5 accounts, $6 types, $7 stream prefixes as LIKE patterns, $8 and $9 the typed streams and types.
  const interest = `AND (workspace_sid = ANY($4::text[]) OR account_sid = ANY($5::text[]) OR event_type = ANY($6::text[])
        OR workspace_sid LIKE ANY($7::text[]) OR (workspace_sid = ANY($8::text[]) AND event_type = ANY($9::text[])))`;
  // The same test on a transaction's lists (event_commits, migration 0042): true for any transaction holding an
  // event that passes it, so the events of the others are never read.
  const commitInterest = `AND (c.streams && $4::text[] OR c.accounts && $5::text[] OR c.types && $6::text[]
        OR EXISTS (SELECT FROM unnest(c.streams) AS s(stream) WHERE s.stream LIKE ANY($7::text[]))
        OR (c.streams && $8::text[] AND c.types && $9::text[]))`;
  // The transactions come from event_commits in id order, and each one's events from events_tx in seq order: the
  // LIMIT inside the lateral keeps it a lookup per transaction (unnested, the planner may join the two whole),
  // and a transaction with more events than a batch is read on from the position by the next query.
  return `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
    SELECT h.xmin::text AS horizon, e.* FROM h LEFT JOIN LATERAL (
      SELECT c.tx_id::text AS tx, ev.* FROM event_commits c CROSS JOIN LATERAL (
        SELECT seq, ${EVENT_READ_COLUMNS} FROM events
        WHERE tx_id = c.tx_id AND (tx_id, seq) > ($1::xid8, $2::bigint) ${filtered ? interest : ''}
        ORDER BY seq LIMIT ${BATCH}) ev
      WHERE c.tx_id >= $1::xid8 AND c.tx_id < h.xmin AND c.tx_id <> ALL($3::xid8[]) ${filtered ? commitInterest : ''}
      ORDER BY c.tx_id, ev.seq LIMIT ${BATCH}) e ON true`;
}
const READ_ALL = logQuery(false);
const READ_SOME = logQuery(true);

/** The parameters of READ_SOME after the position ones. */
function interestParams(i: LogInterest): unknown[] {
  const like = (prefix: string) => prefix.replace(/[\\%_]/g, '\\$&') + '%';
  return [[...i.streams], [...i.accounts], [...i.types], i.streamPrefixes.map(like), [...i.typed.streams], [...i.typed.types]];
}

export interface SharedLogDeps {
  query: <R>(sql: string, params: readonly unknown[]) => Promise<R[]>;
  /** Hands events to the commit listeners. */
  deliver: (events: EventRecord[]) => void;
  /** The backend process id of this node's writer connection (its NOTIFYs are its own commits). */
  writerPid: () => number | undefined;
}

export class SharedLog {
  private tx: string;
  private seq = 0;
  /** Reads, one at a time; a failed one is left to the next notification or poll, from the same position. */
  private readonly reads = new CoalescedRun(() => this.readPass(), () => undefined);
  private closed = false;
  private readonly poll: NodeJS.Timeout;
  private retry: NodeJS.Timeout | undefined;
  private interest: LogInterestSource = () => 'everything';
  /** Own events the log has not been read past, by sid: their group's transaction id once answered. */
  private readonly ownSids = new Map<string, bigint | undefined>();
  /** Own committed transactions the log has not been read past (skipped by the query). */
  private ownTx = new Set<bigint>();
  /** Own groups waiting for the log to be read past them (see "Order"), in commit order. */
  private held: { tx: bigint; events: EventRecord[] }[] = [];
  /** Log streams whose own events are heard at once. */
  private readonly direct = new Set<string>();
  /** Own events a read delivered before their group's answer was handled (see "Order"), by sid. */
  private readonly heardFromLog = new Set<string>();

  private readonly deps: SharedLogDeps;

  constructor(deps: SharedLogDeps, start: string, pollMs: number) {
    this.deps = deps;
    this.tx = start;
    this.poll = setInterval(() => this.read(), pollMs);
    this.poll.unref();
  }

  /** What this node's listeners need from other nodes (unset: everything). */
  setInterest(interest: LogInterestSource): void {
    this.interest = interest;
  }

  /** What this node's listeners need from other nodes now (what it publishes: interestExchange.ts). */
  needs(): 'everything' | LogInterest {
    return this.interest();
  }

  /** The streams, event types and accounts a commit wrote, each without repeats. */
  static lists(events: readonly EventRecord[]): CommitLists {
    const unique = (values: string[]) => [...new Set(values)];
    return { streams: unique(events.map((e) => e.workspaceSid)), types: unique(events.map((e) => e.eventType)), accounts: unique(events.map((e) => e.accountSid)) };
  }

  /** The NOTIFY payload of a commit: its lists (`streams;types;accounts`, each comma-separated), or '' when they
   *  do not fit. */
  static payload(lists: CommitLists): string {
    const payload = [lists.streams.join(','), lists.types.join(','), lists.accounts.join(',')].join(';');
    return payload.length <= MAX_NOTIFY_PAYLOAD ? payload : '';
  }

  /** A commit's NOTIFY on `sb_events`: read if it is another node's and may hold something this node needs. */
  notified(payload: string, processId: number): void {
    if (processId === this.deps.writerPid()) return;
    const wanted = this.interest();
    if (wanted === 'everything' || payload === '') return this.read();
    const [streams, types, accounts] = payload.split(';');
    // A payload of another form (a node of another version) is read as "something".
    if (accounts === undefined || mayInterest(wanted, { streams: streams!.split(','), types: types!.split(','), accounts: accounts.split(',') })) this.read();
  }

  /** A group with these events is being sent: a read may see it committed before its answer is handled. */
  sending(events: readonly EventRecord[]): void {
    for (const e of events) this.ownSids.set(e.sid, undefined);
  }

  /** The group's transaction failed: its rows do not exist. */
  failed(events: readonly EventRecord[]): void {
    for (const e of events) this.ownSids.delete(e.sid);
  }

  /** The group committed as transaction `tx`: its events are heard now, or once the log passes it. */
  committed(tx: bigint, committedEvents: EventRecord[]): void {
    if (committedEvents.length === 0) return;
    this.ownTx.add(tx);
    for (const e of committedEvents) this.ownSids.set(e.sid, tx);
    const events = committedEvents.filter((e) => !this.heardFromLog.delete(e.sid));
    if (events.length === 0) return;
    if (this.held.length > 0 || events.some((e) => !this.direct.has(e.workspaceSid))) {
      this.held.push({ tx, events });
      this.read();
      return;
    }
    this.deps.deliver(events);
  }

  /** This node no longer routes the workspace: its next own group there waits for the log again. */
  forget(workspaceSid: string): void {
    this.direct.delete(workspaceSid);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    if (this.retry) clearTimeout(this.retry);
  }

  /** Reads the log now (besides the notifications and the poll). */
  read(): void {
    if (!this.closed) this.reads.wake();
  }

  /** One read to the horizon; while an own group still waits for the log, another soon after. */
  private async readPass(): Promise<void> {
    try {
      await this.readToHorizon();
    } finally {
      if (this.held.length > 0 && !this.retry && !this.closed) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.read();
        }, HELD_RETRY_MS);
      }
    }
  }

  private async readToHorizon(): Promise<void> {
    for (;;) {
      const wanted = this.interest();
      const own = [...this.ownTx].map(String);
      const rows =
        wanted === 'everything'
          ? await this.deps.query<LogRow>(READ_ALL, [this.tx, this.seq, own])
          : await this.deps.query<LogRow>(READ_SOME, [this.tx, this.seq, own, ...interestParams(wanted)]);
      const found = rows.filter((r) => r.tx !== null);
      // Rows come in transaction order, all of them below the horizon: an own group waiting with an earlier
      // transaction is heard before the first row after it.
      let theirs: EventRecord[] = [];
      for (const row of found) {
        if (this.held.length > 0 && this.held[0]!.tx < BigInt(row.tx!)) {
          if (theirs.length > 0) this.deps.deliver(theirs);
          theirs = [];
          this.release(BigInt(row.tx!));
        }
        if (!this.ownSids.has(row.sid!)) theirs.push(eventFromRow(row));
        else if (this.ownSids.get(row.sid!) === undefined && !this.heardFromLog.has(row.sid!)) {
          // An own group committed whose answer is not handled yet: heard here, in log order.
          const own = eventFromRow(row);
          theirs.push(own);
          this.heardFromLog.add(own.sid);
          this.direct.add(own.workspaceSid);
        }
      }
      if (theirs.length > 0) this.deps.deliver(theirs);
      if (found.length === BATCH) {
        const last = found[found.length - 1]!;
        this.tx = last.tx!;
        this.seq = Number(last.seq);
        continue;
      }
      // Everything below the horizon is read: the position moves to it.
      const horizon = BigInt(rows[0]!.horizon);
      this.tx = rows[0]!.horizon;
      this.seq = 0;
      for (const tx of this.ownTx) if (tx < horizon) this.ownTx.delete(tx);
      for (const [sid, tx] of this.ownSids) if (tx !== undefined && tx < horizon) this.ownSids.delete(sid);
      this.release(horizon);
      return;
    }
  }

  /** Hears the own groups waiting with a transaction below `tx`: the log has been read up to it. */
  private release(tx: bigint): void {
    while (this.held.length > 0 && this.held[0]!.tx < tx) {
      const { events } = this.held.shift()!;
      for (const e of events) this.direct.add(e.workspaceSid);
      this.deps.deliver(events);
    }
  }
}
