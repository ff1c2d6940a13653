// The webhooks' HTTP client (src/callbacks/callbackClient.ts) against a real receiver on a loopback port: what it
// sends, that sequential callbacks share one kept-alive connection, that redirects are reported and not
// followed, that answers are cut at their bound, and how a request ends without an answer.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackClient } from '../../src/callbacks/callbackClient.ts';

let server: Server;
let origin: string;
const received: { path: string; headers: IncomingMessage['headers']; body: string; remotePort: number }[] = [];
const routes: Record<string, (res: ServerResponse) => void> = {
  '/ok': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'),
  '/moved': (res) => res.writeHead(302, { location: '/ok' }).end(),
  '/long': (res) => res.writeHead(200).end('x'.repeat(5000)),
  '/silent': () => undefined, // never answers
};

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url!, headers: req.headers, body, remotePort: req.socket.remotePort! });
      routes[req.url!]!(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

it('posts the body with its headers and returns the answer; sequential posts share one connection', async () => {
  const client = new CallbackClient(1024);
  try {
    received.length = 0;
    for (let i = 0; i < 3; i++) {
      const answer = await client.post(`${origin}/ok`, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': `sig${i}` }, `EventType=task.created&N=${i}`, 5000);
      assert.deepEqual(answer, { ok: true, status: 200, body: 'thanks' });
    }
    assert.deepEqual(received.map((r) => r.body), ['EventType=task.created&N=0', 'EventType=task.created&N=1', 'EventType=task.created&N=2']);
    assert.deepEqual(received.map((r) => r.headers['x-twilio-signature']), ['sig0', 'sig1', 'sig2']);
    assert.equal(received[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(received[0]!.headers['content-length'], String('EventType=task.created&N=0'.length));
    assert.equal(new Set(received.map((r) => r.remotePort)).size, 1, 'one kept-alive connection');
  } finally {
    client.close();
  }
});

it('reports a redirect as its status without following it, and cuts a long answer at the bound', async () => {
  const client = new CallbackClient(100);
  try {
    received.length = 0;
    assert.deepEqual(await client.post(`${origin}/moved`, {}, 'a=1', 5000), { ok: true, status: 302, body: '' });
    assert.deepEqual(received.map((r) => r.path), ['/moved']);
    const long = await client.post(`${origin}/long`, {}, 'a=1', 5000);
    assert.ok(long.ok && long.body === 'x'.repeat(100), JSON.stringify(long).slice(0, 200));
    // The connection is still usable after an answer read past its bound.
    assert.deepEqual(await client.post(`${origin}/ok`, {}, 'a=2', 5000), { ok: true, status: 200, body: 'thanks' });
  } finally {
    client.close();
  }
});

it('ends without an answer: a timeout, a refused connection, closing the client, a URL it cannot post to', async () => {
  const client = new CallbackClient(1024);
  const started = Date.now();
  assert.deepEqual(await client.post(`${origin}/silent`, {}, 'a=1', 200), { ok: false, error: 'no answer within 200 ms' });
  assert.ok(Date.now() - started < 2000);
  const refused = await client.post('http://127.0.0.1:1/cb', {}, 'a=1', 5000);
  assert.ok(!refused.ok && /ECONNREFUSED/.test(refused.error), JSON.stringify(refused));
  const pending = client.post(`${origin}/silent`, {}, 'a=1', 60_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  client.close();
  assert.deepEqual(await pending, { ok: false, error: 'the dispatcher stopped' });
  assert.deepEqual(await client.post(`${origin}/ok`, {}, 'a=1', 5000), { ok: false, error: 'the dispatcher stopped' });
  assert.deepEqual(await new CallbackClient(10).post('ftp://example.com/cb', {}, '', 1000), { ok: false, error: 'unsupported URL scheme ftp:' });
  assert.deepEqual(await new CallbackClient(10).post('not a url', {}, '', 1000), { ok: false, error: 'not a URL: not a url' });
});
