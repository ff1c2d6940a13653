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

// Each sample of a decision curve starts with the heap collected: the routers of the curve's earlier points are
// garbage by then, and a collection of them inside a 200-decision sample times the collector, not the decision
// (the pending-tasks curve read 2.06x in one run, 1.15x in the run before).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function timeIt(fn: () => void, runs = 5): number {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    collectGarbage();
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

console.log(`engine benchmark on ${machine()}`);
const summary: Record<string, number> = {};

// 1. Lifecycles with 15,000 workers and 5,000 queues.
{
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
{
  const rows: [string, number][] = [];
  for (const n of [1_000, 10_000, 100_000]) {
    const router = new WorkspaceRouter(workspace({ workers: n, queues: 10, workerAvailable: true, capacity: 50 }), ids);
    let now = 1e6;
    const batch = 200;
    const ms = timeIt(() => {
      for (let i = 0; i < batch; i++) router.createTask({ attributes: '{}' }, ++now);
      router.takeEffects();
    });
    rows.push([`${n.toLocaleString('en')} workers`, (ms * 1000) / batch]);
  }
  printCurve('routing decision vs workers', rows);
}

// 2c. One routing decision as queues grow (10k available workers, each in the all-agents queue and its skill's).
{
  const rows: [string, number][] = [];
  for (const q of [10, 1_000, 5_000]) {
    const router = new WorkspaceRouter(workspace({ workers: 10_000, queues: q, workerAvailable: true, capacity: 50 }), ids);
    let now = 1e6;
    const batch = 200;
    const ms = timeIt(() => {
      for (let i = 0; i < batch; i++) router.createTask({ attributes: '{}' }, ++now);
      router.takeEffects();
    });
    rows.push([`${q.toLocaleString('en')} queues`, (ms * 1000) / batch]);
  }
  printCurve('routing decision vs queues', rows);
}

// 2b. One routing decision as pending tasks grow: the queue holds N waiting tasks (all workers offline), then
// one worker becomes available and is offered the head task. The three routers are built first and their
// samples taken in turn, so a slow spell of the machine weighs on every point alike, not on one (single
// points moved by 2x between runs when each was timed alone, one after the other).
{
  const batch = 200;
  const samples = 5; // 5 x 200 offers: each sample makes 200 of the 1,000 workers available
  const points = [1_000, 100_000, 500_000].map((n) => {
    const snap = workspace({ workers: 1_000, queues: 10, workerAvailable: false });
    const router = new WorkspaceRouter(snap, ids);
    let now = 1e6;
    for (let i = 0; i < n; i++) {
      router.createTask({ attributes: '{}' }, ++now);
      if (i % 10_000 === 0) router.takeEffects(); // the Engine writes effects after every command
    }
    router.takeEffects();
    return { n, snap, router, now, k: 0, decisions: [] as number[], inserts: [] as number[] };
  });
  for (let r = 0; r < samples; r++) {
    for (const p of points) {
      const available = p.snap.activities[0]!.sid;
      p.decisions.push(
        timeIt(() => {
          for (let i = 0; i < batch; i++, p.k++) {
            const w = p.snap.workers[p.k]!;
            p.router.workerUpserted({ ...w, activitySid: available }, [], ++p.now);
          }
          p.router.takeEffects();
        }, 1),
      );
      // Insertion into a long queue, measured separately: a new task behind n waiting ones.
      p.inserts.push(
        timeIt(() => {
          for (let i = 0; i < batch; i++) p.router.createTask({ attributes: '{}' }, ++p.now);
          p.router.takeEffects();
        }, 1),
      );
    }
  }
  const rows: [string, number][] = [];
  for (const p of points) {
    rows.push([`${p.n.toLocaleString('en')} pending tasks`, (median(p.decisions) * 1000) / batch]);
    rows.push([`  create behind ${p.n.toLocaleString('en')}`, (median(p.inserts) * 1000) / batch]);
  }
  printCurve('routing decision vs pending tasks', rows);
}

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
