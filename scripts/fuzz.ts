// `npm run fuzz`: the long fuzzing run — N hostile requests (default 1,000,000) to every TaskRouter operation
// of a real server process, 16 at a time, printing the count of each status. Exits non-zero on any 5xx or if
// the server stops answering. Usage: node --import tsx scripts/fuzz.ts [requests]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startChild } from '../test/support/childServer.ts';
import { requestArbitrary } from '../test/fuzz/requestFuzz.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;
const total = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-fuzz-'));
const env = { SWITCHBOARD_DB: join(dir, 'fuzz.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'fa'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'fuzz-token', SWITCHBOARD_RATE_LIMIT: '1000000', SWITCHBOARD_SYNC: 'normal' };
const server = await startChild(env);
const auth = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');
const send = async (method: string, path: string, body?: string) => {
  const res = await fetch(server.origin + path, { method, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body });
  return { status: res.status, text: await res.text() };
};
const json = async (method: string, path: string, form?: Record<string, string>) => JSON.parse((await send(method, path, form ? new URLSearchParams(form).toString() : undefined)).text);

// A workspace with one of each resource to aim at.
const ws = (await json('POST', '/v1/Workspaces', { FriendlyName: 'Fuzz', Template: 'FIFO' })).sid;
const W = `/v1/Workspaces/${ws}`;
const activity = (await json('GET', `${W}/Activities`)).activities[0].sid;
const queue = (await json('GET', `${W}/TaskQueues`)).task_queues[0].sid;
const workflow = (await json('GET', `${W}/Workflows`)).workflows[0].sid;
const channel = (await json('GET', `${W}/TaskChannels`)).channels[0].sid;
const available = (await json('GET', `${W}/Activities?FriendlyName=Available`)).activities[0].sid;
const worker = (await json('POST', `${W}/Workers`, { FriendlyName: 'target', ActivitySid: available })).sid;
const task = (await json('POST', `${W}/Tasks`, { Attributes: '{}' })).sid;
const reservation = (await json('GET', `${W}/Tasks/${task}/Reservations`)).reservations[0]?.sid ?? 'WR' + '0'.repeat(32);
const arbitrary = requestArbitrary({ ws, worker, activity, queue, workflow, task, reservation, channel });

const counts = new Map<string, number>();
const summary = () => [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v.toLocaleString('en')}`).join(', ');
let sent = 0;
let failures = 0;
const started = Date.now();
try {
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (sent < total) {
        const batch = fc.sample(arbitrary, 100);
        for (const req of batch) {
          if (sent >= total) break;
          sent++;
          try {
            const res = await send(req.method, req.path, req.body);
            const key = String(res.status);
            counts.set(key, (counts.get(key) ?? 0) + 1);
            if (res.status >= 500) {
              failures++;
              if (failures <= 10) console.log(`5xx: ${req.method} ${req.path} ${req.body ?? ''} -> ${res.status} ${res.text.slice(0, 200)}`);
            }
          } catch (err) {
            counts.set('no answer', (counts.get('no answer') ?? 0) + 1);
            failures++;
          }
          if (sent % 100_000 === 0) console.log(`${sent.toLocaleString('en')} sent (${Math.round(sent / ((Date.now() - started) / 1000))}/s); by status ${summary()}; 5xx or no answer: ${failures}`);
        }
      }
    }),
  );
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(`fuzz: ${sent.toLocaleString('en')} requests in ${((Date.now() - started) / 1000).toFixed(0)} s; by status ${summary()}; 5xx or no answer: ${failures}`);
process.exit(failures === 0 ? 0 : 1);
