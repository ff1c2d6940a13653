// A min-heap of timers by due time. Entries are never removed when a deadline changes: each carries the
// deadline it was scheduled for, and the router ignores an entry whose entity no longer has that deadline
// (lazy invalidation keeps every operation O(log n)). Stale entries due far ahead (a finished task's 24-hour
// TTL) would pile up meanwhile, so the owner drops them with retain() once they outnumber the live ones.
export type TimerKind = 'ttl' | 'step' | 'reservation' | 'cleanup';

export interface Timer {
  at: number;
  kind: TimerKind;
  sid: string;
}

export class TimerHeap {
  private readonly heap: Timer[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  /** Keeps only the entries `keep` accepts, in heap order again: O(n). */
  retain(keep: (t: Timer) => boolean): void {
    const h = this.heap;
    let n = 0;
    for (const t of h) if (keep(t)) h[n++] = t;
    h.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): Timer | undefined {
    return this.heap[0];
  }

  pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(from: number): void {
    const h = this.heap;
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.at < h[m]!.at) m = l;
      if (r < h.length && h[r]!.at < h[m]!.at) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
