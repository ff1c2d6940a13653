// Tasks listed newest first (`Ordering=DateCreated:desc`, what a console shows) are read from the store's
// insertion order backwards, page by page, instead of sorting every task of the workspace in memory: the same
// tasks in the same order as the in-memory sort gives, next and previous page URLs that walk both ways, the
// official twilio client reaching every task, and pages that stay put while new tasks arrive.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract } from '../support/contract.ts';
import { clientFor } from '../support/twilioClient.ts';

describe('Tasks newest first', () => {
  let s: TestServer;
  let ws: string;
  const created: string[] = [];
  const list = async (path: string) => {
    const r = await s.request('GET', path.replace(s.origin, ''));
    assert.equal(r.status, 200, r.text);
    return r;
  };

  before(async () => {
    s = await startServer();
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Newest', Template: 'FIFO' } })).body.sid;
    for (let i = 0; i < 7; i++) {
      const r = await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: JSON.stringify({ n: i, kind: i % 2 ? 'odd' : 'even' }) } });
      created.push(r.body.sid);
    }
  });
  after(async () => s.close());

  it('pages newest first with next and previous page URLs, in the documented shape', async () => {
    const first = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc&PageSize=3`);
    assertContract('get', '/v1/Workspaces/{WorkspaceSid}/Tasks', first, 200);
    const seen: string[][] = [first.body.tasks.map((t: any) => t.sid)];
    assert.equal(first.body.meta.previous_page_url, null);
    let page = first;
    while (page.body.meta.next_page_url) {
      assert.match(page.body.meta.next_page_url, /Ordering=DateCreated%3Adesc/, 'the order rides along');
      page = await list(page.body.meta.next_page_url);
      seen.push(page.body.tasks.map((t: any) => t.sid));
    }
    assert.deepEqual(seen, [created.slice(4).reverse(), created.slice(1, 4).reverse(), [created[0]]]);
    // And back: the previous page of the last is the middle one.
    const back = await list(page.body.meta.previous_page_url);
    assert.deepEqual(back.body.tasks.map((t: any) => t.sid), seen[1]);
    const front = await list(back.body.meta.previous_page_url);
    assert.deepEqual(front.body.tasks.map((t: any) => t.sid), seen[0]);
    assert.equal(front.body.meta.previous_page_url, null, 'nothing newer than the newest');
  });

  it('gives what sorting in memory gives, filters included; absolute Page=N still works', async () => {
    const sorted = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc,Priority:asc&PageSize=50`);
    const newest = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc&PageSize=50`);
    assert.deepEqual(newest.body.tasks.map((t: any) => t.sid), sorted.body.tasks.map((t: any) => t.sid));
    const pending = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc&AssignmentStatus=pending&PageSize=2`);
    assert.deepEqual(pending.body.tasks.map((t: any) => t.sid), [created[6], created[5]]);
    const byExpression = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc&EvaluateTaskAttributes=${encodeURIComponent('kind == "odd"')}`);
    assert.deepEqual(byExpression.body.tasks.map((t: any) => t.sid), [created[5], created[3], created[1]]);
    const secondPage = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc&PageSize=3&Page=1`);
    assert.deepEqual(secondPage.body.tasks.map((t: any) => t.sid), created.slice(1, 4).reverse());
  });

  it('the twilio client reaches every task newest first, and a task created meanwhile does not shift the pages', async () => {
    const client = clientFor(s);
    const all = await client.taskrouter.v1.workspaces(ws).tasks.list({ ordering: 'DateCreated:desc', pageSize: 2 });
    assert.deepEqual(all.map((t) => t.sid), [...created].reverse());
    const first = await list(`/v1/Workspaces/${ws}/Tasks?Ordering=DateCreated:desc&PageSize=3`);
    const newer = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: '{"n":7}' } })).body.sid;
    const second = await list(first.body.meta.next_page_url);
    assert.deepEqual(second.body.tasks.map((t: any) => t.sid), created.slice(1, 4).reverse(), 'the next page continues where the first ended');
    assert.ok(!second.body.tasks.some((t: any) => t.sid === newer));
  });
});
