// Bounded growth of the event log, on both stores: the per-minute rollups that cumulative statistics read give
// exactly what summing the raw events gives, over random windows and filters (including windows that are not
// whole minutes, events not folded into the rollups yet, before and after a restart, and after a migration
// that backfills the rollups of an existing database); and retention
// prunes expired events and rollups in batches, keeping recent events and those a webhook receiver is owed,
// with statistics over what is kept still exact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import { EventRetention } from '../../src/store/retention.ts';
import type { EventRecord, Workspace } from '../../src/core/entities.ts';
import type { EventQuery, EventTypeTotals, ActivityTimeTotals, Repository, Store } from '../../src/core/repository.ts';
import { newSid } from '../../src/core/sid.ts';
import { EVENT_INSERT_COLUMNS, eventRow, wholeMinutes } from '../../src/store/storeSchema.ts';
import { ROLLUP_FOLD_EVERY } from '../../src/store/rollupFolds.ts';
import { storeBackends } from '../support/storeBackends.ts';

const read = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.read(work));
const write = <T>(store: Store, work: (repo: Repository) => T): Promise<T> => store.replaying(() => store.transaction(work));

/** A deterministic generator, so a failure can be replayed (the seed is in the test's name). */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

const TYPES = [
  'reservation.created', 'reservation.accepted', 'reservation.rejected', 'reservation.timeout', 'reservation.canceled', 'reservation.rescinded',
  'task.created', 'task.canceled', 'task.completed', 'task.deleted', 'task.system-deleted', 'task-queue.entered', 'task-queue.moved',
  'task-queue.timeout', 'workflow.entered', 'workflow.timeout', 'worker.activity.update', 'task.updated',
];
const RESERVATION_TYPES = TYPES.filter((t) => t.startsWith('reservation.'));

interface World {
  ws: string;
  ac: string;
  workflows: string[];
  queues: string[];
  channels: string[];
  workers: string[];
  activities: string[];
}

function world(): World {
  return {
    ws: newSid('WS'),
    ac: newSid('AC'),
    workflows: [newSid('WW'), newSid('WW')],
    queues: [newSid('WQ'), newSid('WQ'), newSid('WQ')],
    channels: [newSid('TC'), newSid('TC')],
    workers: [newSid('WK'), newSid('WK'), newSid('WK'), newSid('WK')],
    activities: [newSid('WA'), newSid('WA')],
  };
}

/** Events spread over `spanMs` from `t0`, with every dimension sometimes missing and measures as numbers, as
 *  strings, or absent. */
function randomEvents(w: World, r: ReturnType<typeof rng>, count: number, t0: number, spanMs: number): EventRecord[] {
  const maybe = <T>(v: T) => (r.next() < 0.2 ? undefined : v);
  const measure = () => {
    const x = r.int(400);
    return r.next() < 0.15 ? undefined : r.next() < 0.5 ? x : String(x);
  };
  const events: EventRecord[] = [];
  for (let i = 0; i < count; i++) {
    const eventType = r.pick(TYPES);
    const data: Record<string, string | number | boolean | null> = {};
    const set = (k: string, v: string | number | undefined) => {
      if (v !== undefined) data[k] = v;
    };
    set('workflow_sid', maybe(r.pick(w.workflows)));
    set('task_queue_sid', maybe(r.pick(w.queues)));
    set('task_channel_sid', maybe(r.pick(w.channels)));
    set('worker_sid', maybe(r.pick(w.workers)));
    set('task_age', measure());
    set('task_age_in_queue', measure());
    if (eventType === 'worker.activity.update') {
      set('worker_previous_activity_sid', maybe(r.pick(w.activities)));
      if (r.next() < 0.8) data.worker_time_in_previous_activity_ms = String(r.int(900_000));
    }
    // Some on the first and the last millisecond of a minute, where a window's whole minutes meet its edges.
    let dateMs = t0 + r.int(spanMs);
    const edge = r.next();
    if (edge < 0.1) dateMs = Math.floor(dateMs / 60_000) * 60_000;
    else if (edge < 0.2) dateMs = Math.floor(dateMs / 60_000) * 60_000 + 59_999;
    events.push({
      sid: newSid('EV', dateMs), accountSid: w.ac, workspaceSid: w.ws, eventType, actorType: 'workspace', actorSid: w.ws,
      resourceType: 'task', resourceSid: newSid('WT'), description: '', eventData: data, dateMs,
    });
  }
  return events;
}

