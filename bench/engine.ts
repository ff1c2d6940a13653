// Engine benchmark: the routing engine in process, without HTTP or the store (what the engine itself costs).
//   1. full lifecycles/s (create -> reserve -> accept -> complete) in a workspace with 15,000 workers and
//      5,000 queues;
//   2. the cost of one routing decision (creating a task that is reserved at once) as workers grow
//      1k -> 10k -> 100k, and as pending tasks grow 1k -> 100k -> 500k, with the ratio largest/smallest.
// Run: node --import tsx bench/engine.ts   (prints figures and the machine; medians of several runs)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WorkspaceRouter } from '../src/engine/routing/workspaceRouter.ts';
import { ids, lifecycles, workspace } from './engineFixture.ts';
import { machine, median } from './machine.ts';

// Each sample of a decision curve starts with the heap collected: the routers of the earlier curves are
// garbage by then, and a collection of them inside a 200-decision sample times the collector, not the decision
// (the pending-tasks curve read 2.06x in one run, 1.15x in the run before). A forced collection leaves V8's
// sweeping of the freed pages to its helper threads, and on 2 cores they took the sample's core for part of it:
// samples of one point read 9 to 110 µs a decision, most often behind 500,000 pending tasks, whose heap has the
// most pages to sweep (the curve read 0.29x to 3.43x in successive runs). So the sample waits, busy, for
// SWEEP_SETTLE_MS first (a sleep instead left the caches cold: every point read ~35 µs).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const SWEEP_SETTLE_MS = 100;

/** Decisions per sample of a curve's point. */
const BATCH = 200;
/** Rounds not counted: each point's first samples run code V8 has not optimized for its router yet (the first
 *  point's first sample read 74 to 114 µs a decision, then 9 to 13). */
const WARMUP_ROUNDS = 3;
const SAMPLES = 15;

/** One sample: `fn` timed alone, after a collection and its sweeping (above). Milliseconds. */
function timeOnce(fn: () => void): number {
  collectGarbage();
  const settled = performance.now() + SWEEP_SETTLE_MS;
  while (performance.now() < settled);
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** A curve's points (each decides BATCH times per call), built first and sampled in turn, round after round, so
 *  a slow spell of the machine weighs on every point alike, not on one (single points moved by 2x between runs
 *  when each was timed alone, one after the other): µs per decision, the median of SAMPLES rounds. The points
 *  are built here, so their routers die with this call: built in a block of the module's top level, they
 *  stayed reachable from its frame, and the next curve's collections and decisions ran in a 480 MB heap. */
function sampledInTurn(build: () => { label: string; decide: () => void }[]): [string, number][] {
  const points = build();
  const samples = points.map(() => [] as number[]);
  for (let r = 0; r < WARMUP_ROUNDS + SAMPLES; r++) {
    points.forEach((p, i) => {
      const ms = timeOnce(p.decide);
      if (r >= WARMUP_ROUNDS) samples[i]!.push(ms);
    });
  }
  return points.map((p, i) => [p.label, (median(samples[i]!) * 1000) / BATCH]);
}

/** BATCH task creates, each routed at once when a worker has room. */
function createTasks(router: WorkspaceRouter, now: () => number): void {
  for (let i = 0; i < BATCH; i++) router.createTask({ attributes: '{}' }, now());
  router.takeEffects();
}

console.log(`engine benchmark on ${machine()}`);
const summary: Record<string, number> = {};

// 1. Lifecycles with 15,000 workers and 5,000 queues (in a function: its router dies when it returns).
measureLifecycles();
function measureLifecycles(): void {
  const t0 = performance.now();
  const router = new WorkspaceRouter(workspace({ workers: 15_000, queues: 5_000, workerAvailable: true }), ids);
  const loadMs = performance.now() - t0;
  lifecycles(router, 2_000, 1e6); // warm-up
  const rates = [1, 2, 3].map((k) => lifecycles(router, 20_000, 1e7 * k));
  console.log(`lifecycles/s (15,000 workers, 5,000 queues): ${Math.round(median(rates)).toLocaleString('en')}  [runs: ${rates.map((r) => Math.round(r)).join(', ')}; router build ${loadMs.toFixed(0)} ms]`);
  summary.lifecyclesPerSecond = median(rates);
  summary.routerBuildMs = loadMs;
}

// 2a. One routing decision as workers grow: a task created when every worker is available and idle.
printCurve('routing decision vs workers', sampledInTurn(() =>
  [1_000, 10_000, 100_000].map((n) => {
    const router = new WorkspaceRouter(workspace({ workers: n, queues: 10, workerAvailable: true, capacity: 50 }), ids);
    let now = 1e6;
    return { label: `${n.toLocaleString('en')} workers`, decide: () => createTasks(router, () => ++now) };
  }),
));

// 2c. One routing decision as queues grow (10k available workers, each in the all-agents queue and its skill's).
printCurve('routing decision vs queues', sampledInTurn(() =>
  [10, 1_000, 5_000].map((q) => {
    const router = new WorkspaceRouter(workspace({ workers: 10_000, queues: q, workerAvailable: true, capacity: 50 }), ids);
    let now = 1e6;
    return { label: `${q.toLocaleString('en')} queues`, decide: () => createTasks(router, () => ++now) };
  }),
));

// 2b. One routing decision as pending tasks grow: the queue holds N waiting tasks (all workers offline), then
// one worker becomes available and is offered the head task. Insertion into a long queue is measured
// separately: a new task behind n waiting ones.
// Each sample makes BATCH workers available, each offered one task.
const pendingCurveWorkers = BATCH * (WARMUP_ROUNDS + SAMPLES);
printCurve('routing decision vs pending tasks', sampledInTurn(() =>
  [1_000, 100_000, 500_000].flatMap((n) => {
    const snap = workspace({ workers: pendingCurveWorkers, queues: 10, workerAvailable: false });
    const router = new WorkspaceRouter(snap, ids);
    let now = 1e6;
    for (let i = 0; i < n; i++) {
      router.createTask({ attributes: '{}' }, ++now);
      if (i % 10_000 === 0) router.takeEffects(); // the Engine writes effects after every command
    }
    router.takeEffects();
    const available = snap.activities[0]!.sid;
    let k = 0;
    const offers = () => {
      for (let i = 0; i < BATCH; i++, k++) router.workerUpserted({ ...snap.workers[k]!, activitySid: available }, [], ++now);
      router.takeEffects();
    };
    return [
      { label: `${n.toLocaleString('en')} pending tasks`, decide: offers },
      { label: `  create behind ${n.toLocaleString('en')}`, decide: () => createTasks(router, () => ++now) },
    ];
  }),
));

console.log(`RESULT ${JSON.stringify({ bench: 'engine', ...summary })}`);

function printCurve(title: string, rows: [string, number][]): void {
  console.log(`${title}:`);
  for (const [label, us] of rows) console.log(`  ${label.padEnd(28)} ${us.toFixed(2)} µs`);
  const main = rows.filter(([l]) => !l.startsWith('  '));
  const ratio = main[main.length - 1]![1] / main[0]![1];
  console.log(`  ratio largest/smallest: ${ratio.toFixed(2)}x`);
  const key = title.replace('routing decision vs ', '');
  summary[`${key}: smallest µs`] = main[0]![1];
  summary[`${key}: largest µs`] = main[main.length - 1]![1];
  summary[`${key}: ratio`] = ratio;
}
