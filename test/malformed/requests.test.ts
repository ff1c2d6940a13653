// Malformed requests below the parameter level: bad SIDs and path tricks (sent raw, so `..` reaches the server
// unnormalised), unsupported methods, wrong or missing content types, JSON where a form is expected, huge and
// chunked bodies, invalid UTF-8, broken HTTP framing. Each gets a 4xx Twilio error body, never a 5xx, changes
// nothing, and the server keeps serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { type SeededWorkspace, seedWorkspace, snapshot } from '../support/workspaceSnapshot.ts';
import { basicAuth, rawExchange, send, type WireResponse } from '../support/wire.ts';

const zero = (prefix: string) => prefix + '0'.repeat(32);
const FORM = 'application/x-www-form-urlencoded';

/** A 4xx whose body is Twilio's error object (any code): what every refusal must look like. */
function assertTwilio4xx(res: WireResponse | { status: number; body: any; text?: string } | undefined, label: string): void {
  assert.ok(res, `${label}: no response`);
  assert.ok(res.status >= 400 && res.status < 500, `${label} -> ${res.status} ${res.text ?? ''}`);
  assert.deepEqual(Object.keys(res.body ?? {}).sort(), ['code', 'message', 'more_info', 'status'], `${label}: not a Twilio error body: ${res.text}`);
  assert.equal(res.body.status, res.status, label);
  assert.equal(res.body.more_info, `https://www.twilio.com/docs/errors/${res.body.code}`, label);
}

