// Every statement that locks several lease rows locks them in one order (workspace SID, byte order): a commit
// group's fence (sb_hold_leases over the workspaces the group wrote) and the node's own renewal, release and
// departure. In the order each happened to meet them (the group's in the order its transactions touched the
// workspaces, the renewal in the table's physical order), the two could each hold a row the other waited for:
// PostgreSQL broke the deadlock by failing the group, and every request in it got 409. Seen under load in
// bench/cluster; here, groups writing six workspaces in a random order race the renewal, with a short deadlock
// timeout so that a deadlock is found and reported quickly.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../src/core/entities.ts';
import { newSid } from '../../src/core/sid.ts';
import { ClusterCatalog } from '../../src/store/postgres/clusterCatalog.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { freshDatabase, skipWithoutPostgres, withPostgresClient } from '../support/postgres.ts';

const AC = 'AC' + 'd'.repeat(32);

function event(workspaceSid: string): EventRecord {
  return {
    sid: newSid('EV'), accountSid: AC, workspaceSid, actorType: 'account', actorSid: AC, dateMs: Date.now(), eventType: 'task.updated',
    resourceType: 'task', resourceSid: newSid('WT'), description: 'race', eventData: {},
  };
}

it('a commit group and the lease renewal never deadlock over the lease rows', { skip: skipWithoutPostgres }, async () => {
  const url = await freshDatabase('leaseorder');
  const name = new URL(url).pathname.slice(1);
  await withPostgresClient(url, (c) => c.query(`ALTER DATABASE ${name} SET deadlock_timeout = '10ms'`));
  const store = await PostgresStore.open(url, { nodeId: 'node-a', leaseTtlMs: 60_000 });
  const catalog = new ClusterCatalog(store);
  const workspaces = Array.from({ length: 6 }, () => newSid('WS'));
  try {
    // The node takes the six leases (the fence claims a workspace nobody holds).
    for (const ws of workspaces) {
      await store.replaying(() => store.transaction((repo) => repo.appendEvent(event(ws))));
      await store.durable();
    }
    // Shuffle the rows' physical order, as renewals and claims over hours do.
    await withPostgresClient(url, async (c) => {
      for (const ws of [...workspaces].reverse()) await c.query(`UPDATE workspace_leases SET epoch = epoch + 1 WHERE workspace_sid = $1`, [ws]);
    });
    const until = Date.now() + 3000;
    let groups = 0;
    const failures: string[] = [];
    await Promise.all([
      (async () => {
        while (Date.now() < until) {
          // One group: six transactions, one per workspace, in a random order.
          for (const ws of [...workspaces].sort(() => Math.random() - 0.5)) store.transaction((repo) => repo.appendEvent(event(ws)));
          try {
            await store.durable();
            groups++;
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      })(),
      (async () => {
        while (Date.now() < until) {
          assert.equal((await catalog.renewRound('node-a', true, null, 60_000)).kept.length, 6);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    ]);
    assert.deepEqual(failures, [], `${failures.length} of ${groups + failures.length} groups failed`);
    assert.ok(groups > 100, `only ${groups} groups`);
  } finally {
    store.close();
  }
});
