import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import type { Activity, Worker } from '../../src/core/entities.ts';
import type { Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const WS = newSid('WS');
const AC = newSid('AC');

function activity(name: string, available: boolean): Activity {
  return { sid: newSid('WA'), accountSid: AC, workspaceSid: WS, friendlyName: name, available, dateCreated: 1, dateUpdated: 1, version: 0 };
}

function worker(name: string): Worker {
  return {
    sid: newSid('WK'), accountSid: AC, workspaceSid: WS, friendlyName: name, activitySid: 'WA', attributes: '{}',
    dateStatusChanged: 1, dateCreated: 1, dateUpdated: 1, version: 0,
  };
}

/** One backend of the store port: how to open a fresh store, and a second connection to the same data. */
interface Backend {
  name: string;
  skip: string | false;
  fresh(): Promise<{ store: Store; reopen(): Promise<Store>; cleanup(): void }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'SqliteStore',
    skip: false,
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'sb-store-'));
      const path = join(dir, 'db.sqlite');
      return { store: new SqliteStore(path), reopen: async () => new SqliteStore(path), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgresStore',
    skip: skipWithoutPostgres,
    async fresh() {
      const url = await freshDatabase('store');
      return { store: await PostgresStore.open(url), reopen: () => PostgresStore.open(url), cleanup: () => undefined };
    },
  },
];

for (const backend of BACKENDS) {
async function withStore(fn: (store: Store, reopen: () => Promise<Store>) => void | Promise<void>) {
  const { store, reopen, cleanup } = await backend.fresh();
  try {
    await fn(store, reopen);
  } finally {
    store.close();
    cleanup();
  }
}

describe(backend.name, { skip: backend.skip }, () => {
  it('filters by equality, case-insensitive match, IN and booleans', () => {
    return withStore((store) => {
      store.transaction((repo) => {
        repo.insert('activity', activity('Offline', false));
        repo.insert('activity', activity('Available', true));
        repo.insert('activity', activity('Busy', false));
      });
      store.read((repo) => {
        assert.deepEqual(repo.findAll('activity', { available: true }).map((a) => a.friendlyName), ['Available']);
        assert.deepEqual(repo.findAll('activity', { available: false }).map((a) => a.friendlyName), ['Offline', 'Busy']);
        assert.equal(repo.findOne('activity', { friendlyName: { ci: 'bUsY' } })?.friendlyName, 'Busy');
        assert.equal(repo.count('activity', { friendlyName: { in: ['Busy', 'Offline'] } }), 2);
        assert.equal(repo.count('activity', { friendlyName: { in: [] } }), 0);
        assert.equal(repo.count('activity', { workspaceSid: newSid('WS') }), 0);
      });
    });
  });

  it('keyset pages stay correct while rows are inserted and deleted between pages', () => {
    return withStore((store) => {
      const sids: string[] = [];
      store.transaction((repo) => {
        for (let i = 0; i < 5; i++) {
          const a = activity(`A${i}`, false);
          sids.push(a.sid);
          repo.insert('activity', a);
        }
      });
      const first = store.read((repo) => repo.page('activity', { workspaceSid: WS }, { limit: 2 }));
      assert.deepEqual(first.items.map((a) => a.friendlyName), ['A0', 'A1']);
      assert.equal(first.hasMore, true);
      assert.equal(first.hasPrevious, false);
      // A row before the cursor disappears and one is added at the end: the next page neither skips nor repeats.
      store.transaction((repo) => {
        repo.delete('activity', sids[0]!);
        repo.insert('activity', activity('A5', false));
      });
      const second = store.read((repo) => repo.page('activity', { workspaceSid: WS }, { after: first.positions[1]!, limit: 2 }));
      assert.deepEqual(second.items.map((a) => a.friendlyName), ['A2', 'A3']);
      const third = store.read((repo) => repo.page('activity', { workspaceSid: WS }, { after: second.positions[1]!, limit: 2 }));
      assert.deepEqual(third.items.map((a) => a.friendlyName), ['A4', 'A5']);
      assert.equal(third.hasMore, false);
      const back = store.read((repo) => repo.page('activity', { workspaceSid: WS }, { before: third.positions[0]!, limit: 2 }));
      assert.deepEqual(back.items.map((a) => a.friendlyName), ['A2', 'A3']);
      assert.equal(back.hasPrevious, true);
    });
  });

  it('rolls back the whole transaction when the work throws', () => {
    return withStore((store) => {
      assert.throws(() =>
        store.transaction((repo) => {
          repo.insert('activity', activity('Kept?', false));
          throw new Error('boom');
        }),
      );
      assert.equal(store.read((repo) => repo.count('activity', {})), 0);
    });
  });

  it('enforces case-insensitive unique worker names per workspace in the database itself', () => {
    return withStore((store) => {
      store.transaction((repo) => repo.insert('worker', worker('Alice')));
      assert.throws(() => store.transaction((repo) => repo.insert('worker', worker('alice'))), /UNIQUE|unique key/);
      const renamed = store.read((repo) => repo.findOne('worker', { friendlyName: 'Alice' }))!;
      store.transaction((repo) => repo.update('worker', { ...renamed, friendlyName: 'Bob' }));
      store.transaction((repo) => repo.insert('worker', worker('ALICE')));
      assert.equal(store.read((repo) => repo.count('worker', {})), 2);
    });
  });

  it('reopens a file with its data and applies migrations only once', async () => {
    await withStore(async (store, reopen) => {
      store.transaction((repo) => repo.insert('activity', activity('Persisted', true)));
      await store.durable();
      const again = await reopen();
      try {
        assert.equal(again.read((repo) => repo.findOne('activity', { friendlyName: 'Persisted' }))?.available, true);
      } finally {
        again.close();
      }
    });
  });

  it('rejects field names that are not plain identifiers (no SQL through filter keys)', async () => {
    await withStore((store) => {
      assert.throws(() => store.read((repo) => repo.findAll('activity', { ["friendlyName') OR 1=1 --"]: 'x' } as any)), /bad field name/);
    });
  });
});

describe(`${backend.name}: group commit`, { skip: backend.skip }, () => {
  it('commits the transactions of one event-loop turn together, after which durable() resolves and listeners run', async () => {
    await withStore(async (store, reopen) => {
      const other = await reopen();
      const seen: string[][] = [];
      store.onCommit((events) => seen.push(events.map((e) => e.sid)));
      const ev = (sid: string) => ({ sid, accountSid: 'AC1', workspaceSid: 'WS1', eventType: 'test', actorType: 'account', actorSid: 'AC1', resourceType: 'x', resourceSid: 'x', description: '', eventData: {}, dateMs: 0 });
      store.transaction((repo) => repo.appendEvent(ev('EV1')));
      assert.throws(() => store.transaction((repo) => { repo.appendEvent(ev('EV2')); throw new Error('undo me'); }), /undo me/);
      store.transaction((repo) => repo.appendEvent(ev('EV3')));
      try {
        assert.equal(other.read((repo) => repo.eventsFor('WS1').length), 0, 'nothing visible to another connection before the commit');
        assert.deepEqual(seen, [], 'listeners wait for the commit');
        await store.durable();
        assert.deepEqual(other.read((repo) => repo.eventsFor('WS1').map((e) => e.sid)), ['EV1', 'EV3'], 'one commit; the failed transaction alone was rolled back');
        assert.deepEqual(seen, [['EV1', 'EV3']]);
      } finally {
        other.close();
      }
    });
  });
});
}