// ---- What the statistics must equal: the events summed here, independently of any SQL ----------------------

const int = (v: unknown) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? 0 : Math.trunc(Number(v)));

function matching(events: readonly EventRecord[], q: EventQuery): EventRecord[] {
  return events.filter((e) => {
    if (e.workspaceSid !== q.workspaceSid || e.dateMs < q.fromMs || e.dateMs > q.toMs) return false;
    if (q.eventTypes?.length && !q.eventTypes.includes(e.eventType)) return false;
    for (const [f, values] of Object.entries(q.data ?? {})) {
      const v = e.eventData[f];
      if (typeof v !== 'string' || !values.includes(v)) return false;
    }
    return true;
  });
}

function expectedTotals(events: readonly EventRecord[], q: EventQuery, thresholds: readonly number[]): EventTypeTotals[] {
  const by = new Map<string, EventTypeTotals>();
  for (const e of matching(events, q)) {
    const a = int(e.eventData.task_age);
    const qa = int(e.eventData.task_age_in_queue);
    let t = by.get(e.eventType);
    if (!t) {
      t = { eventType: e.eventType, count: 0, taskAge: { sum: 0, min: a, max: a }, taskAgeInQueue: { sum: 0, min: qa, max: qa }, aboveAge: thresholds.map(() => 0) };
      by.set(e.eventType, t);
    }
    t.count++;
    t.taskAge = { sum: t.taskAge.sum + a, min: Math.min(t.taskAge.min, a), max: Math.max(t.taskAge.max, a) };
    t.taskAgeInQueue = { sum: t.taskAgeInQueue.sum + qa, min: Math.min(t.taskAgeInQueue.min, qa), max: Math.max(t.taskAgeInQueue.max, qa) };
    thresholds.forEach((th, i) => (t.aboveAge[i]! += a > th ? 1 : 0));
  }
  return [...by.values()].sort((x, y) => x.eventType.localeCompare(y.eventType));
}

function expectedActivity(events: readonly EventRecord[], q: EventQuery): ActivityTimeTotals[] {
  const by = new Map<string, ActivityTimeTotals>();
  for (const e of matching(events, { ...q, eventTypes: ['worker.activity.update'] })) {
    const ms = e.eventData.worker_time_in_previous_activity_ms;
    if (ms === undefined) continue;
    const s = Math.trunc(Number(ms) / 1000);
    const sid = String(e.eventData.worker_previous_activity_sid ?? null);
    const t = by.get(sid) ?? { activitySid: sid, count: 0, seconds: { sum: 0, min: s, max: s } };
    by.set(sid, { activitySid: sid, count: t.count + 1, seconds: { sum: t.seconds.sum + s, min: Math.min(t.seconds.min, s), max: Math.max(t.seconds.max, s) } });
  }
  return [...by.values()].sort((x, y) => x.activitySid.localeCompare(y.activitySid));
}

const sortTotals = (ts: EventTypeTotals[]) => [...ts].sort((x, y) => x.eventType.localeCompare(y.eventType));
const sortActivity = (ts: ActivityTimeTotals[]) => [...ts].sort((x, y) => x.activitySid.localeCompare(y.activitySid));

/** A random statistics query: the filters each statistics resource uses, over a window that is sometimes a
 *  few seconds, sometimes hours, sometimes on whole minutes. */
