// A cluster node's PostgreSQL sessions carry the bounds of src/store/postgres/sessionTimeouts.ts, derived from
// its lease TTL: checked on a real server over TCP, where the keepalives apply.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sessionTimeouts } from '../../src/store/postgres/sessionTimeouts.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

describe('session timeouts', { skip: skipWithoutPostgres }, () => {
  it('bound transactions, statements, lock waits and a silent peer by the lease TTL', async () => {
    const client = new pg.Client({ connectionString: await freshDatabase('timeouts'), ...sessionTimeouts(24_000) } as pg.ClientConfig);
    await client.connect();
    try {
      const show = async (name: string) => (await client.query(`SHOW ${name}`)).rows[0][name];
      assert.equal(await show('idle_in_transaction_session_timeout'), '12s');
      assert.equal(await show('statement_timeout'), '12s');
      assert.equal(await show('lock_timeout'), '6s');
      // Idle 6 s, then 3 probes 2 s apart: a frozen peer is dropped about TTL/2 after it went silent.
      assert.equal(await show('tcp_keepalives_idle'), '6');
      assert.equal(await show('tcp_keepalives_interval'), '2');
      assert.equal(await show('tcp_keepalives_count'), '3');
    } finally {
      await client.end();
    }
  });

  it('never asks for less than a second of keepalive', () => {
    assert.match(sessionTimeouts(2_000).options, /tcp_keepalives_idle=1 .*tcp_keepalives_interval=1 /);
  });
});
