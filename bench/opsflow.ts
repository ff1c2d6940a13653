// Opsflow-face benchmark: list and stat queries over 1,000,000 tasks (SQLite), through HTTP against the real
// server process. The tasks are seeded straight into the store (the HTTP create path is measured elsewhere):
// 40 assignees, 3 categories' statuses, 24 months of creation dates, ~70% started and ~50% completed.
// Queries, each run `runs` times (p50/p99):
//   * board page: status_type = IN_PROGRESS, newest first, 20 per page, with total_count
//   * assignee page: one assignee's tasks of the last 90 days (timediff), 20 per page, with total_count
//   * stat: per assignee per month: count, completed count (condition), average in_progress_duration
// Targets: list page <= 20 ms, stat by assignee x month <= 500 ms.
// Run: node --import tsx bench/opsflow.ts [tasks=1000000] [runs=30]
// OPSFLOW_BENCH_DB=/path keeps the seeded database there (and reuses it when it exists) between runs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpsTask, StatusType } from '../src/core/opsflowEntities.ts';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { startBenchServer } from './benchServer.ts';
import { latencies, machine } from './machine.ts';

const [total = 1_000_000, runs = 30] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-opsflow-'));
const dbPath = process.env.OPSFLOW_BENCH_DB ?? join(dir, 'bench.db');
const reuse = existsSync(dbPath);
const account = { sid: 'AC' + 'f6'.repeat(16), token: 'bench-token-opsflow' };
const NOW = Date.now();
const DAY = 86_400_000;

// Seed: one category (statuses per bucket), one type, `total` tasks.
const seedStart = performance.now();
if (!reuse) {
  const store = new SqliteStore(dbPath, { synchronous: 'NORMAL' });
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const statuses: Record<StatusType, string[]> = { TODO: ['new', 'triage'], IN_PROGRESS: ['working', 'review'], COMPLETED: ['done', 'wontfix'] };
  for (let done = 0; done < total; ) {
    store.transaction((repo) => {
      for (let i = 0; i < 20_000 && done < total; i++, done++) {
        const created = NOW - Math.floor(rand() * 730 * DAY);
        const started = rand() < 0.7 ? created + Math.floor(rand() * 2 * DAY) : null;
        const completed = started !== null && rand() < 0.7 ? started + Math.floor(rand() * 10 * DAY) : null;
        const type: StatusType = completed !== null ? 'COMPLETED' : started !== null ? 'IN_PROGRESS' : 'TODO';
        const task: OpsTask = {
          task_id: `task-${done.toString(16).padStart(12, '0')}`, domain_id: account.sid, workspace_id: 'workspace-default', project_id: `project-${done % 50}`,
          category_id: 'tc-bench', task_type_id: 'tt-bench', name: `Task ${done}`, status_id: statuses[type][done % 2]!, status_type: type,
          priority: (['HIGH', 'MEDIUM', 'LOW'] as const)[done % 3]!, description: null, assignee: `user-${Math.floor(rand() * 40)}`, created_by: account.sid,
          reference_id: null, data: { severity: `S${1 + (done % 3)}` }, files: [], mentions: { USER: [], USER_GROUP: [] },
          created_at: created, updated_at: completed ?? started ?? created, started_at: started, completed_at: completed,
          started_duration: started === null ? null : Math.round((started - created) / 1000),
          in_progress_duration: completed === null ? null : Math.round((completed - started!) / 1000),
          completed_duration: completed === null ? null : Math.round((completed - created) / 1000),
        };
        repo.opsInsertTask(task);
      }
    });
  }
  store.close();
}
const seedSeconds = (performance.now() - seedStart) / 1000;

const { server, json } = await startBenchServer(dbPath, account);
const call = (path: string, body: unknown) => json('POST', `/opsflow/v1/${path}`, body);
const timed = <T>(once: () => Promise<T>) => latencies(runs, once, true);

try {
  let page = 0;
  const board = await timed(() => call('task/list', { query: { filter: [{ k: 'status_type', v: 'IN_PROGRESS', o: 'eq' }], sort: [{ key: 'created_at', desc: true }], page: { start: 1 + 20 * (page++ % 50), limit: 20 } } }));
  let who = 0;
  const mine = await timed(() => call('task/list', { query: { filter: [{ k: 'assignee', v: `user-${who++ % 40}`, o: 'eq' }, { k: 'created_at', v: 'now-90d', o: 'timediff_gte' }], sort: [{ key: 'created_at', desc: true }], page: { start: 1, limit: 20 } } }));
  const stat = await timed(() =>
    call('task/stat', {
      query: {
        aggregate: [
          { group: { keys: [{ key: 'assignee', name: 'assignee' }, { key: 'created_at', name: 'month', date_format: '%Y-%m' }], fields: [{ operator: 'count', name: 'total' }, { operator: 'count', name: 'done', conditions: [{ k: 'status_type', v: 'COMPLETED', o: 'eq' }] }, { operator: 'average', key: 'in_progress_duration', name: 'avg_in_progress' }] } },
          { sort: [{ key: 'assignee' }, { key: 'month' }] },
        ],
      },
    }),
  );
  console.log(`Opsflow benchmark on ${machine()} (server process, durable SQLite, ${total.toLocaleString('en')} tasks seeded in ${seedSeconds.toFixed(1)} s)`);
  console.log(`  board page (IN_PROGRESS, newest first, 20, total ${board.last.total_count}): p50 ${board.p50.toFixed(1)} ms  p99 ${board.p99.toFixed(1)} ms   target <= 20 ms`);
  console.log(`  assignee page (last 90 days, 20, total ${mine.last.total_count}): p50 ${mine.p50.toFixed(1)} ms  p99 ${mine.p99.toFixed(1)} ms   target <= 20 ms`);
  console.log(`  stat per assignee per month (${stat.last.total_count} groups): p50 ${stat.p50.toFixed(0)} ms  p99 ${stat.p99.toFixed(0)} ms   target <= 500 ms`);
  console.log(`RESULT ${JSON.stringify({ bench: 'opsflow', tasks: total, boardP50: board.p50, boardP99: board.p99, assigneeP50: mine.p50, assigneeP99: mine.p99, statP50: stat.p50, statP99: stat.p99 })}`);
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
