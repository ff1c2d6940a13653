// Twilio's leniency, which code written for Twilio relies on: a trailing slash on any path (taskrouter.js v1
// addresses its workspace as `/v1/Workspaces/WS…/`), and parameters an endpoint does not take (taskrouter.js's
// own example sends `Minutes` to a queue's real-time statistics, which have no window) are answered as if they
// were not there. Every GET of the OpenAPI document is compared both ways; writes apply what they know, the
// response names what was ignored in X-Switchboard-Ignored-Parameters, values of the parameters an endpoint
// does take stay strictly checked, and a worker's token meets the same policies with a trailing slash.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestResponse, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { pathOf, seedWorkspace, type SeededWorkspace } from '../support/workspaceSnapshot.ts';
import { OPERATIONS } from '../fuzz/requestFuzz.ts';

const IGNORED = 'x-switchboard-ignored-parameters';

describe('lenient requests, as Twilio answers them', () => {
  let s: TestServer;
  let t: SeededWorkspace;
  const now = Date.parse('2026-11-30T10:00:00Z');

  before(async () => {
    s = await startServer({ clock: () => now, manualTimers: true });
    t = await seedWorkspace(s);
  });
  after(() => s.close());

  /** Every GET operation of the OpenAPI document, as given and as `variant` makes it; returns how many of them
   *  answered 200 (compared in full). */
  const compareEveryGet = async (variant: (path: string) => string, check?: (plain: TestResponse, changed: TestResponse, template: string) => void) => {
    let compared = 0;
    for (const op of OPERATIONS.filter((o) => o.method === 'GET')) {
      const path = pathOf(op.template, t);
      const plain = await s.request('GET', path);
      const changed = await s.request('GET', variant(path));
      assert.equal(changed.status, plain.status, `GET ${op.template}`);
      assert.deepEqual(changed.body, plain.body, `GET ${op.template}`);
      if (plain.status === 200) {
        compared++;
        check?.(plain, changed, op.template);
      }
    }
    return compared;
  };

  it('every GET operation answers the same with a trailing slash', async () => {
    const compared = await compareEveryGet((path) => `${path}/`);
    assert.ok(compared > 30, `${compared} readable operations compared`);
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

  it("taskqueue.realtimeStats.fetch({Minutes: '240'}) is answered, Minutes ignored", async () => {
    const res = await s.request('GET', `${t.W}/TaskQueues/${t.queue}/RealTimeStatistics?Minutes=240`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.task_queue_sid, t.queue);
    assert.equal(res.headers.get(IGNORED), 'Minutes');
    // Where Minutes is a parameter, it is still checked.
    assertTwilioError(await s.request('GET', `${t.W}/TaskQueues/${t.queue}/CumulativeStatistics?Minutes=soon`), 400, 20001);
  });

  it('every GET operation answers the same with unknown parameters added', async () => {
    // Ignored parameters change nothing, page URLs included (they do not echo them).
    const compared = await compareEveryGet(
      (path) => `${path}?Bogus=1&Attributes%5Ba%5D=2&__proto__=3`,
      (plain, extra, template) => {
        assert.equal(extra.headers.get(IGNORED), 'Bogus, Attributes%5Ba%5D, __proto__', `GET ${template}`);
        assert.equal(plain.headers.get(IGNORED), null);
      },
    );
    assert.ok(compared > 30, `${compared} operations compared`);
  });

  it('writes apply the parameters they take and ignore the rest', async () => {
    const created = await s.request('POST', `${t.W}/Workers`, { form: { FriendlyName: 'erin', Bogus: 'y', 'Attributes[a]': '1', constructor: 'x', ['__proto__']: 'z' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.attributes, '{}');
    assert.equal(created.headers.get(IGNORED), 'Bogus, Attributes%5Ba%5D, constructor, __proto__');
    const updated = await s.request('POST', `${t.W}/Workers/${created.body.sid}`, { form: { Attributes: '{"changed":true}', Sid: 'WK' + '0'.repeat(32), AccountSid: 'AC' + '0'.repeat(32) } });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.attributes, '{"changed":true}');
    assert.equal(updated.body.sid, created.body.sid);
    assert.equal(updated.body.account_sid, s.accountSid);
    const task = await s.request('POST', `${t.W}/Tasks`, { form: { WorkflowSid: t.workflow, Attributes: '{"type":"x"}', Bogus: '1' } });
    assert.equal(task.status, 201, task.text);
    assert.equal(task.headers.get(IGNORED), 'Bogus');
    const capacity = await s.request('POST', `${t.W}/Workers/${created.body.sid}/Channels/voice`, { form: { Capacity: '3', Bogus: '1' } });
    assert.equal(capacity.status, 200, capacity.text);
    assert.equal(capacity.body.configured_capacity, 3);
    // The 2010 API too.
    const key = await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'k', KeyType: 'restricted' } });
    assert.equal(key.status, 201, key.text);
    assert.equal(key.headers.get(IGNORED), 'KeyType');
  });

  it('the values of known parameters stay strictly checked, and a refused request changes nothing', async () => {
    const long = 'y'.repeat(65);
    for (const [path, form] of [
      [`${t.W}/Workers`, { FriendlyName: long, Bogus: 'y' }],
      [`${t.W}/Workers/${t.worker}`, { Attributes: '[1]', Bogus: 'y' }],
      [`${t.W}/Tasks`, { WorkflowSid: t.workflow, Priority: 'high', Bogus: '1' }],
    ] as const) {
      assertTwilioError(await s.request('POST', path, { form }), 400, 20001);
    }
    const workers = (await s.request('GET', `${t.W}/Workers?PageSize=1000`)).body.workers;
    assert.ok(workers.every((w: { friendly_name: string; attributes: string }) => w.friendly_name !== long && w.attributes !== '[1]'));
    assertTwilioError(await s.request('GET', `${t.W}/Workers?PageSize=0&Bogus=1`), 400, 20001);
    assertTwilioError(await s.request('GET', `${t.W}/Workers?FriendlyName=a&FriendlyName=b&Bogus=1`), 400, 20001);
    // A name may hold any character; the header carries it percent-encoded.
    const odd = await s.request('GET', `${t.W}/Activities?${encodeURIComponent('pausé\r\nX-Evil: 1')}=1`);
    assert.equal(odd.status, 200);
    assert.equal(odd.headers.get(IGNORED), encodeURIComponent('pausé\r\nX-Evil: 1'));
    assert.equal(odd.headers.get('x-evil'), null);
  });
});
