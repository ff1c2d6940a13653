// An array kept sorted by a comparator: binary-search insert and delete, in-order iteration from the head.
// Queues read from the head far more often than they change, and a contiguous array makes that scan cheap.
// Insertion and removal cost O(log n) comparisons plus an O(n) memmove, which stays small in practice
// (issue 6 measures it against the 500,000-task limit).
export class SortedList<T> {
  private readonly items: T[] = [];
  private readonly compare: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.compare = compare;
  }

  get size(): number {
    return this.items.length;
  }

  private lowerBound(item: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(item: T): void {
    this.items.splice(this.lowerBound(item), 0, item);
  }

  /** Removes `item` (found by comparator position, then identity). The comparator must be a total order. */
  remove(item: T): boolean {
    for (let i = this.lowerBound(item); i < this.items.length && this.compare(this.items[i]!, item) === 0; i++) {
      if (this.items[i] === item) {
        this.items.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  *[Symbol.iterator](): Iterator<T> {
    // Copy-free iteration over a snapshot length; callers do not mutate while iterating.
    for (let i = 0; i < this.items.length; i++) yield this.items[i]!;
  }

  first(): T | undefined {
    return this.items[0];
  }
}
