// Follows one workspace's event log from a durable named cursor: each batch of events of the given types is
// handed to `handle` inside the transaction that moves the cursor past it, so whatever `handle` writes happens
// exactly once per event, also across restarts. The Workflow and Opsflow faces follow the TaskRouter tasks they
// route this way.
import type { EventRecord } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';

const BATCH = 200;

export async function tailEvents(store: Store, workspaceSid: string, cursor: string, eventTypes: readonly string[], handle: (repo: Repository, event: EventRecord) => void): Promise<void> {
  for (;;) {
    const more = await store.replaying(() => store.transaction((repo) => {
      const after = repo.getCursor(cursor) ?? 0;
      const batch = repo.eventsAfter(workspaceSid, after, BATCH, eventTypes);
      for (const { event } of batch) handle(repo, event);
      if (batch.length) repo.setCursor(cursor, batch[batch.length - 1]!.position);
      return batch.length === BATCH;
    }));
    if (!more) return;
  }
}

/** Starts a cursor at the log's current end if it has none (call in the transaction that creates the first
 *  thing to follow: its own events come after). */
export function startCursorAtEnd(repo: Repository, workspaceSid: string, cursor: string): void {
  if (repo.getCursor(cursor) === undefined) repo.setCursor(cursor, repo.lastEventPosition(workspaceSid, []));
}
