// CORS on the token-authenticated endpoints (the v1 channel and EventBridge proxies, REST with a token, the
// browser SDK), with the origins of SWITCHBOARD_CORS_ORIGINS; none for account credentials, whose
// state-changing requests from another site's page are refused. (test/browser/crossOrigin.test.ts does the
// same from a real page of another origin in Chromium.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { parseCorsOrigins } from '../../src/api/common/crossOrigin.ts';
import { loadConfig } from '../../src/config.ts';

const PAGE = 'http://pages.example.test:8080';

describe('cross-origin requests', () => {
  let s: TestServer;
  let ws: string;
  let worker: string;
  let token: string;
  const basic = () => 'Basic ' + Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64');
  const preflight = (path: string, method = 'POST', headers = 'content-type') =>
    fetch(`${s.origin}${path}`, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': method, 'access-control-request-headers': headers } });

  before(async () => {
    s = await startServer();
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'CORS', Template: 'FIFO' } })).body.sid;
    worker = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'alice' } })).body.sid;
    const key = (await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'cors' } })).body;
    const t = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: 'alice', ttl: 600 });
    t.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid: worker, role: 'worker' }));
    token = t.toJwt();
  });
  after(() => s.close());

  it('answers preflights on the proxies, token REST and the SDK, for any origin by default', async () => {
    for (const [path, method, headers] of [
      ['/v1/wschannels', 'POST', 'content-type,apiversion,clientversion'],
      [`/v1/wschannels/${s.accountSid}/${worker}`, 'POST', 'content-type'],
      [`/v1/Workspaces/${ws}/Workers/${worker}`, 'POST', 'x-twilio-token,content-type,if-match'],
      [`/v1/Workspaces/${ws}/Tasks`, 'GET', 'authorization'],
      ['/sdk/taskrouter.js', 'GET', ''],
    ] as const) {
      const res = await preflight(path, method, headers);
      assert.equal(res.status, 204, `OPTIONS ${path}`);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.match(res.headers.get('access-control-allow-methods') ?? '', new RegExp(method));
      if (headers) assert.equal(res.headers.get('access-control-allow-headers'), headers);
      assert.equal(res.headers.get('access-control-allow-credentials'), null, 'never credentials');
      assert.equal(res.headers.get('access-control-max-age'), '600');
    }
  });

  it('token requests carry CORS headers, errors included; account-credential requests never do', async () => {
    const ok = await fetch(`${s.origin}/v1/Workspaces/${ws}/Workers/${worker}`, { headers: { origin: PAGE, 'x-twilio-token': token } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), '*');
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /ETag.*X-Rate-Limit-Remaining.*X-Switchboard-Ignored-Parameters/);
    const bearer = await fetch(`${s.origin}/v1/Workspaces/${ws}/Activities`, { headers: { origin: PAGE, authorization: `Bearer ${token}` } });
    assert.equal(bearer.headers.get('access-control-allow-origin'), '*');
    const bad = await fetch(`${s.origin}/v1/Workspaces/${ws}`, { headers: { origin: PAGE, 'x-twilio-token': 'a.b.c' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('access-control-allow-origin'), '*', 'the page can read why it was refused');
    const proxied = await fetch(`${s.origin}/v1/wschannels`, { method: 'POST', headers: { origin: PAGE, 'content-type': 'text/plain' }, body: JSON.stringify({ url: `Workspaces/${ws}/Workers/${worker}`, method: 'GET', token }) });
    assert.equal(proxied.status, 200);
    assert.equal(proxied.headers.get('access-control-allow-origin'), '*');
    const sdk = await fetch(`${s.origin}/sdk/taskrouter.js`, { headers: { origin: PAGE } });
    assert.equal(sdk.headers.get('access-control-allow-origin'), '*', 'a script tag with crossorigin (SRI) loads it');
    // Account credentials: no CORS on any face, preflights included.
    const withBasic = await fetch(`${s.origin}/v1/Workspaces/${ws}`, { headers: { origin: PAGE, authorization: basic() } });
    assert.equal(withBasic.status, 200);
    assert.equal(withBasic.headers.get('access-control-allow-origin'), null);
    for (const path of [`/2010-04-01/Accounts/${s.accountSid}/Keys.json`, '/switchboard/v1/Tokens', '/api/tasks', '/opsflow/v1/task/list', '/console', '/healthz']) {
      const res = await preflight(path);
      assert.notEqual(res.status, 204, `OPTIONS ${path}`);
      assert.equal(res.headers.get('access-control-allow-origin'), null, `OPTIONS ${path}`);
      const real = await fetch(`${s.origin}${path}`, { headers: { origin: PAGE, authorization: basic() } });
      assert.equal(real.headers.get('access-control-allow-origin'), null, `GET ${path}`);
    }
    // OPTIONS that is not a preflight is the 404 of any unknown route, in Twilio's format.
    assertTwilioError(await s.request('OPTIONS', `/v1/Workspaces/${ws}/Workers`), 404, 20404);
  });

  it("refuses a write with account credentials from another site's page; reads and same-origin writes go through", async () => {
    const count = async () => (await s.request('GET', `/v1/Workspaces/${ws}/Activities`)).body.activities.length;
    const before = await count();
    for (const site of ['cross-site', 'same-site']) {
      const res = await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { headers: { 'sec-fetch-site': site, origin: PAGE }, form: { FriendlyName: `From ${site}` } });
      assertTwilioError(res, 403, 20403);
      assert.match(res.body.message, /token/);
    }
    assertTwilioError(await s.request('POST', '/2010-04-01/Accounts.json', { headers: { 'sec-fetch-site': 'cross-site' }, form: { FriendlyName: 'csrf' } }), 403, 20403);
    assert.equal(await count(), before, 'nothing created');
    assert.equal((await s.request('GET', `/v1/Workspaces/${ws}/Activities`, { headers: { 'sec-fetch-site': 'cross-site' } })).status, 200);
    const same = await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { headers: { 'sec-fetch-site': 'same-origin' }, form: { FriendlyName: 'Same origin' } });
    assert.equal(same.status, 201, same.text);
    // A token's write from another site is what CORS is for.
    const mine = await s.request('POST', `/v1/Workspaces/${ws}/Workers/${worker}`, { auth: null, headers: { 'sec-fetch-site': 'cross-site', origin: PAGE, 'x-twilio-token': token }, form: { Attributes: '{"from":"page"}' } });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.headers.get('access-control-allow-origin'), '*');
  });

  it('SWITCHBOARD_CORS_ORIGINS limits the origins, or turns CORS off', async () => {
    const limited = await startServer({ corsOrigins: ['https://desk.example.com', PAGE] });
    const off = await startServer({ corsOrigins: [] });
    try {
      const ask = (server: TestServer, origin: string) =>
        fetch(`${server.origin}/v1/wschannels`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      const allowed = await ask(limited, PAGE);
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), PAGE);
      assert.match(allowed.headers.get('vary') ?? '', /Origin/);
      const other = await ask(limited, 'https://evil.example.net');
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      const none = await ask(off, PAGE);
      assert.notEqual(none.status, 204);
      assert.equal(none.headers.get('access-control-allow-origin'), null);
    } finally {
      await limited.close();
      await off.close();
    }
    assert.equal(parseCorsOrigins('*'), '*');
    assert.deepEqual(parseCorsOrigins('none'), []);
    assert.deepEqual(parseCorsOrigins(''), []);
    assert.deepEqual(parseCorsOrigins(' https://a.example.com , http://localhost:3000'), ['https://a.example.com', 'http://localhost:3000']);
    for (const bad of ['https://a.example.com/', 'a.example.com', 'https://a.example.com/path', 'ftp://a.example.com', 'https://a.example.com,', '*,https://a.example.com']) {
      assert.throws(() => parseCorsOrigins(bad), /invalid CORS origin/, bad);
    }
    assert.equal(loadConfig([], {}).corsOrigins, '*');
    assert.deepEqual(loadConfig(['--cors-origins', 'https://a.example.com'], { SWITCHBOARD_CORS_ORIGINS: 'none' }).corsOrigins, ['https://a.example.com']);
    assert.deepEqual(loadConfig([], { SWITCHBOARD_CORS_ORIGINS: 'none' }).corsOrigins, []);
  });
});
