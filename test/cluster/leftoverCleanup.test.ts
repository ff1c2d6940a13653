// What forwarding and dead nodes leave in PostgreSQL is removed: forwarded requests past the grace period in
// every state (answered but never taken by their receiver, taken by a node that died before answering, never
// taken), and the registrations of nodes long silent that hold no lease; recent ones stay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { ClusterCatalog } from '../../src/store/postgres/clusterCatalog.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase, skipWithoutPostgres, storedWorkspace } from '../support/postgres.ts';

const request = { method: 'GET', url: '/v1/Workspaces', headers: {}, body: '' };
const response = { statusCode: 200, headers: {}, body: '{}' };

describe('leftover forwarded requests and dead nodes', { skip: skipWithoutPostgres }, () => {
  it('are removed after the grace period, whatever state they were left in; recent ones stay', async () => {
    const store = await PostgresStore.open(await freshDatabase('leftovers'));
    const catalog = new ClusterCatalog(store);
    try {
      const ws = await storedWorkspace(store);
      const answeredUntaken = (await catalog.forward(ws, request))!;
      const takenByDeadNode = (await catalog.forward(ws, request))!;
      const neverTaken = (await catalog.forward(ws, request))!;
      const claimed = await catalog.claimForwarded('dead-node', [ws], 2, 10_000);
      assert.deepEqual(claimed.map((r) => r.id), [answeredUntaken, takenByDeadNode]);
      await catalog.answerForwarded(answeredUntaken, response);
      // Ten minutes ago; then the same three states, just now.
      await store.queryAside(`UPDATE forwarded_requests SET created_at = now() - interval '10 minutes'`);
      const recentAnswered = (await catalog.forward(ws, request))!;
      const recentPending = (await catalog.forward(ws, request))!;
      await catalog.claimForwarded('live-node', [ws], 1, 10_000);
      await catalog.answerForwarded(recentAnswered, response);

      await catalog.renewRound('dead-node', true, null, 10_000);
      await catalog.renewRound('dead-with-lease', true, null, 10_000);
      await catalog.renewRound('live-node', true, null, 10_000);
      await store.queryAside(`UPDATE cluster_nodes SET heartbeat_at = now() - interval '2 hours' WHERE node_id <> 'live-node'`);
      await store.queryAside(`INSERT INTO workspace_leases (workspace_sid, node_id, expires_at) VALUES ($1, 'dead-with-lease', now() + interval '1 minute')`, [newSid('WS')]);

      const deleted = await catalog.pruneLeftovers(100_000, 3_600_000, 2);
      assert.equal(deleted, 3 + 1);
      const left = await store.queryAside<{ id: string }>(`SELECT id FROM forwarded_requests ORDER BY id`);
      assert.deepEqual(left.map((r) => Number(r.id)), [recentAnswered, recentPending]);
      assert.ok(!left.some((r) => [answeredUntaken, takenByDeadNode, neverTaken].includes(Number(r.id))));
      const nodes = await store.queryAside<{ node_id: string }>(`SELECT node_id FROM cluster_nodes ORDER BY node_id`);
      assert.deepEqual(nodes.map((n) => n.node_id), ['dead-with-lease', 'live-node']);
      // The receiver of a recent request still gets its answer.
      assert.deepEqual(await catalog.takeResponse(recentAnswered), response);
      assert.equal(await catalog.pruneLeftovers(100_000, 3_600_000), 0);
    } finally {
      store.close();
    }
  });
});
