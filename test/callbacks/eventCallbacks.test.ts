// Event callbacks against a real receiver on loopback: signed as Twilio signs (twilio.validateRequest accepts
// them), TaskRouter's parameters, EventsFilter honoured, every event delivered in log order; a receiver that
// fails for a while gets everything once it is back, in order, nothing skipped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver.ts';

describe('event callbacks', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startReceiver();
    s = await startServer({ callbacks: { retryBaseMs: 50, retryMaxMs: 200 } });
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  const logOf = (ws: string) => s.store.read((repo) => repo.eventsFor(ws));

  it('posts every event of the workspace, signed, with TaskRouter parameters, in log order', async () => {
    const url = `${receiver.origin}/events?source=switchboard`;
    const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Hooks', EventCallbackUrl: url, Template: 'FIFO' } })).body.sid;
    const task = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: '{"type":"support"}' } })).body;
    await s.request('POST', `/v1/Workspaces/${ws}/Tasks/${task.sid}`, { form: { AssignmentStatus: 'canceled', Reason: 'test' } });
    const expected = logOf(ws).map((e) => e.sid);
    await receiver.waitFor((all) => all.filter((r) => r.path.startsWith('/events')).length >= expected.length);
    const got = receiver.received.filter((r) => r.path.startsWith('/events'));
    assert.deepEqual(got.map((r) => r.params.Sid), expected, 'every event, once, in log order');
    for (const r of got) {
      assert.ok(twilio.validateRequest(s.authToken, String(r.headers['x-twilio-signature']), url, r.params), `signature of ${r.params.EventType}`);
      assert.equal(r.headers['i-twilio-idempotency-token'], r.params.Sid);
      assert.equal(r.params.AccountSid, s.accountSid);
      assert.equal(r.params.WorkspaceSid, ws);
      assert.equal(r.params.WorkspaceName, 'Hooks');
    }
    const created = got.find((r) => r.params.EventType === 'task.created')!;
    assert.equal(created.params.ResourceType, 'Task');
    assert.equal(created.params.ResourceSid, task.sid);
    assert.equal(created.params.TaskSid, task.sid);
    assert.equal(created.params.TaskAttributes, '{"type":"support"}');
    assert.match(created.params.Timestamp!, /^\d{10}$/);
    const canceled = got.find((r) => r.params.EventType === 'task.canceled')!;
    assert.equal(canceled.params.TaskCanceledReason, 'test');
    assert.equal(twilio.validateRequest(s.authToken, String(created.headers['x-twilio-signature']), `${url}&tampered=1`, created.params), false);
  });

  it('honours EventsFilter', async () => {
    const url = `${receiver.origin}/filtered`;
    const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Filtered', EventCallbackUrl: url, EventsFilter: 'task.created,task.canceled', Template: 'FIFO' } })).body.sid;
    assert.equal((await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'w' } })).status, 201);
    const t = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: '{}' } })).body;
    assert.match(t.sid, /^WT/);
    await s.request('POST', `/v1/Workspaces/${ws}/Tasks/${t.sid}`, { form: { AssignmentStatus: 'canceled' } });
    await receiver.waitFor((all) => all.filter((r) => r.path === '/filtered').length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(receiver.received.filter((r) => r.path === '/filtered').map((r) => r.params.EventType), ['task.created', 'task.canceled']);
  });

  it('a receiver down for a while gets every event once it is back, in order', async () => {
    let down = true;
    receiver.answer = (path) => (path === '/flaky' && down ? { status: 503 } : { status: 204 });
    const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Flaky', EventCallbackUrl: `${receiver.origin}/flaky` } })).body.sid;
    for (let i = 0; i < 5; i++) await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { form: { FriendlyName: `a${i}` } });
    await receiver.waitFor((all) => all.filter((r) => r.path === '/flaky').length >= 3); // retried while down
    down = false;
    const expected = logOf(ws).map((e) => e.sid);
    await receiver.waitFor((all) => {
      const delivered = all.filter((r) => r.path === '/flaky').map((r) => r.params.Sid);
      return expected.every((sid) => delivered.includes(sid));
    });
    // Retries repeat the event that failed, never jump ahead: the distinct SIDs arrive in log order.
    const distinct = [...new Set(receiver.received.filter((r) => r.path === '/flaky').map((r) => r.params.Sid))];
    assert.deepEqual(distinct, expected);
    receiver.answer = () => ({ status: 204 });
  });
});