function randomQuery(w: World, r: ReturnType<typeof rng>, t0: number, spanMs: number): EventQuery {
  let fromMs = t0 - 60_000 + r.int(spanMs + 120_000);
  if (r.next() < 0.3) fromMs = Math.floor(fromMs / 60_000) * 60_000;
  const length = r.pick([r.int(30_000), r.int(600_000), r.int(spanMs), 15 * 60_000, 60_000 - 1]);
  let toMs = fromMs + length;
  if (r.next() < 0.3) toMs = Math.floor(toMs / 60_000) * 60_000 + r.pick([0, -1, 59_999]);
  if (toMs < fromMs) toMs = fromMs;
  const workers = r.pick([[r.pick(w.workers)], w.workers.slice(0, 2), [], [newSid('WK')]]);
  const data = r.pick<Record<string, string[]>>([
    {},
    { workflow_sid: [r.pick(w.workflows)] },
    { task_queue_sid: [r.pick(w.queues)] },
    { task_channel_sid: [r.pick(w.channels)] },
    { workflow_sid: [r.pick(w.workflows)], task_channel_sid: [r.pick(w.channels)] },
    { task_queue_sid: [r.pick(w.queues)], task_channel_sid: [r.pick(w.channels)] },
    { worker_sid: workers },
    { worker_sid: workers, task_channel_sid: [r.pick(w.channels)] },
  ]);
  const eventTypes = data.worker_sid || r.next() < 0.3 ? RESERVATION_TYPES : TYPES.slice(0, 16);
  // A window past the last event may say it ends now (as a statistics request of the last N minutes does):
  // its unfinished last minute then comes from the rollup, which must still equal the raw sum.
  const untilNow = toMs >= t0 + spanMs && r.next() < 0.6;
  return { workspaceSid: w.ws, fromMs, toMs, eventTypes, data, ...(untilNow ? { untilNow } : {}) };
}

async function appendAll(store: Store, events: readonly EventRecord[], groupSize = 97): Promise<void> {
  for (let i = 0; i < events.length; i += groupSize) {
    await write(store, (repo) => {
      for (const e of events.slice(i, i + groupSize)) repo.appendEvent(e);
    });
  }
  await store.durable();
}

/** Compares the store's answers with the raw recomputation over `n` random queries. */
async function assertExact(store: Store, events: readonly EventRecord[], w: World, r: ReturnType<typeof rng>, t0: number, spanMs: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const q = randomQuery(w, r, t0, spanMs);
    const thresholds = r.next() < 0.2 ? [0, 30, 120.5] : [];
    const got = await read(store, (repo) => repo.eventTotals(q, thresholds));
    assert.deepEqual(sortTotals(got), expectedTotals(events, q, thresholds), `eventTotals ${JSON.stringify(q)} ${JSON.stringify(thresholds)}`);
    const activityQuery: EventQuery = { ...q, data: q.data?.worker_sid ? { worker_sid: q.data.worker_sid } : {} };
    const activity = await read(store, (repo) => repo.activityTimeTotals(activityQuery));
    assert.deepEqual(sortActivity(activity), expectedActivity(events, activityQuery), `activityTimeTotals ${JSON.stringify(activityQuery)}`);
  }
}

function workspaceDoc(w: World): Workspace {
  return {
    sid: w.ws, accountSid: w.ac, friendlyName: 'retention', eventCallbackUrl: null, eventsFilter: null, multiTaskEnabled: false,
    defaultActivitySid: null, timeoutActivitySid: null, prioritizeQueueOrder: 'FIFO', dateCreated: 1, dateUpdated: 1, version: 0,
  } as Workspace;
}

/** Direct SQL on the store's database, for what the port does not show (row counts, an older schema). */
interface Backdoor {
  count(sql: string, params?: unknown[]): Promise<number>;
  exec(sql: string): Promise<void>;
  /** PostgreSQL: statements with `$n` parameters in one transaction, on a connection of its own. */
  transaction?(statements: [string, unknown[]][]): Promise<void>;
  close(): Promise<void>;
}

