// A min-heap of timers by due time. Entries are never removed when a deadline changes: each carries the
// deadline it was scheduled for, and the router ignores an entry whose entity no longer has that deadline
// (lazy invalidation keeps every operation O(log n)).
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

  peek(): Timer | undefined {
    return this.heap[0];
  }

  pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
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
    return top;
  }
}
