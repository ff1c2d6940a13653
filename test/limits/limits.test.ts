// Limits and overload: per-account rate limiting (429, 20429, X-Rate-Limit-* headers) that leaves other
// accounts alone; a bounded number of WebSockets per worker; a flood of idle connections and refused upgrades
// leaves the server's memory bounded and the server serving; a stuck webhook receiver never delays routing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServer } from '../support/server.ts';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { startReceiver } from '../support/webhookReceiver.ts';
import { assertTwilioError } from '../support/contract.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

function upgrade(url: string): Promise<{ status: number; body?: any; sock?: WebSocket }> {
  return new Promise((resolve) => {
    const sock = new WebSocket(url);
    sock.once('open', () => resolve({ status: 101, sock }));
    sock.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    sock.once('error', () => undefined);
  });
}

describe('limits and overload', () => {
  it('rate limit per account: 429 with 20429 and the X-Rate-Limit headers; another account is unaffected', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 0, 100);
    const s = await startServer({ rateLimit: 5, clock: () => now });
    try {
      const other = (await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'other' } })).body;
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 6; i++) {
        last = await s.request('GET', '/v1/Workspaces');
        statuses.push(last.status);
      }
      assert.deepEqual(statuses.slice(0, 4), [200, 200, 200, 200]); // the 6th call of the window (the account create was the 1st)
      assertTwilioError(last!, 429, 20429);
      assert.equal(last!.headers.get('x-rate-limit-limit'), '5');
      assert.equal(last!.headers.get('x-rate-limit-remaining'), '0');
      assert.ok(last!.headers.get('x-rate-limit-config'));
      const theirs = await s.request('GET', '/v1/Workspaces', { auth: { username: other.sid, password: other.auth_token } });
      assert.equal(theirs.status, 200, 'another account has its own budget');
      assert.equal(theirs.headers.get('x-rate-limit-remaining'), '4');
      now += 1000;
      assert.equal((await s.request('GET', '/v1/Workspaces')).status, 200, 'the next second has a fresh budget');
    } finally {
      await s.close();
    }
  });

  it('at most 10 WebSockets per worker; closeExistingSessions replaces them', async () => {
    const s = await startServer();
    const sockets: WebSocket[] = [];
    try {
      const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Sockets' } })).body.sid;
      const worker = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'busy' } })).body.sid;
      const { token } = (await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws, WorkerSid: worker } })).body;
      const url = `${s.origin.replace('http', 'ws')}/v1/wschannels?token=${token}`;
      for (let i = 0; i < 10; i++) {
        const r = await upgrade(url);
        assert.equal(r.status, 101);
        sockets.push(r.sock!);
      }
      const refused = await upgrade(url);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.code, 20429);
      const closed = Promise.all(sockets.map((sock) => new Promise((resolve) => sock.once('close', resolve))));
      const replacing = await upgrade(`${url}&closeExistingSessions=true`);
      assert.equal(replacing.status, 101);
      sockets.push(replacing.sock!);
      await closed;
    } finally {
      for (const sock of sockets) sock.terminate();
      await s.close();
    }
  });

  it('a flood of idle connections and refused upgrades: memory stays bounded and the server keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-flood-'));
    let server: ChildServer | undefined;
    const idle: Socket[] = [];
    try {
      server = await startChild({ SWITCHBOARD_DB: join(dir, 'flood.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + '7f'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'flood-token' });
      const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server!.process.pid}/status`, 'utf8'))![1]) / 1024;
      const before = rss();
      const { port } = new URL(server.origin);
      for (let round = 0; round < 3; round++) {
        // 500 connections that never send a byte, and 500 upgrades with forged tokens.
        for (let i = 0; i < 500; i++) {
          const sock = connect(Number(port), '127.0.0.1');
          sock.on('error', () => undefined);
          idle.push(sock);
        }
        const refusals = await Promise.all(Array.from({ length: 500 }, () => upgrade(`${server!.origin.replace('http', 'ws')}/v1/wschannels?token=forged.${round}.x`)));
        assert.ok(refusals.every((r) => r.status === 401));
        assert.equal((await fetch(`${server.origin}/healthz`)).status, 200, 'serving during the flood');
        for (const sock of idle.splice(0)) sock.destroy();
      }
      await new Promise((r) => setTimeout(r, 500));
      const grown = rss() - before;
      assert.ok(grown < 150, `RSS grew by ${grown.toFixed(0)} MiB over 1,500 idle connections and 1,500 refused upgrades`);
    } finally {
      for (const sock of idle) sock.destroy();
      await server?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stuck webhook receiver never delays routing', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => ({ status: 200, delayMs: 30_000 }); // never answers in time
    const s = await startServer({ callbacks: { eventTimeoutMs: 20_000, assignmentTimeoutMs: 20_000 } });
    try {
      const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Stuck', Template: 'FIFO', EventCallbackUrl: `${receiver.origin}/events` } })).body.sid;
      const workflow = (await s.request('GET', `/v1/Workspaces/${ws}/Workflows`)).body.workflows[0].sid;
      await s.request('POST', `/v1/Workspaces/${ws}/Workflows/${workflow}`, { form: { AssignmentCallbackUrl: `${receiver.origin}/assign` } });
      const available = (await s.request('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).body.activities[0].sid;
      const workers = [];
      for (let i = 0; i < 5; i++) workers.push((await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: `w${i}`, ActivitySid: available } })).body.sid);
      await receiver.waitFor((all) => all.length >= 1); // the receiver is holding a callback
      const started = Date.now();
      for (let i = 0; i < 5; i++) {
        const task = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: '{}' } })).body;
        assert.equal(task.assignment_status, 'reserved', 'routed at once');
      }
      assert.ok(Date.now() - started < 2000, `five tasks routed in ${Date.now() - started} ms while callbacks hang`);
    } finally {
      await s.close();
      await receiver.close();
    }
  });
});