describe('malformed requests', () => {
  let s: TestServer;
  let t: SeededWorkspace;
  let auth: Record<string, string>;
  before(async () => {
    s = await startServer();
    t = await seedWorkspace(s);
    auth = { authorization: basicAuth(s.accountSid, s.authToken) };
  });
  after(async () => s.close());

  const raw = (method: string, path: string, options: Parameters<typeof send>[3] = {}) =>
    send(s.origin, method, path, { ...options, headers: { ...auth, ...(options.headers ?? {}) } }).response;

  it('bad SIDs, SIDs of the wrong kind and path tricks are 404 (or 400 for an undecodable URL), never 5xx', async () => {
    const before = await snapshot(s, t);
    const W = t.W;
    const notFound = [
      '/v1/Workspaces/WSnothex',
      `/v1/Workspaces/${zero('WS')}`,
      `/v1/Workspaces/${t.ws.toLowerCase()}`,
      `/v1/Workspaces/WS${t.ws.slice(2)}0`,
      `/v1/Workspaces/${t.worker}`,
      `${W}/Workers/${zero('WK')}`,
      `${W}/Workers/${t.activity}`,
      `${W}/Activities/${t.worker}`,
      `${W}/TaskQueues/${t.workflow}`,
      `${W}/Workflows/${t.queue}`,
      `${W}/TaskChannels/${t.worker}`,
      `${W}/Workers/${t.worker}/Channels/${t.channel.replace('TC', 'WC')}`,
      `${W}/Tasks/${t.reservation}`,
      `${W}/Tasks/${t.task}/Reservations/${t.task}`,
      `${W}/Tasks/${t.waiting}/Reservations/${t.reservation}`,
      `${W}/Workers/${t.worker}/Reservations/${t.reservation}`,
      `${W}/Tasks/${t.task}/Reservations/..%2F..%2F${t.waiting}`,
      `${W}/Workers/${'A'.repeat(300)}`,
      `${W}/Workers/%00`,
      `${W}/TaskChannels/${encodeURIComponent("' OR 1=1 --")}`,
      `${W}/Workers/${t.worker}/Channels/%F0%9F%98%80`,
      '/v1/Workspaces/..%2F..%2Fetc',
      '/v1/Workspaces/..%2F..%2Fetc%2Fpasswd',
      `${W}/Workers/..%2F..`,
      `${W}/Workers/%2e%2e`,
      `/v1/Workspaces/${t.ws}%2FWorkers`,
      '/v1/Workspaces/..\\..\\etc',
      // Sent raw: the `..` segments reach the server as they are.
      `/v1/Workspaces/${zero('WS')}/../../x`,
      `${W}/../../v1/Workspaces`,
      `${W}/Workers/./${t.worker}`,
      '//v1/Workspaces',
      '/v1/workspaces',
      '/v1/Nothing',
    ];
    for (const path of notFound) {
      const res = await raw('GET', path);
      assertTwilio4xx(res, `GET ${path}`);
      assertTwilioError(res!, 404, 20404);
    }
    for (const path of [`${W}/Workers/%FF`, `${W}/Workers/%`, `${W}/Workers/%E0%A4%A`]) {
      const res = await raw('GET', path);
      assertTwilio4xx(res, `GET ${path}`);
      assertTwilioError(res!, 400, 20001);
    }
    // Writes through the same tricks reach nothing: no workspace created, nothing deleted or renamed.
    assertTwilioError((await raw('POST', `${W}/../../v1/Workspaces`, { form: { FriendlyName: 'via traversal' } }))!, 404, 20404);
    assertTwilioError((await raw('POST', `/v1/Workspaces/..%2F${t.ws}`, { form: { FriendlyName: 'renamed' } }))!, 404, 20404);
    assertTwilioError((await raw('DELETE', `/v1/Workspaces/${zero('WS')}/../${t.ws}`))!, 404, 20404);
    assertTwilioError((await raw('DELETE', `${W}/Workers/${t.worker}/..`))!, 404, 20404);
    assertTwilioError((await raw('DELETE', `${W}/Workers/${zero('WK')}`))!, 404, 20404);
    assertTwilioError((await raw('POST', `${W}/Tasks/${t.waiting}/Reservations/${t.reservation}`, { form: { ReservationStatus: 'accepted' } }))!, 404, 20404);
    assertTwilioError((await raw('POST', `${W}/Tasks/${t.task}/Reservations/${t.reservation}/..`, { form: { ReservationStatus: 'accepted' } }))!, 404, 20404);
    assertTwilioError((await raw('POST', `/v1/Workspaces/${zero('WS')}/Workers`, { form: { FriendlyName: 'x' } }))!, 404, 20404);
    assert.deepEqual(await snapshot(s, t), before);
  });

  it('methods a resource does not have get a Twilio 4xx and change nothing', async () => {
    const before = await snapshot(s, t);
    const W = t.W;
    const cases: [string, string][] = [
      ['PUT', W],
      ['PATCH', W],
      ['PUT', `${W}/Workers/${t.worker}`],
      ['PATCH', `${W}/Workers/${t.worker}`],
      ['DELETE', `${W}/Workers`],
      ['DELETE', '/v1/Workspaces'],
      ['DELETE', `${W}/Workers/${t.worker}/Channels/voice`],
      ['POST', `${W}/Workers/${t.worker}/Channels`],
      ['DELETE', `${W}/Tasks/${t.task}/Reservations/${t.reservation}`],
      ['POST', `${W}/Tasks/${t.task}/Reservations`],
      ['PUT', `${W}/Tasks/${t.waiting}`],
      ['OPTIONS', `${W}/Workers`],
      ['TRACE', `${W}/Workers`],
    ];
    for (const [method, path] of cases) {
      const res = await raw(method, path, method === 'TRACE' || method === 'OPTIONS' || method === 'DELETE' ? {} : { form: { FriendlyName: 'changed', Capacity: '7' } });
      assertTwilio4xx(res, `${method} ${path.replace(W, '{W}')}`);
    }
    assert.deepEqual(await snapshot(s, t), before);
  });

  it('bodies: unsupported or missing content types, JSON, empty, broken escapes, invalid UTF-8', async () => {
    const before = await snapshot(s, t);
    const W = `${t.W}/Workers`;
    const U = `${t.W}/Workers/${t.worker}`;
    const expect = async (path: string, body: Buffer | string, headers: Record<string, string>, status: number, code: number) => {
      const res = await raw('POST', path, { body, headers });
      assertTwilio4xx(res, `POST ${path.replace(t.W, '{W}')} ${JSON.stringify(headers)} ${String(body).slice(0, 40)}`);
      assertTwilioError(res!, status, code);
    };
    for (const path of [W, U]) {
      await expect(path, '{"FriendlyName":"json","Attributes":{}}', { 'content-type': 'application/json' }, 415, 20415);
      await expect(path, '{"unterminated', { 'content-type': 'application/json' }, 415, 20415);
      await expect(path, 'FriendlyName=text', { 'content-type': 'text/plain' }, 415, 20415);
      await expect(path, '<FriendlyName>x</FriendlyName>', { 'content-type': 'application/xml' }, 415, 20415);
      await expect(path, '--b\r\nContent-Disposition: form-data; name="FriendlyName"\r\n\r\nx\r\n--b--\r\n', { 'content-type': 'multipart/form-data; boundary=b' }, 415, 20415);
      // A body without a Content-Type is refused, not silently ignored (an update would otherwise "succeed").
      await expect(path, 'FriendlyName=untyped', {}, 415, 20415);
      // JSON sent as if it were a form is one parameter no endpoint takes (ignored): a create misses its
      // FriendlyName. (An update with it changes nothing it names: test/taskrouter/lenientRequests.test.ts.)
      if (path === W) await expect(path, '{"FriendlyName":"json"}', { 'content-type': FORM }, 400, 20001);
      await expect(path, 'FriendlyName=%ZZ%', { 'content-type': FORM }, 400, 20001);
      await expect(path, 'FriendlyName=bad%', { 'content-type': FORM }, 400, 20001);
      await expect(path, 'FriendlyName=%FF%FE', { 'content-type': FORM }, 400, 20001);
      await expect(path, 'FriendlyName=%C0%AF', { 'content-type': FORM }, 400, 20001); // overlong encoding of '/'
      await expect(path, 'FriendlyName=%ED%A0%80', { 'content-type': FORM }, 400, 20001); // a lone surrogate
      await expect(path, Buffer.concat([Buffer.from('FriendlyName=bad'), Buffer.from([0xff, 0xfe]), Buffer.from('&Attributes=%7B%7D')]), { 'content-type': FORM }, 400, 20001);
      await expect(path, Buffer.concat([Buffer.from('Attributes={"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), { 'content-type': FORM }, 400, 20001);
    }
    // A form declared as ISO-8859-1 with a Latin-1 escape: never stored as anything but what it says.
    const latin = await raw('POST', W, { body: 'FriendlyName=caf%E9', headers: { 'content-type': `${FORM}; charset=iso-8859-1` } });
    if (latin?.status === 201) {
      assert.equal(latin.body.friendly_name, 'café');
      assert.equal((await raw('DELETE', `${W}/${latin.body.sid}`))?.status, 204);
    } else assertTwilio4xx(latin, 'ISO-8859-1 form');
    await expect(W, '', { 'content-type': FORM }, 400, 20001);
    await expect(W, '&&&', { 'content-type': FORM }, 400, 20001);
    assert.deepEqual(await snapshot(s, t), before);
  });

  it('huge bodies are 413 whether their length is declared or chunked', async () => {
    const before = await snapshot(s, t);
    const W = `${t.W}/Workers`;
    const big = 'FriendlyName=huge&Attributes=' + encodeURIComponent(JSON.stringify({ k: 'x'.repeat(3 * 1024 * 1024) }));
    const declared = await raw('POST', W, { body: big, headers: { 'content-type': FORM } });
    assertTwilioError(declared!, 413, 20413);
    const chunked = await rawExchange(
      s.origin,
      `POST ${W} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth.authorization}\r\nContent-Type: ${FORM}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
        `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n`,
    );
    assertTwilio4xx(chunked, 'chunked 3 MB');
    assertTwilioError(chunked!, 413, 20413);
    const workflowConfig = JSON.stringify({ task_routing: { filters: [], default_filter: { queue: t.queue } }, pad: 'x'.repeat(3 * 1024 * 1024) });
    assertTwilioError((await raw('POST', `${t.W}/Workflows`, { form: { FriendlyName: 'big', Configuration: workflowConfig } }))!, 413, 20413);
    assert.deepEqual(await snapshot(s, t), before);
  });

  it('broken HTTP framing is answered with a Twilio 400 body, like every other refusal', async () => {
    // These never reach a route: Node's HTTP parser rejects them and the server's client-error handler answers.
    const before = await snapshot(s, t);
    const head = `Host: 127.0.0.1\r\nAuthorization: ${auth.authorization}\r\nConnection: close\r\n`;
    const cases: [string, string][] = [
      ['invalid Content-Length', `POST ${t.W}/Workers HTTP/1.1\r\n${head}Content-Type: ${FORM}\r\nContent-Length: abc\r\n\r\nFriendlyName=x`],
      ['Content-Length with Transfer-Encoding', `POST ${t.W}/Workers HTTP/1.1\r\n${head}Content-Type: ${FORM}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
      ['garbage request line', 'GARBAGE\r\n\r\n'],
      ['bad chunk size', `POST ${t.W}/Workers HTTP/1.1\r\n${head}Content-Type: ${FORM}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nFriendlyName=x\r\n0\r\n\r\n`],
    ];
    const failures: string[] = [];
    for (const [label, bytes] of cases) {
      const res = await rawExchange(s.origin, bytes);
      assert.ok(res, `${label}: no response`);
      assert.ok(res.status >= 400 && res.status < 500, `${label} -> ${res.status}`);
      try {
        assertTwilioError(res, 400, 20001);
      } catch {
        failures.push(`${label}: ${res.status} ${res.text}`);
      }
    }
    assert.deepEqual(await snapshot(s, t), before);
    assert.deepEqual(failures, [], 'HTTP framing errors must get a Twilio error body (src/server.ts has no clientErrorHandler)');
  });

  it('keeps serving after all of it', async () => {
    assert.equal((await s.request('GET', '/healthz')).status, 200);
    assert.equal((await s.request('GET', t.W)).status, 200);
    const made = await s.request('POST', `${t.W}/Workers`, { form: { FriendlyName: 'still-here' } });
    assert.equal(made.status, 201, made.text);
  });
});
