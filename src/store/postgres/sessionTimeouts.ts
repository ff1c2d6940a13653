// The PostgreSQL session settings of a cluster node's connections, derived from its lease TTL: the ONE place
// that bounds how long a node's transactions, statements and lock waits may last.
//
// Why: a node that stops mid-transaction (a VM freeze, a long GC pause, SIGSTOP) keeps its transaction open,
// with the row locks it took (the `workers` row it wrote, the lease row the fence locked just before COMMIT).
// Its leases lapse after the TTL and another node takes its workspaces, but without these bounds the new
// owner's writes would wait on those locks, and every other node's lease claim would wait on the lease row,
// for as long as the pause lasts. With them the database ends the paused transaction before its lease can
// even lapse, so the new owner finds no lock in its way and routes within the TTL plus one renewal period.
// The paused node learns it when it resumes: its connection is gone, its late COMMIT fails (nothing it had not
// acknowledged is acknowledged), and it exits for its supervisor to restart it (main.ts).
//
// A lease lapses no sooner than 3/4 TTL after the freeze (it is renewed every quarter TTL at most), hence:
//   idle_in_transaction_session_timeout = TTL / 2   a transaction idle that long belongs to a stopped node; a
//                                                   live one never idles between its statements for that long
//                                                   (its event loop would have missed two lease renewals)
//   statement_timeout                   = TTL / 2   one statement may not hold its locks longer either (the
//                                                   store port blocks the node's event loop meanwhile anyway)
//   lock_timeout                        = TTL / 4   a lock held longer than a renewal period is held by
//                                                   something stuck: give up (the request is answered 409 and
//                                                   retried; a lease claim tries again next round) rather than
//                                                   queue this connection's other work behind it
//   TCP keepalives (server side)        idle TTL/4, then 3 probes TTL/12 apart (whole seconds, at least 1): a
//                                       machine that froze (a VM) while only part of a commit group had reached
//                                       the server answers no probe, and the server drops the connection. A
//                                       group is one transaction ended by one Sync (oneSyncTransaction.ts):
//                                       between its statements the server waits for the next message with no
//                                       timeout running (neither idle_in_transaction nor statement_timeout
//                                       applies there), holding the rows the statements before it wrote.
// Migrations and table rewrites lift them for their own duration (a schema change may take long).
// PostgreSQL 17's transaction_timeout would bound a whole transaction; 15 has the ones above.

export interface SessionTimeouts {
  idle_in_transaction_session_timeout: number;
  statement_timeout: number;
  lock_timeout: number;
  /** Startup options: the server-side keepalives (ignored on a Unix socket). */
  options: string;
}

export function sessionTimeouts(leaseTtlMs: number): SessionTimeouts {
  const seconds = (ms: number) => Math.max(1, Math.floor(ms / 1000));
  const keepalives = { tcp_keepalives_idle: seconds(leaseTtlMs / 4), tcp_keepalives_interval: seconds(leaseTtlMs / 12), tcp_keepalives_count: 3 };
  return {
    idle_in_transaction_session_timeout: Math.floor(leaseTtlMs / 2),
    statement_timeout: Math.floor(leaseTtlMs / 2),
    lock_timeout: Math.floor(leaseTtlMs / 4),
    options: Object.entries(keepalives).map(([name, value]) => `-c ${name}=${value}`).join(' '),
  };
}

/** Statements that lift the bounds on a session for work that may take long, and put them back. */
export const LIFT_TIMEOUTS = ['SET statement_timeout = 0', 'SET lock_timeout = 0', 'SET idle_in_transaction_session_timeout = 0'];
export const RESTORE_TIMEOUTS = ['RESET statement_timeout', 'RESET lock_timeout', 'RESET idle_in_transaction_session_timeout'];
