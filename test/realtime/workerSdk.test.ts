// The real twilio-taskrouter Worker SDK against Switchboard's EventBridge (proxy + WebSocket): connect, change
// activity, receive reservations for tasks created through REST, accept, complete, and see timeouts, cancels
// and rescinds arrive; a token for another worker cannot act on this one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import TaskRouter from 'twilio-taskrouter';
import { startServer, type TestServer } from '../support/server.ts';
import { disconnectSdkWorker } from '../support/taskrouterSdk.ts';

const { Worker, Workspace } = TaskRouter as unknown as {
  Worker: new (token: string, options: object) => any;
  Workspace: new (token: string, options: object, workspaceSid: string) => any;
};

function once<T = any>(emitter: any, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('twilio-taskrouter Worker SDK over EventBridge', () => {
  let s: TestServer;
  let now = Date.now();
  let client: ReturnType<typeof twilio>;
  let ws: string;
  let activities: Record<string, string>;
  let key: { sid: string; secret: string };
  const workers: any[] = [];

  const tokenFor = (workerSid: string) => {
    const t = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: workerSid, ttl: 3600 });
    t.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid, role: 'worker' }));
    return t.toJwt();
  };
  const connect = async (workerSid: string, options: object = {}) => {
    const w = new Worker(tokenFor(workerSid), {
      ebServer: `${s.origin}/v1/wschannels`,
      wsServer: `${s.origin.replace('http', 'ws')}/v1/wschannels`,
      logLevel: 'silent',
      ...options,
    });
    workers.push(w);
    await once(w, 'ready');
    return w;
  };
  const tr = () => client.taskrouter.v1.workspaces(ws);

  before(async () => {
    s = await startServer({ clock: () => now, manualTimers: true });
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    client.api.baseUrl = s.origin;
    ws = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'SDK', template: 'FIFO' })).sid;
    activities = Object.fromEntries((await tr().activities.list()).map((a) => [a.friendlyName, a.sid]));
    const k = await client.newKeys.create();
    key = { sid: k.sid, secret: k.secret };
  });
  after(async () => {
    for (const w of workers) disconnectSdkWorker(w);
    await s.close();
  });

  it('connects, changes activity, and takes a task from reservation to completion', async () => {
    const alice = (await tr().workers.create({ friendlyName: 'alice', attributes: '{"skills":["en"]}' })).sid;
    const worker = await connect(alice);
    assert.equal(worker.sid, alice);
    assert.equal(worker.activity.name, 'Offline');
    assert.ok(worker.activities.size >= 3);
    const updated = once(worker, 'activityUpdated');
    const available = [...worker.activities.values()].find((a: any) => a.name === 'Available');
    await available.setAsCurrent();
    assert.equal((await updated).activity.name, 'Available');

    const created = once(worker, 'reservationCreated');
    const task = await tr().tasks.create({ attributes: JSON.stringify({ customer: 'c1' }) });
    const reservation = await created;
    assert.equal(reservation.task.sid, task.sid);
    assert.equal(reservation.status, 'pending');
    assert.deepEqual(reservation.task.attributes, { customer: 'c1' });
    await reservation.accept();
    assert.equal(reservation.status, 'accepted');
    assert.equal((await tr().tasks(task.sid).fetch()).assignmentStatus, 'assigned');
    const completed = once(reservation, 'completed');
    await reservation.task.complete('resolved');
    await completed;
    const done = await tr().tasks(task.sid).fetch();
    assert.equal(done.assignmentStatus, 'completed');
    assert.equal(done.reason, 'resolved');
  });

  it('sees a reservation time out (and its own move to the timeout activity) and a cancel', async () => {
    const bob = (await tr().workers.create({ friendlyName: 'bob', activitySid: activities.Available })).sid;
    const worker = await connect(bob);
    // Alice (previous test) is available too and idle longer: take her out of the way.
    await tr().workers.list({ friendlyName: 'alice' }).then(([a]) => tr().workers(a!.sid).update({ activitySid: activities.Offline }));
    const created = once(worker, 'reservationCreated');
    await tr().tasks.create({ attributes: '{}' });
    const reservation = await created;
    const timedOut = once(reservation, 'timeout');
    const movedOffline = once(worker, 'activityUpdated');
    now += 121_000;
    await s.engine.fireDueNow();
    await timedOut;
    assert.equal((await movedOffline).activity.name, 'Offline');

    // The offer is pushed in the same commit as the activity change, so listen before changing it.
    const offered = once(worker, 'reservationCreated');
    await [...worker.activities.values()].find((a: any) => a.name === 'Available').setAsCurrent();
    const again = await offered;
    const canceled = once(again, 'canceled');
    await tr().tasks(again.task.sid).update({ assignmentStatus: 'canceled', reason: 'caller hung up' });
    await canceled;
  });

  it('multi-reservation: the SDK worker sees its offer rescinded when another worker accepts', async () => {
    for (const w of await tr().workers.list()) await tr().workers(w.sid).update({ activitySid: activities.Offline });
    const queue = await tr().taskQueues.create({ friendlyName: 'Pair', targetWorkers: "pair == true", maxReservedWorkers: 2 });
    await tr().workflows.create({ friendlyName: 'Pairs', configuration: JSON.stringify({ task_routing: { filters: [{ expression: "kind == 'pair'", targets: [{ queue: queue.sid }] }] } }) });
    const carol = (await tr().workers.create({ friendlyName: 'carol', attributes: '{"pair":true}', activitySid: activities.Available })).sid;
    const dave = (await tr().workers.create({ friendlyName: 'dave', attributes: '{"pair":true}', activitySid: activities.Available })).sid;
    const worker = await connect(carol);
    const created = once(worker, 'reservationCreated');
    const flows = await tr().workflows.list({ friendlyName: 'Pairs' });
    await tr().tasks.create({ attributes: JSON.stringify({ kind: 'pair' }), workflowSid: flows[0]!.sid });
    const mine = await created;
    const rescinded = once(mine, 'rescinded');
    const [theirs] = await tr().workers(dave).reservations.list({ reservationStatus: 'pending' });
    await tr().workers(dave).reservations(theirs!.sid).update({ reservationStatus: 'accepted' });
    await rescinded;
  });

  it('creates a task for itself with createTask (as the SDK documents and its integration tests do) and is offered it', async () => {
    const gina = (await tr().workers.create({ friendlyName: 'gina' })).sid;
    const worker = await connect(gina);
    const [workflow] = await tr().workflows.list({ friendlyName: 'Default Fifo Workflow' });
    const [queue] = await tr().taskQueues.list({ friendlyName: 'Sample Queue' });
    const offered = once(worker, 'reservationCreated');
    const taskSid: string = await worker.createTask('+15550100', '+15550199', workflow!.sid, queue!.sid, { attributes: { topic: 'callback' }, taskChannelUniqueName: 'voice' });
    assert.match(taskSid, /^WT[0-9a-f]{32}$/);
    const reservation = await offered;
    assert.equal(reservation.task.sid, taskSid);
    assert.deepEqual(reservation.task.attributes, { topic: 'callback', outbound_to: '+15550100', from: '+15550199' });
    const task = await tr().tasks(taskSid).fetch();
    assert.equal(task.routingTarget, gina);
    assert.equal(task.taskChannelUniqueName, 'voice');
    // Only for itself: routed to another worker, to a queue, or not routed to anyone, the same request is 403.
    const henry = (await tr().workers.create({ friendlyName: 'henry' })).sid;
    const before = (await tr().tasks.list()).length;
    for (const RoutingTarget of [henry, queue!.sid, undefined]) {
      const res = await fetch(`${s.origin}/v1/wschannels`, {
        method: 'POST',
        body: JSON.stringify({ url: `Workspaces/${ws}/Tasks`, method: 'POST', params: { WorkflowSid: workflow!.sid, TaskQueueSid: queue!.sid, RoutingTarget, Attributes: {} }, token: tokenFor(gina) }),
      });
      assert.equal(res.status, 403, `RoutingTarget ${RoutingTarget}`);
    }
    assert.equal((await tr().tasks.list()).length, before, 'nothing created');
  });

  it('a token for another worker cannot act on this worker; closeExistingSessions closes older sockets', async () => {
    const erin = (await tr().workers.create({ friendlyName: 'erin' })).sid;
    const frank = (await tr().workers.create({ friendlyName: 'frank' })).sid;
    const res = await fetch(`${s.origin}/v1/wschannels`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ url: `Workspaces/${ws}/Workers/${erin}`, method: 'POST', params: { ActivitySid: activities.Available }, token: tokenFor(frank) }),
    });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).code, 20403);
    assert.equal((await tr().workers(erin).fetch()).activityName, 'Offline');

    const first = await connect(erin);
    const disconnected = once(first, 'disconnected');
    await connect(erin, { closeExistingSessions: true });
    await disconnected;
  });

  it('a supervisor Workspace pages through lists by AfterSid and, when ordered, by NextToken', async () => {
    for (let i = 0; i < 7; i++) await tr().workers.create({ friendlyName: `pager-${i}` });
    const all = (await tr().workers.list()).map((w) => w.sid);
    const t = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: 'supervisor', ttl: 3600 });
    t.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, role: 'admin' }));
    const workspace = new Workspace(t.toJwt(), { ebServer: `${s.origin}/v1/wschannels`, logLevel: 'silent' }, ws);
    const paged: Map<string, any> = await workspace.fetchWorkersInfo({ PageSize: 3 });
    assert.deepEqual([...paged.keys()], all, 'every worker, in order, across pages of 3');
    const ordered: Map<string, any> = await workspace.fetchWorkersInfo({ PageSize: 2, Ordering: 'DateCreated:desc' });
    assert.equal(ordered.size, all.length);
    const queues: Map<string, any> = await workspace.fetchTaskQueues({ PageSize: 1 });
    assert.deepEqual([...queues.keys()].sort(), (await tr().taskQueues.list()).map((q) => q.sid).sort());
    // A page after a SID that is not in the list is a clear error, not an empty page.
    const res = await fetch(`${s.origin}/v1/wschannels`, {
      method: 'POST',
      body: JSON.stringify({ url: `Workspaces/${ws}/Workers`, method: 'GET', params: { PageSize: 2, AfterSid: `WK${'0'.repeat(32)}` }, token: t.toJwt() }),
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).message, /AfterSid/);
  });

  it('refuses a WebSocket without a valid token', async () => {
    const { WebSocket } = await import('ws');
    const url = `${s.origin.replace('http', 'ws')}/v1/wschannels?token=forged.token.value`;
    const status = await new Promise<number>((resolve) => {
      const sock = new WebSocket(url);
      sock.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      sock.on('open', () => resolve(101));
      sock.on('error', () => undefined);
    });
    assert.equal(status, 401);
  });
});
