// Trailing slashes, as Twilio accepts them (taskrouter.js v1 addresses its workspace as `/v1/Workspaces/WS…/`):
// every GET of the OpenAPI document answers the same with and without one, writes work through them, and a
// worker's token is held to the same policies on a path that ends with a slash.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { pathOf, seedWorkspace, type SeededWorkspace } from '../support/workspaceSnapshot.ts';
import { OPERATIONS } from '../fuzz/requestFuzz.ts';

describe('trailing slashes on REST paths', () => {
  let s: TestServer;
  let t: SeededWorkspace;
  const now = Date.parse('2026-11-30T10:00:00Z');

  before(async () => {
    s = await startServer({ clock: () => now, manualTimers: true });
    t = await seedWorkspace(s);
  });
  after(() => s.close());

  it('every GET operation answers the same with a trailing slash', async () => {
    let checked = 0;
    for (const op of OPERATIONS.filter((o) => o.method === 'GET')) {
      const path = pathOf(op.template, t);
      const plain = await s.request('GET', path);
      const slashed = await s.request('GET', `${path}/`);
      assert.equal(slashed.status, plain.status, `GET ${op.template}/`);
      assert.deepEqual(slashed.body, plain.body, `GET ${op.template}/`);
      if (plain.status === 200) checked++;
    }
    assert.ok(checked > 30, `${checked} readable operations compared`);
    // With a query string after the slash, and more than one slash.
    const page = await s.request('GET', `${t.W}/Workers/?PageSize=1`);
    assert.equal(page.status, 200);
    assert.equal(page.body.workers.length, 1);
    assert.match(page.body.meta.next_page_url, new RegExp(`${t.W}/Workers\\?PageSize=1&Page=1&PageToken=`), 'paging URLs name the canonical path');
    assert.equal((await s.request('GET', `${t.W}//`)).status, 200);
  });

  it('creates, updates and deletes through paths that end with a slash', async () => {
    const renamed = await s.request('POST', `${t.W}/`, { form: { FriendlyName: 'Renamed' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await s.request('GET', t.W)).body.friendly_name, 'Renamed');
    const created = await s.request('POST', `${t.W}/Activities/`, { form: { FriendlyName: 'Coffee', Available: 'false' } });
    assert.equal(created.status, 201, created.text);
    assert.equal((await s.request('DELETE', `${t.W}/Activities/${created.body.sid}/`)).status, 204);
    assert.equal((await s.request('GET', `${t.W}/Activities/${created.body.sid}`)).status, 404);
    // The official client, pointed at a base URL that ends with a slash, builds such paths itself.
    const client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = `${s.origin}/`;
    assert.equal((await client.taskrouter.v1.workspaces(t.ws).fetch()).friendlyName, 'Renamed');
  });

  it("a worker's token meets the same policies with a trailing slash", async () => {
    const key = (await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'slash' } })).body;
    const token = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: 'alice', ttl: 600 });
    token.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: t.ws, workerSid: t.worker, role: 'worker' }));
    const headers = { 'x-twilio-token': token.toJwt() };
    assert.equal((await s.request('GET', `${t.W}/Workers/${t.worker}/`, { auth: null, headers })).status, 200);
    // alice holds no reservation of the waiting task: completing it is refused, with or without the slash.
    for (const path of [`${t.W}/Tasks/${t.waiting}`, `${t.W}/Tasks/${t.waiting}/`, `${t.W}/Tasks/${t.waiting}//`]) {
      const res = await s.request('POST', path, { auth: null, headers, form: { AssignmentStatus: 'canceled' } });
      assert.equal(res.status, 403, `POST ${path}`);
    }
    assert.equal((await s.request('GET', `${t.W}/Tasks/${t.waiting}`)).body.assignment_status, 'pending');
    assert.equal((await s.request('POST', `${t.W}/Workers/${t.dora}/`, { auth: null, headers, form: { Attributes: '{}' } })).status, 403);
  });
});
