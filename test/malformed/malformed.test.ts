// Every kind of bad input gets a 4xx Twilio error body, never a 5xx, and changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startServer, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';

describe('malformed input', () => {
  let s: TestServer;
  let ws: string;
  let worker: string;
  before(async () => {
    s = await startServer();
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Target', Template: 'FIFO' } })).body.sid;
    worker = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'alice', Attributes: '{"a":1}' } })).body.sid;
  });
  after(async () => s.close());

  /** Everything a client could observe about the workspace. */
  async function snapshot() {
    const out: Record<string, unknown> = { ws: (await s.request('GET', `/v1/Workspaces/${ws}`)).body };
    for (const r of ['Activities', 'TaskChannels', 'Workers', 'TaskQueues', 'Workflows']) {
      out[r] = (await s.request('GET', `/v1/Workspaces/${ws}/${r}?PageSize=1000`)).body;
    }
    out.channels = (await s.request('GET', `/v1/Workspaces/${ws}/Workers/${worker}/Channels`)).body;
    out.workspaces = (await s.request('GET', '/v1/Workspaces?PageSize=1000')).body;
    return out;
  }

  async function expectRejected(method: string, path: string, options: Parameters<TestServer['request']>[2], status: number, code: number) {
    const res = await s.request(method, path, options);
    assertTwilioError(res, status, code);
  }

  it('bad parameters of every kind: 20001 and no change', async () => {
    const before = await snapshot();
    const W = `/v1/Workspaces/${ws}/Workers`;
    const cases: [string, string, Record<string, any>][] = [
      ['POST', W, { FriendlyName: 'x', Attributes: '{bad json' }],
      ['POST', W, { FriendlyName: 'x', Attributes: '[1,2]' }],
      ['POST', W, { FriendlyName: 'x', Attributes: '"a string"' }],
      ['POST', W, { FriendlyName: 'x', Attributes: 'null' }],
      ['POST', W, { FriendlyName: 'x', Attributes: JSON.stringify({ k: 'v'.repeat(4100) }) }],
      ['POST', W, { FriendlyName: 'x', Bogus: 'y' }],
      ['POST', W, { FriendlyName: ['x', 'y'] }],
      ['POST', W, { FriendlyName: 'y'.repeat(65) }],
      ['POST', W, { FriendlyName: '' }],
      ['POST', W, { FriendlyName: 'x', ActivitySid: 'WA123' }],
      ['POST', W, { FriendlyName: 'x', ActivitySid: newSid('WQ').replace('WQ', 'WA').slice(0, 33) + 'z' }],
      ['POST', W, { FriendlyName: 'x', 'Attributes[a]': '1' }],
      ['POST', `${W}/${worker}`, { Attributes: '{' }],
      ['POST', `${W}/${worker}/Channels/voice`, { Capacity: 'lots' }],
      ['POST', `${W}/${worker}/Channels/voice`, { Capacity: '-1' }],
      ['POST', `${W}/${worker}/Channels/voice`, { Capacity: '1e3' }],
      ['POST', `/v1/Workspaces/${ws}/TaskQueues`, { FriendlyName: 'q', MaxReservedWorkers: '3.5' }],
      ['POST', `/v1/Workspaces/${ws}/TaskQueues`, { FriendlyName: 'q', TargetWorkers: "a == 'unterminated" }],
      ['POST', `/v1/Workspaces/${ws}/Workflows`, { FriendlyName: 'f', Configuration: '{"task_routing":{"filters":[{"expression":"1==1","targets":[{"queue":"WQ1"}]}]}}' }],
      ['POST', `/v1/Workspaces/${ws}/Workflows`, { FriendlyName: 'f', Configuration: '{"__proto__":{"polluted":true}}' }],
      ['POST', `/v1/Workspaces/${ws}`, { MultiTaskEnabled: 'false' }],
      ['POST', `/v1/Workspaces/${ws}`, { PrioritizeQueueOrder: 'RANDOM' }],
      ['POST', `/v1/Workspaces/${ws}`, { EventCallbackUrl: 'javascript:alert(1)' }],
      ['GET', `${W}?PageSize=abc`, {}],
      ['GET', `${W}?PageSize=0`, {}],
      ['GET', `${W}?PageSize=1001`, {}],
      ['GET', `${W}?PageToken=garbage`, {}],
      ['GET', `${W}?Page=-1`, {}],
      ['GET', `${W}?Unknown=1`, {}],
      ['GET', `${W}?FriendlyName=%ZZ`, {}],
      ['GET', `${W}?FriendlyName=%FF`, {}],
      ['GET', `${W}?__proto__=1`, {}],
      ['POST', W, { FriendlyName: 'x', ['__proto__']: 'y' }],
      ['POST', W, { FriendlyName: 'x', constructor: 'y' }],
      ['GET', `${W}?TargetWorkersExpression=${encodeURIComponent('('.repeat(5000))}`, {}],
    ];
    for (const [method, path, form] of cases) {
      const res = await s.request(method, path, method === 'POST' ? { form } : {});
      assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} ${JSON.stringify(form).slice(0, 80)} -> ${res.status}`);
      assertTwilioError(res, 400, 20001);
    }
    assert.equal(({} as any).polluted, undefined);
    assert.deepEqual(await snapshot(), before);
  });

  it('bad SIDs and path tricks: 404, never 5xx', async () => {
    const before = await snapshot();
    for (const path of [
      '/v1/Workspaces/WSnothex',
      `/v1/Workspaces/${newSid('WS')}`,
      `/v1/Workspaces/${ws}/Workers/${newSid('WK')}`,
      `/v1/Workspaces/${ws}/Workers/${newSid('WA')}`,
      `/v1/Workspaces/${ws}/Activities/${worker}`,
      '/v1/Workspaces/..%2F..%2Fetc%2Fpasswd',
      `/v1/Workspaces/${ws}/Workers/..%2F..`,
      `/v1/Workspaces/${ws}/Workers/${'A'.repeat(300)}`,
      `/v1/Workspaces/${ws}/Workers/%00`,
      `/v1/Workspaces/${ws}/TaskChannels/${encodeURIComponent("' OR 1=1 --")}`,
      '/v1/Nothing',
    ]) {
      const res = await s.request('GET', path);
      assert.ok(res.status === 404 || res.status === 400, `${path} -> ${res.status}`);
      assertTwilioError(res, res.status, res.status === 404 ? 20404 : 20001);
    }
    await expectRejected('DELETE', `/v1/Workspaces/${ws}/Workers/${newSid('WK')}`, {}, 404, 20404);
    await expectRejected('POST', `/v1/Workspaces/${newSid('WS')}/Workers`, { form: { FriendlyName: 'x' } }, 404, 20404);
    assert.deepEqual(await snapshot(), before);
  });

  it('bodies: wrong content type, JSON, huge, invalid UTF-8, empty', async () => {
    const before = await snapshot();
    const W = `/v1/Workspaces/${ws}/Workers`;
    await expectRejected('POST', W, { body: '{"FriendlyName":"json"}', headers: { 'content-type': 'application/json' } }, 415, 20415);
    await expectRejected('POST', W, { body: 'FriendlyName=x', headers: { 'content-type': 'text/plain' } }, 415, 20415);
    await expectRejected('POST', W, { body: 'FriendlyName=' + 'x'.repeat(3 * 1024 * 1024), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 413, 20413);
    await expectRejected('POST', W, { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400, 20001);
    await expectRejected('POST', W, { body: 'FriendlyName=%ZZ%', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400, 20001);
    await expectRejected('POST', W, { body: '{"unterminated', headers: { 'content-type': 'application/json' } }, 415, 20415);
    // Raw invalid UTF-8 bytes in a form value.
    const raw = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = httpRequest(`${s.origin}${W}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic ' + Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64'),
        },
      });
      req.on('response', (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
      });
      req.on('error', reject);
      req.end(Buffer.concat([Buffer.from('FriendlyName=bad'), Buffer.from([0xff, 0xfe]), Buffer.from('&Attributes=%7B%7D%FF')]));
    });
    // Invalid bytes decode to U+FFFD: a worker named with it is a valid request, so accept either outcome but
    // never a 5xx, and if it was created it must be visible with that name.
    assert.ok(raw.status < 500, `invalid UTF-8 -> ${raw.status}`);
    if (raw.status === 201) {
      await s.request('DELETE', `${W}/${raw.body.sid}`);
    } else {
      assertTwilioError(raw, 400, 20001);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('credentials: missing, garbled, wrong, other account: 401 or 404, and nothing changes', async () => {
    const before = await snapshot();
    const W = `/v1/Workspaces/${ws}/Workers`;
    await expectRejected('POST', W, { form: { FriendlyName: 'x' }, auth: null }, 401, 20003);
    for (const authorization of ['Bearer abc', 'Basic', 'Basic !!!', 'Basic ' + Buffer.from('nocolon').toString('base64'), 'Basic ' + Buffer.from(`${s.accountSid}:`).toString('base64')]) {
      await expectRejected('POST', W, { form: { FriendlyName: 'x' }, auth: null, headers: { authorization } }, 401, 20003);
    }
    await expectRejected('GET', W, { auth: { username: s.accountSid, password: s.authToken + 'x' } }, 401, 20003);
    await expectRejected('GET', W, { auth: { username: newSid('SK'), password: 'x' } }, 401, 20003);
    const other = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) => repo.insert('account', { sid: other.sid, ownerAccountSid: other.sid, friendlyName: 'B', authToken: other.token, status: 'active', dateCreated: 0, dateUpdated: 0 }));
    const auth = { username: other.sid, password: other.token };
    await expectRejected('POST', W, { form: { FriendlyName: 'x' }, auth }, 404, 20404);
    await expectRejected('POST', `/v1/Workspaces/${ws}`, { form: { FriendlyName: 'mine now' }, auth }, 404, 20404);
    await expectRejected('DELETE', `/v1/Workspaces/${ws}`, { auth }, 404, 20404);
    await expectRejected('POST', `${W}/${worker}/Channels/voice`, { form: { Capacity: '0' }, auth }, 404, 20404);
    assert.deepEqual(await snapshot(), before);
  });

  it('keeps serving after all of it', async () => {
    assert.equal((await s.request('GET', '/healthz')).status, 200);
    assert.equal((await s.request('GET', `/v1/Workspaces/${ws}`)).status, 200);
  });
});
