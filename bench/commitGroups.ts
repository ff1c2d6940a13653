// The nodes' commit groups over a measured window, read from their /metrics (the histogram
// switchboard_store_commit_duration_seconds: one observation per group, from the moment it is sent to the
// database until its commit is answered): how long one took on average, and how many were in flight on average
// (the sum of their durations over the window). A PostgreSQL node sends one group at a time on its writer
// connection, so a mean near 1 says the node's commit path was never idle: a request waited for the group before
// its own, and what arrived meanwhile rode in the next, larger one.
import { scrapeMetrics } from '../test/support/metricsScrape.ts';

/** One node's commit-duration histogram totals at one moment. */
export interface CommitTotals {
  seconds: number;
  groups: number;
}

export interface CommitGroups {
  /** Mean duration of a group, in milliseconds. */
  meanMs: number;
  /** Mean number of groups in flight over the window. */
  inFlight: number;
}

/** The totals of every node, now. */
export async function commitTotals(origins: readonly string[]): Promise<CommitTotals[]> {
  return Promise.all(
    origins.map(async (origin) => {
      const scrape = await scrapeMetrics(origin);
      const [seconds] = scrape.samples('switchboard_store_commit_duration_seconds_sum');
      const [groups] = scrape.samples('switchboard_store_commit_duration_seconds_count');
      return { seconds: seconds?.value ?? NaN, groups: groups?.value ?? NaN };
    }),
  );
}

/** Each node's groups between two readings `seconds` apart. */
export function commitGroupsBetween(before: readonly CommitTotals[], after: readonly CommitTotals[], seconds: number): CommitGroups[] {
  return before.map((b, i) => {
    const a = after[i]!;
    const groups = a.groups - b.groups;
    const busy = a.seconds - b.seconds;
    return { meanMs: groups > 0 ? (busy / groups) * 1000 : NaN, inFlight: busy / seconds };
  });
}

/** "0.93 in flight, 10.5 ms each" per node, for a benchmark's line. */
export function describeCommitGroups(groups: readonly CommitGroups[]): string {
  return groups.map((g) => `${g.inFlight.toFixed(2)} in flight, ${g.meanMs.toFixed(1)} ms each`).join(' / ');
}
