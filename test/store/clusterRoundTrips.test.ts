// A cluster's bookkeeping on PostgreSQL in few round trips. An idle node made about 29 queries a second (its
// lease rounds, its presence sweeps, its poll for requested tasks), and those round trips were most of its CPU
// and a third of the database's at rest. Here: several statements in one round trip commit together or not at
// all (PostgresStore.batchAside); a request for a TaskRouter task committed on any node is announced to the
// routing node at once (onTaskRouteRequested), so that node polls for them rarely; and a lease round still
// renews, claims and reports what it did.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { ClusterCatalog } from '../../src/store/postgres/clusterCatalog.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';
import { withOtherNode } from '../support/otherNode.ts';

async function until<T>(what: string, check: () => T | undefined, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('cluster bookkeeping in few round trips', { skip: skipWithoutPostgres }, () => {
  it('runs a batch of statements as one transaction: all of it, or none of it on an error', async () => {
    const store = await PostgresStore.open(await freshDatabase('batch_aside'));
    try {
      await store.queryAside('CREATE TABLE scratch (k int PRIMARY KEY, v text)');
      const rows = await store.batchAside([
        { sql: 'INSERT INTO scratch VALUES ($1, $2) RETURNING k', params: [1, 'one'] },
        { sql: 'SELECT count(*)::int AS n FROM scratch', params: [] },
      ]);
      assert.deepEqual(rows, [[{ k: 1 }], [{ n: 1 }]]);
      await assert.rejects(
        store.batchAside([
          { sql: 'INSERT INTO scratch VALUES ($1, $2) RETURNING k', params: [2, 'two'] },
          { sql: 'INSERT INTO scratch VALUES ($1, $2) RETURNING k', params: [1, 'again'] },
        ]),
        /duplicate key/,
      );
      assert.deepEqual(await store.queryAside('SELECT k, v FROM scratch ORDER BY k'), [{ k: 1, v: 'one' }], 'the first insert of the failed batch is not committed');
      // The connection goes on serving single queries and batches after the failure.
      assert.deepEqual(await store.batchAside([{ sql: 'SELECT v FROM scratch WHERE k = $1', params: [1] }]), [[{ v: 'one' }]]);
    } finally {
      store.close();
    }
  });

  it('announces a request for a TaskRouter task, committed on a node that does not route the workspace, to the one that does', async () => {
    await withOtherNode('route_requests', async ({ owner, other, accountSid, workspaceSid }) => {
      const heard: (string | undefined)[] = [];
      await owner.onTaskRouteRequested((ws) => heard.push(ws));
      other.transaction((repo) => repo.insert('taskRouteRequest', { sid: newSid('WT'), accountSid, workspaceSid, input: { attributes: '{}' }, requestedAt: Date.now() }));
      await other.durable();
      assert.deepEqual(await until('the announcement', () => (heard.length > 0 ? heard : undefined)), [workspaceSid]);
      // A commit that asks for none announces nothing.
      other.transaction((repo) => repo.insert('account', { sid: newSid('AC'), friendlyName: 'quiet', authToken: 'x', status: 'active' } as never));
      await other.durable();
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(heard, [workspaceSid]);
    });
  });

  it('renews, claims and reports a lease round in two round trips, counting the node itself from its first round', async () => {
    const store = await PostgresStore.open(await freshDatabase('lease_rounds'));
    try {
      const catalog = new ClusterCatalog(store);
      const workspaces = [newSid('WS'), newSid('WS'), newSid('WS')].sort();
      store.transaction((repo) => {
        for (const sid of workspaces) repo.insert('workspace', { sid, accountSid: newSid('AC'), friendlyName: sid } as never);
      });
      await store.durable();
      const first = await catalog.renewRound('node-a', true, 'http://127.0.0.1:1', 5_000);
      assert.deepEqual(first, { kept: [], liveNodes: 1, workspaces: 3 });
      const claims = await catalog.claimRound('node-a', 5_000, 2, true);
      assert.deepEqual(claims.taken, workspaces.slice(0, 2), 'the oldest first, up to the share');
      assert.equal(claims.background, true);
      assert.equal(claims.lapseMs, undefined, 'no other node holds a lease');
      const second = await catalog.renewRound('node-a', true, 'http://127.0.0.1:1', 5_000);
      assert.deepEqual(second.kept.sort(), [...workspaces.slice(0, 2), 'background'].sort());
      // Another node sees node-a's leases lapse in about the TTL, and takes what is left.
      await catalog.renewRound('node-b', true, null, 5_000);
      const b = await catalog.claimRound('node-b', 5_000, 5, true);
      assert.deepEqual(b.taken, workspaces.slice(2));
      assert.equal(b.background, false);
      assert.ok(b.lapseMs !== undefined && b.lapseMs > 3_000 && b.lapseMs <= 5_000, `lapses in ${b.lapseMs} ms`);
      assert.equal((await catalog.renewRound('node-b', true, null, 5_000)).liveNodes, 2);
      // A node that routes nothing does not count itself in the share.
      assert.equal((await catalog.renewRound('node-c', false, null, 5_000)).liveNodes, 2);
    } finally {
      store.close();
    }
  });
});
