// The 2010-04-01 wire format on raw HTTP: exact field sets, RFC 2822 dates, status codes, the list envelope
// with relative page URIs, `.json` paths, and the error bodies for bad input and foreign resources.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFriendlyName } from '../../src/auth/accounts.ts';
import { rfc2822 } from '../../src/api/twilio2010/wire.ts';
import { startServer, type TestServer } from '../support/server.ts';

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const ACCOUNT_FIELDS = ['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status', 'subresource_uris', 'type', 'uri'];
const KEY_FIELDS = ['date_created', 'date_updated', 'friendly_name', 'sid'];
const ENVELOPE_FIELDS = ['end', 'first_page_uri', 'next_page_uri', 'page', 'page_size', 'previous_page_uri', 'start', 'uri'];

function assertError(res: { status: number; body: any }, status: number, code: number) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(res.body.code, code);
  assert.equal(res.body.status, status);
  assert.equal(res.body.more_info, `https://www.twilio.com/docs/errors/${code}`);
}

describe('formatting helpers', () => {
  it('rfc2822 formats as Twilio does and drops milliseconds', () => {
    assert.equal(rfc2822(Date.UTC(2015, 6, 30, 20, 0, 0, 999)), 'Thu, 30 Jul 2015 20:00:00 +0000');
    assert.equal(rfc2822(Date.UTC(2026, 0, 5, 3, 4, 5)), 'Mon, 05 Jan 2026 03:04:05 +0000');
  });

  it('the default subaccount name uses a 12-hour clock with am/pm', () => {
    assert.equal(defaultFriendlyName(Date.UTC(2015, 6, 30, 20, 0)), 'SubAccount Created at 2015-07-30 08:00 pm');
    assert.equal(defaultFriendlyName(Date.UTC(2015, 6, 30, 0, 5)), 'SubAccount Created at 2015-07-30 12:05 am');
    assert.equal(defaultFriendlyName(Date.UTC(2015, 6, 30, 12, 59)), 'SubAccount Created at 2015-07-30 12:59 pm');
    assert.equal(defaultFriendlyName(Date.UTC(2015, 6, 30, 11, 0), 'Account'), 'Account Created at 2015-07-30 11:00 am');
  });
});

