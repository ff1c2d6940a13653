// Credentials that are missing, garbled or wrong are 401/20003 (with WWW-Authenticate) for every kind of call;
// another account's workspace is 404/20404 exactly like a missing one. None of it changes anything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { type SeededWorkspace, seedWorkspace, snapshot } from '../support/workspaceSnapshot.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';

describe('malformed and foreign credentials', () => {
  let s: TestServer;
  let t: SeededWorkspace;
  before(async () => {
    s = await startServer();
    t = await seedWorkspace(s);
  });
  after(async () => s.close());

  /** One call of each kind against the seeded workspace. */
  function calls(): [method: string, path: string, form?: Record<string, string>][] {
    const W = t.W;
    return [
      ['GET', '/v1/Workspaces'],
      ['POST', '/v1/Workspaces', { FriendlyName: 'intruder' }],
      ['GET', W],
      ['POST', W, { FriendlyName: 'mine now' }],
      ['DELETE', W],
      ['GET', `${W}/Workers`],
      ['POST', `${W}/Workers`, { FriendlyName: 'mallory' }],
      ['GET', `${W}/Workers/${t.worker}`],
      ['POST', `${W}/Workers/${t.worker}`, { Attributes: '{"owned":true}' }],
      ['DELETE', `${W}/Workers/${t.worker}`],
      ['POST', `${W}/Workers/${t.worker}/Channels/voice`, { Capacity: '0' }],
      ['POST', `${W}/Activities/${t.activity}`, { FriendlyName: 'x' }],
      ['DELETE', `${W}/TaskChannels/${t.channel}`],
      ['POST', `${W}/TaskQueues/${t.queue}`, { TargetWorkers: '1==2' }],
      ['DELETE', `${W}/Workflows/${t.workflow}`],
      ['POST', `${W}/Tasks`, { WorkflowSid: t.workflow }],
      ['GET', `${W}/Tasks/${t.task}`],
      ['POST', `${W}/Tasks/${t.waiting}`, { AssignmentStatus: 'canceled' }],
      ['DELETE', `${W}/Tasks/${t.waiting}`],
      ['GET', `${W}/Tasks/${t.task}/Reservations`],
      ['POST', `${W}/Tasks/${t.task}/Reservations/${t.reservation}`, { ReservationStatus: 'accepted' }],
      ['POST', `${W}/Workers/${t.dora}/Reservations/${t.reservation}`, { ReservationStatus: 'rejected' }],
    ];
  }

  it('missing, garbled or wrong credentials: 401 with code 20003 on every call', async () => {
    const before = await snapshot(s, t);
    const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
    const headers: (string | undefined)[] = [
      undefined,
      '',
      'Bearer abc',
      `Bearer ${b64(`${s.accountSid}:${s.authToken}`)}`,
      `Digest username="${s.accountSid}"`,
      'Basic',
      'Basic ',
      'Basic !!!',
      'Basic ' + b64('nocolon'),
      'Basic ' + b64(`${s.accountSid}`),
      'Basic ' + b64(`${s.accountSid}:`),
      'Basic ' + b64(`:${s.authToken}`),
      'Basic ' + b64(`${s.accountSid}:${s.authToken}x`),
      'Basic ' + b64(`${s.accountSid}:${s.authToken}:extra`),
      'Basic ' + b64(`${s.accountSid.toLowerCase()}x:${s.authToken}`),
      'Basic ' + b64(`${newSid('AC')}:${s.authToken}`),
      'Basic ' + b64(`${newSid('SK')}:${s.authToken}`),
      'Basic ' + b64(Buffer.from([0xff, 0xfe, 0x3a, 0x41])),
      'Basic ' + b64(`${s.accountSid}:${s.authToken}`).slice(0, -4),
      `Basic ${b64(`${s.accountSid}:${s.authToken}`)}, Basic ${b64('x:y')}`,
    ];
    for (const authorization of headers) {
      for (const [method, path, form] of calls()) {
        const res = await s.request(method, path, { form, auth: null, headers: authorization === undefined ? {} : { authorization } });
        const label = `${method} ${path.replace(t.W, '{W}')} with ${JSON.stringify(authorization)?.slice(0, 60)}`;
        assert.doesNotThrow(() => assertTwilioError(res, 401, 20003), `${label}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /, label);
      }
    }
    assert.deepEqual(await snapshot(s, t), before);
  });

  it('a script that says X-Requested-With: XMLHttpRequest gets its 401 without a Basic challenge (no browser password dialog)', async () => {
    const wrong = { authorization: 'Basic ' + Buffer.from(`${s.accountSid}:${s.authToken}x`).toString('base64') };
    const script = await s.request('GET', '/v1/Workspaces', { auth: null, headers: { ...wrong, 'x-requested-with': 'XMLHttpRequest' } });
    assertTwilioError(script, 401, 20003);
    assert.equal(script.headers.get('www-authenticate'), null);
    const plain = await s.request('GET', '/v1/Workspaces', { auth: null, headers: wrong });
    assert.match(plain.headers.get('www-authenticate') ?? '', /^Basic /);
  });

  it("another account's workspace is 404 like a missing one, for every call, and changes nothing", async () => {
    const before = await snapshot(s, t);
    const other = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: other.sid, ownerAccountSid: other.sid, friendlyName: 'Other', authTokenSealed: s.app.secrets.sealAuthToken(other.sid, other.token), status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: other.sid, password: other.token };
    // The other account works, and sees none of ours.
    const listed = await s.request('GET', '/v1/Workspaces', { auth });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.workspaces, []);
    for (const [method, path, form] of calls()) {
      if (path === '/v1/Workspaces') continue;
      const res = await s.request(method, path, { form, auth });
      assert.doesNotThrow(() => assertTwilioError(res, 404, 20404), `${method} ${path.replace(t.W, '{W}')} as another account: ${res.status} ${res.text.slice(0, 200)}`);
      // The answer does not tell a foreign workspace from a missing one.
      const missing = await s.request(method, path.replace(t.ws, newSid('WS')), { form, auth });
      assert.equal(missing.status, 404);
      assert.equal(res.body.message.replace(t.ws, '{ws}'), missing.body.message.replace(/WS[0-9a-f]{32}/, '{ws}'));
    }
    // And ours cannot reach theirs.
    const theirs = await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Theirs' }, auth });
    assert.equal(theirs.status, 201);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${theirs.body.sid}`), 404, 20404);
    assertTwilioError(await s.request('DELETE', `/v1/Workspaces/${theirs.body.sid}`), 404, 20404);
    assert.equal((await s.request('GET', `/v1/Workspaces/${theirs.body.sid}`, { auth })).status, 200);
    assert.deepEqual(await snapshot(s, t), before);
  });

  it("a suspended or closed account's valid credentials are 401", async () => {
    const before = await snapshot(s, t);
    for (const status of ['suspended', 'closed'] as const) {
      const acct = { sid: newSid('AC'), token: newSecret() };
      s.store.transaction((repo) =>
        repo.insert('account', { sid: acct.sid, ownerAccountSid: acct.sid, friendlyName: status, authTokenSealed: s.app.secrets.sealAuthToken(acct.sid, acct.token), status, dateCreated: 0, dateUpdated: 0 }),
      );
      const res = await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'x' }, auth: { username: acct.sid, password: acct.token } });
      assertTwilioError(res, 401, 20003);
    }
    assert.deepEqual(await snapshot(s, t), before);
  });
});
