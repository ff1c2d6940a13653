// GET /metrics scraped by a real Prometheus (Debian's package) while a scenario runs: what Prometheus's query
// API answers equals what the scenario did, as the REST API reports it (reservations by outcome, tasks by
// status and queue, latencies counted per reservation, HTTP requests by route template, commit groups,
// WebSockets, webhook deliveries and failures), and the scrape needs the bearer token once one is configured.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { type Prometheus, type Sample, prometheusBinary, startPrometheus } from '../support/prometheus.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver.ts';

const TOKEN = 'scrape-secret-0123456789';
const missing = !prometheusBinary();
if (missing && process.env.CI) throw new Error('CI: prometheus is not installed (apt-get install prometheus); the metrics test cannot run');

let s: TestServer;
let prom: Prometheus;
let receiver: WebhookReceiver;
let socket: WebSocket | undefined;

before(async () => {
  if (missing) return;
  s = await startServer({ metricsToken: TOKEN, callbacks: { retryBaseMs: 50, retryMaxMs: 200 } });
  receiver = await startReceiver();
  prom = await startPrometheus([{ address: s.origin.replace('http://', ''), bearerToken: TOKEN }]);
});
after(async () => {
  socket?.terminate();
  await prom?.stop();
  await receiver?.close();
  await s?.close();
});

const sum = (samples: Sample[]) => samples.reduce((a, x) => a + x.value, 0);
const equals = (n: number) => (samples: Sample[]) => samples.length > 0 && sum(samples) === n;

it('GET /metrics refuses a scrape without the bearer token', { skip: missing && 'prometheus is not installed' }, async () => {
  for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`]) {
    const res = await fetch(`${s.origin}/metrics`, { headers: authorization ? { authorization } : {} });
    assert.equal(res.status, 401, String(authorization));
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.doesNotMatch(await res.text(), /switchboard_/);
  }
  const ok = await fetch(`${s.origin}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  // Prometheus, configured with the token, scrapes it.
  await prom.waitFor('up', equals(1));
});

