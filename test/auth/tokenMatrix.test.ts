// Tokens across every door. Bad tokens (forged signature, expired, alg none, signed with another account's
// key, another account's capability token, garbage) are refused on REST, on the EventBridge proxy and on both
// WebSocket protocols. A worker's token is refused (403) on every TaskRouter operation outside its policies,
// enumerated from the OpenAPI document; the database is unchanged afterwards. The one creation a worker's grant
// allows is a task routed to the worker itself (twilio-taskrouter's Worker.createTask).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { WebSocket } from 'ws';
import { startServer, type TestServer } from '../support/server.ts';
import { pathOf, seedWorkspace, type SeededWorkspace } from '../support/workspaceSnapshot.ts';
import { OPERATIONS } from '../fuzz/requestFuzz.ts';

const { AccessToken } = twilio.jwt;
const { TaskRouterGrant } = AccessToken;
const { TaskRouterCapability } = twilio.jwt.taskrouter;

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const sock = new WebSocket(url);
    sock.once('open', () => {
      sock.terminate();
      resolve(101);
    });
    sock.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    sock.once('error', () => undefined);
  });
}

describe('token matrix', () => {
  let s: TestServer;
  let t: SeededWorkspace;
  let key: { sid: string; secret: string };
  const database = () => JSON.stringify(s.store.read((repo) => ['worker', 'activity', 'task', 'reservation', 'taskQueue', 'workflow', 'workspace'].map((k) => repo.findAll(k as never, {} as never))));

  before(async () => {
    s = await startServer();
    t = await seedWorkspace(s);
    const k = (await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'matrix' } })).body;
    key = { sid: k.sid, secret: k.secret };
  });
  after(() => s.close());

  const workerToken = (workerSid: string, opts: { ttl?: number } = {}) => {
    const token = new AccessToken(s.accountSid, key.sid, key.secret, { identity: workerSid, ttl: opts.ttl ?? 600 });
    token.addGrant(new TaskRouterGrant({ workspaceSid: t.ws, workerSid, role: 'worker' }));
    return token.toJwt();
  };

  it('bad tokens are refused on REST, the EventBridge proxy and both WebSockets', async () => {
    const good = workerToken(t.worker);
    const [h, p] = good.split('.');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const other = (await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'Other' } })).body;
    const otherKey = (await s.request('POST', `/2010-04-01/Accounts/${other.sid}/Keys.json`, { auth: { username: other.sid, password: other.auth_token } })).body;
    const foreignKey = new AccessToken(s.accountSid, otherKey.sid, otherKey.secret, { identity: 'x' });
    foreignKey.addGrant(new TaskRouterGrant({ workspaceSid: t.ws, workerSid: t.worker, role: 'worker' }));
    const cases: [string, string][] = [
      ['forged signature', `${h}.${p}.${createHmac('sha256', 'guess').update(`${h}.${p}`).digest('base64url')}`],
      ['expired', workerToken(t.worker, { ttl: -60 })],
      ['alg none', `${b64({ typ: 'JWT', alg: 'none', cty: 'twilio-fpa;v=1' })}.${p}.`],
      ['signed with another account key', foreignKey.toJwt()],
      ['capability of another account', new TaskRouterCapability({ accountSid: other.sid, authToken: 'not-theirs', workspaceSid: t.ws, channelId: t.worker }).toJwt()],
      ['garbage', 'a.b.c'],
    ];
    const before = database();
    for (const [name, token] of cases) {
      const rest = await s.request('POST', `${t.W}/Workers/${t.worker}`, { auth: null, headers: { 'x-twilio-token': token }, form: { Attributes: '{"owned":true}' } });
      assert.equal(rest.status, 401, `REST, ${name}`);
      assert.equal(rest.body.code, 20003);
      const eb = await fetch(`${s.origin}/v1/wschannels`, { method: 'POST', body: JSON.stringify({ url: `Workspaces/${t.ws}/Workers/${t.worker}`, method: 'POST', params: { Attributes: '{"owned":true}' }, token }) });
      assert.equal(eb.status, 401, `EventBridge proxy, ${name}`);
      assert.equal((await eb.json()).code, 20003);
      const legacy = await fetch(`${s.origin}/v1/wschannels/${s.accountSid}/${t.worker}`, { method: 'POST', body: JSON.stringify({ url: `https://taskrouter.twilio.com/v1/Workspaces/${t.ws}/Workers/${t.worker}`, method: 'GET', token }) });
      assert.equal(legacy.status, 401, `v1 channel proxy, ${name}`);
      const wsOrigin = s.origin.replace('http', 'ws');
      assert.equal(await upgradeStatus(`${wsOrigin}/v1/wschannels?token=${encodeURIComponent(token)}`), 401, `EventBridge WebSocket, ${name}`);
      assert.equal(await upgradeStatus(`${wsOrigin}/v1/wschannels/${s.accountSid}/${t.worker}?token=${encodeURIComponent(token)}`), 401, `v1 WebSocket, ${name}`);
    }
    assert.equal(database(), before, 'nothing changed');
  });

  it("a worker token gets 403 on every operation outside its policies (another worker's, the workspace's admin)", async () => {
    // The worker (t.worker) may read the workspace, its activities, task channels and tasks, and read and update
    // itself; everything else, here aimed at another worker (t.dora) and the workspace's configuration, is 403.
    const token = workerToken(t.worker);
    const fill = (template: string) => pathOf(template, t, t.dora);
    // Reads of the workspace, its activities, task channels and tasks (with their reservations, as Twilio's
    // default worker policy `GET …/Tasks/**` allows) are the worker's.
    const readable = /^\/v1\/Workspaces\/WS[0-9a-f]{32}(\/(Activities|TaskChannels)(\/[^/]+)?|\/Tasks(\/[^/]+(\/Reservations(\/[^/]+)?)?)?)?$/;
    const before = database();
    const allowedAnyway: string[] = [];
    let checked = 0;
    for (const op of OPERATIONS) {
      const path = fill(op.template);
      if (op.method === 'GET' && readable.test(path)) continue; // within the worker's policies
      if (!path.startsWith('/v1/Workspaces/')) {
        if (op.template === '/v1/Workspaces' && op.method === 'POST') {
          // creating workspaces is account business
        } else if (op.template !== '/v1/Workspaces') continue;
      }
      const form = op.method === 'POST' ? { FriendlyName: 'x' } : undefined;
      const res = await s.request(op.method, path, { auth: null, headers: { 'x-twilio-token': token }, form });
      checked++;
      if (res.status !== 403) allowedAnyway.push(`${op.method} ${op.template} -> ${res.status}`);
      else assert.equal(res.body.code, 20403);
    }
    assert.ok(checked > 40, `${checked} operations checked`);
    assert.deepEqual(allowedAnyway, []);
    assert.equal(database(), before, 'nothing changed');
  });

  it('a worker token creates a task routed to itself, and no other task', async () => {
    const token = workerToken(t.worker);
    const post = (form: Record<string, string>) => s.request('POST', `${t.W}/Tasks`, { auth: null, headers: { 'x-twilio-token': token }, form });
    const before = database();
    for (const RoutingTarget of [t.dora, t.queue, t.workflow, t.worker.toLowerCase(), '']) {
      const res = await post({ WorkflowSid: t.workflow, RoutingTarget, Attributes: '{}' });
      assert.equal(res.status, 403, `RoutingTarget ${RoutingTarget}`);
      assert.equal(res.body.code, 20403);
    }
    assert.equal((await post({ WorkflowSid: t.workflow, Attributes: '{}' })).status, 403, 'without a RoutingTarget');
    assert.equal(database(), before, 'nothing changed');
    const mine = await post({ WorkflowSid: t.workflow, TaskQueueSid: t.queue, RoutingTarget: t.worker, Attributes: '{"outbound_to":"+15550100"}', TaskChannelUniqueName: 'voice' });
    assert.equal(mine.status, 201, mine.text);
    assert.equal(mine.body.routing_target, t.worker);
    assert.equal(mine.body.task_channel_unique_name, 'voice');
    // Its other policies are unchanged: it reads the task it created, and cannot delete it.
    assert.equal((await s.request('GET', `${t.W}/Tasks/${mine.body.sid}`, { auth: null, headers: { 'x-twilio-token': token } })).status, 200);
    assert.equal((await s.request('DELETE', `${t.W}/Tasks/${mine.body.sid}`, { auth: null, headers: { 'x-twilio-token': token } })).status, 403);
  });
});
