// The legacy taskrouter.js (v1) channel protocol: the per-channel HTTP proxy with absolute API URLs answering in
// the public REST JSON (echoing `ready`), and the per-channel WebSocket pushing REST-format events, a
// reservation event carrying the task with `reservation_sid`.
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
