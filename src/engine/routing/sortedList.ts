// An array kept sorted by a comparator, with free space at the front: binary-search lookups, and inserts or
// removals shift whichever side of the array is shorter. A FIFO queue works at its head (the oldest task
// leaves, new ones join at the tail), so both ends cost O(log n) and a queue of 500,000 tasks never moves
// its whole array for one routing decision. The worst case, a change in the middle, moves n/2 entries.
export class SortedList<T> {
  private items: (T | undefined)[] = [];
  /** Index of the first live entry; entries before it are free space. */
  private head = 0;
  private readonly compare: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.compare = compare;
  }

  /** A list of `items` (taken, not copied), sorted once: O(n log n) where inserting them one by one into the
   *  middle costs O(n) each. */
  static of<T>(compare: (a: T, b: T) => number, items: T[]): SortedList<T> {
    const list = new SortedList(compare);
    list.items = items.sort(compare);
    return list;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  private lowerBound(item: T): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(item: T): void {
    // A FIFO queue's new task (same priority, later start) sorts after every other: one comparison with the tail
    // instead of a binary search whose probes touch as many cold entries.
    const last = this.items.length - 1;
    if (last < this.head || this.compare(this.items[last]!, item) < 0) {
      this.items.push(item);
      return;
    }
    const pos = this.lowerBound(item);
    if (this.head > 0 && pos - this.head < this.items.length - pos) {
      // Shift the shorter front part one slot left into the free space.
      this.items.copyWithin(this.head - 1, this.head, pos);
      this.head--;
      this.items[pos - 1] = item;
    } else {
      this.items.splice(pos, 0, item);
    }
  }

  /** Removes `item` (found by comparator position, then identity). The comparator must be a total order. */
  remove(item: T): boolean {
    for (let i = this.lowerBound(item); i < this.items.length && this.compare(this.items[i]!, item) === 0; i++) {
      if (this.items[i] !== item) continue;
      if (i - this.head < this.items.length - 1 - i) {
        this.items.copyWithin(this.head + 1, this.head, i);
        this.items[this.head] = undefined;
        this.head++;
        if (this.head > 1024 && this.head * 2 > this.items.length) this.compact();
      } else {
        this.items.splice(i, 1);
      }
      return true;
    }
    return false;
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  first(): T | undefined {
    return this.items[this.head];
  }
}
