// Two PostgresStores on one fresh database, as two nodes of a cluster see it: the owner, which writes, and one
// that routes nothing (its reads may miss and go to the database), with an account and a workspace to write in.
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase } from './postgres.ts';

/** Runs `work` with the owner's store and the other node's; both are closed after it. */
export async function withOtherNode(name: string, work: (stores: { owner: PostgresStore; other: PostgresStore; accountSid: string; workspaceSid: string }) => Promise<void>): Promise<void> {
  const url = await freshDatabase(name);
  const owner = await PostgresStore.open(url);
  const other = await PostgresStore.open(url);
  other.setOwnership(() => false);
  try {
    await work({ owner, other, accountSid: newSid('AC'), workspaceSid: newSid('WS') });
  } finally {
    owner.close();
    other.close();
  }
}
