// `npm run bench`: every benchmark in turn (each also runs on its own: npm run bench:<name>), their own output
// streamed, then one table of the headline figures with their targets and the machine. Figures are medians of
// several runs (inside each benchmark; the realtime one is run three times here).
// BENCH_ONLY=engine,http,... runs a subset; the scale benchmark seeds 500,000 tasks and takes a few minutes.
import { machine, median } from './machine.ts';
import { type BenchResult as Result, runBench } from './runBench.ts';

const only = process.env.BENCH_ONLY?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const rows: [string, string, string, string][] = [];
/** Benchmarks that failed: the table still shows the others' figures, and the run exits 1. */
const failed: string[] = [];
async function section(name: string, body: () => Promise<void>): Promise<void> {
  if (!wanted(name)) return;
  try {
    await body();
  } catch (err) {
    failed.push(name);
    rows.push([`${name}: FAILED`, (err as Error).message, '', 'NO']);
  }
}
const row = (what: string, value: number, unit: string, target: string, met: boolean | undefined) =>
  rows.push([what, `${value >= 100 || Number.isInteger(value) ? Math.round(value).toLocaleString('en') : value.toFixed(2)} ${unit}`.trim(), target, met === undefined ? '' : met ? 'yes' : 'NO']);

await section('engine', async () => {
  const e = await runBench('engine');
  row('engine: full lifecycles/s (15k workers, 5k queues)', Number(e.lifecyclesPerSecond), '/s', '>= 50,000', Number(e.lifecyclesPerSecond) >= 50_000);
  for (const curve of ['workers', 'pending tasks', 'queues']) {
    const ratio = Number(e[`${curve}: ratio`]);
    row(`engine: routing decision, ${curve} curve largest/smallest`, ratio, 'x', '<= 1.5x', ratio <= 1.5);
  }
});
await section('http', async () => {
  const h = await runBench('http');
  row('http: task creates/s, 1 connection', Number(h['create 1']), '/s', '', undefined);
  row('http: task creates/s, 32 connections', Number(h['create 32']), '/s', '>= 10,000', Number(h['create 32']) >= 10_000);
  row('http: server CPU per task create, 32 connections', Number(h['create 32 cpu_us']), 'µs', '<= 80 µs', Number(h['create 32 cpu_us']) <= 80);
  row('http: full lifecycles/s, 1 connection', Number(h['lifecycle 1']), '/s', '', undefined);
  row('http: full lifecycles/s, 32 connections', Number(h['lifecycle 32']), '/s', '>= 2,500', Number(h['lifecycle 32']) >= 2_500);
  row('http: server CPU per full lifecycle, 32 connections', Number(h['lifecycle 32 cpu_us']), 'µs', '<= 300 µs', Number(h['lifecycle 32 cpu_us']) <= 300);
});
await section('floor', async () => {
  const f = await runBench('floor');
  for (const mode of ['create', 'lifecycle']) {
    const what = mode === 'create' ? 'task create' : 'full lifecycle';
    row(`floor: server CPU per ${what}, no-work server on fastify (32 connections)`, Number(f[`fastify ${mode} cpu_us`]), 'µs', '', undefined);
    row(`floor: machine CPU per ${what}, no-work server on fastify (load included)`, Number(f[`fastify ${mode} machine_us`]), 'µs', '', undefined);
  }
});
await section('realtime', async () => {
  const runs: Result[] = [];
  for (let i = 0; i < 3; i++) runs.push(await runBench('realtime', ['1000', '1000', '5']));
  const p = (k: string) => median(runs.map((r) => Number(r[k])));
  row('realtime: create -> push p50 at 1,000 tasks/s, 1,000 workers', p('p50'), 'ms', '', undefined);
  row('realtime: create -> push p99 at 1,000 tasks/s, 1,000 workers', p('p99'), 'ms', '<= 10 ms', p('p99') <= 10);
  row('realtime: create -> push p99.9', p('p999'), 'ms', '', undefined);
  row('realtime: server CPU per task (create, offer, push)', p('serverCpuUs'), 'µs', '', undefined);
  row('realtime: offers later than 10 ms (of 5,000)', p('late'), '', '', undefined);
  row("realtime: of them, during a pause of the load's own GC", p('lateDuringLoadGc'), '', '', undefined);
});
await section('peer', async () => {
  const r = await runBench('peer');
  row('peer: Switchboard routed lifecycles/s (32 producers/consumers)', Number(r.switchboard), '/s', '', undefined);
  row('peer: BullMQ jobs/s, unrouted (same concurrency)', Number(r.bullmq), '/s', '', undefined);
  row('peer: Switchboard server CPU per lifecycle', Number(r.switchboard_cpu_us), 'µs', '', undefined);
  row('peer: ratio Switchboard/BullMQ (routed vs unrouted)', Number(r.ratio), 'x', '>= 0.3 (goal 1.0)', Number(r.ratio) >= 0.3);
});
await section('workflow', async () => {
  const w = await runBench('workflow');
  row('workflow: transitions/s over HTTP (16 clients)', Number(w.transitionsPerSecond), '/s', '', undefined);
  row('workflow: GET task asAt p99 (50 versions)', Number(w.asAtP99), 'ms', '', undefined);
  row(`workflow: filtered task list p50 (${Number(w.listTasks).toLocaleString('en')} tasks)`, Number(w.listP50), 'ms', '', undefined);
  row('workflow: CreateChildTasks transitions+actions/s', Number(w.actionsPerSecond), '/s', '', undefined);
});
await section('opsflow', async () => {
  const o = await runBench('opsflow');
  row('opsflow: board list page p50 (1M tasks, with total_count)', Number(o.boardP50), 'ms', '<= 20 ms', Number(o.boardP50) <= 20);
  row('opsflow: assignee list page p50 (1M tasks)', Number(o.assigneeP50), 'ms', '<= 20 ms', Number(o.assigneeP50) <= 20);
  row('opsflow: stat per assignee per month p50 (1M tasks)', Number(o.statP50), 'ms', '<= 500 ms', Number(o.statP50) <= 500);
});
await section('cluster', async () => {
  const c = await runBench('cluster');
  row('cluster: lifecycles/s, 1 node on SQLite (same run)', Number(c.sqlite1), '/s', '', undefined);
  for (const n of [1, 2, 3]) row(`cluster: lifecycles/s, ${n} node${n > 1 ? 's' : ''} on PostgreSQL`, Number(c[`nodes${n}`]), '/s', '', undefined);
  row('cluster: 3 nodes, every request and socket on another node', Number(c.nodes3Forwarded), '/s', '', undefined);
  row('cluster: graphile-worker jobs/s (add -> run -> complete)', Number(c.graphileJobs), '/s', '', undefined);
  row('cluster: node CPU per lifecycle, 1 / 3 nodes', Number(c.nodes1CpuUs), `/ ${Math.round(Number(c.nodes3CpuUs)).toLocaleString('en')} µs`, '', undefined);
  row('cluster: PostgreSQL CPU per lifecycle, 1 / 3 nodes', Number(c.nodes1PgCpuUs), `/ ${Math.round(Number(c.nodes3PgCpuUs)).toLocaleString('en')} µs`, '', undefined);
  row('cluster: commit groups in flight per node, 1 / 3 nodes', Number(c.nodes1CommitsInFlight), `/ ${Number(c.nodes3CommitsInFlight).toFixed(2)}`, '', undefined);
  row('cluster: 1 PostgreSQL node / 1 SQLite node', Number(c.pgToSqlite), 'x', '>= 0.7', Number(c.pgToSqlite) >= 0.7);
  row('cluster: 3 nodes / 1 node', Number(c.threeToOne), 'x', '>= 1.0', Number(c.threeToOne) >= 1);
  row('cluster: ratio Switchboard 3 nodes / graphile-worker', Number(c.ratio), 'x', '>= 1.0', Number(c.ratio) >= 1);
});
await section('coldstart', async () => {
  const c = await runBench('coldstart');
  row('coldstart: spawn to /readyz, sources through tsx', Number(c.tsxMs), 'ms', '', undefined);
  row('coldstart: spawn to /readyz, compiled dist/', Number(c.distMs), 'ms', '', undefined);
  row('coldstart: CPU to /readyz, tsx / dist/', Number(c.tsxCpuMs) / Number(c.distCpuMs), 'x', '', undefined);
});
await section('scale', async () => {
  const s = await runBench('scale');
  row('scale: restart to ready, 15k workers / 5k queues / 500k tasks', Number(s.readyS), 's', '<= 10 s', Number(s.readyS) <= 10);
  row('scale: server RSS when ready', Number(s.rssReadyMiB), 'MiB', '<= 2,048 MiB', Number(s.rssReadyMiB) <= 2048);
});

console.log(`\nSwitchboard benchmarks on ${machine()}`);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['measure', 'figure', 'target', 'met'][i]!.length));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(line(['measure', 'figure', 'target', 'met']));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')} (their own output is above)`);
  process.exitCode = 1;
}
