// The versions of the documents a PostgreSQL node last read or wrote, by `table:sid`: a conditional write sends
// the version it believes the row holds, and the database refuses the write when another node changed the row
// meanwhile (postgresStore.ts, `writeDoc`). A document with no remembered version is written without that check:
// routing kinds then rest on the lease's fence alone, the other faces on the read that precedes their write in
// the same transaction.
//
// Bounded by recency, not by clearing. Until 2026-12 the map was cleared whole past 500,000 entries: it grew to
// about 60 MB on a node of the cluster soak (two keys per lifecycle: its task and its reservation, which are never
// written again once finished) and then every document, the live ones too, lost its check at once. A Map iterates
// in insertion order, so setting an entry again moves it to the end: the front holds the documents used longest
// ago. Past `capacity` the oldest tenth goes in one sweep (one at a time from the front would walk over the
// holes deleted entries leave until the Map is rehashed).

/** Entries kept by default: a workspace's live documents (workers, live tasks and their reservations) several
 *  times over, in about 25 MB. */
export const REMEMBERED_VERSIONS_CAPACITY = 200_000;

export class RememberedVersions {
  private readonly entries = new Map<string, number>();
  private readonly capacity: number;

  constructor(capacity = REMEMBERED_VERSIONS_CAPACITY) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): number | undefined {
    return this.entries.get(key);
  }

  /** Remembers `version` as the newest use of `key`; past the capacity the entries used longest ago go. */
  set(key: string, version: number): void {
    this.entries.delete(key);
    this.entries.set(key, version);
    if (this.entries.size > this.capacity) this.evictOldest(Math.max(1, Math.floor(this.capacity / 10)));
  }

  /** Remembers a version read from the database, unless a newer one is known: a read answered while this node's
   *  newer write of the document was on its way holds the version before it (see postgresStore.ts). */
  saw(key: string, version: number): void {
    const known = this.entries.get(key);
    if (known === undefined || version >= known) this.set(key, version);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private evictOldest(count: number): void {
    for (const key of this.entries.keys()) {
      if (count-- <= 0) break;
      this.entries.delete(key);
    }
  }
}
