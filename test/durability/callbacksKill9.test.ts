// Callbacks are never lost to a crash: the server (a child process) owes event callbacks to a receiver that
// is failing; it is killed with SIGKILL mid-delivery and restarted on the same database; once the receiver is
// back, every event of the workspace reaches it, in log order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { childServerScope } from '../support/childServerScope.ts';
import { basicAuth, call } from '../support/wire.ts';
import { startReceiver } from '../support/webhookReceiver.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

const scope = childServerScope('switchboard-callbacks-');
const dir = scope.dir;

describe('event callbacks across kill -9', () => {
  it('delivers every event after a SIGKILL and restart, in order', async () => {
    const receiver = await startReceiver();
    let down = true;
    receiver.answer = () => (down ? { status: 500 } : { status: 204 });
    const env = { SWITCHBOARD_DB: join(dir, 'cb.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'c3'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'callback-token' };
    const headers = { authorization: basicAuth(env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN) };
    const first = await scope.start(env);
    const api = (origin: string, method: string, path: string, form?: Record<string, string>) => call(origin, method, path, { headers, form });

    const ws = (await api(first.origin, 'POST', '/v1/Workspaces', { FriendlyName: 'Crash', Template: 'FIFO', EventCallbackUrl: `${receiver.origin}/hook` })).body.sid;
    for (let i = 0; i < 10; i++) {
      const res = await api(first.origin, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: JSON.stringify({ i }) });
      assert.equal(res.status, 201);
    }
    await receiver.waitFor((all) => all.length >= 2); // delivery is under way and failing
    await first.kill('SIGKILL');
    assert.equal(first.process.signalCode, 'SIGKILL');

    const second = await scope.start(env);
    down = false;
    const events = (await api(second.origin, 'GET', `/v1/Workspaces/${ws}/Events?Minutes=60&PageSize=1000`)).body.events.map((e: any) => e.sid);
    assert.ok(events.length >= 40, `the log holds the workspace's events (${events.length})`);
    await receiver.waitFor((all) => events.every((sid: string) => all.some((r) => r.params.Sid === sid)), 20_000);
    const distinct = [...new Set(receiver.received.map((r) => r.params.Sid))];
    assert.deepEqual(distinct, events, 'every event, in log order, nothing skipped');
    await receiver.close();
  });
});
