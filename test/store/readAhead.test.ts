// Store.readAhead on PostgreSQL: the documents of a workspace another node routes, fetched together, answer the
// replay's reads at once (a push to a socket on such a node read them one replay, one round trip, after the
// other); documents that do not exist answer "none" without a replay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityKind } from '../../src/core/entities.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

describe('reading ahead on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  it('answers the reads of a workspace another node routes without one replay per document', async () => {
    const url = await freshDatabase('read_ahead');
    const owner = await PostgresStore.open(url);
    const other = await PostgresStore.open(url);
    other.setOwnership(() => false);
    try {
      const accountSid = newSid('AC');
      const workspaceSid = newSid('WS');
      const docs = [
        { kind: 'activity', sid: newSid('WA'), friendlyName: 'Available' },
        { kind: 'worker', sid: newSid('WK'), friendlyName: 'alice' },
        { kind: 'worker', sid: newSid('WK'), friendlyName: 'bob' },
        { kind: 'taskQueue', sid: newSid('WQ'), friendlyName: 'support' },
      ] as const;
      owner.transaction((repo) => {
        for (const d of docs) repo.insert(d.kind, { sid: d.sid, accountSid, workspaceSid, friendlyName: d.friendlyName } as never);
      });
      await owner.durable();
      const missing = { kind: 'task' as EntityKind, sid: newSid('WT') };
      const wanted = [...docs.map((d) => ({ kind: d.kind as EntityKind, sid: d.sid })), missing];
      const names = () => other.read((repo) => wanted.map((d) => (repo.get(d.kind, d.sid) as { friendlyName?: string } | undefined)?.friendlyName ?? null));
      const expected = [...docs.map((d) => d.friendlyName), null];

      let attempts = 0;
      assert.deepEqual(await other.replaying(() => (attempts++, names())), expected);
      assert.equal(attempts, wanted.length + 1, 'without it: one replay per document');

      attempts = 0;
      const read = await other.replaying(async () => {
        attempts++;
        await other.readAhead(workspaceSid, wanted);
        return names();
      }, { acrossAwaits: true });
      assert.deepEqual(read, expected);
      assert.equal(attempts, 1, 'read ahead: no replay');

    } finally {
      owner.close();
      other.close();
    }
  });
});
