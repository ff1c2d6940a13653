// When a TaskRouter workspace's events are folded into its per-minute rollups (storeSchema.ts, "Folds"): once
// it has written ROLLUP_FOLD_EVERY events since its last fold, its next commit group folds them. A statistics
// read adds the unfolded events to the rollups, so this only bounds how many it reads (about this many, plus a
// group's). A workspace this process has not folded yet is folded by its first group: whatever a crash or an
// earlier owner left unfolded is taken at once. A group that fails takes its fold with it; the next one comes
// ROLLUP_FOLD_EVERY events later, and statistics stay exact meanwhile.
import type { EventRecord } from '../core/entities.ts';
import { rolledUp } from './storeSchema.ts';

/** Events a workspace writes between two folds: a fold sums this many in one statement (a fraction of a
 *  millisecond on SQLite), and a statistics read reads at most about this many raw events besides its edges. */
export const ROLLUP_FOLD_EVERY = 256;

export class RollupFolds {
  /** Events written per workspace since its last fold (absent: not folded by this process yet). */
  private readonly since = new Map<string, number>();

  /** The workspaces a group writing `events` folds, counted as folded. */
  due(events: readonly EventRecord[]): readonly string[] {
    const written = new Map<string, number>();
    for (const event of events) {
      const ws = event.workspaceSid;
      if (rolledUp(ws)) written.set(ws, (written.get(ws) ?? 0) + 1);
    }
    let due: string[] | undefined;
    for (const [ws, n] of written) {
      const since = (this.since.get(ws) ?? ROLLUP_FOLD_EVERY) + n;
      if (since >= ROLLUP_FOLD_EVERY) (due ??= []).push(ws);
      this.since.set(ws, since >= ROLLUP_FOLD_EVERY ? 0 : since);
    }
    return due ?? NONE;
  }
}

const NONE: readonly string[] = [];
