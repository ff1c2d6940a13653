import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import type { Activity, Worker } from '../../src/core/entities.ts';
import type { Repository, Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';
import { storeBackends } from '../support/storeBackends.ts';

/** Reads and writes through the store's read replay (PostgreSQL fetches what memory lacks asynchronously). */
const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));
const write = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.transaction(work));
/** A write and its commit: a refusal comes from either (SQLite checks each statement as it runs; PostgreSQL
 *  sends the group as one batch and learns of it at COMMIT). */
const committed = async <T>(store: Store, work: (repo: Repository) => T): Promise<T> => {
  const result = await write(store, work);
  await store.durable();
  return result;
};

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

/** Both backends of the store port (test/support/storeBackends.ts). */
const BACKENDS = storeBackends('store');

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
    return withStore(async (store) => {
      await write(store, (repo) => {
        repo.insert('activity', activity('Offline', false));
        repo.insert('activity', activity('Available', true));
        repo.insert('activity', activity('Busy', false));
      });
      // Replayed work must read the same things each time: the unknown workspace is drawn once, outside it.
      const nowhere = newSid('WS');
      await read(store, (repo) => {
        assert.deepEqual(repo.findAll('activity', { available: true }).map((a) => a.friendlyName), ['Available']);
        assert.deepEqual(repo.findAll('activity', { available: false }).map((a) => a.friendlyName), ['Offline', 'Busy']);
        assert.equal(repo.findOne('activity', { friendlyName: { ci: 'bUsY' } })?.friendlyName, 'Busy');
        assert.equal(repo.count('activity', { friendlyName: { in: ['Busy', 'Offline'] } }), 2);
        assert.equal(repo.count('activity', { friendlyName: { in: [] } }), 0);
        assert.equal(repo.count('activity', { workspaceSid: nowhere }), 0);
      });
    });
  });

  it('keyset pages stay correct while rows are inserted and deleted between pages', () => {
    return withStore(async (store) => {
      const sids: string[] = [];
      await write(store, (repo) => {
        for (let i = 0; i < 5; i++) {
          const a = activity(`A${i}`, false);
          sids.push(a.sid);
          repo.insert('activity', a);
        }
      });
      const first = await read(store, (repo) => repo.page('activity', { workspaceSid: WS }, { limit: 2 }));
      assert.deepEqual(first.items.map((a) => a.friendlyName), ['A0', 'A1']);
      assert.equal(first.hasMore, true);
      assert.equal(first.hasPrevious, false);
      // A row before the cursor disappears and one is added at the end: the next page neither skips nor repeats.
      await write(store, (repo) => {
        repo.delete('activity', sids[0]!);
        repo.insert('activity', activity('A5', false));
      });
      const second = await read(store, (repo) => repo.page('activity', { workspaceSid: WS }, { after: first.positions[1]!, limit: 2 }));
      assert.deepEqual(second.items.map((a) => a.friendlyName), ['A2', 'A3']);
      const third = await read(store, (repo) => repo.page('activity', { workspaceSid: WS }, { after: second.positions[1]!, limit: 2 }));
      assert.deepEqual(third.items.map((a) => a.friendlyName), ['A4', 'A5']);
      assert.equal(third.hasMore, false);
      const back = await read(store, (repo) => repo.page('activity', { workspaceSid: WS }, { before: third.positions[0]!, limit: 2 }));
      assert.deepEqual(back.items.map((a) => a.friendlyName), ['A2', 'A3']);
      assert.equal(back.hasPrevious, true);
    });
  });

  it('rolls back the whole transaction when the work throws', () => {
    return withStore(async (store) => {
      await assert.rejects(() =>
        write(store, (repo) => {
          repo.insert('activity', activity('Kept?', false));
          throw new Error('boom');
        }),
      );
      assert.equal(await read(store, (repo) => repo.count('activity', {})), 0);
    });
  });

  it('enforces case-insensitive unique worker names per workspace in the database itself', () => {
    return withStore(async (store) => {
      await committed(store, (repo) => repo.insert('worker', worker('Alice')));
      await assert.rejects(() => committed(store, (repo) => repo.insert('worker', worker('alice'))), /UNIQUE|unique key/);
      const renamed = (await read(store, (repo) => repo.findOne('worker', { friendlyName: 'Alice' })))!;
      await committed(store, (repo) => repo.update('worker', { ...renamed, friendlyName: 'Bob' }));
      await committed(store, (repo) => repo.insert('worker', worker('ALICE')));
      assert.equal(await read(store, (repo) => repo.count('worker', {})), 2);
    });
  });

  it('reopens a file with its data and applies migrations only once', async () => {
    await withStore(async (store, reopen) => {
      await write(store, (repo) => repo.insert('activity', activity('Persisted', true)));
      await store.durable();
      const again = await reopen();
      try {
        assert.equal((await read(again, (repo) => repo.findOne('activity', { friendlyName: 'Persisted' })))?.available, true);
      } finally {
        again.close();
      }
    });
  });

  it('rejects field names that are not plain identifiers (no SQL through filter keys)', async () => {
    await withStore(async (store) => {
      await assert.rejects(() => read(store, (repo) => repo.findAll('activity', { ["friendlyName') OR 1=1 --"]: 'x' } as any)), /bad field name/);
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
      await write(store, (repo) => repo.appendEvent(ev('EV1')));
      await assert.rejects(() => write(store, (repo) => { repo.appendEvent(ev('EV2')); throw new Error('undo me'); }), /undo me/);
      await write(store, (repo) => repo.appendEvent(ev('EV3')));
      try {
        // Checked before anything waits for I/O: PostgreSQL's group leaves at the next turn, and a read through
        // another connection is a round trip that may see it committed (its COMMIT is already sent).
        assert.deepEqual(seen, [], 'listeners wait for the commit');
        if (backend.name === 'SqliteStore') assert.equal(await read(other, (repo) => repo.eventsFor('WS1').length), 0, 'nothing visible to another connection before the commit');
        await store.durable();
        assert.deepEqual(await read(other, (repo) => repo.eventsFor('WS1').map((e) => e.sid)), ['EV1', 'EV3'], 'the failed transaction alone was rolled back');
        assert.deepEqual(seen, [['EV1', 'EV3']], 'one commit');
        if (backend.name === 'PostgresStore') {
          const txs = await (store as PostgresStore).queryAside<{ tx: string }>(`SELECT DISTINCT tx_id::text AS tx FROM events WHERE workspace_sid = 'WS1'`);
          assert.equal(txs.length, 1, 'one database transaction');
        }
      } finally {
        other.close();
      }
    });
  });
});
}

