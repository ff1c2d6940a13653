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
//   mode: create | lifecycle | flow (bench/load/httpLoad.ts), or cluster: bench/cluster.ts's load (one round
//         of it per build and round; the connections argument is its lifecycles per workspace, 6 by default)
//         for the configurations CLUSTER_CONFIGS names (default nodes1,nodes3), each run on a fresh PostgreSQL
//         server; the defaults become 4 rounds of 8 s after 15 s of warm-up.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkspace, startBenchServer } from './benchServer.ts';
import { compiledMain } from '../scripts/compiledServer.mjs';
import { runLoadAgainst, type LoadInput } from './load/loadRun.ts';
import { machine, median } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [a, b, mode = 'lifecycle', ...numbers] = process.argv.slice(2);
const cluster = mode === 'cluster';
const [connections = cluster ? 6 : 32, rounds = cluster ? 4 : 6, seconds = cluster ? 8 : 5, warmup = cluster ? 15 : 2] = numbers.map(Number);
const clusterConfigs = process.env.CLUSTER_CONFIGS || 'nodes1,nodes3';
if (!a || !b || !['create', 'lifecycle', 'flow', 'cluster'].includes(mode)) {
  console.error('usage: node --import tsx bench/compare.ts A B [create|lifecycle|flow|cluster] [connections] [rounds] [seconds] [warmup]');
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

interface Figures {
  perSecond: number;
  cpuUs: number;
}

interface Run {
  build: 'A' | 'B';
  /** By what was measured: the HTTP mode, or each cluster configuration. */
  figures: Record<string, Figures>;
}

/** One measured run: the HTTP load against a fresh server of `main`, or bench/cluster.ts with its nodes on it. */
async function measure(main: string, round: number): Promise<Record<string, Figures>> {
  return cluster ? measureCluster(main) : { [mode]: await measureHttp(main, round) };
}

/** One round of bench/cluster.ts with `main` as the nodes' server: per configuration, lifecycles (or jobs) per
 *  second and the nodes' CPU per lifecycle (PostgreSQL's CPU is in its line of the output). */
async function measureCluster(main: string): Promise<Record<string, Figures>> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'cluster.ts'), String(seconds), String(connections), String(warmup), '1'], {
      cwd: ROOT,
      env: { ...process.env, CLUSTER_MAIN: main, CLUSTER_CONFIGS: clusterConfigs },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bench/cluster.ts exited with ${code}:\n${out}`))));
  });
  const result = JSON.parse(/^RESULT (.*)$/m.exec(output)![1]!) as Record<string, number>;
  const figures: Record<string, Figures> = {};
  for (const c of clusterConfigs.split(',')) {
    figures[c] = c === 'graphile' ? { perSecond: result.graphileJobs!, cpuUs: result.graphilePgCpuUs! } : { perSecond: result[c]!, cpuUs: result[`${c}CpuUs`]! };
  }
  return figures;
}

/** One measured run of the HTTP load against a fresh server of `main`. */
async function measureHttp(main: string, round: number): Promise<Figures> {
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
  const what = cluster ? `cluster (${clusterConfigs}), ${connections} lifecycles per workspace` : `${mode}, ${connections} connections`;
  console.log(`compare on ${machine()}: A = ${a}, B = ${b}; ${what}, ${rounds} rounds of ${seconds} s (+${warmup} s warm-up)`);
  for (let round = 0; round < rounds; round++) {
    const order: ('A' | 'B')[] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const line: string[] = [];
    for (const which of order) {
      const figures = await measure(mains[which], round);
      runs.push({ build: which, figures });
      line.push(`${which} ${Object.entries(figures).map(([key, m]) => `${cluster ? `${key} ` : ''}${Math.round(m.perSecond)}/s ${Math.round(m.cpuUs)} µs`).join(', ')}`);
    }
    console.log(`  round ${round + 1}: ${line.join('; ')}`);
  }
  const of = (which: 'A' | 'B') => runs.filter((r) => r.build === which);
  const result: Record<string, unknown> = { bench: 'compare', a, b, mode, connections, rounds };
  for (const key of Object.keys(runs[0]!.figures)) {
    const summary = (which: 'A' | 'B') => ({ perSecond: median(of(which).map((r) => r.figures[key]!.perSecond)), cpuUs: median(of(which).map((r) => r.figures[key]!.cpuUs)) });
    const [sa, sb] = [summary('A'), summary('B')];
    // Paired by round: B's figures against A's in the same round.
    const cpuRatios = of('A').map((ra, i) => of('B')[i]!.figures[key]!.cpuUs / ra.figures[key]!.cpuUs);
    const rateRatios = of('A').map((ra, i) => of('B')[i]!.figures[key]!.perSecond / ra.figures[key]!.perSecond);
    const bLower = cpuRatios.filter((r) => r < 1).length;
    const label = cluster ? `${key}: ` : '';
    console.log(`  ${label}medians: A ${Math.round(sa.perSecond)}/s ${Math.round(sa.cpuUs)} µs; B ${Math.round(sb.perSecond)}/s ${Math.round(sb.cpuUs)} µs`);
    console.log(`  ${label}B's CPU per operation / A's, by round: median ${median(cpuRatios).toFixed(3)} (${cpuRatios.map((r) => r.toFixed(2)).join(', ')}); lower in ${bLower} of ${cpuRatios.length} rounds`);
    console.log(`  ${label}B's operations per second / A's, by round: median ${median(rateRatios).toFixed(3)} (${rateRatios.map((r) => r.toFixed(2)).join(', ')})`);
    const prefix = cluster ? `${key}_` : '';
    Object.assign(result, { [`${prefix}a_per_s`]: sa.perSecond, [`${prefix}a_cpu_us`]: sa.cpuUs, [`${prefix}b_per_s`]: sb.perSecond, [`${prefix}b_cpu_us`]: sb.cpuUs, [`${prefix}cpu_ratio`]: median(cpuRatios), [`${prefix}rate_ratio`]: median(rateRatios), [`${prefix}b_lower_rounds`]: bLower });
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  for (const tree of worktrees) execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT, stdio: 'ignore' });
  rmSync(scratch, { recursive: true, force: true });
}
