// The PostgreSQL store's aux connection (not pipelined: migrations and LISTEN run on it) takes concurrent callers
// (the lease keeper, forwarding, retention, listeners) one query at a time, in order, without handing pg a query
// while another runs: pg 8 accepts that with a deprecation warning and pg 9 will refuse it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

describe('the aux connection', { skip: skipWithoutPostgres }, () => {
  it('runs concurrent queries one after the other, in order, with no warning from pg', async () => {
    const store = await PostgresStore.open(await freshDatabase('aux_queries'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.queryAside<{ n: number }>('SELECT $1::int AS n, pg_sleep(0.005)', [i]).then((rows) => rows[0]!.n)),
      );
      assert.deepEqual(answers, [0, 1, 2, 3, 4, 5, 6, 7]);
      // A failing query does not stop the ones behind it.
      const [failed, after] = await Promise.allSettled([store.queryAside('SELECT * FROM no_such_table'), store.queryAside<{ ok: number }>('SELECT 1 AS ok')]);
      assert.equal(failed.status, 'rejected');
      assert.deepEqual(after.status === 'fulfilled' && after.value, [{ ok: 1 }]);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((m) => m.includes('already executing a query')), []);
    } finally {
      process.off('warning', onWarning);
      store.close();
    }
  });
});
