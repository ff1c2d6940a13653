// HTTP benchmark: task creations/s and full lifecycles/s (create over REST, reservation.created on the worker's
// WebSocket, accept over REST, complete over REST) against the real server process with its durable SQLite
// store, driven by a load generator in another process (bench/load/httpLoad.ts) over keep-alive connections,
// at 1 and 32 concurrent connections. Each figure is the median of several runs, each in a fresh workspace, with
// the server process's CPU time per operation over the same window (all its threads: the fsyncs and the
// checkpoints count). Each run's load runs `warmup` seconds before its window opens (bench/load/loadRun.ts):
// the window holds neither the socket handshakes nor the load generator's own warm-up.
// Run: node --import tsx bench/http.ts [seconds=5] [runs=3] [warmup=2]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkspace, startBenchServer } from './benchServer.ts';
import { runLoadAgainst } from './load/loadRun.ts';
import { machine, median } from './machine.ts';

const [seconds = 5, runs = 3, warmup = 2] = process.argv.slice(2).map(Number);

const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-http-'));
const account = { sid: 'AC' + 'd4'.repeat(16), token: 'bench-token-http' };
const bench = await startBenchServer(join(dir, 'bench.db'), account, { SWITCHBOARD_SYNC: process.env.SWITCHBOARD_SYNC ?? 'full' });

async function measure(mode: 'create' | 'lifecycle', connections: number): Promise<{ rate: number; cpuUs: number }> {
  const rates: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const { ws, workers } = await loadWorkspace(bench, mode === 'lifecycle' ? connections * 2 : 0);
    const input = { origin: bench.server.origin, auth: bench.auth, workspace: ws, mode, connections, workers };
    const result = await runLoadAgainst(bench.server.process.pid!, input, warmup, seconds);
    rates.push(result.perSecond);
    cpu.push(result.cpuUs);
  }
  return { rate: median(rates), cpuUs: median(cpu) };
}

try {
  const results: Record<string, number> = {};
  for (const mode of ['create', 'lifecycle'] as const) {
    for (const connections of [1, 32]) {
      const m = await measure(mode, connections);
      results[`${mode} ${connections}`] = m.rate;
      results[`${mode} ${connections} cpu_us`] = m.cpuUs;
    }
  }
  const us = (key: string) => Math.round(results[key]!);
  console.log(`HTTP benchmark on ${machine()} (server and load generator on the same machine, durable SQLite)`);
  console.log(`  task creates/s        1 connection: ${Math.round(results['create 1']!)} (${us('create 1 cpu_us')} µs server CPU each)   32 connections: ${Math.round(results['create 32']!)} (${us('create 32 cpu_us')} µs)`);
  console.log(`  full lifecycles/s     1 connection: ${Math.round(results['lifecycle 1']!)} (${us('lifecycle 1 cpu_us')} µs server CPU each)   32 connections: ${Math.round(results['lifecycle 32']!)} (${us('lifecycle 32 cpu_us')} µs)`);
  console.log(`RESULT ${JSON.stringify({ bench: 'http', ...results })}`);
} finally {
  await bench.server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
