// An event row's data holds only what its columns do not (storeSchema.ts, compactEvent / eventFromRow), on both
// stores: the values the columns hold are `[]` in the stored JSON, every read of the log gives the event back
// exactly as written (same values, same key order), a row written whole before the change reads the same, values
// a column cannot hold exactly stay in the JSON, and filters on fields left in the JSON still match.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../src/core/entities.ts';
import type { EventQuery, Repository, Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';
import { withPostgresClient } from '../support/postgres.ts';
import { storeBackends } from '../support/storeBackends.ts';
import { withSqliteFile } from '../support/sqlite.ts';

const AC = 'AC' + 'e'.repeat(32);
const write = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.transaction(work));
const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));

/** Both backends, with the stored JSON of an event read and rewritten beside the store. */
const BACKENDS = storeBackends('evdata', {
  sqlite: (path) => ({
    data: async (sid: string) => withSqliteFile(path, (db) => (db.prepare('SELECT data FROM events WHERE sid = ?').get(sid) as { data: string }).data),
    rewrite: async (sid: string, data: string) => void withSqliteFile(path, (db) => db.prepare('UPDATE events SET data = ? WHERE sid = ?').run(data, sid)),
  }),
  postgres: (url) => ({
    data: (sid: string): Promise<string> => withPostgresClient(url, async (c) => (await c.query('SELECT data::text AS data FROM events WHERE sid = $1', [sid])).rows[0].data),
    rewrite: (sid: string, data: string) => withPostgresClient(url, async (c) => void (await c.query('UPDATE events SET data = $1 WHERE sid = $2', [data, sid]))),
  }),
});

const WS = newSid('WS');
// Near now: getEvent finds an event by the time its sid carries.
const T0 = Date.now();

function event(n: number, eventData: EventRecord['eventData']): EventRecord {
  return {
    sid: newSid('EV'), accountSid: AC, workspaceSid: WS, actorType: 'account', actorSid: AC, dateMs: T0 + n, eventType: 'reservation.accepted',
    resourceType: 'reservation', resourceSid: newSid('WR'), description: `event ${n}`, eventData,
  };
}

/** A lifecycle event's data with every field a column holds, and some that stay in the JSON. */
const full = event(1, {
  // Backslashes, quotes, control characters and non-ASCII in a value come back as written from either store.
  workspace_sid: WS, task_sid: newSid('WT'), task_attributes: JSON.stringify({ language: 'fr', note: 'back\\slash "quoted"\ttab\nline\r ü 🚀 \\N \\.' }), task_age: 12, worker_sid: newSid('WK'), reservation_sid: newSid('WR'),
  task_queue_sid: newSid('WQ'), workflow_sid: newSid('WW'), task_channel_sid: newSid('TC'), task_channel_unique_name: 'default', worker_activity_sid: newSid('WA'),
});
/** Fields a column cannot hold exactly: a null, a number and a boolean where SIDs go. */
const odd = event(2, { task_sid: null, worker_sid: 7, reservation_sid: true, workflow_sid: newSid('WW'), task_age: 3 });
/** The same event as `full`, to be stored whole (as every event was before the change). */
const legacy = { ...event(3, { ...full.eventData }), eventType: 'task.completed' };
const WRITTEN = [full, odd, legacy];

const same = (actual: unknown, expected: unknown, what: string) => assert.equal(JSON.stringify(actual), JSON.stringify(expected), what);

for (const backend of BACKENDS) {
  describe(`event data (${backend.name})`, { skip: backend.skip }, () => {
    it('stores only what the columns do not hold, and every read gives the events back as written, a whole legacy row too', async () => {
      const { store, reopen, data, rewrite, cleanup } = await backend.fresh();
      let reopened: Store | undefined;
      try {
        await write(store, (repo) => WRITTEN.forEach((e) => repo.appendEvent(e)));
        await store.durable();
        const stored = await data(full.sid);
        for (const value of [full.sid, AC, WS, full.resourceSid, full.eventData.task_sid, full.eventData.worker_sid, full.eventData.task_queue_sid]) {
          assert.ok(!stored.includes(String(value)), `${value} is held by a column: ${stored}`);
        }
        assert.match(stored, /"task_sid":\[\]/);
        assert.ok(stored.includes('"task_attributes"') && stored.includes(String(full.eventData.worker_activity_sid)), 'the fields no column holds stay');
        assert.ok(stored.length < JSON.stringify(full).length * 0.75, `${stored.length} of ${JSON.stringify(full).length} characters`);
        await rewrite(legacy.sid, JSON.stringify(legacy));

        reopened = await reopen();
        const window: EventQuery = { workspaceSid: WS, fromMs: T0, toMs: T0 + 10 };
        const reads = await read(reopened, (repo) => ({
          page: repo.queryEvents(window, { limit: 10 }).items,
          matching: repo.eventsMatching(window),
          after: repo.eventsAfter(WS, 0, 10).map((x) => x.event),
          all: repo.eventsFor(WS),
          one: WRITTEN.map((e) => repo.getEvent(WS, e.sid)),
          byTask: repo.eventsMatching({ ...window, data: { task_sid: [String(full.eventData.task_sid)] } }),
          byActivity: repo.eventsMatching({ ...window, data: { worker_activity_sid: [String(full.eventData.worker_activity_sid)] } }),
          byWorkspaceField: repo.eventsMatching({ ...window, data: { workspace_sid: [WS] } }),
        }));
        for (const [what, events] of Object.entries(reads).filter(([k]) => !k.startsWith('by'))) same(events, WRITTEN, what);
        // A filter on a column finds the compact row and the legacy one; on a field left in the JSON, the same.
        same(reads.byTask, [full, legacy], 'by task_sid (a column)');
        same(reads.byActivity, [full, legacy], 'by worker_activity_sid (in the JSON)');
        same(reads.byWorkspaceField, [full, legacy], 'by event_data workspace_sid (held where it is the workspace)');
      } finally {
        store.close();
        reopened?.close();
        cleanup();
      }
    });
  });
}
