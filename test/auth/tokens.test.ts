// Worker and supervisor tokens on the TaskRouter REST face: tokens minted by the official twilio helpers are
// accepted as they are, their policies are enforced exactly, and every kind of bad token is refused with a
// clear error and changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { switchboardArgs } from '../support/childServer.ts';

const { AccessToken } = twilio.jwt;
const { TaskRouterGrant } = AccessToken;
const TaskRouterCapability = twilio.jwt.taskrouter.TaskRouterCapability;
const util = twilio.jwt.taskrouter.util;

describe('tokens', () => {
  let s: TestServer;
  let client: ReturnType<typeof twilio>;
  let ws: string;
  let alice: string;
  let bob: string;
  let key: { sid: string; secret: string };
  let activities: Record<string, string>;

  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    client.api.baseUrl = s.origin;
    const workspace = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Tokens', template: 'FIFO' });
    ws = workspace.sid;
    activities = Object.fromEntries((await client.taskrouter.v1.workspaces(ws).activities.list()).map((a) => [a.friendlyName, a.sid]));
    alice = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'alice' })).sid;
    bob = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'bob' })).sid;
    const k = await client.newKeys.create({ friendlyName: 'tokens' });
    key = { sid: k.sid, secret: k.secret };
  });
  after(async () => s.close());

  const accessToken = (grant: { workerSid?: string; role?: string }, opts: { ttl?: number; secret?: string; accountSid?: string } = {}) => {
    const token = new AccessToken(opts.accountSid ?? s.accountSid, key.sid, opts.secret ?? key.secret, { identity: 'alice', ttl: opts.ttl ?? 600 });
    token.addGrant(new TaskRouterGrant({ workspaceSid: ws, workerSid: grant.workerSid, role: grant.role ?? 'worker' }));
    return token.toJwt();
  };
  const withToken = (token: string, method: string, path: string, form?: Record<string, string>) =>
    s.request(method, path, { auth: null, headers: { 'x-twilio-token': token }, form });
  const snapshot = async () => ({
    workers: (await s.request('GET', `/v1/Workspaces/${ws}/Workers`)).body.workers,
    activities: (await s.request('GET', `/v1/Workspaces/${ws}/Activities`)).body.activities,
  });

  it('an Access Token from twilio.jwt.AccessToken with a TaskRouterGrant works within the worker policies', async () => {
    const token = accessToken({ workerSid: alice });
    const me = await withToken(token, 'GET', `/v1/Workspaces/${ws}/Workers/${alice}`);
    assert.equal(me.status, 200);
    assert.equal(me.body.friendly_name, 'alice');
    assert.equal((await withToken(token, 'GET', `/v1/Workspaces/${ws}/Activities`)).status, 200);
    assert.equal((await withToken(token, 'GET', `/v1/Workspaces/${ws}/Tasks`)).status, 200);
    const moved = await withToken(token, 'POST', `/v1/Workspaces/${ws}/Workers/${alice}`, { ActivitySid: activities.Available! });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.activity_name, 'Available');
    // Bearer works as well as X-Twilio-Token.
    const bearer = await s.request('GET', `/v1/Workspaces/${ws}/Workers/${alice}/Channels`, { auth: null, headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 200);
  });

  it('a worker token is refused everything outside its policies (403, nothing changed)', async () => {
    const token = accessToken({ workerSid: alice });
    const before = await snapshot();
    for (const [method, path, form] of [
      ['GET', `/v1/Workspaces/${ws}/Workers/${bob}`],
      ['POST', `/v1/Workspaces/${ws}/Workers/${bob}`, { ActivitySid: activities.Offline! }],
      ['GET', `/v1/Workspaces/${ws}/Workers`],
      ['POST', `/v1/Workspaces/${ws}/Activities`, { FriendlyName: 'Mine' }],
      ['DELETE', `/v1/Workspaces/${ws}/Workers/${alice}`],
      ['POST', `/v1/Workspaces/${ws}`, { FriendlyName: 'taken over' }],
      ['GET', '/v1/Workspaces'],
      ['POST', `/v1/Workspaces/${ws}/TaskQueues`, { FriendlyName: 'q' }],
    ] as [string, string, Record<string, string>?][]) {
      assertTwilioError(await withToken(token, method, path, form), 403, 20403);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('a worker acts on a task only while it holds a reservation of it', async () => {
    await client.taskrouter.v1.workspaces(ws).workers(bob).update({ activitySid: activities.Available });
    await client.taskrouter.v1.workspaces(ws).workers(alice).update({ activitySid: activities.Offline });
    const task = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: '{}' });
    const [r] = await client.taskrouter.v1.workspaces(ws).workers(bob).reservations.list();
    assert.ok(r);
    const aliceToken = accessToken({ workerSid: alice });
    assertTwilioError(await withToken(aliceToken, 'POST', `/v1/Workspaces/${ws}/Tasks/${task.sid}/Reservations/${r.sid}`, { ReservationStatus: 'accepted' }), 403, 20403);
    assertTwilioError(await withToken(aliceToken, 'POST', `/v1/Workspaces/${ws}/Tasks/${task.sid}`, { AssignmentStatus: 'canceled' }), 403, 20403);
    assertTwilioError(await withToken(aliceToken, 'POST', `/v1/Workspaces/${ws}/Workers/${bob}/Reservations/${r.sid}`, { ReservationStatus: 'rejected' }), 403, 20403);
    const bobToken = accessToken({ workerSid: bob });
    const accepted = await withToken(bobToken, 'POST', `/v1/Workspaces/${ws}/Workers/${bob}/Reservations/${r.sid}`, { ReservationStatus: 'accepted' });
    assert.equal(accepted.status, 200);
    const done = await withToken(bobToken, 'POST', `/v1/Workspaces/${ws}/Tasks/${task.sid}`, { AssignmentStatus: 'completed' });
    assert.equal(done.status, 200);
    assert.equal(done.body.assignment_status, 'completed');
  });

  it('a supervisor (admin) token manages the workspace', async () => {
    const token = accessToken({ role: 'admin' });
    const created = await withToken(token, 'POST', `/v1/Workspaces/${ws}/Activities`, { FriendlyName: 'Coaching' });
    assert.equal(created.status, 201);
    assert.equal((await withToken(token, 'DELETE', `/v1/Workspaces/${ws}/Activities/${created.body.sid}`)).status, 204);
    assertTwilioError(await withToken(token, 'GET', '/v1/Workspaces'), 403, 20403);
  });

  it('a capability token from TaskRouterCapability with the helper policies', async () => {
    const capability = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws, channelId: alice });
    for (const p of util.defaultWorkerPolicies('v1', ws, alice)) capability.addPolicy(p);
    const workerUrl = util.workersUrl(ws, alice);
    capability.addPolicy(new TaskRouterCapability.Policy({ url: workerUrl, method: 'POST', postFilter: { ActivitySid: { required: true } } }));
    const token = capability.toJwt();
    assert.equal((await withToken(token, 'GET', `/v1/Workspaces/${ws}/Workers/${alice}`)).status, 200);
    assert.equal((await withToken(token, 'GET', `/v1/Workspaces/${ws}/Activities`)).status, 200);
    const moved = await withToken(token, 'POST', `/v1/Workspaces/${ws}/Workers/${alice}`, { ActivitySid: activities.Unavailable! });
    assert.equal(moved.status, 200);
    // The post filter requires ActivitySid: an attributes-only update is refused.
    assertTwilioError(await withToken(token, 'POST', `/v1/Workspaces/${ws}/Workers/${alice}`, { Attributes: '{"x":1}' }), 403, 20403);
    assertTwilioError(await withToken(token, 'DELETE', `/v1/Workspaces/${ws}/Workers/${alice}`), 403, 20403);
    assertTwilioError(await withToken(token, 'GET', `/v1/Workspaces/${ws}/Workers/${bob}`), 403, 20403);
  });

  it('refuses forged, expired, unsigned, foreign and malformed tokens with 20003 and changes nothing', async () => {
    const before = await snapshot();
    const path = `/v1/Workspaces/${ws}/Workers/${alice}`;
    const good = accessToken({ workerSid: alice });
    const [h, p] = good.split('.');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forgedSig = createHmac('sha256', 'not-the-secret').update(`${h}.${p}`).digest('base64url');
    const escalated = b64({ ...payload, grants: { ...payload.grants, task_router: { workspace_sid: ws, role: 'admin' } } });
    const other = await client.api.v2010.accounts.create({ friendlyName: 'Other' });
    const otherClient = twilio(other.sid, other.authToken);
    otherClient.api.baseUrl = s.origin;
    const otherKey = await otherClient.api.v2010.accounts(other.sid).newKeys.create();
    const foreign = new AccessToken(s.accountSid, otherKey.sid, otherKey.secret, { identity: 'x' });
    foreign.addGrant(new TaskRouterGrant({ workspaceSid: ws, workerSid: alice, role: 'worker' }));
    const cases: [string, string][] = [
      ['forged signature', `${h}.${p}.${forgedSig}`],
      ['payload changed after signing', `${h}.${escalated}.${good.split('.')[2]}`],
      ['expired', accessToken({ workerSid: alice }, { ttl: -60 })],
      ['alg none', `${b64({ typ: 'JWT', alg: 'none', cty: 'twilio-fpa;v=1' })}.${p}.`],
      ['signed with another account key', foreign.toJwt()],
      ['garbage', 'not.a.jwt'],
      ['capability signed with the wrong token', new TaskRouterCapability({ accountSid: s.accountSid, authToken: 'wrong-token', workspaceSid: ws, channelId: alice }).toJwt()],
    ];
    for (const [name, token] of cases) {
      const res = await withToken(token, 'POST', path, { ActivitySid: activities.Offline! });
      assert.equal(res.status, 401, `${name}: ${res.status} ${res.text}`);
      assertTwilioError(res, 401, 20003);
      assert.match(res.body.message, /^Invalid token: /);
    }
    // Another account's own valid token cannot see this workspace at all.
    const theirs = new AccessToken(other.sid, otherKey.sid, otherKey.secret, { identity: 'x' });
    theirs.addGrant(new TaskRouterGrant({ workspaceSid: ws, role: 'admin' }));
    assertTwilioError(await withToken(theirs.toJwt(), 'GET', `/v1/Workspaces/${ws}`), 404, 20404);
    // Tokens are for the TaskRouter face; account management needs account credentials.
    assertTwilioError(await withToken(good, 'GET', `/2010-04-01/Accounts/${s.accountSid}.json`), 401, 20003);
    assert.deepEqual(await snapshot(), before);
  });

  it('mints tokens over HTTP (Basic auth) and from the CLI', async () => {
    const minted = await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws, WorkerSid: alice, Ttl: '120' } });
    assert.equal(minted.status, 201);
    assert.equal((await withToken(minted.body.token, 'GET', `/v1/Workspaces/${ws}/Workers/${alice}`)).status, 200);
    const cap = await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws, WorkerSid: alice, Type: 'capability' } });
    assert.equal((await withToken(cap.body.token, 'GET', `/v1/Workspaces/${ws}/Workers/${alice}`)).status, 200);
    assertTwilioError(await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws } }), 400, 20001);
    assertTwilioError(await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws, WorkerSid: alice }, auth: null }), 401, 20003);
    assertTwilioError(await withToken(minted.body.token, 'POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: bob }), 401, 20003);
    const cliToken = execFileSync(process.execPath, switchboardArgs('token', 'worker', '--workspace', ws, '--worker', bob, '--db', `${s.dir}/test.db`), { encoding: 'utf8' }).trim();
    const me = await withToken(cliToken, 'GET', `/v1/Workspaces/${ws}/Workers/${bob}`);
    assert.equal(me.status, 200);
    assertTwilioError(await withToken(cliToken, 'GET', `/v1/Workspaces/${ws}/Workers/${alice}`), 403, 20403);
  });
});
