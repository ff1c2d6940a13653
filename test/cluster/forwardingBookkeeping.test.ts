// A forwarded request's bookkeeping rows (the request, its claim, its answer and their removal) announce
// themselves to the other nodes when they are committed (a request for a workspace that does not exist is not
// written at all), and their commits do not wait for PostgreSQL's WAL
// flush (clusterCatalog.ts, UNFLUSHED): only the owner's execution, an ordinary commit group, is flushed before
// anyone is answered, and it flushes the bookkeeping written before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { ClusterCatalog } from '../../src/store/postgres/clusterCatalog.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase, skipWithoutPostgres, storedWorkspace } from '../support/postgres.ts';

const request = { method: 'GET', url: '/v1/Workspaces', headers: {}, body: '' };
const response = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

/** The server's WAL flushes so far. A process reports its counts at the end of a transaction at most once a
 *  second, so the store's own connection is made to end one after a second's pause first. */
async function walSyncs(store: PostgresStore, observer: pg.Client): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await store.queryAside('SELECT 1');
  const { rows } = await observer.query('SELECT wal_sync::text AS n FROM pg_stat_wal');
  return Number(rows[0].n);
}

describe('the bookkeeping of forwarded requests', { skip: skipWithoutPostgres }, () => {
  it('announces each step once its row is committed', { timeout: 60_000 }, async () => {
    const url = await freshDatabase('forwarding');
    const receiver = await PostgresStore.open(url);
    const owner = await PostgresStore.open(url);
    const catalogs = { receiver: new ClusterCatalog(receiver), owner: new ClusterCatalog(owner) };
    try {
      const ws = await storedWorkspace(receiver);
      const heard: string[] = [];
      // Both LISTENs are in place before anything is forwarded: a notification sent before its LISTEN is not
      // delivered, and the test waited for it forever (CI, once).
      let wasSeen!: () => void;
      const seen = new Promise<void>((resolve) => (wasSeen = resolve));
      await catalogs.owner.listen('sb_forward', async (payload) => {
        // The row is there for the owner to claim when the announcement arrives.
        const claimed = await catalogs.owner.claimForwarded('owner-node', [payload], 10, 10_000);
        heard.push(`forward ${payload} ${claimed.length}`);
        for (const r of claimed) await catalogs.owner.answerForwarded(r.id, response);
        wasSeen();
      });
      let wasAnswered!: (id: number) => void;
      const answered = new Promise<number>((resolve) => (wasAnswered = resolve));
      await catalogs.receiver.listen('sb_forward_done', (id) => wasAnswered(Number(id)));
      assert.equal(await catalogs.receiver.forward(newSid('WS'), request), undefined, 'no such workspace: nothing forwarded');
      const id = (await catalogs.receiver.forward(ws, request))!;
      await seen;
      assert.equal(await answered, id);
      assert.deepEqual(heard, [`forward ${ws} 1`]);
      assert.deepEqual(await catalogs.receiver.takeResponse(id), response);
      assert.equal(await catalogs.receiver.takeResponse(id), undefined, 'taken once');
      assert.deepEqual(await receiver.queryAside('SELECT id FROM forwarded_requests'), []);
    } finally {
      receiver.close();
      owner.close();
    }
  });

  it('does not wait for a WAL flush at each step', { timeout: 60_000 }, async () => {
    const url = await freshDatabase('forwarding_flushes');
    const store = await PostgresStore.open(url);
    const catalog = new ClusterCatalog(store);
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    try {
      const ws = await storedWorkspace(store);
      const cycles = 40;
      const before = await walSyncs(store, observer);
      for (let i = 0; i < cycles; i++) {
        const id = (await catalog.forward(ws, request))!;
        assert.deepEqual((await catalog.claimForwarded('node', [ws], 1, 10_000)).map((r) => r.id), [id]);
        await catalog.answerForwarded(id, response);
        assert.deepEqual(await catalog.takeResponse(id), response);
      }
      const syncs = (await walSyncs(store, observer)) - before;
      // Committed synchronously, each cycle's four writes would flush four times (160); PostgreSQL's WAL writer
      // flushes the unflushed commits in the background, a few times a second.
      assert.ok(syncs < cycles, `${syncs} WAL flushes for ${cycles} forwarded requests`);
    } finally {
      await observer.end();
      store.close();
    }
  });
});
