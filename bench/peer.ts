// Side by side in one run: Switchboard's routed task flow against BullMQ on a local Redis doing the same work
// shape: C producer streams add work back to back while C consumers take each item, and finish it.
//   Switchboard  POST /Tasks over keep-alive HTTP; a FIFO workflow routes each task to one of C available
//                workers (capacity 1) whose WebSocket receives reservation.created, accepts it over REST and
//                completes the task over REST. Durable: SQLite WAL, fsync per group commit.
//   BullMQ       queue.add() from C producers; a Worker with concurrency C processes each job (no work) and
//                BullMQ marks it completed. Redis with appendonly + appendfsync always, the same durability.
// This compares a routed lifecycle (worker selection, reservations, two client round trips per task) against
// an unrouted job queue; the ratio says what the routing and its protocol cost, not which is "faster".
// Redis comes from Debian's redis-server (`apt-get install redis-server`), started here on a loopback port.
// Both sides are measured warm: each run's load runs `warmup` seconds before its window opens (Switchboard's load
// generator process, bench/load/loadRun.ts; BullMQ's producers and worker in this process).
// Run: node --import tsx bench/peer.ts [connections=32] [seconds=5] [runs=3] [warmup=2]
import { spawn } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../test/support/childServer.ts';
import { startBenchServer } from './benchServer.ts';
import { machine, median } from './machine.ts';
import { cpuMicrosPerOp, treeCpuSeconds } from './processCpu.ts';
import { runLoadAgainst } from './load/loadRun.ts';

const [connections = 32, seconds = 5, runs = 3, warmup = 2] = process.argv.slice(2).map(Number);
const REDIS = ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => existsSync(p));
if (!REDIS) {
  console.error('peer benchmark: redis-server not found; install it with `apt-get install redis-server`');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-peer-'));

/** CPU per operation of the last runs: the Switchboard server and the Redis server. */
const cpu = { switchboard: [] as number[], redis: [] as number[] };

async function switchboardFlow(): Promise<number[]> {
  const account = { sid: 'AC' + 'e5'.repeat(16), token: 'bench-token-peer' };
  const { server, auth, form: call } = await startBenchServer(join(dir, 'peer.db'), account);
  try {
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const ws = (await call('POST', '/v1/Workspaces', { FriendlyName: `peer-${r}`, Template: 'FIFO' })).sid;
      const available = (await call('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).activities[0].sid;
      const workers = [];
      for (let i = 0; i < connections; i++) {
        const sid = (await call('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: available, Attributes: '{"skills":["en"]}' })).sid;
        workers.push({ sid, token: (await call('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: sid })).token });
      }
      const input = { origin: server.origin, auth, workspace: ws, mode: 'flow' as const, connections, workers };
      const result = await runLoadAgainst(server.process.pid!, input, warmup, seconds);
      rates.push(result.perSecond);
      cpu.switchboard.push(result.cpuUs);
    }
    return rates;
  } finally {
    await server.kill('SIGTERM');
  }
}

async function bullmqFlow(): Promise<number[]> {
  const port = await freePort();
  const redis = spawn(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
  // BullMQ under ESM takes constructed clients; each Queue and Worker gets its own connection.
  const clients: Redis[] = [];
  const connect = () => {
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, lazyConnect: false });
    c.on('error', () => undefined); // reconnects while redis-server starts
    clients.push(c);
    return c;
  };
  try {
    // Clients made before redis-server listens print their connection errors: wait for its port first.
    for (let i = 0; ; i++) {
      const listening = await new Promise<boolean>((resolve) => {
        const probe = tcpConnect(port, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          resolve(true);
        });
        probe.once('error', () => resolve(false));
      });
      if (listening) break;
      if (i === 200) throw new Error('redis-server did not start listening');
      await new Promise((r) => setTimeout(r, 25));
    }
    for (let i = 0; i < 100; i++) {
      try {
        const probe = new Queue('probe', { connection: connect() });
        await probe.waitUntilReady();
        await probe.close();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const name = `bench-${r}`;
      const queue = new Queue(name, { connection: connect() });
      let completed = 0;
      let counting = false;
      const worker = new Worker(name, async () => undefined, { connection: connect(), concurrency: connections });
      worker.on('completed', () => {
        if (counting) completed++;
      });
      await worker.waitUntilReady();
      // As Switchboard's: `warmup` seconds of the same load first, then the counted window.
      let redisBefore = 0;
      let redisAfter = 0;
      const opened = setTimeout(() => {
        redisBefore = treeCpuSeconds(redis.pid!);
        counting = true;
      }, warmup * 1000);
      const deadline = performance.now() + (warmup + seconds) * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < deadline) await queue.add('task', { type: 'bench', skills: ['en'] }, { removeOnComplete: true });
        }),
      );
      counting = false;
      redisAfter = treeCpuSeconds(redis.pid!);
      clearTimeout(opened);
      rates.push(completed / seconds);
      cpu.redis.push(cpuMicrosPerOp(redisBefore, redisAfter, completed));
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
    return rates;
  } finally {
    for (const c of clients) c.disconnect();
    redis.kill('SIGTERM');
  }
}

try {
  const sb = await switchboardFlow();
  const bull = await bullmqFlow();
  const ratio = median(sb) / median(bull);
  console.log(`peer benchmark on ${machine()}; ${connections} producers and ${connections} consumers, ${seconds} s runs`);
  console.log(`  Switchboard routed lifecycles/s (create, route, push, accept, complete): ${Math.round(median(sb))}  [runs: ${sb.map(Math.round).join(', ')}]; server CPU ${Math.round(median(cpu.switchboard))} µs each`);
  console.log(`  BullMQ jobs/s (add, process, complete; Redis appendfsync always):       ${Math.round(median(bull))}  [runs: ${bull.map(Math.round).join(', ')}]; Redis CPU ${Math.round(median(cpu.redis))} µs each (the BullMQ clients run in this process)`);
  console.log(`  ratio Switchboard/BullMQ: ${ratio.toFixed(2)} (routed lifecycle vs unrouted job queue)`);
  console.log(`RESULT ${JSON.stringify({ bench: 'peer', switchboard: median(sb), bullmq: median(bull), ratio, switchboard_cpu_us: median(cpu.switchboard), redis_cpu_us: median(cpu.redis) })}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
