// Events and statistics over one scripted scenario on a fake clock: three tasks, one accepted after 10 s and
// completed, one canceled after 30 s, one whose reservation times out; then the exact event sequences, the
// exact realtime and cumulative figures through the official twilio client, and every statistics response
// checked against the OpenAPI document.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingFixture } from '../support/routingFixture.ts';
import { clientFor, type TwilioClient } from '../support/twilioClient.ts';
import { assertContract, assertTwilioError } from '../support/contract.ts';

describe('events and statistics', () => {
  let f: RoutingFixture;
  let client: TwilioClient;
  let queue: string;
  let workflow: string;
  let alice: string;
  let bob: string;
  const tasks: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  let start: number;

  before(async () => {
    f = await RoutingFixture.create();
    client = clientFor(f.s);
    queue = await f.queue('Support');
    workflow = await f.workflow({ task_routing: { default_filter: { queue } } }, { TaskReservationTimeout: 60 });
    start = f.now;
    alice = await f.worker('alice');
    bob = await f.worker('bob', {}, 'Offline');
    tasks.a = (await f.task({ n: 'a' }, { Priority: 5, WorkflowSid: workflow })).sid; // offered to alice at once
    f.advance(1);
    tasks.b = (await f.task({ n: 'b' }, { WorkflowSid: workflow })).sid;
    tasks.c = (await f.task({ n: 'c' }, { WorkflowSid: workflow })).sid;
    f.advance(9);
    const [offer] = await f.reservations(alice, 'pending');
    await f.respond(alice, offer.sid, { ReservationStatus: 'accepted' }); // a waited 10 s
    f.advance(20);
    await f.ok('POST', f.path(`/Tasks/${tasks.c}`), { AssignmentStatus: 'canceled', Reason: 'caller hung up' }); // c waited 29 s
    await f.ok('POST', f.path(`/Tasks/${tasks.a}`), { AssignmentStatus: 'completed', Reason: 'done' }); // alice free: b offered
    f.advance(60); // b's reservation times out; alice goes Offline (the timeout activity)
  });
  after(() => f.close());

  it('records one task in TaskRouter order, readable through the Events resource with filters', async () => {
    const events = await client.taskrouter.v1.workspaces(f.ws).events.list({ taskSid: tasks.a, minutes: 60 });
    assert.deepEqual(
      events.map((e) => e.eventType),
      ['workflow.entered', 'task-queue.entered', 'task.created', 'workflow.target-matched', 'reservation.created', 'reservation.accepted', 'task.completed', 'reservation.completed'],
    );
    const accepted = events.find((e) => e.eventType === 'reservation.accepted')!;
    assert.equal(accepted.resourceType, 'reservation');
    assert.equal(accepted.eventData.worker_sid, alice);
    assert.equal(accepted.eventData.task_age, '10', 'event_data values are strings');
    assert.equal(accepted.eventDateMs, start + 10_000);

    const routed = ['workflow.entered', 'task-queue.entered', 'task.created', 'workflow.target-matched'];
    const typesOf = async (taskSid: string) => (await client.taskrouter.v1.workspaces(f.ws).events.list({ taskSid, minutes: 60 })).map((e) => e.eventType);
    assert.deepEqual(await typesOf(tasks.b), [...routed, 'reservation.created', 'reservation.timeout'], 'timeout path');
    assert.deepEqual(await typesOf(tasks.c), [...routed, 'task.canceled'], 'cancel path');
    const timeouts = await client.taskrouter.v1.workspaces(f.ws).events.list({ eventType: 'reservation.timeout', minutes: 60 });
    assert.deepEqual(timeouts.map((e) => e.eventData.task_sid), [tasks.b]);
    const canceled = await client.taskrouter.v1.workspaces(f.ws).events.list({ taskSid: tasks.c, minutes: 60 });
    assert.deepEqual(canceled.map((e) => e.eventType).slice(-1), ['task.canceled']);
    assert.equal(canceled.at(-1)!.eventData.reason, 'caller hung up');

    // The default window is the last 15 minutes; StartDate/EndDate pick any window.
    f.advance(15 * 60);
    assert.equal((await client.taskrouter.v1.workspaces(f.ws).events.list({ taskSid: tasks.a })).length, 0);
    const windowed = await client.taskrouter.v1.workspaces(f.ws).events.list({ taskSid: tasks.a, startDate: new Date(start + 10_000), endDate: new Date(start + 10_000) });
    assert.deepEqual(windowed.map((e) => e.eventType), ['reservation.accepted']);
    f.now -= 15 * 60 * 1000;

    const one = await f.s.request('GET', f.path(`/Events/${accepted.sid}`));
    assertContract('get', '/v1/Workspaces/{WorkspaceSid}/Events/{Sid}', one, 200);
    const list = await f.s.request('GET', f.path(`/Events?WorkerSid=${alice}&Minutes=60&PageSize=2`));
    assertContract('get', '/v1/Workspaces/{WorkspaceSid}/Events', list, 200);
    assert.equal(list.body.events.length, 2);
    assert.ok(list.body.meta.next_page_url, 'pages');
    assertTwilioError(await f.s.request('GET', f.path('/Events?StartDate=yesterday')), 400, 20001);
    assertTwilioError(await f.s.request('GET', f.path(`/Events/EV${'0'.repeat(32)}`)), 404, 20404);
  });

  it('workspace statistics: exact realtime and cumulative figures', async () => {
    const stats = await client.taskrouter.v1.workspaces(f.ws).statistics().fetch({ minutes: 60, splitByWaitTime: '15' });
    const rt = stats.realtime as any;
    assert.deepEqual(rt.tasks_by_status, { pending: 1, reserved: 0, assigned: 0, wrapping: 0 });
    assert.equal(rt.total_tasks, 1);
    assert.equal(rt.longest_task_waiting_sid, tasks.b);
    assert.equal(rt.longest_task_waiting_age, 89);
    assert.deepEqual(rt.tasks_by_priority, { '0': 1 });
    assert.equal(rt.total_workers, 2);
    const offline = rt.activity_statistics.find((a: any) => a.friendly_name === 'Offline');
    assert.equal(offline.workers, 2, 'bob, and alice after her reservation timed out');
    const c = stats.cumulative as any;
    assert.equal(c.tasks_created, 3);
    assert.equal(c.tasks_canceled, 1);
    assert.equal(c.tasks_completed, 1);
    assert.equal(c.reservations_created, 2);
    assert.equal(c.reservations_accepted, 1);
    assert.equal(c.reservations_timed_out, 1);
    assert.equal(c.reservations_rejected, 0);
    assert.equal(c.avg_task_acceptance_time, 10);
    assert.deepEqual(c.wait_duration_until_accepted, { avg: 10, min: 10, max: 10, total: 10 });
    assert.deepEqual(c.wait_duration_until_canceled, { avg: 29, min: 29, max: 29, total: 29 });
    assert.deepEqual(c.split_by_wait_time, {
      '15': { above: { tasks_canceled: 1, reservations_accepted: 0 }, below: { tasks_canceled: 0, reservations_accepted: 1 } },
    });
    // A Minutes window starts at the beginning of its first minute (it reads per-minute rollups only); a
    // StartDate window starts where it is asked to.
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    assert.equal(c.start_time, iso(Math.floor((f.now - 60 * 60_000) / 60_000) * 60_000));
    const exactStart = start + 1_500;
    const exact = await f.ok('GET', f.path(`/CumulativeStatistics?StartDate=${new Date(exactStart).toISOString()}`));
    assert.equal(exact.start_time, iso(Math.floor(exactStart / 1000) * 1000));
    assert.equal(exact.tasks_created, 0, 'a, b and c were created before the exact start');

    for (const path of ['Statistics', 'RealTimeStatistics', 'CumulativeStatistics']) {
      const res = await f.s.request('GET', f.path(path === 'RealTimeStatistics' ? `/${path}` : `/${path}?Minutes=60`));
      assertContract('get', `/v1/Workspaces/{WorkspaceSid}/${path}`, res, 200);
    }
  });

  it('queue and workflow statistics, the queue list and the bulk realtime POST', async () => {
    const q = await client.taskrouter.v1.workspaces(f.ws).taskQueues(queue).statistics().fetch({ minutes: 60 });
    const rt = q.realtime as any;
    assert.equal(rt.total_eligible_workers, 2);
    assert.equal(rt.total_available_workers, 0);
    assert.equal(rt.longest_relative_task_sid_in_queue, tasks.b);
    assert.equal((q.cumulative as any).tasks_entered, 3);
    assert.deepEqual((q.cumulative as any).wait_duration_in_queue_until_accepted, { avg: 10, min: 10, max: 10, total: 10 });
    const wf = await client.taskrouter.v1.workspaces(f.ws).workflows(workflow).cumulativeStatistics().fetch({ minutes: 60 });
    assert.equal(wf.tasksEntered, 3);
    assert.equal(wf.reservationsTimedOut, 1);
    for (const path of ['Statistics', 'RealTimeStatistics', 'CumulativeStatistics']) {
      assertContract('get', `/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/${path}`, await f.s.request('GET', f.path(`/TaskQueues/${queue}/${path}`)), 200);
      assertContract('get', `/v1/Workspaces/{WorkspaceSid}/Workflows/{WorkflowSid}/${path}`, await f.s.request('GET', f.path(`/Workflows/${workflow}/${path}`)), 200);
    }
    const all = await client.taskrouter.v1.workspaces(f.ws).taskQueues.statistics.list({ minutes: 60 });
    assert.ok(all.some((s) => s.taskQueueSid === queue && (s.cumulative as any).tasks_entered === 3));
    assertContract('get', '/v1/Workspaces/{WorkspaceSid}/TaskQueues/Statistics', await f.s.request('GET', f.path('/TaskQueues/Statistics')), 200);

    const bulk = await f.s.request('POST', f.path('/TaskQueues/RealTimeStatistics'), {
      body: JSON.stringify({ QueueSids: [queue, `WQ${'0'.repeat(32)}`] }),
      headers: { 'content-type': 'application/json' },
    });
    assertContract('post', '/v1/Workspaces/{WorkspaceSid}/TaskQueues/RealTimeStatistics', bulk, 200);
    assert.equal(bulk.body.task_queue_response_count, 2);
    assert.equal(bulk.body.task_queue_data[0].total_tasks, 1);
    assert.equal(bulk.body.task_queue_data[1].total_tasks, 0, 'an unknown queue has zeros');
    const tooMany = await f.s.request('POST', f.path('/TaskQueues/RealTimeStatistics'), {
      body: JSON.stringify({ QueueSids: Array.from({ length: 51 }, () => queue) }),
      headers: { 'content-type': 'application/json' },
    });
    assertTwilioError(tooMany, 400, 20001);
    assertTwilioError(await f.s.request('GET', f.path(`/TaskQueues/${queue}/Statistics?SplitByWaitTime=abc`)), 400, 20001);
  });

  it('worker statistics: activity durations and reservations per worker', async () => {
    const mine = await client.taskrouter.v1.workspaces(f.ws).workers(alice).statistics().fetch({ minutes: 60 });
    const c = mine.cumulative as any;
    assert.equal(c.reservations_created, 2);
    assert.equal(c.reservations_accepted, 1);
    assert.equal(c.reservations_timed_out, 1);
    const available = c.activity_durations.find((a: any) => a.friendly_name === 'Available');
    assert.equal(available.total, 90, 'alice was Available from creation until her reservation timed out');
    const all = await client.taskrouter.v1.workspaces(f.ws).workers.statistics().fetch({ minutes: 60 });
    assert.equal((all.realtime as any).total_workers, 2);
    assert.equal((all.cumulative as any).reservations_created, 2);
    for (const path of ['Statistics', 'RealTimeStatistics', 'CumulativeStatistics']) {
      assertContract('get', `/v1/Workspaces/{WorkspaceSid}/Workers/${path}`, await f.s.request('GET', f.path(`/Workers/${path}`)), 200);
    }
    assertContract('get', '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Statistics', await f.s.request('GET', f.path(`/Workers/${bob}/Statistics`)), 200);
  });
});

