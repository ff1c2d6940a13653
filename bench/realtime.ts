// Realtime benchmark: latency from a task's creation (REST request sent) to its reservation.created message
// arriving on the worker's WebSocket, with N connected workers and tasks created at a target rate. The server
// runs as a separate process on a loopback port with its SQLite file (durable commits), like production.
// Run: node --import tsx bench/realtime.ts [workers=1000] [tasksPerSecond=1000] [seconds=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startBenchServer } from './benchServer.ts';
import { machine, median } from './machine.ts';

const [workerCount = 1000, rate = 1000, seconds = 5] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-rt-'));
const account = { sid: 'AC' + 'c3'.repeat(16), token: 'bench-token-123456' };
const { server, form: call } = await startBenchServer(join(dir, 'bench.db'), account, { SWITCHBOARD_SYNC: process.env.SWITCHBOARD_SYNC ?? 'full' });

try {
  const ws = (await call('POST', '/v1/Workspaces', { FriendlyName: 'bench', Template: 'FIFO' })).sid;
  const available = (await call('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).activities[0].sid;
  const t0 = performance.now();
  const workers: string[] = [];
  for (let i = 0; i < workerCount; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, workerCount - i) }, (_, k) => call('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i + k}`, ActivitySid: available })),
    );
    workers.push(...batch.map((w) => w.sid));
  }
  // Capacity so the run never waits for completions: every offer is the first routing decision for its task.
  await Promise.all(workers.map((wk) => call('POST', `/v1/Workspaces/${ws}/Workers/${wk}/Channels/default`, { Capacity: '50' })));
  const setupS = (performance.now() - t0) / 1000;

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const early = new Map<string, number>(); // message before the REST response told us the sid
  const sockets: WebSocket[] = [];
  await Promise.all(
    workers.map(async (wk) => {
      const { token } = await call('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: wk });
      const sock = new WebSocket(`${server.origin.replace('http', 'ws')}/v1/wschannels?token=${token}&setWorkerOfflineIfDisconnected=false`);
      sockets.push(sock);
      sock.on('message', (data) => {
        const text = data.toString();
        if (!text.trim()) return;
        const msg = JSON.parse(text);
        if (msg.event_type !== 'reservation.created') return;
        const at = performance.now();
        const sid = msg.payload.task.sid;
        const start = sentAt.get(sid);
        if (start === undefined) early.set(sid, at);
        else latencies.push(at - start);
      });
      await new Promise((resolve, reject) => {
        sock.once('message', resolve); // init
        sock.once('error', reject);
      });
    }),
  );

  // Create tasks at the target rate; each request's send time is when its latency starts.
  const total = rate * seconds;
  let created = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  while (created < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (created < Math.min(due, total)) {
      created++;
      const sent = performance.now();
      inflight.push(
        call('POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: '{"bench":true}' }).then((task) => {
          sentAt.set(task.sid, sent);
          const arrived = early.get(task.sid);
          if (arrived !== undefined) latencies.push(arrived - sent);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(`realtime benchmark on ${machine()}`);
  console.log(`${workerCount} workers connected (setup ${setupS.toFixed(1)} s); ${created} tasks in ${elapsed.toFixed(2)} s = ${Math.round(created / elapsed)} tasks/s (target ${rate}/s)`);
  console.log(`task create -> reservation.created at the worker socket: p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, p99.9 ${pct(99.9).toFixed(2)} ms, median ${median(latencies).toFixed(2)} ms (${latencies.length} offers)`);
  console.log(`RESULT ${JSON.stringify({ bench: 'realtime', workers: workerCount, rateAsked: rate, rateReached: created / elapsed, p50: pct(50), p99: pct(99), p999: pct(99.9) })}`);
  for (const s of sockets) s.terminate();
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
