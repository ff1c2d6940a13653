// The two backends of the store port, for tests that run the same assertions on both: a fresh database of each
// (a temporary SQLite file, or a new PostgreSQL database when SWITCHBOARD_TEST_POSTGRES names a server), a second
// store on the same data (`reopen`), and whatever a test adds to reach the database beside the store (rows the
// port does not show, an older schema), built per backend from the file's path or the database's URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/core/repository.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { freshDatabase, skipWithoutPostgres } from './postgres.ts';

export interface FreshStore {
  store: Store;
  /** Another store on the same data (as a restarted process opens it). */
  reopen(): Promise<Store>;
  /** Removes what fresh() created (the SQLite file's directory; a PostgreSQL database is left to its server). */
  cleanup(): void;
}

export interface StoreBackend<X> {
  name: 'SqliteStore' | 'PostgresStore';
  /** Why the backend is skipped (no PostgreSQL server), or false. */
  skip: string | false;
  fresh(): Promise<FreshStore & X>;
}

/** Both backends; `label` names the temporary files and databases, `extras` adds a test's own access per backend. */
export function storeBackends<X extends object = object>(label: string, extras?: { sqlite: (path: string) => X; postgres: (url: string) => X }): StoreBackend<X>[] {
  return [
    {
      name: 'SqliteStore',
      skip: false,
      async fresh() {
        const dir = mkdtempSync(join(tmpdir(), `sb-${label}-`));
        const path = join(dir, 'db.sqlite');
        const store = new SqliteStore(path);
        return { store, reopen: async () => new SqliteStore(path), cleanup: () => rmSync(dir, { recursive: true, force: true }), ...(extras?.sqlite(path) as X) };
      },
    },
    {
      name: 'PostgresStore',
      skip: skipWithoutPostgres,
      async fresh() {
        const url = await freshDatabase(label);
        const store = await PostgresStore.open(url);
        return { store, reopen: () => PostgresStore.open(url), cleanup: () => undefined, ...(extras?.postgres(url) as X) };
      },
    },
  ];
}

/** Runs `test` on a fresh database of `backend`, its store in `db.store` (a test may reopen it there), then closes
 *  whichever store is open and removes the database. */
export async function onFreshStore<X>(backend: StoreBackend<X>, test: (b: FreshStore & X, db: { store: Store }) => Promise<void>): Promise<void> {
  const b = await backend.fresh();
  const db = { store: b.store };
  try {
    await test(b, db);
  } finally {
    db.store.close();
    b.cleanup();
  }
}