/** Both backends, with direct SQL beside the store, and a downgrade to the layout before migration 0034. */
const BACKENDS = storeBackends('rollups', {
  sqlite: (path) => ({
    backdoor: async (): Promise<Backdoor> => {
      const db = new Database(path);
      return {
        count: async (sql, params = []) => Number(Object.values(db.prepare(sql).get(...params) as object)[0] ?? 0),
        exec: async (sql) => void db.exec(sql),
        close: async () => void db.close(),
      };
    },
    // As a database written before migration 0034: no rollup tables (and none of the later migrations, which
    // run again: 0036's reservation columns are taken out too).
    downgrade: async () => {
      const db = new Database(path);
      db.exec(`DROP TABLE event_minutes; DROP TABLE worker_minutes; DROP TABLE rollup_marks;
        DROP INDEX reservations_task; DROP INDEX reservations_worker;
        ALTER TABLE reservations DROP COLUMN task_sid; ALTER TABLE reservations DROP COLUMN worker_sid;
        CREATE INDEX reservations_task ON reservations (json_extract(data, '$.taskSid'));
        CREATE INDEX reservations_worker ON reservations (json_extract(data, '$.workerSid'));
        PRAGMA user_version = 33;`);
      db.close();
    },
  }),
  postgres: (url) => {
    const backdoor = async (): Promise<Backdoor> => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return {
        count: async (sql, params = []) => Number(Object.values((await c.query(sql.replace(/\?/g, (() => { let n = 0; return () => `$${++n}`; })()), params)).rows[0] ?? {})[0] ?? 0),
        exec: async (sql) => void (await c.query(sql)),
        transaction: async (statements) => {
          await c.query('BEGIN');
          for (const [sql, params] of statements) await c.query(sql, params);
          await c.query('COMMIT');
        },
        close: () => c.end(),
      };
    };
    return {
      backdoor,
      downgrade: async () => {
        const b = await backdoor();
        await b.exec('DROP TABLE event_minutes; DROP TABLE worker_minutes; DROP TABLE rollup_marks; DROP TRIGGER events_rolled_by_writer ON events; DROP FUNCTION sb_rolled_by_writer(); DELETE FROM schema_migrations WHERE version IN (34, 43);');
        await b.close();
      },
    };
  },
});

