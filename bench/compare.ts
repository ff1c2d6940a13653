// Does a change make the server faster or slower? On a shared 2-core machine one run of a load against each
// build cannot tell: the same build reads 1.3 to 1.7 times apart from one minute to the next (README,
// Performance). This runs the HTTP load (bench/load/httpLoad.ts) against two builds in alternated rounds, the
// order flipped every round (A B, B A, A B, ...) so a drift of the machine falls on both, each run on a fresh
// server and database; it prints every run, the medians, and how many rounds B beat A on CPU per operation
// (the figure a change of code moves; throughput also moves with what the load generator and the machine do).
//
// Run: node --import tsx bench/compare.ts A B [mode=lifecycle] [connections=32] [rounds=6] [seconds=5] [warmup=2]
//   A, B: git revisions (each built once into a worktree in the temp directory, with this checkout's
//         node_modules), or `.` for this checkout's sources (dist/, built if stale).
//   mode: create | lifecycle | flow (bench/load/httpLoad.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkspace, startBenchServer } from './benchServer.ts';
import { compiledMain } from './compiledServer.ts';
import { runLoadAgainst, type LoadInput } from './load/loadRun.ts';
import { machine, median } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [a, b, mode = 'lifecycle', ...numbers] = process.argv.slice(2);
const [connections = 32, rounds = 6, seconds = 5, warmup = 2] = numbers.map(Number);
if (!a || !b || !['create', 'lifecycle', 'flow'].includes(mode)) {
  console.error('usage: node --import tsx bench/compare.ts A B [create|lifecycle|flow] [connections] [rounds] [seconds] [warmup]');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'switchboard-compare-'));
const worktrees: string[] = [];

/** The compiled entry point of a revision, built in a worktree of its own (`.`: this checkout's). */
function build(revision: string): string {
  if (revision === '.') return compiledMain();
  const commit = execFileSync('git', ['rev-parse', '--verify', `${revision}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const tree = join(scratch, commit.slice(0, 12));
  if (!existsSync(tree)) {
    execFileSync('git', ['worktree', 'add', '--detach', tree, commit], { cwd: ROOT, stdio: 'ignore' });
    worktrees.push(tree);
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    process.stderr.write(`compare: building ${revision} (${commit.slice(0, 12)})\n`);
    execFileSync(process.execPath, [join(tree, 'scripts', 'build.mjs')], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return join(tree, 'dist', 'main.js');
}

interface Run {
  build: 'A' | 'B';
  perSecond: number;
  cpuUs: number;
}

/** One measured run of the load against a fresh server of `main`. */
async function measure(main: string, round: number): Promise<{ perSecond: number; cpuUs: number }> {
  const dir = mkdtempSync(join(scratch, `run-${round}-`));
  const account = { sid: 'AC' + 'd4'.repeat(16), token: 'bench-token-compare' };
  const bench = await startBenchServer(join(dir, 'bench.db'), account, { SWITCHBOARD_SYNC: 'full' }, main);
  try {
    const { ws, workers } = await loadWorkspace(bench, mode === 'create' ? 0 : connections * 2);
    const input: LoadInput = { origin: bench.server.origin, auth: bench.auth, workspace: ws, mode: mode as LoadInput['mode'], connections, workers };
    return await runLoadAgainst(bench.server.process.pid!, input, warmup, seconds);
  } finally {
    await bench.server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  const mains = { A: build(a), B: build(b) };
  const runs: Run[] = [];
  console.log(`compare on ${machine()}: A = ${a}, B = ${b}; ${mode}, ${connections} connections, ${rounds} rounds of ${seconds} s (+${warmup} s warm-up)`);
  for (let round = 0; round < rounds; round++) {
    const order: ('A' | 'B')[] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const line: string[] = [];
    for (const which of order) {
      const m = await measure(mains[which], round);
      runs.push({ build: which, ...m });
      line.push(`${which} ${Math.round(m.perSecond)}/s ${Math.round(m.cpuUs)} µs`);
    }
    console.log(`  round ${round + 1}: ${line.join(', ')}`);
  }
  const of = (which: 'A' | 'B') => runs.filter((r) => r.build === which);
  const summary = (which: 'A' | 'B') => ({ perSecond: median(of(which).map((r) => r.perSecond)), cpuUs: median(of(which).map((r) => r.cpuUs)) });
  const [sa, sb] = [summary('A'), summary('B')];
  // Paired by round: B's CPU per operation against A's in the same round.
  const ratios = of('A').map((ra, i) => of('B')[i]!.cpuUs / ra.cpuUs);
  const bLower = ratios.filter((r) => r < 1).length;
  console.log(`  medians: A ${Math.round(sa.perSecond)}/s ${Math.round(sa.cpuUs)} µs; B ${Math.round(sb.perSecond)}/s ${Math.round(sb.cpuUs)} µs`);
  console.log(`  B's CPU per operation / A's, by round: median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(2)).join(', ')}); lower in ${bLower} of ${ratios.length} rounds`);
  console.log(`RESULT ${JSON.stringify({ bench: 'compare', a, b, mode, connections, rounds, a_per_s: sa.perSecond, a_cpu_us: sa.cpuUs, b_per_s: sb.perSecond, b_cpu_us: sb.cpuUs, cpu_ratio: median(ratios), b_lower_rounds: bLower })}`);
} finally {
  for (const tree of worktrees) execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT, stdio: 'ignore' });
  rmSync(scratch, { recursive: true, force: true });
}
