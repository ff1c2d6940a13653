// A commit group goes to PostgreSQL as one implicit transaction: its statements' Bind and Execute, then one Sync
// (store/postgres/oneSyncTransaction.ts). On a real server: one result per statement, all of it committed or
// none of it (the first error rolls back what ran before it and skips what follows), and the connection's
// record of prepared statements stays true whatever failed, so the statements after a failure still run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { runInOneSync } from '../../src/store/postgres/oneSyncTransaction.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const INSERT = { name: 'one_sync_insert', text: 'INSERT INTO items (id, note) VALUES ($1, $2)' };
const COUNT = { name: 'one_sync_count', text: 'SELECT count(*)::int AS n, max(id) AS top FROM items' };

describe('runInOneSync', { skip: skipWithoutPostgres }, () => {
  let client: pg.Client;
  const count = async () => (await client.query('SELECT count(*)::int AS n FROM items')).rows[0].n as number;

  before(async () => {
    client = new pg.Client({ connectionString: await freshDatabase('onesync'), pipeline: true } as pg.ClientConfig);
    await client.connect();
    await client.query('CREATE TABLE items (id int PRIMARY KEY, note text, tags text[])');
  });
  after(async () => client?.end());

  it('answers one result per statement, named and unnamed, in order, and commits them together', async () => {
    const results = await runInOneSync(client, [
      { ...INSERT, values: [1, 'a'] },
      { text: 'INSERT INTO items (id, note, tags) VALUES ($1, $2, $3) RETURNING tags', values: [2, 'b', ['x', 'y']] },
      { ...COUNT, values: [] },
      { text: 'SELECT pg_current_xact_id()::text AS tx', values: [] },
      { text: 'SELECT pg_current_xact_id()::text AS tx', values: [] },
    ]);
    assert.deepEqual(results.map((r) => r.command), ['INSERT', 'INSERT', 'SELECT', 'SELECT', 'SELECT']);
    assert.deepEqual(results[1]!.rows, [{ tags: ['x', 'y'] }]);
    assert.deepEqual(results[2]!.rows, [{ n: 2, top: 2 }]);
    // One transaction: every statement saw the same transaction id.
    assert.equal(results[3]!.rows[0].tx, results[4]!.rows[0].tx);
    assert.equal(await count(), 2);
  });

  it('rolls back everything at the first error, which it answers, and runs nothing after it', async () => {
    const update = { name: 'one_sync_update', text: 'UPDATE items SET note = $2 WHERE id = $1' };
    await assert.rejects(
      runInOneSync(client, [
        { ...INSERT, values: [3, 'c'] },
        { ...INSERT, values: [1, 'duplicate'] },
        // Prepared in its own batch before this transaction, never executed: the next use must still find it.
        { ...update, values: [1, 'changed'] },
      ]),
      (err: { code?: string }) => err.code === '23505',
    );
    assert.equal(await count(), 2);
    assert.equal((await client.query('SELECT note FROM items WHERE id = 1')).rows[0].note, 'a');
    const results = await runInOneSync(client, [
      { ...update, values: [1, 'changed'] },
      { ...INSERT, values: [3, 'c'] },
    ]);
    assert.equal(results[0]!.rowCount, 1);
    assert.equal(await count(), 3);
  });

  it("answers a statement that does not parse with PostgreSQL's error, and the connection goes on", async () => {
    await assert.rejects(
      runInOneSync(client, [
        { ...INSERT, values: [4, 'd'] },
        { name: 'one_sync_broken', text: 'INSERT INTO nowhere VALUES ($1)', values: [1] },
      ]),
      (err: { code?: string }) => err.code === '42P01',
    );
    assert.equal(await count(), 3);
    const [inserted] = await runInOneSync(client, [{ ...INSERT, values: [4, 'd'] }]);
    assert.equal(inserted!.rowCount, 1);
    assert.equal(await count(), 4);
  });
});
