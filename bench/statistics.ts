// `npm run bench:statistics [events]`: what a cumulative statistics request costs as its window fills, on the
// SQLite store. Writes `events` (default 300,000) TaskRouter events spread over the last 24 hours, then times
// the store's window totals for the last 15 minutes, hour and 24 hours: from the per-minute rollups (what
// statistics read) and summed from the raw events (what they read before the rollups; still the path of a
// request with SplitByWaitTime). Also times the backfill migration of those events (a database upgraded from
// before migration 0034) and one retention pass deleting half of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { EventRetention } from '../src/store/retention.ts';
import type { EventRecord } from '../src/core/entities.ts';
import type { Repository, Store } from '../src/core/repository.ts';
import { newSid } from '../src/core/sid.ts';
import { machine, median } from './machine.ts';

const COUNT = Number(process.argv[2] ?? 300_000);
const TYPES = ['reservation.created', 'reservation.accepted', 'task.created', 'task.completed', 'task-queue.entered', 'workflow.entered', 'task.canceled', 'worker.activity.update'];
const now = Date.now();
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-stats-'));
const path = join(dir, 'db.sqlite');
try {
  let store = new SqliteStore(path, { routes: false });
  const ws = newSid('WS');
  const ac = newSid('AC');
  const queues = Array.from({ length: 5 }, () => newSid('WQ'));
  const workers = Array.from({ length: 50 }, () => newSid('WK'));
  const workflow = newSid('WW');
  const channel = newSid('TC');
  let t0 = performance.now();
  for (let i = 0; i < COUNT; i += 1000) {
    await store.replaying(() => store.transaction((repo) => {
      for (let k = i; k < Math.min(COUNT, i + 1000); k++) {
        const dateMs = now - DAY + Math.floor((k / COUNT) * DAY);
        const e: EventRecord = {
          sid: newSid('EV', dateMs), accountSid: ac, workspaceSid: ws, eventType: TYPES[k % TYPES.length]!, actorType: 'account', actorSid: ac,
          resourceType: 'task', resourceSid: newSid('WT'), description: '', dateMs,
          eventData: { workflow_sid: workflow, task_queue_sid: queues[k % 5]!, task_channel_sid: channel, worker_sid: workers[k % 50]!, task_age: String(k % 300), worker_time_in_previous_activity_ms: String(k % 100_000) },
        };
        repo.appendEvent(e);
      }
    }));
  }
  await store.durable();
  const writeMs = performance.now() - t0;

  const time = (work: (repo: Repository) => unknown, runs = 5) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      store.read(work);
      ms.push(performance.now() - t);
    }
    return median(ms);
  };
  const rows: string[] = [];
  for (const [label, span] of [['15 min', 15 * 60_000], ['1 hour', 3_600_000], ['24 hours', DAY]] as const) {
    const q = { workspaceSid: ws, fromMs: now - span, toMs: now - 1, eventTypes: TYPES, data: { task_queue_sid: [queues[0]!] } };
    const events = store.read((repo) => repo.eventTotals(q, [])).reduce((n, t) => n + t.count, 0);
    const rolled = time((repo) => repo.eventTotals(q, []));
    // One threshold takes the raw path: the aggregate statistics ran before the rollups, plus one column.
    const raw = time((repo) => repo.eventTotals(q, [0]));
    rows.push(`${label.padEnd(9)} ${String(events).padStart(8)} events of one queue   rollups ${rolled.toFixed(2).padStart(7)} ms   raw events ${raw.toFixed(2).padStart(8)} ms`);
  }
  console.log(`statistics window totals, ${COUNT} events over 24 h (written in ${(writeMs / 1000).toFixed(1)} s, rollups included)`);
  for (const r of rows) console.log(`  ${r}`);
  store.close();

  // The upgrade: the same database as written before migration 0034, opened by this version.
  const db = new Database(path);
  db.exec('DROP TABLE event_minutes; DROP TABLE worker_minutes; PRAGMA user_version = 33;');
  db.close();
  t0 = performance.now();
  store = new SqliteStore(path, { routes: false });
  console.log(`backfill migration of ${COUNT} events: ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  // Retention keeping the last 12 hours: half the events go, 1,000 per batch.
  const retention = new EventRetention(store as Store, { retentionMs: DAY / 2, pauseMs: 0 });
  const spy = store as unknown as { prunableWorkspaces(): Promise<string[]> };
  spy.prunableWorkspaces = async () => [ws];
  t0 = performance.now();
  const deleted = await retention.run();
  console.log(`retention pass: ${deleted} rows deleted in ${((performance.now() - t0) / 1000).toFixed(2)} s (1,000 per batch)`);
  store.close();
  console.log(`machine: ${machine()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
