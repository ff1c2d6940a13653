// Lowers the scheduling priority of V8's background threads below the thread that serves requests (Linux).
//
// Why: every request, push and commit runs on the main thread; beside it V8 runs a pool of helper threads
// (four by default) for concurrent marking, parallel scavenges and the optimizing compiler. When the machine's
// cores are all busy the kernel shares a core equally between the main thread and a helper, so a request
// waits while a function is recompiled: on the 2-core benchmark machine, a stalled event loop was found
// runnable but waiting for a CPU for 22.5 of 42.6 ms (docs/operations.md, "Tail latency"). At nice +10 a
// helper weighs a tenth of the main thread when both want a core, and still takes any core nobody else wants,
// so the collector and the compiler keep up and the main thread goes first. libuv's pool keeps its priority:
// it runs the fsyncs every acknowledgement waits for. Raising a thread's nice value needs no privilege.
//
// Which threads: Node starts its platform before any JavaScript runs, in this order (src/node_platform.cc,
// unchanged from Node 12 to 22): the main thread, the delayed-task scheduler, then the --v8-pool-size workers.
// Threads made later (the inspector's signal thread, libuv's pool, worker_threads) come after them. Ordered by
// thread id, the helpers are therefore ids 2 .. 2+pool of /proc/self/task. Nothing is changed when the layout
// is not the expected one (another OS, a pool size this cannot tell).
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface HelperPriority {
  /** The thread ids whose nice value was set. */
  readonly threads: number[];
  /** Why nothing was changed, when nothing was. */
  readonly skipped?: string;
}

/** The V8 pool size this process was started with: --v8-pool-size from its flags or NODE_OPTIONS, else 4. */
export function v8PoolSize(execArgv: readonly string[], nodeOptions: string | undefined): number | undefined {
  const flags = [...(nodeOptions ?? '').split(/\s+/), ...execArgv];
  let size = 4;
  for (let i = 0; i < flags.length; i++) {
    const m = /^--v8-pool-size(?:=(.*))?$/.exec(flags[i]!);
    if (m) size = Number(m[1] ?? flags[++i]);
  }
  // 0 lets Node pick from the number of cores: not something to guess at.
  return Number.isInteger(size) && size > 0 ? size : undefined;
}

/** Sets V8's helper threads to `nice` (1 to 19); 0 changes nothing. */
export function lowerHelperPriority(nice: number): HelperPriority {
  if (nice === 0) return { threads: [], skipped: 'turned off' };
  if (process.platform !== 'linux') return { threads: [], skipped: `not on ${process.platform}` };
  const pool = v8PoolSize(process.execArgv, process.env.NODE_OPTIONS);
  if (pool === undefined) return { threads: [], skipped: 'the V8 pool size is chosen by Node (--v8-pool-size=0)' };
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);
  } catch (err) {
    return { threads: [], skipped: `cannot list threads (${(err as Error).message})` };
  }
  if (tids[0] !== process.pid || tids.length < 2 + pool) return { threads: [], skipped: `unexpected thread layout (${tids.length} threads)` };
  const helpers = tids.slice(2, 2 + pool);
  for (const tid of helpers) setPriority(tid, nice);
  return { threads: helpers };
}