// Two nodes on one PostgreSQL database, each its own PostgresStore (its own connections), racing.
describe('PostgresStore: two nodes racing', { skip: skipWithoutPostgres }, () => {
  const reservation = (status: string, version: number) => ({
    sid: 'WR' + 'ab'.repeat(16), accountSid: AC, workspaceSid: WS, taskSid: 'WT1', workerSid: 'WK1', reservationStatus: status,
    dateCreated: 1, dateUpdated: 1, version,
  });

  it('a conditional write refuses a document another node changed since this one read it (no double accept, no lost update)', async () => {
    const url = await freshDatabase('race');
    const a = await PostgresStore.open(url);
    const b = await PostgresStore.open(url);
    try {
      await write(a, (repo) => repo.insert('reservation', reservation('pending', 0) as any));
      await a.durable();
      // Both nodes read the pending reservation...
      const seenByA = (await read(a, (repo) => repo.get('reservation', 'WR' + 'ab'.repeat(16))))!;
      const seenByB = (await read(b, (repo) => repo.get('reservation', 'WR' + 'ab'.repeat(16))))!;
      assert.equal(seenByA.version, 0);
      assert.equal(seenByB.version, 0);
      // ...A accepts it first...
      await write(a, (repo) => repo.update('reservation', { ...seenByA, reservationStatus: 'accepted', workerSid: 'WK-A', version: 1 } as any));
      await a.durable();
      // ...so B's accept (from the same stale read) is refused and changes nothing, whichever write it uses.
      await assert.rejects(
        () => committed(b, (repo) => repo.update('reservation', { ...seenByB, reservationStatus: 'accepted', workerSid: 'WK-B', version: 1 } as any)),
        (err: any) => err.status === 409 && err.code === 20409,
      );
      await assert.rejects(() => committed(b, (repo) => repo.updateIfPresent('reservation', { ...seenByB, reservationStatus: 'rejected', version: 1 } as any)), (err: any) => err.status === 409);
      const stored = (await read(b, (repo) => repo.get('reservation', 'WR' + 'ab'.repeat(16))))!;
      assert.equal(stored.reservationStatus, 'accepted');
      assert.equal((stored as any).workerSid, 'WK-A');
      // Having read the current version, B may write again.
      await write(b, (repo) => repo.update('reservation', { ...stored, reservationStatus: 'completed', version: 2 } as any));
      await b.durable();
      assert.equal((await read(a, (repo) => repo.get('reservation', 'WR' + 'ab'.repeat(16))))!.reservationStatus, 'completed');
    } finally {
      a.close();
      b.close();
    }
  });

  it('an update of a row another node deleted fails its group; updateIfPresent of it commits and writes nothing', async () => {
    const url = await freshDatabase('missing');
    const a = await PostgresStore.open(url);
    const b = await PostgresStore.open(url);
    const sid = 'WR' + 'ab'.repeat(16);
    try {
      await write(a, (repo) => repo.insert('reservation', reservation('pending', 0) as any));
      await a.durable();
      const seen = (await read(b, (repo) => repo.get('reservation', sid)))!;
      await write(a, (repo) => repo.delete('reservation', sid));
      await a.durable();
      await assert.rejects(
        () => committed(b, (repo) => repo.update('reservation', { ...seen, reservationStatus: 'accepted', version: 1 } as any)),
        (err: any) => err.code === 'SB404' && /update of a missing row: reservation WR/.test(err.message),
      );
      await committed(b, (repo) => repo.updateIfPresent('reservation', { ...seen, reservationStatus: 'rejected', version: 1 } as any));
      assert.equal(await read(a, (repo) => repo.get('reservation', sid)), undefined);
      assert.equal(await read(b, (repo) => repo.get('reservation', sid)), undefined);
    } finally {
      a.close();
      b.close();
    }
  });

  it('the lease fence: a node cannot commit writes to a workspace another node routes, and the first writer claims a free one', async () => {
    const url = await freshDatabase('fence');
    const a = await PostgresStore.open(url, { nodeId: 'node-a', leaseTtlMs: 60_000 });
    const b = await PostgresStore.open(url, { nodeId: 'node-b', leaseTtlMs: 60_000 });
    try {
      await write(a, (repo) => repo.insert('activity', activity('Claimed by A', true)));
      await a.durable();
      assert.equal(await read(a, (repo) => repo.count('activity', {})), 1);
      // B's commit touching the same workspace fails as a whole: the client is told to retry (503), nothing is stored.
      await write(b, (repo) => repo.insert('activity', activity('Written by B', true)));
      await assert.rejects(b.durable(), (err: any) => err.status === 503 && err.code === 20504);
      assert.deepEqual(await read(a, (repo) => repo.findAll('activity', {}).map((x) => x.friendlyName)), ['Claimed by A']);
      // Another workspace nobody routes: B's write claims it.
      const other = { ...activity('Elsewhere', true), workspaceSid: newSid('WS') };
      await write(b, (repo) => repo.insert('activity', other));
      await b.durable();
      assert.equal(await read(a, (repo) => repo.count('activity', { workspaceSid: other.workspaceSid })), 1);
      await assert.rejects(() => read(a, (repo) => repo.findAll('activity', { ["x') OR true --"]: 'x' } as any)), /bad field name/);
    } finally {
      a.close();
      b.close();
    }
  });

  it('the fence after a takeover: the old holder is refused, the new one commits, and a group holding one lease and claiming another does both', async () => {
    const url = await freshDatabase('fence_takeover');
    const a = await PostgresStore.open(url, { nodeId: 'node-a', leaseTtlMs: 60_000 });
    const b = await PostgresStore.open(url, { nodeId: 'node-b', leaseTtlMs: 60_000 });
    const lease = async (ws: string) => (await a.queryAside<{ node_id: string; expires_at: Date }>('SELECT node_id, expires_at FROM workspace_leases WHERE workspace_sid = $1', [ws]))[0];
    try {
      const first = activity('First', true);
      await write(a, (repo) => repo.insert('activity', first));
      await a.durable();
      // Holding: every commit extends the lease.
      const claimed = (await lease(first.workspaceSid))!;
      await new Promise((r) => setTimeout(r, 20));
      await write(a, (repo) => repo.insert('activity', activity('Second', true)));
      await a.durable();
      assert.ok((await lease(first.workspaceSid))!.expires_at > claimed.expires_at, 'the holder extends its lease');
      // A group that holds one workspace and touches a free one: both leases are A's after it.
      const elsewhere = { ...activity('Elsewhere', true), workspaceSid: newSid('WS') };
      await write(a, (repo) => {
        repo.insert('activity', activity('Third', true));
        repo.insert('activity', elsewhere);
      });
      await a.durable();
      assert.equal((await lease(elsewhere.workspaceSid))!.node_id, 'node-a');
      // B takes the first workspace over (as a lapsed lease is taken): A's next commit is refused whole.
      await a.queryAside(`UPDATE workspace_leases SET node_id = 'node-b', epoch = epoch + 1 WHERE workspace_sid = $1`, [first.workspaceSid]);
      await write(a, (repo) => {
        repo.insert('activity', activity('Late A', true));
        repo.insert('activity', { ...activity('Late A elsewhere', true), workspaceSid: elsewhere.workspaceSid });
      });
      await assert.rejects(a.durable(), (err: any) => err.status === 503 && err.code === 20504);
      await write(b, (repo) => repo.insert('activity', activity('From B', true)));
      await b.durable();
      const names = await read(b, (repo) => repo.findAll('activity', {}).map((x) => x.friendlyName).sort());
      assert.deepEqual(names, ['Elsewhere', 'First', 'From B', 'Second', 'Third']);
    } finally {
      a.close();
      b.close();
    }
  });
});