describe('2010 wire format', () => {
  let s: TestServer;
  let sub: any;
  before(async () => {
    s = await startServer();
    sub = (await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'Wire' } })).body;
  });
  after(async () => s.close());
  const asSub = () => ({ username: sub.sid, password: sub.auth_token });

  it('an account has exactly the 2010 Account fields', async () => {
    const res = await s.request('GET', `/2010-04-01/Accounts/${sub.sid}.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.body).sort(), ACCOUNT_FIELDS);
    assert.match(res.body.date_created, RFC2822);
    assert.match(res.body.date_updated, RFC2822);
    assert.equal(res.body.type, 'Full');
    assert.equal(res.body.uri, `/2010-04-01/Accounts/${sub.sid}.json`);
    assert.equal(res.body.owner_account_sid, s.accountSid);
    assert.deepEqual(res.body.subresource_uris, { keys: `/2010-04-01/Accounts/${sub.sid}/Keys.json` });
    const self = (await s.request('GET', `/2010-04-01/Accounts/${s.accountSid}.json`)).body;
    assert.equal(self.owner_account_sid, s.accountSid);
  });

  it('create answers 201, update 200, key delete 204 with an empty body', async () => {
    const created = await s.request('POST', '/2010-04-01/Accounts.json', { form: {} });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ACCOUNT_FIELDS);
    const updated = await s.request('POST', `/2010-04-01/Accounts/${created.body.sid}.json`, { form: { FriendlyName: 'Named' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.friendly_name, 'Named');

    const key = await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'wire' } });
    assert.equal(key.status, 201);
    assert.deepEqual(Object.keys(key.body).sort(), [...KEY_FIELDS, 'secret'].sort());
    assert.match(key.body.date_created, RFC2822);
    const fetched = await s.request('GET', `/2010-04-01/Accounts/${s.accountSid}/Keys/${key.body.sid}.json`);
    assert.deepEqual(Object.keys(fetched.body).sort(), KEY_FIELDS);
    const renamed = await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys/${key.body.sid}.json`, { form: { FriendlyName: 'w2' } });
    assert.equal(renamed.status, 200);
    assert.deepEqual(Object.keys(renamed.body).sort(), KEY_FIELDS);
    const removed = await s.request('DELETE', `/2010-04-01/Accounts/${s.accountSid}/Keys/${key.body.sid}.json`);
    assert.equal(removed.status, 204);
    assert.equal(removed.text, '');
  });

  it('lists use the 2010 envelope with relative page URIs that keep the filters', async () => {
    const first = await s.request('GET', '/2010-04-01/Accounts.json?Status=active&PageSize=1');
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), ['accounts', ...ENVELOPE_FIELDS].sort());
    assert.equal(first.body.accounts.length, 1);
    assert.deepEqual(Object.keys(first.body.accounts[0]).sort(), ACCOUNT_FIELDS);
    assert.equal(first.body.page, 0);
    assert.equal(first.body.page_size, 1);
    assert.equal(first.body.start, 0);
    assert.equal(first.body.end, 0);
    assert.equal(first.body.previous_page_uri, null);
    assert.equal(first.body.first_page_uri, '/2010-04-01/Accounts.json?Status=active&PageSize=1&Page=0');
    assert.equal(first.body.uri, '/2010-04-01/Accounts.json?Status=active&PageSize=1&Page=0');
    assert.match(first.body.next_page_uri, /^\/2010-04-01\/Accounts\.json\?Status=active&PageSize=1&Page=1&PageToken=PA\d+$/);

    const second = await s.request('GET', first.body.next_page_uri);
    assert.equal(second.status, 200);
    assert.equal(second.body.page, 1);
    assert.equal(second.body.start, 1);
    assert.equal(second.body.end, 1);
    assert.equal(second.body.uri, first.body.next_page_uri);
    assert.notEqual(second.body.accounts[0].sid, first.body.accounts[0].sid);
    assert.match(second.body.previous_page_uri, /^\/2010-04-01\/Accounts\.json\?Status=active&PageSize=1&Page=0&PageToken=PB\d+$/);
    const back = await s.request('GET', second.body.previous_page_uri);
    assert.deepEqual(back.body.accounts.map((a: any) => a.sid), first.body.accounts.map((a: any) => a.sid));

    const keys = await s.request('GET', `/2010-04-01/Accounts/${sub.sid}/Keys.json`);
    assert.equal(keys.status, 200);
    assert.deepEqual(Object.keys(keys.body).sort(), ['keys', ...ENVELOPE_FIELDS].sort());
    assert.deepEqual(keys.body.keys, []);
    assert.equal(keys.body.next_page_uri, null);
    assert.equal(keys.body.uri, `/2010-04-01/Accounts/${sub.sid}/Keys.json?PageSize=50&Page=0`);
  });

  it('paths without .json are 404 with a clean message', async () => {
    for (const [method, path] of [
      ['GET', '/2010-04-01/Accounts'],
      ['GET', `/2010-04-01/Accounts/${sub.sid}`],
      ['POST', `/2010-04-01/Accounts/${sub.sid}`],
      ['GET', `/2010-04-01/Accounts/${sub.sid}.xml`],
      ['GET', `/2010-04-01/Accounts/${sub.sid}/Keys`],
      ['GET', `/2010-04-01/Accounts/${s.accountSid}/Keys/SK${'0'.repeat(32)}`],
      ['DELETE', `/2010-04-01/Accounts/${s.accountSid}/Keys/SK${'0'.repeat(32)}`],
    ] as const) {
      const res = await s.request(method, path, method === 'POST' ? { form: { FriendlyName: 'x' } } : {});
      assertError(res, 404, 20404);
      assert.equal(res.body.message, `The requested resource ${path} was not found`, `${method} ${path}`);
    }
    assert.equal((await s.request('GET', `/2010-04-01/Accounts/${sub.sid}.json`)).body.friendly_name, 'Wire');
  });

  it('accounts cannot be deleted over the API', async () => {
    assertError(await s.request('DELETE', `/2010-04-01/Accounts/${sub.sid}.json`), 404, 20404);
    assert.equal((await s.request('GET', `/2010-04-01/Accounts/${sub.sid}.json`)).status, 200);
  });

  it('empty, repeated or over-long parameters are 20001 and change nothing; unknown ones are ignored', async () => {
    const count = async () => (await s.request('GET', '/2010-04-01/Accounts.json')).body.accounts.length;
    const before = await count();
    assertError(await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: '' } }), 400, 20001);
    assertError(await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: ['a', 'b'] } }), 400, 20001);
    assertError(await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'x'.repeat(65) } }), 400, 20001);
    assertError(await s.request('GET', '/2010-04-01/Accounts.json?PageSize=0'), 400, 20001);
    assertError(await s.request('GET', '/2010-04-01/Accounts.json?PageSize=1001'), 400, 20001);
    assertError(await s.request('GET', '/2010-04-01/Accounts.json?PageToken=nope'), 400, 20001);
    assertError(await s.request('POST', `/2010-04-01/Accounts/${sub.sid}.json`, { form: { Status: 'deleted' } }), 400, 20001);
    assertError(await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'k'.repeat(65) } }), 400, 20001);
    assert.equal(await count(), before);
    const still = (await s.request('GET', `/2010-04-01/Accounts/${sub.sid}.json`)).body;
    assert.equal(still.status, 'active');
    assert.equal(still.auth_token, sub.auth_token);
    assert.deepEqual((await s.request('GET', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`)).body.keys, []);
    // Parameters these endpoints do not take are ignored, as Twilio ignores them: nobody chooses a token or a
    // secret by sending one.
    assert.equal((await s.request('GET', '/2010-04-01/Accounts.json?Bogus=1')).status, 200);
    const renamed = await s.request('POST', `/2010-04-01/Accounts/${sub.sid}.json`, { form: { FriendlyName: 'Renamed', AuthToken: 'mine' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.headers.get('x-switchboard-ignored-parameters'), 'AuthToken');
    assert.equal(renamed.body.auth_token, sub.auth_token);
    const key = await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'k', Secret: 'mine' } });
    assert.equal(key.status, 201, key.text);
    assert.notEqual(key.body.secret, 'mine');
    assert.equal((await s.request('DELETE', `/2010-04-01/Accounts/${s.accountSid}/Keys/${key.body.sid}.json`)).status, 204);
  });

  it('requests without credentials are 401 with WWW-Authenticate', async () => {
    const res = await s.request('GET', '/2010-04-01/Accounts.json', { auth: null });
    assertError(res, 401, 20003);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    assertError(await s.request('POST', '/2010-04-01/Accounts.json', { auth: null, form: {} }), 401, 20003);
  });

  it('the main account\'s API key may create subaccounts; a subaccount (or its key) may not', async () => {
    const key = (await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: {} })).body;
    const viaKey = await s.request('POST', '/2010-04-01/Accounts.json', { auth: { username: key.sid, password: key.secret }, form: { FriendlyName: 'By key' } });
    assert.equal(viaKey.status, 201);
    assert.equal(viaKey.body.owner_account_sid, s.accountSid);

    const res = await s.request('POST', '/2010-04-01/Accounts.json', { auth: asSub(), form: { FriendlyName: 'Nested' } });
    assertError(res, 403, 20403);
    const subKey = (await s.request('POST', `/2010-04-01/Accounts/${sub.sid}/Keys.json`, { auth: asSub(), form: {} })).body;
    assertError(await s.request('POST', '/2010-04-01/Accounts.json', { auth: { username: subKey.sid, password: subKey.secret }, form: {} }), 403, 20403);
    const mine = (await s.request('GET', '/2010-04-01/Accounts.json', { auth: asSub() })).body.accounts;
    assert.deepEqual(mine.map((a: any) => a.sid), [sub.sid]);
  });

  it('a subaccount gets the same 404 for its parent as for an account that does not exist', async () => {
    const parent = await s.request('GET', `/2010-04-01/Accounts/${s.accountSid}.json`, { auth: asSub() });
    const missing = await s.request('GET', `/2010-04-01/Accounts/AC${'0'.repeat(32)}.json`, { auth: asSub() });
    assertError(parent, 404, 20404);
    assertError(missing, 404, 20404);
    assert.equal(parent.body.message.replace(s.accountSid, 'X'), missing.body.message.replace(`AC${'0'.repeat(32)}`, 'X'));
  });
});
