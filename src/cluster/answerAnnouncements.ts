// The announcements (NOTIFY sb_forward_done) that a forwarded request's answer is in the database, matched to
// the receivers waiting for them. A receiver waits for its request's announcement or the poll (the backstop),
// then looks for the answer; if the answer is not there yet, it waits again.
//
// An announcement is never dropped: it wakes the waiter registered for it, and one that comes while nobody
// waits is kept for the next wait. That happens before the receiver's first wait (the announcement and the
// reply to its INSERT arrive on the same connection and may be read at once, before the code after the INSERT
// runs), and while it looks for the answer after a poll woke it. A waiter woken by the poll used to stay
// registered until its request ended, so an announcement arriving during the look that followed woke that
// spent waiter; the look had started before the answer's commit, and the receiver slept until the next poll: a
// second late (the frozen-node test, CI, once).
//
// Every node hears every announcement, most of them for other nodes' requests: the newest `kept` of those
// nobody waited for are kept.

export class AnswerAnnouncements {
  /** Waiters by request id: at most one per request, removed when woken. */
  private readonly waiters = new Map<number, () => void>();
  /** Announced while nobody here waited. */
  private readonly unclaimed = new Set<number>();
  private readonly kept: number;

  constructor(kept = 1_000) {
    this.kept = kept;
  }

  /** Resolves when request `id`'s answer is announced (at once if it was since the last wait), when the poll
   *  wakes every waiter, or after `ms`. */
  next(id: number, ms: number): Promise<void> {
    if (this.unclaimed.delete(id)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.waiters.get(id) === done) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.set(id, done);
    });
  }

  /** An answer was announced. */
  announce(id: number): void {
    const wake = this.waiters.get(id);
    if (wake) return wake();
    this.unclaimed.add(id);
    if (this.unclaimed.size > this.kept) this.unclaimed.delete(this.unclaimed.values().next().value!);
  }

  /** The poll: every waiter looks for its answer. */
  wakeAll(): void {
    for (const wake of [...this.waiters.values()]) wake();
  }

  /** Request `id` is over (answered or given up): nothing of it is kept. */
  forget(id: number): void {
    this.waiters.get(id)?.();
    this.unclaimed.delete(id);
  }
}
