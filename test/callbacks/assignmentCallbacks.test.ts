// Assignment callbacks against a real receiver on loopback: the workflow's AssignmentCallbackUrl is called
// for each new reservation with TaskRouter's parameters, signed; each instruction in the answer is applied;
// an empty 200 leaves the reservation pending; no answer within the timeout falls back to the fallback URL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { startReceiver, type Answer, type WebhookReceiver } from '../support/webhookReceiver.ts';

describe('assignment callbacks', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  let ws: string;
  let workflow: string;
  let activities: Record<string, string>;
  let n = 0;

  before(async () => {
    receiver = await startReceiver();
    s = await startServer({ callbacks: { assignmentTimeoutMs: 300 } });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Assign', Template: 'FIFO' } })).body.sid;
    activities = Object.fromEntries((await s.request('GET', `/v1/Workspaces/${ws}/Activities`)).body.activities.map((a: any) => [a.friendly_name, a.sid]));
    workflow = (await s.request('GET', `/v1/Workspaces/${ws}/Workflows`)).body.workflows[0].sid;
    const res = await s.request('POST', `/v1/Workspaces/${ws}/Workflows/${workflow}`, {
      form: { AssignmentCallbackUrl: `${receiver.origin}/assign`, FallbackAssignmentCallbackUrl: `${receiver.origin}/fallback` },
    });
    assert.equal(res.status, 200);
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  /** One task offered to a fresh available worker whose callback answers `answer`; the reservation after it. */
  async function offer(answer: (path: string) => Answer) {
    const worker = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: `agent-${++n}`, ActivitySid: activities.Available!, Attributes: '{"contact_uri":"client:agent"}' } })).body;
    receiver.answer = answer;
    const task = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: `{"case":${n}}`, Priority: '3' } })).body;
    await receiver.waitFor((all) => all.some((r) => r.params.TaskSid === task.sid && r.path === '/assign'));
    const reservations = async () => (await s.request('GET', `/v1/Workspaces/${ws}/Tasks/${task.sid}/Reservations`)).body.reservations;
    // The instruction is applied right after the answer; give it a moment, then read the outcome.
    for (let i = 0; i < 50 && (await reservations())[0]?.reservation_status === 'pending'; i++) await new Promise((r) => setTimeout(r, 20));
    const [reservation] = await reservations();
    const worker2 = (await s.request('GET', `/v1/Workspaces/${ws}/Workers/${worker.sid}`)).body;
    const task2 = (await s.request('GET', `/v1/Workspaces/${ws}/Tasks/${task.sid}`)).body;
    const calls = receiver.received.filter((r) => r.params.TaskSid === task.sid);
    // Leave no available worker behind for the next case.
    if (task2.assignment_status === 'assigned') await s.request('POST', `/v1/Workspaces/${ws}/Tasks/${task.sid}`, { form: { AssignmentStatus: 'completed' } });
    if (task2.assignment_status === 'reserved' || task2.assignment_status === 'pending') await s.request('POST', `/v1/Workspaces/${ws}/Tasks/${task.sid}`, { form: { AssignmentStatus: 'canceled' } });
    await s.request('POST', `/v1/Workspaces/${ws}/Workers/${worker.sid}`, { form: { ActivitySid: activities.Offline! } });
    return { reservation, worker: worker2, task: task2, calls };
  }

  it('calls the AssignmentCallbackUrl with TaskRouter parameters, signed; accept is applied', async () => {
    const { reservation, task, calls } = await offer(() => ({ status: 200, body: '{"instruction":"accept"}' }));
    assert.equal(reservation.reservation_status, 'accepted');
    assert.equal(task.assignment_status, 'assigned');
    assert.equal(calls.length, 1);
    const p = calls[0]!.params;
    assert.deepEqual(Object.keys(p).sort(), ['AccountSid', 'ReservationSid', 'TaskAge', 'TaskAttributes', 'TaskPriority', 'TaskQueueSid', 'TaskSid', 'Timestamp', 'WorkerAttributes', 'WorkerSid', 'WorkflowSid', 'WorkspaceSid']);
    assert.equal(p.ReservationSid, reservation.sid);
    assert.equal(p.WorkflowSid, workflow);
    assert.equal(p.TaskPriority, '3');
    assert.equal(p.WorkerAttributes, '{"contact_uri":"client:agent"}');
    assert.ok(twilio.validateRequest(s.authToken, String(calls[0]!.headers['x-twilio-signature']), `${receiver.origin}/assign`, p));
  });

  it('reject with activity_sid rejects and moves the worker', async () => {
    const { reservation, worker } = await offer(() => ({ status: 200, body: JSON.stringify({ instruction: 'reject', activity_sid: activities.Offline }) }));
    assert.equal(reservation.reservation_status, 'rejected');
    assert.equal(worker.activity_name, 'Offline');
  });

  it('dequeue, call (accept), redirect (accept) and conference accept the reservation; an empty 200 leaves it pending', async () => {
    const voice = [
      { instruction: 'dequeue', from: '+15550001', post_work_activity_sid: activities.Available },
      { instruction: 'call', from: '+15550001', url: 'https://example.com/twiml', accept: true },
      { instruction: 'redirect', call_sid: 'CA' + '1'.repeat(32), url: 'https://example.com/twiml', accept: true },
      { instruction: 'conference', from: '+15550001' },
    ];
    for (const body of voice) {
      const { reservation } = await offer(() => ({ status: 200, body: JSON.stringify(body) }));
      assert.equal(reservation.reservation_status, 'accepted', body.instruction);
    }
    const manual = await offer(() => ({ status: 200 }));
    assert.equal(manual.reservation.reservation_status, 'pending', 'no instruction: the application answers later');
    const notAccepted = await offer(() => ({ status: 200, body: JSON.stringify({ instruction: 'call', from: '+1555', url: 'https://example.com/t' }) }));
    assert.equal(notAccepted.reservation.reservation_status, 'pending', 'call without accept only places the call');
  });

  it('no answer within the timeout: the fallback URL is called and its instruction applied', async () => {
    const { reservation, calls } = await offer((path) => (path === '/assign' ? { status: 200, delayMs: 1500, body: '{"instruction":"reject"}' } : { status: 200, body: '{"instruction":"accept"}' }));
    assert.deepEqual(calls.map((c) => c.path), ['/assign', '/fallback']);
    assert.equal(reservation.reservation_status, 'accepted');
  });
});
