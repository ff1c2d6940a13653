import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertTwilioError } from '../support/contract.ts';

describe('Workspaces and Activities: contract', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  it('creates a FIFO workspace with its template activities, queue, workflow and channels', async () => {
    const res = await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Support', Template: 'FIFO' } });
    assertContract('post', '/v1/Workspaces', res, 201);
    assert.equal(res.body.default_activity_name, 'Offline');
    assert.equal(res.body.timeout_activity_sid, res.body.default_activity_sid);
    assert.equal(res.body.multi_task_enabled, true);
    assert.ok(res.body.url.startsWith(s.origin + '/v1/Workspaces/WS'));
    const ws = res.body.sid;
    const acts = await s.request('GET', `/v1/Workspaces/${ws}/Activities`);
    assertContract('get', '/v1/Workspaces/{WorkspaceSid}/Activities', acts, 200);
    assert.deepEqual(acts.body.activities.map((a: any) => [a.friendly_name, a.available]), [
      ['Offline', false],
      ['Available', true],
      ['Unavailable', false],
    ]);
    const fetched = await s.request('GET', `/v1/Workspaces/${ws}`);
    assertContract('get', '/v1/Workspaces/{Sid}', fetched, 200);
    assert.deepEqual(fetched.body, res.body);
  });

  it('pages with absolute next_page_url that the server honours', async () => {
    for (let i = 0; i < 3; i++) await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: `P${i}` } });
    const seen: string[] = [];
    let url: string | null = `/v1/Workspaces?PageSize=2`;
    let pages = 0;
    while (url) {
      const res = await s.request('GET', url.replace(s.origin, ''));
      assertContract('get', '/v1/Workspaces', res, 200);
      assert.ok(res.body.workspaces.length <= 2);
      seen.push(...res.body.workspaces.map((w: any) => w.sid));
      url = res.body.meta.next_page_url;
      if (url) assert.ok(url.startsWith(s.origin + '/v1/Workspaces?'));
      pages++;
    }
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(seen.length, 4);
    assert.equal(pages, 2);
  });

  it('updates and deletes with cascade', async () => {
    const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Tmp' } })).body.sid;
    const act = await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { form: { FriendlyName: 'Lunch', Available: 'false' } });
    assertContract('post', '/v1/Workspaces/{WorkspaceSid}/Activities', act, 201);
    const A = '/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}';
    assertContract('get', A, await s.request('GET', `/v1/Workspaces/${ws}/Activities/${act.body.sid}`), 200);
    const renamed = await s.request('POST', `/v1/Workspaces/${ws}/Activities/${act.body.sid}`, { form: { FriendlyName: 'Lunch break', Available: 'true' } });
    assertContract('post', A, renamed, 200);
    assert.equal(renamed.body.friendly_name, 'Lunch break');
    assert.equal(renamed.body.available, false, 'Available is immutable after create');
    const extra = await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { form: { FriendlyName: 'Training' } });
    assertContract('delete', A, await s.request('DELETE', `/v1/Workspaces/${ws}/Activities/${extra.body.sid}`), 204);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { form: { FriendlyName: 'lunch BREAK' } }), 400, 20001);
    const offline = (await s.request('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Offline`)).body.activities[0].sid;
    assertTwilioError(await s.request('DELETE', `/v1/Workspaces/${ws}/Activities/${offline}`), 400, 20001);
    const upd = await s.request('POST', `/v1/Workspaces/${ws}`, { form: { FriendlyName: 'Renamed', DefaultActivitySid: act.body.sid } });
    assertContract('post', '/v1/Workspaces/{Sid}', upd, 200);
    assert.equal(upd.body.default_activity_name, 'Lunch break');
    const del = await s.request('DELETE', `/v1/Workspaces/${ws}`);
    assertContract('delete', '/v1/Workspaces/{Sid}', del, 204);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}`), 404, 20404);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Activities/${act.body.sid}`), 404, 20404);
  });

  it('rejects bad input with 20001 and changes nothing', async () => {
    const before = (await s.request('GET', '/v1/Workspaces?PageSize=1000')).body.workspaces.length;
    assertTwilioError(await s.request('POST', '/v1/Workspaces', { form: {} }), 400, 20001);
    assertTwilioError(await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'x'.repeat(65) } }), 400, 20001);
    assertTwilioError(await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'x'.repeat(65), Bogus: '1' } }), 400, 20001);
    assertTwilioError(await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'a', Template: 'LIFO' } }), 400, 20001);
    assertTwilioError(await s.request('GET', '/v1/Workspaces?PageSize=1001'), 400, 20001);
    assertTwilioError(await s.request('GET', '/v1/Workspaces', { auth: null }), 401, 20003);
    const after = (await s.request('GET', '/v1/Workspaces?PageSize=1000')).body.workspaces.length;
    assert.equal(after, before);
  });
});