it('Prometheus reports the reservations, tasks, latencies, requests, commits, sockets and webhooks a scenario produced', { skip: missing && 'prometheus is not installed' }, async () => {
  const client = twilio(s.accountSid, s.authToken);
  client.taskrouter.baseUrl = s.origin;
  const tr = client.taskrouter.v1;
  // The first event callback fails (500), so it is retried once and delivered.
  let answered = 0;
  receiver.answer = () => (answered++ === 0 ? { status: 500 } : { status: 204 });
  const ws = await tr.workspaces.create({ friendlyName: 'Metrics', template: 'FIFO', eventCallbackUrl: `${receiver.origin}/events`, eventsFilter: 'reservation.accepted,reservation.rejected' });
  const available = (await tr.workspaces(ws.sid).activities.list({ friendlyName: 'Available' }))[0]!.sid;
  const queues = await tr.workspaces(ws.sid).taskQueues.list();
  const workflow = (await tr.workspaces(ws.sid).workflows.list())[0]!;
  const workers = [];
  for (const name of ['alice', 'bob']) workers.push(await tr.workspaces(ws.sid).workers.create({ friendlyName: name, activitySid: available }));

  // A worker's WebSocket is open while Prometheus scrapes.
  const capability = new twilio.jwt.taskrouter.TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws.sid, channelId: workers[0]!.sid });
  for (const p of twilio.jwt.taskrouter.util.defaultWorkerPolicies('v1', ws.sid, workers[0]!.sid)) capability.addPolicy(p);
  socket = new WebSocket(`${s.origin.replace('http', 'ws')}/v1/wschannels/${s.accountSid}/${workers[0]!.sid}?token=${capability.toJwt()}`);
  await new Promise((resolve, reject) => socket!.once('open', resolve).once('error', reject));
  await prom.waitFor('switchboard_websocket_connections', equals(1));

  // Three tasks for two workers: two offers at once, one task waits.
  const tasks: { sid: string }[] = [];
  for (let i = 0; i < 3; i++) tasks.push(await tr.workspaces(ws.sid).tasks.create({ attributes: JSON.stringify({ n: i }), workflowSid: workflow.sid }));
  const pendingReservations = async () => {
    const all: { sid: string; taskSid: string }[] = [];
    for (const t of tasks) all.push(...(await tr.workspaces(ws.sid).tasks(t.sid).reservations.list({ reservationStatus: 'pending' })));
    return all;
  };
  const offers = await pendingReservations();
  assert.equal(offers.length, 2);
  // One accepted; the other rejected (its task is offered again).
  await tr.workspaces(ws.sid).tasks(offers[0]!.taskSid).reservations(offers[0]!.sid).update({ reservationStatus: 'accepted' });
  await tr.workspaces(ws.sid).tasks(offers[1]!.taskSid).reservations(offers[1]!.sid).update({ reservationStatus: 'rejected' });
  await receiver.waitFor((all) => all.length >= 3);

  // What the REST API says happened.
  const events = async (eventType: string) => (await tr.workspaces(ws.sid).events.list({ eventType, minutes: 60 })).length;
  const created = await events('reservation.created');
  assert.ok(created >= 2);
  const byStatus = new Map<string, number>();
  for (const t of await tr.workspaces(ws.sid).tasks.list()) {
    const key = `${t.taskQueueSid}/${t.assignmentStatus}`;
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }

  // What Prometheus scraped.
  const where = `workspace_sid="${ws.sid}"`;
  await prom.waitFor(`switchboard_reservations_total{outcome="accepted",${where}}`, equals(await events('reservation.accepted')));
  await prom.waitFor(`switchboard_reservations_total{outcome="rejected",${where}}`, equals(await events('reservation.rejected')));
  await prom.waitFor(`switchboard_reservations_created_total{${where}}`, equals(created));
  await prom.waitFor(`switchboard_tasks_created_total{${where}}`, equals(3));
  // Every reservation observed its time since the task's creation; the accepted one its wait until accepted.
  await prom.waitFor(`switchboard_task_reservation_latency_seconds_count{${where}}`, equals(created));
  await prom.waitFor(`switchboard_task_wait_until_accepted_seconds_count{${where}}`, equals(1));
  const waited = await prom.query(`switchboard_task_wait_until_accepted_seconds_sum{${where}}`);
  assert.ok(waited[0]!.value >= 0 && waited[0]!.value < 30, `wait until accepted ${waited[0]?.value} s`);

  // Tasks by status per queue, from the engine's memory, equal the REST API's list.
  const tasksByStatus = await prom.waitFor(`switchboard_tasks{${where}}`, (samples) => samples.length === byStatus.size && samples.every((x) => byStatus.get(`${x.metric.task_queue_sid}/${x.metric.status}`) === x.value));
  assert.deepEqual(new Set(tasksByStatus.map((x) => x.metric.task_queue_sid)), new Set([queues[0]!.sid]));

  // HTTP requests by route template (the SIDs are not labels).
  await prom.waitFor('switchboard_http_request_duration_seconds_count{route="/v1/Workspaces/:ws/Tasks",method="POST",status_code="201"}', equals(3));
  const routes = await prom.query('count by (route) (switchboard_http_request_duration_seconds_count)');
  for (const r of routes) assert.doesNotMatch(r.metric.route!, /W[STKRQ][0-9a-f]{32}/, 'no SID in a route label');

  // Group commits: at least one per write request, each with at least one transaction.
  const groups = await prom.waitFor('switchboard_store_commit_group_transactions_count', (x) => sum(x) >= 8);
  const transactions = await prom.query('switchboard_store_commit_group_transactions_sum');
  assert.ok(sum(transactions) >= sum(groups));
  await prom.waitFor('switchboard_store_commit_duration_seconds_count', (x) => sum(x) >= sum(groups));

  // Webhooks: one failure, then every filtered event delivered, each with its lag.
  const receivedOk = () => receiver.received.length - 1;
  await prom.waitFor('switchboard_webhook_deliveries_total{kind="event",outcome="failed"}', equals(1));
  await prom.waitFor('switchboard_webhook_deliveries_total{kind="event",outcome="delivered"}', equals(receivedOk()));
  await prom.waitFor('switchboard_webhook_lag_seconds_count{kind="event"}', equals(receivedOk()));

  // The process's own metrics, event-loop lag among them.
  await prom.waitFor('nodejs_eventloop_lag_seconds', (x) => x.length === 1);
  await prom.waitFor('process_cpu_seconds_total', (x) => x.length === 1 && x[0]!.value > 0);

  // The socket closes: the gauge follows.
  socket.close();
  await prom.waitFor('switchboard_websocket_connections', equals(0));
});

it("a deleted workspace's series leave the exposition (the label sets stay bounded)", { skip: missing && 'prometheus is not installed' }, async () => {
  const client = twilio(s.accountSid, s.authToken);
  client.taskrouter.baseUrl = s.origin;
  const tr = client.taskrouter.v1;
  const scrape = async () => (await fetch(`${s.origin}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const ws = await tr.workspaces.create({ friendlyName: 'Short-lived', template: 'FIFO' });
  const kept = await tr.workspaces.create({ friendlyName: 'Kept', template: 'FIFO' });
  for (const w of [ws, kept]) await tr.workspaces(w.sid).tasks.create({ attributes: '{}' });
  const before = await scrape();
  for (const w of [ws, kept]) assert.match(before, new RegExp(`switchboard_tasks_created_total\\{workspace_sid="${w.sid}"\\} 1`));
  await tr.workspaces(ws.sid).remove();
  const afterDelete = await scrape();
  assert.doesNotMatch(afterDelete, new RegExp(ws.sid), 'no series of the deleted workspace');
  assert.match(afterDelete, new RegExp(`switchboard_tasks_created_total\\{workspace_sid="${kept.sid}"\\} 1`), 'the other workspace keeps its series');
});
