// The legacy taskrouter.js (v1) channel protocol: the per-channel HTTP proxy with absolute API URLs answering in
// the public REST JSON (echoing `ready`), and the per-channel WebSocket pushing REST-format events, a
// reservation event carrying the task with `reservation_sid`. Lists page through the proxy as taskrouter.js v1
// pages them: its next() sends the answer's next_page_url, query string and all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { WebSocket } from 'ws';
import { startServer, type TestServer } from '../support/server.ts';

const TaskRouterCapability = twilio.jwt.taskrouter.TaskRouterCapability;
const util = twilio.jwt.taskrouter.util;

function nextMessage(sock: WebSocket, type: string, ms = 3000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} within ${ms} ms`)), ms);
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      if (!text.trim()) return;
      const msg = JSON.parse(text);
      if (msg.event_type !== type) return;
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(msg.payload);
    };
    sock.on('message', onMessage);
  });
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(url);
    sock.once('open', () => resolve(sock));
    sock.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    sock.once('error', reject);
  });
}

describe('legacy taskrouter.js channels', () => {
  let s: TestServer;
  let client: ReturnType<typeof twilio>;
  let ws: string;
  let alice: string;
  let token: string;
  const sockets: WebSocket[] = [];
  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    ws = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'Legacy', template: 'FIFO' })).sid;
    const available = (await client.taskrouter.v1.workspaces(ws).activities.list({ friendlyName: 'Available' }))[0]!.sid;
    alice = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'alice', activitySid: available })).sid;
    const capability = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws, channelId: alice });
    for (const p of [...util.defaultWorkerPolicies('v1', ws, alice), ...util.defaultEventBridgePolicies(s.accountSid, alice)]) capability.addPolicy(p);
    token = capability.toJwt();
  });
  after(async () => {
    for (const sock of sockets) sock.terminate();
    await s.close();
  });

  it('the channel proxy answers in REST JSON and echoes event_type', async () => {
    const res = await fetch(`${s.origin}/v1/wschannels/${s.accountSid}/${alice}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `https://taskrouter.twilio.com/v1/Workspaces/${ws}/Workers/${alice}`, method: 'GET', event_type: 'ready', token }),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.event_type, 'ready');
    assert.equal(body.payload.sid, alice);
    assert.equal(body.payload.friendly_name, 'alice');
    assert.equal(body.payload.date_created.endsWith('Z'), true, 'REST dates, not epoch seconds');
    const denied = await fetch(`${s.origin}/v1/wschannels/${s.accountSid}/${alice}`, {
      method: 'POST',
      body: JSON.stringify({ url: `https://taskrouter.twilio.com/v1/Workspaces/${ws}/Workers`, method: 'GET', token }),
    });
    assert.equal(denied.status, 403);
    const other = await fetch(`${s.origin}/v1/wschannels/AC${'0'.repeat(32)}/${alice}`, {
      method: 'POST',
      body: JSON.stringify({ url: `Workspaces/${ws}/Workers/${alice}`, method: 'GET', token }),
    });
    assert.equal(other.status, 403);
  });

  it('pages through the channel proxy: URLs on the origin the client names, query strings merged with params', async () => {
    const admin = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws, channelId: ws });
    const base = util.workspacesUrl(ws);
    for (const method of ['GET', 'POST', 'DELETE']) for (const url of [base, `${base}/**`]) admin.addPolicy(new TaskRouterCapability.Policy({ url, method, allow: true }));
    const adminToken = admin.toJwt();
    for (const name of ['bob', 'carol']) await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: name });
    const proxy = async (body: object) => {
      const res = await fetch(`${s.origin}/v1/wschannels/${s.accountSid}/${ws}`, { method: 'POST', body: JSON.stringify({ ...body, token: adminToken }) });
      return { status: res.status, body: await res.json(), ignored: res.headers.get('x-switchboard-ignored-parameters') };
    };
    // The workspace as taskrouter.js v1 addresses it, with a trailing slash.
    const ready = await proxy({ url: `${s.origin}/v1/Workspaces/${ws}/`, method: 'GET', event_type: 'ready' });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.payload.sid, ws);
    assert.equal(ready.body.payload.url, `${s.origin}/v1/Workspaces/${ws}`);
    // Page 1, then next() through next_page_url as the answer gave it.
    const first = await proxy({ url: `${s.origin}/v1/Workspaces/${ws}/Workers`, method: 'GET', params: { PageSize: 1 } });
    assert.equal(first.status, 200);
    const next = first.body.payload.meta.next_page_url as string;
    assert.ok(next.startsWith(`${s.origin}/v1/Workspaces/${ws}/Workers?`), next);
    const second = await proxy({ url: next, method: 'GET' });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.payload.meta.page, 1);
    assert.notEqual(second.body.payload.workers[0].sid, first.body.payload.workers[0].sid);
    // A name in params replaces the same name of the query string; the rest of the query string stays.
    const bigger = await proxy({ url: next, method: 'GET', params: { PageSize: 2 } });
    assert.equal(bigger.body.payload.meta.page_size, 2);
    assert.equal(bigger.body.payload.meta.page, 1);
    const named = await proxy({ url: `${s.origin}/v1/Workspaces/${ws}/Workers?FriendlyName=carol`, method: 'GET' });
    assert.deepEqual(named.body.payload.workers.map((w: any) => w.friendly_name), ['carol']);
    // The origin of the URL the client sends names every URL of the answer (a client on https behind a proxy).
    const viaTls = await proxy({ url: `https://switchboard.example.com/v1/Workspaces/${ws}/Workers?PageSize=1`, method: 'GET' });
    assert.ok(viaTls.body.payload.meta.next_page_url.startsWith(`https://switchboard.example.com/v1/Workspaces/${ws}/Workers?`));
    assert.equal(viaTls.body.payload.workers[0].url, `https://switchboard.example.com/v1/Workspaces/${ws}/Workers/${viaTls.body.payload.workers[0].sid}`);
    // Writes take the query string too; what the route ignored is named.
    const renamed = await proxy({ url: `${s.origin}/v1/Workspaces/${ws}/?FriendlyName=Legacy%202`, method: 'POST', params: { Bogus: 1 } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.payload.friendly_name, 'Legacy 2');
    assert.equal(renamed.ignored, 'Bogus');
    const broken = await proxy({ url: `${s.origin}/v1/Workspaces/${ws}/Workers?PageSize=%ZZ`, method: 'GET' });
    assert.equal(broken.status, 400);
  });

  it('the worker channel pushes reservations as tasks with reservation_sid; the workspace channel sees them too', async () => {
    const workerSock = await open(`${s.origin.replace('http', 'ws')}/v1/wschannels/${s.accountSid}/${alice}?token=${token}&closeExistingSessions=false`);
    sockets.push(workerSock);
    const admin = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws, channelId: ws });
    const wsSock = await open(`${s.origin.replace('http', 'ws')}/v1/wschannels/${s.accountSid}/${ws}?token=${admin.toJwt()}`);
    sockets.push(wsSock);
    const offered = nextMessage(workerSock, 'reservation.created');
    const seen = nextMessage(wsSock, 'task.created');
    const task = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: '{"legacy":true}' });
    const payload = await offered;
    assert.equal(payload.sid, task.sid);
    assert.match(payload.reservation_sid, /^WR[0-9a-f]{32}$/);
    assert.equal(payload.attributes, '{"legacy":true}');
    assert.equal((await seen).sid, task.sid);
    await assert.rejects(open(`${s.origin.replace('http', 'ws')}/v1/wschannels/AC${'1'.repeat(32)}/${alice}?token=${token}`), /HTTP 401/);
  });
});