/** A workspace's events not folded into its rollups yet (parameters: the workspace, twice). */
const UNFOLDED = 'SELECT count(*) FROM events WHERE workspace_sid = ? AND seq > coalesce((SELECT seq FROM rollup_marks WHERE workspace_sid = ?), 0)';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const backend of BACKENDS) {
  describe(`${backend.name}: statistics rollups and event retention`, { skip: backend.skip }, () => {
    it('answers statistics from the rollups exactly as the raw events sum, over random windows (seed 22)', async () => {
      const { store, backdoor, cleanup } = await backend.fresh();
      const w = world();
      const r = rng(22);
      const t0 = Date.UTC(2026, 0, 5, 10, 0, 17, 321);
      const span = 3 * HOUR;
      try {
        // Most in groups of many, and a busy few minutes one event per group: the UPSERTs then meet the rows
        // earlier groups wrote (sums add, minima and maxima combine).
        const spread = randomEvents(w, r, 3000, t0, span);
        const busy = randomEvents(w, r, 1000, t0 + HOUR, 3 * 60_000);
        await appendAll(store, spread);
        await appendAll(store, busy, 1);
        const events = [...spread, ...busy];
        await assertExact(store, events, w, r, t0, span, 150);
        // The rollups are there and hold every event but the last few, not folded yet: a statistics request
        // reads them, and those few events, not the whole log.
        const db = await backdoor();
        try {
          const unfolded = await db.count(UNFOLDED, [w.ws, w.ws]);
          assert.ok(unfolded < ROLLUP_FOLD_EVERY + 97, `${unfolded} events not folded`);
          assert.equal(await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws]), events.length - unfolded);
          assert.ok((await db.count('SELECT count(*) FROM event_minutes WHERE workspace_sid = ?', [w.ws])) < events.length);
          const workerRolled = (e: EventRecord) => e.eventType.startsWith('reservation.') || (e.eventType === 'worker.activity.update' && e.eventData.worker_time_in_previous_activity_ms !== undefined);
          // The events are folded in the order they were written.
          assert.equal(await db.count('SELECT sum(n) FROM worker_minutes WHERE workspace_sid = ?', [w.ws]), events.slice(0, events.length - unfolded).filter(workerRolled).length);
        } finally {
          await db.close();
        }
      } finally {
        store.close();
        cleanup();
      }
    });

    it('a rolled-back transaction leaves no rollup behind', async () => {
      const { store, backdoor, cleanup } = await backend.fresh();
      const w = world();
      const [kept, dropped] = randomEvents(w, rng(5), 2, Date.UTC(2026, 0, 5, 10), 60_000);
      try {
        await write(store, (repo) => repo.appendEvent(kept!));
        await assert.rejects(write(store, (repo) => {
          repo.appendEvent(dropped!);
          // A read of the log inside the transaction writes the pending events (SQLite), then the work throws.
          repo.eventTotals({ workspaceSid: w.ws, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }, []);
          throw new Error('refused');
        }), /refused/);
        await store.durable();
        const db = await backdoor();
        try {
          assert.equal(await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws]) + (await db.count(UNFOLDED, [w.ws, w.ws])), 1);
          assert.equal(await db.count('SELECT count(*) FROM events WHERE workspace_sid = ?', [w.ws]), 1);
        } finally {
          await db.close();
        }
      } finally {
        store.close();
        cleanup();
      }
    });

    it('the migration fills the rollups of an existing database from its events', async () => {
      const { store, reopen, downgrade, cleanup } = await backend.fresh();
      const w = world();
      const r = rng(34);
      const t0 = Date.UTC(2026, 0, 5, 10, 0, 17, 321);
      const span = 2 * HOUR;
      let reopened: Store | undefined;
      try {
        const events = randomEvents(w, r, 1500, t0, span);
        await appendAll(store, events);
        store.close();
        await downgrade();
        reopened = await reopen();
        await assertExact(reopened, events, w, r, t0, span, 60);
      } finally {
        reopened?.close();
        cleanup();
      }
    });

    it('statistics count the events not folded yet, across a restart, and the first group after it folds them (seed 40)', async () => {
      const { store, backdoor, reopen, cleanup } = await backend.fresh();
      const w = world();
      const r = rng(40);
      const t0 = Date.UTC(2026, 0, 5, 10, 0, 17, 321);
      const span = HOUR;
      let open: Store = store;
      const db = await backdoor();
      try {
        // The workspace's first group folds (this process has not folded it yet); the next events, fewer than
        // ROLLUP_FOLD_EVERY, stay unfolded.
        const first = randomEvents(w, r, 50, t0, span);
        const rest = randomEvents(w, r, ROLLUP_FOLD_EVERY - 10, t0, span);
        await appendAll(store, first, 50);
        assert.equal(await db.count(UNFOLDED, [w.ws, w.ws]), 0);
        await appendAll(store, rest, 40);
        assert.equal(await db.count(UNFOLDED, [w.ws, w.ws]), rest.length);
        assert.equal(await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws]), first.length);
        const events = [...first, ...rest];
        await assertExact(store, events, w, r, t0, span, 40);
        store.close();
        open = await reopen();
        await assertExact(open, events, w, r, t0, span, 20);
        const one = randomEvents(w, r, 1, t0, span);
        await appendAll(open, one);
        assert.equal(await db.count(UNFOLDED, [w.ws, w.ws]), 0);
        assert.equal(await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws]), events.length + 1);
        await assertExact(open, [...events, ...one], w, r, t0, span, 40);
      } finally {
        await db.close();
        open.close();
        cleanup();
      }
    });

    it('a writer that rolls up its own events (a node of an earlier version) has them counted once (seed 43)', { skip: backend.name === 'SqliteStore' ? 'PostgreSQL: cluster nodes of two versions' : false }, async () => {
      const { store, backdoor, cleanup } = await backend.fresh();
      const w = world();
      const r = rng(43);
      const t0 = Date.UTC(2026, 0, 5, 10, 0, 17, 321);
      const span = HOUR;
      const db = await backdoor();
      try {
        // This version's node: a first group folded, then 100 events not folded yet.
        const first = randomEvents(w, r, 50, t0, span);
        const unfolded = randomEvents(w, r, 100, t0, span);
        await appendAll(store, first, 50);
        await appendAll(store, unfolded, 25);
        assert.equal(await db.count(UNFOLDED, [w.ws, w.ws]), 100);
        // A node of the version before: its group inserts events (the statement trigger folds the 100 before
        // them and moves the mark past them) and then adds them to the rollups itself, in the same transaction.
        const old = randomEvents(w, r, 20, t0, span);
        const columns = EVENT_INSERT_COLUMNS;
        const insert = `INSERT INTO events (${columns.join(', ')}) VALUES ${old.map((_, i) => `(${columns.map((_, c) => `$${i * columns.length + c + 1}`).join(', ')})`).join(', ')}`;
        const own = `workspace_sid = $1 AND sid = ANY($2::text[])`;
        await db.transaction!([
          [insert, old.flatMap(eventRow)],
          [`INSERT INTO event_minutes (workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid, n, a_sum, a_min, a_max, q_sum, q_min, q_max)
            SELECT workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, ''), count(*),
              sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)), sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0))
            FROM events WHERE ${own} GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid) DO UPDATE SET n = event_minutes.n + excluded.n,
              a_sum = event_minutes.a_sum + excluded.a_sum, a_min = least(event_minutes.a_min, excluded.a_min), a_max = greatest(event_minutes.a_max, excluded.a_max),
              q_sum = event_minutes.q_sum + excluded.q_sum, q_min = least(event_minutes.q_min, excluded.q_min), q_max = greatest(event_minutes.q_max, excluded.q_max)`, [w.ws, old.map((e) => e.sid)]],
          [`INSERT INTO worker_minutes (workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid, n, a_sum, a_min, a_max, q_sum, q_min, q_max, s_sum, s_min, s_max)
            SELECT workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, ''), count(*),
              sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)), sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0)),
              sum(coalesce(previous_activity_ms / 1000, 0)), min(coalesce(previous_activity_ms / 1000, 0)), max(coalesce(previous_activity_ms / 1000, 0))
            FROM events WHERE ${own} AND (event_type LIKE 'reservation.%' OR (event_type = 'worker.activity.update' AND previous_activity_ms IS NOT NULL)) GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid) DO UPDATE SET n = worker_minutes.n + excluded.n,
              a_sum = worker_minutes.a_sum + excluded.a_sum, a_min = least(worker_minutes.a_min, excluded.a_min), a_max = greatest(worker_minutes.a_max, excluded.a_max),
              q_sum = worker_minutes.q_sum + excluded.q_sum, q_min = least(worker_minutes.q_min, excluded.q_min), q_max = greatest(worker_minutes.q_max, excluded.q_max),
              s_sum = worker_minutes.s_sum + excluded.s_sum, s_min = least(worker_minutes.s_min, excluded.s_min), s_max = greatest(worker_minutes.s_max, excluded.s_max)`, [w.ws, old.map((e) => e.sid)]],
        ]);
        assert.equal(await db.count(UNFOLDED, [w.ws, w.ws]), 0);
        assert.equal(await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws]), 170);
        // This version's node writes on: its events after the old node's are folded in turn, none twice.
        const after = randomEvents(w, r, 300, t0, span);
        await appendAll(store, after, 60);
        const events = [...first, ...unfolded, ...old, ...after];
        await assertExact(store, events, w, r, t0, span, 40);
        assert.equal((await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws])) + (await db.count(UNFOLDED, [w.ws, w.ws])), events.length);
      } finally {
        await db.close();
        store.close();
        cleanup();
      }
    });

    it('retention prunes expired events and rollups in batches, keeps recent ones and those a webhook is owed', async () => {
      const { store, backdoor, cleanup } = await backend.fresh();
      const w = world();
      const other = world();
      const r = rng(30);
      const now = Date.UTC(2026, 2, 1, 12, 0, 30, 0);
      try {
        await write(store, (repo) => {
          repo.insert('workspace', workspaceDoc(w));
          repo.insert('workspace', workspaceDoc(other));
        });
        // 40 days of events: 3,000 older than the 30 days kept, 1,000 within them; the other workspace has a
        // webhook receiver that was owed everything after its 200th event since long ago.
        const old = randomEvents(w, r, 3000, now - 40 * DAY, 9 * DAY);
        const recent = randomEvents(w, r, 1000, now - 30 * DAY + HOUR, 30 * DAY - 2 * HOUR);
        const otherOld = randomEvents(other, r, 500, now - 40 * DAY, 9 * DAY).sort((a, b) => a.dateMs - b.dateMs);
        await appendAll(store, [...old, ...recent]);
        await appendAll(store, otherOld);
        const db = await backdoor();
        try {
          const positions = await db.count('SELECT max(seq) FROM events WHERE workspace_sid = ?', [other.ws]);
          const owed = positions - 300; // the last 300 of its events are not delivered yet
          await write(store, (repo) => repo.setCursor(`event-callback:${other.ws}`, owed));
          await store.durable();

          const batches: number[] = [];
          const retention = new EventRetention(
            { ...bind(store), pruneBatch: async (ws, cutoff, limit) => { const n = await store.pruneBatch!(ws, cutoff, limit); batches.push(n); return n; } } as Store,
            { retentionMs: 30 * DAY, batch: 250, pauseMs: 0, clock: () => now },
          );
          const deleted = await retention.run();
          assert.ok(deleted >= 3000 + 200, `deleted ${deleted}`);
          assert.ok(Math.max(...batches) <= 250 * 2, `a batch deleted at most its limit (of events, or one slice of rollup minutes): ${batches}`);
          assert.ok(batches.filter((n) => n > 0).length >= 3000 / 250, 'several small batches');
          const cutoff = retention.cutoff();
          assert.equal(cutoff % 60_000, 0);
          assert.equal(await db.count('SELECT count(*) FROM events WHERE workspace_sid = ? AND date_ms < ?', [w.ws, cutoff]), 0);
          assert.equal(await db.count('SELECT count(*) FROM events WHERE workspace_sid = ?', [w.ws]), recent.length);
          assert.equal(await db.count('SELECT count(*) FROM event_minutes WHERE workspace_sid = ? AND minute < ?', [w.ws, cutoff / 60_000]), 0);
          assert.equal(await db.count('SELECT count(*) FROM worker_minutes WHERE workspace_sid = ? AND minute < ?', [w.ws, cutoff / 60_000]), 0);
          assert.equal(await db.count('SELECT sum(n) FROM event_minutes WHERE workspace_sid = ?', [w.ws]), recent.length);
          // The owed events stay, whatever their age; those delivered go.
          assert.equal(await db.count('SELECT count(*) FROM events WHERE workspace_sid = ?', [other.ws]), 300);
          assert.equal(await db.count('SELECT count(*) FROM events WHERE workspace_sid = ? AND seq <= ?', [other.ws, owed]), 0);
          // A second pass finds nothing more.
          assert.equal(await retention.run(), 0);
        } finally {
          await db.close();
        }
        // Statistics over what is kept are still exact, whatever the window (one reaching before the cutoff too).
        await assertExact(store, recent, w, r, now - 31 * DAY, 31 * DAY, 60);
        const all = await read(store, (repo) => repo.eventTotals({ workspaceSid: w.ws, fromMs: now - 45 * DAY, toMs: now }, []));
        assert.equal(all.reduce((n, t) => n + t.count, 0), recent.length);
      } finally {
        store.close();
        cleanup();
      }
    });
  });
}

