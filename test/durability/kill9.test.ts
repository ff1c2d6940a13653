// Nothing acknowledged is lost: the server runs as a child process, every acknowledged write is recorded,
// the process is killed with SIGKILL (no shutdown hooks), and a restart on the same file serves all of it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formEncode } from '../support/server.ts';
import { startChild } from '../support/childServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-kill9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function client(origin: string, sid: string, token: string) {
  const auth = 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64');
  return async (method: string, path: string, form?: Record<string, string>) => {
    const res = await fetch(origin + path, {
      method,
      headers: { authorization: auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? formEncode(form) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

describe('durability across kill -9', () => {
  it('serves every acknowledged resource after SIGKILL and restart', async () => {
    const env = { SWITCHBOARD_DB: join(dir, 'a.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'a1'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'durability-token' };
    const first = await startChild(env);
    const call = client(first.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN);
    const acknowledged: string[] = []; // URL paths of every resource whose create/update was answered 2xx
    const ws = await call('POST', '/v1/Workspaces', { FriendlyName: 'Durable', Template: 'FIFO' });
    assert.equal(ws.status, 201);
    const base = `/v1/Workspaces/${ws.body.sid}`;
    acknowledged.push(base);
    for (const path of ['/Activities', '/TaskQueues', '/Workflows', '/TaskChannels']) {
      for (const item of Object.values<any>((await call('GET', base + path)).body).find(Array.isArray)!) acknowledged.push(`${base}${path}/${item.sid}`);
    }
    const queue = acknowledged.find((p) => p.includes('/TaskQueues/'))!.split('/').pop()!;
    for (let i = 0; i < 20; i++) {
      const w = await call('POST', `${base}/Workers`, { FriendlyName: `agent-${i}`, Attributes: JSON.stringify({ n: i }) });
      assert.equal(w.status, 201);
      acknowledged.push(`${base}/Workers/${w.body.sid}`);
    }
    const upd = await call('POST', acknowledged[acknowledged.length - 1]!, { Attributes: '{"n":"updated"}' });
    assert.equal(upd.status, 200);
    const ch = await call('POST', `${base}/TaskChannels`, { FriendlyName: 'Email', UniqueName: 'email' });
    acknowledged.push(`${base}/TaskChannels/${ch.body.sid}`);
    const q = await call('POST', `${base}/TaskQueues/${queue}`, { TargetWorkers: 'n >= 0' });
    assert.equal(q.status, 200);

    const before = new Map<string, unknown>();
    for (const path of acknowledged) before.set(path, (await call('GET', path)).body);
    // A write still in flight when the process dies is either wholly there or wholly absent.
    const inflight = call('POST', `${base}/Workers`, { FriendlyName: 'in-flight' }).catch(() => undefined);
    await first.kill('SIGKILL');
    const inflightResult = await inflight;

    const second = await startChild(env);
    try {
      const call2 = client(second.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN);
      const origin1 = first.origin;
      for (const [path, body] of before) {
        const res = await call2('GET', path);
        assert.equal(res.status, 200, `${path} lost after kill -9`);
        assert.deepEqual(res.body, JSON.parse(JSON.stringify(body).replaceAll(origin1, second.origin)), path);
      }
      const inflightNow = await call2('GET', `${base}/Workers?FriendlyName=in-flight`);
      if (inflightResult?.status === 201) assert.equal(inflightNow.body.workers.length, 1, 'an acknowledged in-flight write was lost');
      assert.ok(inflightNow.body.workers.length <= 1);
      if (inflightNow.body.workers.length === 1) {
        // Wholly there: the worker and all its channels.
        const chans = await call2('GET', `${base}/Workers/${inflightNow.body.workers[0].sid}/Channels`);
        assert.equal(chans.body.channels.length, 6);
      }
      assert.equal((await call2('GET', `${base}/Workers?PageSize=1000`)).body.workers.length, 20 + inflightNow.body.workers.length);
    } finally {
      await second.kill('SIGKILL');
    }
  });

  it('generates the bootstrap account once, prints it once, and its credentials work after restart', async () => {
    const env = { SWITCHBOARD_DB: join(dir, 'b.db') };
    const first = await startChild(env);
    const printed = first.stdout();
    const sid = /SWITCHBOARD_ACCOUNT_SID=(AC[0-9a-f]{32})/.exec(printed)?.[1];
    const token = /SWITCHBOARD_AUTH_TOKEN=([0-9a-f]{32})/.exec(printed)?.[1];
    assert.ok(sid && token, `no credentials printed: ${printed}`);
    assert.match(printed, /client\.taskrouter\.baseUrl = 'http:\/\/127\.0\.0\.1:\d+'/);
    await first.kill('SIGKILL');
    const second = await startChild(env);
    try {
      assert.doesNotMatch(second.stdout(), /SWITCHBOARD_AUTH_TOKEN=/);
      const res = await client(second.origin, sid!, token!)('GET', '/v1/Workspaces');
      assert.equal(res.status, 200);
    } finally {
      await second.kill('SIGKILL');
    }
  });
});
