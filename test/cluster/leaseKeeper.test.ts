// The lease keeper tells the engine what it lost, and says in the node's log why a workspace left this node
// (an operator sees requests answered 503 "moving" and looks there). The catalog here is a stand-in whose
// answers the test sets; the keeper's rounds against PostgreSQL are covered by the cluster tests.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseKeeper } from '../../src/cluster/leaseKeeper.ts';
import type { ClusterCatalog } from '../../src/store/postgres/clusterCatalog.ts';

function standInCatalog(state: { held: string[]; renewDelayMs: number }) {
  return {
    renewRound: async () => {
      await new Promise((r) => setTimeout(r, state.renewDelayMs));
      return { kept: [...state.held], liveNodes: 1, workspaces: state.held.length };
    },
    claimRound: async () => ({ taken: [], background: false, lapseMs: undefined }),
    releaseLeases: async () => undefined,
    leave: async () => undefined,
  } as unknown as ClusterCatalog;
}

it('a lease that another node took is reported lost, and logged with why', { timeout: 10_000 }, async () => {
  const state = { held: ['WSa', 'WSb'], renewDelayMs: 0 };
  const logs: string[] = [];
  const lost: string[] = [];
  const keeper = new LeaseKeeper(standInCatalog(state), 'n1', { ttlMs: 1000, renewMs: 20, log: (m) => logs.push(m) });
  await keeper.start({ gained: () => undefined, lost: (ws) => lost.push(ws) });
  assert.deepEqual(keeper.ownedWorkspaces().sort(), ['WSa', 'WSb']);
  state.held = ['WSa'];
  while (lost.length === 0) await new Promise((r) => setTimeout(r, 10));
  await keeper.stop();
  assert.equal(lost[0], 'WSb');
  assert.ok(logs.some((m) => m.startsWith('lost the lease of WSb:')), logs.join('\n'));
  assert.ok(!logs.some((m) => m.includes('WSa')), 'a kept lease is not logged');
});

it('a renewal round slower than half the TTL is logged', { timeout: 10_000 }, async () => {
  const state = { held: ['WSa'], renewDelayMs: 0 };
  const logs: string[] = [];
  const keeper = new LeaseKeeper(standInCatalog(state), 'n1', { ttlMs: 200, renewMs: 20, log: (m) => logs.push(m) });
  await keeper.start({ gained: () => undefined, lost: () => undefined });
  assert.equal(logs.length, 0, 'quick rounds say nothing');
  state.renewDelayMs = 150;
  while (!logs.some((m) => m.startsWith('renewing the leases took'))) await new Promise((r) => setTimeout(r, 10));
  await keeper.stop();
  assert.match(logs.find((m) => m.startsWith('renewing the leases took'))!, /took \d+ ms \(they last 200 ms\)/);
});
