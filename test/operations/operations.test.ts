// Operations: graceful shutdown on SIGTERM (in-flight writes finish and persist, WebSockets close with 1012 so
// clients reconnect, exit 0), /healthz and /readyz, an online backup taken while the server runs, and JSON
// request logs with request ids that never contain credentials.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { type ChildServer, startChild, switchboardArgs } from '../support/childServer.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-ops-'));
const children: ChildServer[] = [];
after(async () => {
  for (const c of children) await c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const env = { SWITCHBOARD_DB: join(dir, 'ops.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + '0b'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'ops-secret-token-value', SWITCHBOARD_LOG_LEVEL: 'info' };
const auth = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');

async function start(): Promise<ChildServer> {
  const c = await startChild(env);
  children.push(c);
  return c;
}

async function call(origin: string, method: string, path: string, form?: Record<string, string>) {
  const res = await fetch(origin + path, { method, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: form ? new URLSearchParams(form).toString() : undefined });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

describe('operations', () => {
  let ws: string;

  it('health, readiness, an online backup while serving, and request logs without secrets', async () => {
    const server = await start();
    assert.equal((await fetch(`${server.origin}/healthz`)).status, 200);
    assert.deepEqual(await (await fetch(`${server.origin}/readyz`)).json(), { status: 'ready' });
    ws = (await call(server.origin, 'POST', '/v1/Workspaces', { FriendlyName: 'Ops', Template: 'FIFO' })).body.sid;
    await call(server.origin, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: '{"backup":true}' });

    const backup = join(dir, 'copy.db');
    const { stdout } = await promisify(execFile)(process.execPath, switchboardArgs('backup', backup, '--db', env.SWITCHBOARD_DB));
    assert.match(stdout, /backed up .* to .*copy\.db/);
    const copy = new SqliteStore(backup);
    try {
      assert.equal(copy.read((repo) => repo.get('workspace', ws))?.friendlyName, 'Ops');
      assert.equal(copy.read((repo) => repo.count('task', { workspaceSid: ws })), 1);
    } finally {
      copy.close();
    }

    const logs = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const requests = logs.filter((l) => l.req?.url?.startsWith('/v1/Workspaces'));
    assert.ok(requests.length >= 2, 'requests are logged as JSON');
    assert.ok(requests.every((l) => typeof l.reqId === 'string' && l.reqId.length > 0), 'with a request id');
    assert.ok(!server.stdout().includes(env.SWITCHBOARD_AUTH_TOKEN), 'the auth token never appears in the logs');
    assert.ok(!server.stdout().includes(auth.slice(6)), 'nor the Authorization header');
  });

  it('SIGTERM: in-flight writes finish and persist, sockets close with 1012, exit 0', async () => {
    const server = await start();
    const worker = (await call(server.origin, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'stayer' })).body.sid;
    const { token } = (await call(server.origin, 'POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: worker })).body;
    const sock = new WebSocket(`${server.origin.replace('http', 'ws')}/v1/wschannels?token=${token}`);
    await new Promise((resolve) => sock.once('message', resolve));
    const closed = new Promise<number>((resolve) => sock.once('close', (code) => resolve(code)));

    const inFlight = Array.from({ length: 20 }, (_, i) => call(server.origin, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: JSON.stringify({ i }) }).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 5));
    const exited = server.ended.then((e) => e.code);
    server.process.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    assert.equal(await closed, 1012, 'the worker socket is told the service is restarting');
    assert.equal(await exited, 0, 'a clean exit');
    assert.match(server.stdout(), /switchboard stopping/);
    const acknowledged = answers.filter((a) => a?.status === 201).map((a) => a!.body.sid);
    // Each request either completed (201) or, arriving after the stop began, was refused untouched with
    // Twilio's 503 and a retry hint; nothing else.
    const refused = answers.filter((a) => a && a.status !== 201);
    assert.ok(refused.every((a) => a!.status === 503 && a!.body.code === 20503), JSON.stringify(refused));

    const again = await start();
    for (const sid of acknowledged) assert.equal((await call(again.origin, 'GET', `/v1/Workspaces/${ws}/Tasks/${sid}`)).status, 200, `acknowledged task ${sid} persisted`);
    const worker2 = (await call(again.origin, 'GET', `/v1/Workspaces/${ws}/Workers/${worker}`)).body;
    assert.equal(worker2.activity_name, 'Offline', 'unchanged: a shutdown does not move connected workers');
  });

  it('SIGTERM does not wait for connections that carry no request; a request still arriving gets its answer', async () => {
    const server = await start();
    const { port, hostname } = new URL(server.origin);
    const open = async (send?: string) => {
      const socket = connect(Number(port), hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      let received = '';
      let isClosed = false;
      socket.on('data', (d) => (received += d.toString()));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve())).then(() => void (isClosed = true));
      if (send) socket.write(send);
      return { socket, closed, isClosed: () => isClosed, received: () => received };
    };
    // A client's spare connection (nothing sent), one whose request headers are still arriving, and a kept-alive
    // one that was served. Node's own close waited for the first two until their clients hung up.
    const bare = await open();
    const partial = await open('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const served = await open('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    // A request whose body is still arriving when the stop begins.
    const body = new URLSearchParams({ Attributes: JSON.stringify({ arriving: true }) }).toString();
    const arriving = await open(
      `POST /v1/Workspaces/${ws}/Tasks HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const exited = server.ended.then((e) => e.code);
    server.process.kill('SIGTERM');
    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 10_000).unref());
    const idleClosed = await Promise.race([Promise.all([bare.closed, partial.closed, served.closed]).then(() => 'closed'), deadline]);
    assert.equal(idleClosed, 'closed', 'the connections without a request are closed by the server');
    assert.match(served.received(), /^HTTP\/1.1 200/);
    assert.equal(arriving.isClosed(), false, 'the connection of a request in flight stays open');
    arriving.socket.write(body.slice(5));
    assert.equal(await Promise.race([arriving.closed.then(() => 'closed'), deadline]), 'closed', 'then closes once answered');
    assert.match(arriving.received(), /^HTTP\/1.1 201/);
    assert.equal(await Promise.race([exited, deadline]), 0, 'the process exits 0 without waiting for the idle clients');
    const sid = /"sid":"(WT[0-9a-f]{32})"/.exec(arriving.received())?.[1];
    assert.ok(sid, arriving.received());
    const again = await start();
    assert.equal((await call(again.origin, 'GET', `/v1/Workspaces/${ws}/Tasks/${sid}`)).status, 200, 'the answered task persisted');
  });
});
