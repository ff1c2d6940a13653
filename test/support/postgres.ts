// PostgreSQL for tests: `npm test` (scripts/run-tests.mjs) starts one throwaway server when PostgreSQL is
// installed and passes its URL in SWITCHBOARD_TEST_POSTGRES; each caller gets a database of its own. Without
// it, PostgreSQL tests are skipped locally and fail under CI (CI must run them).
import pg from 'pg';
import type { Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';

export const postgresUrl = process.env.SWITCHBOARD_TEST_POSTGRES;

/** The `skip` option for node:test: a reason when PostgreSQL is not available here. */
export const skipWithoutPostgres: string | false = postgresUrl
  ? false
  : process.env.CI
    ? false // under CI the tests run and fail loudly instead of being skipped
    : 'PostgreSQL is not installed (SWITCHBOARD_TEST_POSTGRES unset)';

let counter = 0;

/** Creates an empty database on the test server (or on `server`, the URL of another one) and returns its URL. */
export async function freshDatabase(label = 'test', server = postgresUrl): Promise<string> {
  if (!server) throw new Error('SWITCHBOARD_TEST_POSTGRES is not set: PostgreSQL tests need the server scripts/run-tests.mjs starts');
  const name = `sb_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${process.pid}_${++counter}_${Date.now() % 100000}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `work` on a connection of its own to `url` (a test reading or rewriting rows beside a store), closed
 *  after it. */
export async function withPostgresClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A workspace row committed through `store` (a forwarded request names a workspace that exists), its SID. */
export async function storedWorkspace(store: Store): Promise<string> {
  const sid = newSid('WS');
  store.transaction((repo) => repo.insert('workspace', { sid, accountSid: newSid('AC'), friendlyName: sid } as never));
  await store.durable();
  return sid;
}