/** The store's methods bound to it, so a wrapper can replace one of them. */
function bind(store: Store): Store {
  const out: Record<string, unknown> = {};
  let proto: object | null = store;
  while (proto && proto !== Object.prototype) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      const v = (store as unknown as Record<string, unknown>)[k];
      if (typeof v === 'function' && !(k in out) && k !== 'constructor') out[k] = (v as (...a: unknown[]) => unknown).bind(store);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out as unknown as Store;
}

it('a window that ends now reads its unfinished minute from the rollup, not from the raw events', () => {
  // 10:00:30 to 10:15:20: a raw leading edge either way; the trailing 20 s are raw unless the window ends now.
  const from = Date.UTC(2026, 0, 1, 10, 0, 30);
  const to = Date.UTC(2026, 0, 1, 10, 15, 20);
  const minute = (ms: number) => Math.floor(ms / 60_000);
  assert.deepEqual(wholeMinutes(from, to), { first: minute(from) + 1, end: minute(to), edges: [[from, (minute(from) + 1) * 60_000 - 1], [minute(to) * 60_000, to]] });
  assert.deepEqual(wholeMinutes(from, to, true), { first: minute(from) + 1, end: minute(to) + 1, edges: [[from, (minute(from) + 1) * 60_000 - 1]] });
  // On a whole-minute end there is nothing unfinished to take.
  const whole = Date.UTC(2026, 0, 1, 10, 15, 0) - 1;
  assert.deepEqual(wholeMinutes(from, whole, true), wholeMinutes(from, whole));
});
