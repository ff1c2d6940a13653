// What both stores tell the rest of the server about their group commits: who waits for the open group to be
// durable, who hears the events of each commit, and who must know that a commit failed.
import type { EventRecord } from '../core/entities.ts';

type Waiter = { resolve: () => void; reject: (err: Error) => void };

/** The waiters of one commit group (durable() promises), settled when it commits or fails. A wait that comes
 *  after the group settled gets its outcome at once. */
export class GroupWaiters {
  private readonly waiters: Waiter[] = [];
  private outcome: { error: Error | undefined } | undefined;

  wait(): Promise<void> {
    if (this.outcome) return this.outcome.error ? Promise.reject(this.outcome.error) : Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  resolve(): void {
    this.outcome ??= { error: undefined };
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  reject(err: Error): void {
    this.outcome ??= { error: err };
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

export class CommitSignals {
  private readonly commitListeners = new Set<(events: EventRecord[]) => void>();
  private readonly failureListeners = new Set<(err: Error) => void>();
  private readonly groupObservers = new Set<(transactions: number, seconds: number) => void>();

  onCommit(listener: (events: EventRecord[]) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  onFailure(listener: (err: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Hands committed events to the listeners, in order. */
  committed(events: EventRecord[]): void {
    if (events.length === 0) return;
    for (const listener of this.commitListeners) {
      try {
        listener(events);
      } catch {
        // A listener's failure (a closed socket, say) must not turn a committed write into an error.
      }
    }
  }

  /** Metrics: each successful group commit's size (transactions) and COMMIT duration. */
  onGroupCommit(observer: (transactions: number, seconds: number) => void): () => void {
    this.groupObservers.add(observer);
    return () => this.groupObservers.delete(observer);
  }

  groupCommitted(transactions: number, seconds: number): void {
    for (const observer of this.groupObservers) observer(transactions, seconds);
  }

  failed(err: Error): void {
    for (const listener of this.failureListeners) listener(err);
  }
}