describe('events of the reject path', () => {
  it('reservation.rejected, then the task is offered again', async () => {
    const f = await RoutingFixture.create();
    try {
      const queue = await f.queue('Q');
      const wf = await f.workflow({ task_routing: { default_filter: { queue } } });
      const alice = await f.worker('alice');
      const bob = await f.worker('bob', {}, 'Offline');
      const task = (await f.task({}, { WorkflowSid: wf })).sid;
      const [offer] = await f.reservations(alice, 'pending');
      await f.respond(alice, offer.sid, { ReservationStatus: 'rejected', WorkerActivitySid: f.activities.Offline! });
      await f.setActivity(bob, 'Available');
      const client = clientFor(f.s);
      const events = await client.taskrouter.v1.workspaces(f.ws).events.list({ taskSid: task, minutes: 60 });
      assert.deepEqual(events.map((e) => e.eventType), [
        'workflow.entered', 'task-queue.entered', 'task.created', 'workflow.target-matched',
        'reservation.created', 'reservation.rejected', 'reservation.created',
      ]);
      assert.deepEqual(events.filter((e) => e.eventType === 'reservation.created').map((e) => e.eventData.worker_sid), [alice, bob]);
      const stats = await client.taskrouter.v1.workspaces(f.ws).cumulativeStatistics().fetch({ minutes: 60 });
      assert.equal(stats.reservationsRejected, 1);
      assert.equal(stats.reservationsCreated, 2);
    } finally {
      await f.close();
    }
  });
});
