// Routing rules of reference §6-§10, each checked through the REST API against a server with a fake clock.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingFixture } from '../support/routingFixture.ts';

let f: RoutingFixture;
afterEach(async () => f?.close());

describe('routing: task order', () => {
  it('FIFO: higher priority first, then older', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice', {}, 'Offline');
    const a = (await f.task({ n: 'a' })).sid;
    f.advance(1);
    const b = (await f.task({ n: 'b' }, { Priority: 5 })).sid;
    f.advance(1);
    const c = (await f.task({ n: 'c' })).sid;
    assert.equal((await f.fetchTask(b)).assignment_status, 'pending');
    await f.setActivity(alice, 'Available');
    assert.deepEqual(await f.offers(alice), [b]);
    await f.acceptAndComplete(alice, b);
    assert.deepEqual(await f.offers(alice), [a]);
    await f.acceptAndComplete(alice, a);
    assert.deepEqual(await f.offers(alice), [c]);
  });

  it('LIFO: newest first, priority ignored', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q', { TaskOrder: 'LIFO' });
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice', {}, 'Offline');
    const a = (await f.task({}, { Priority: 9 })).sid;
    f.advance(1);
    const b = (await f.task()).sid;
    await f.setActivity(alice, 'Available');
    assert.deepEqual(await f.offers(alice), [b]);
    await f.acceptAndComplete(alice, b);
    assert.deepEqual(await f.offers(alice), [a]);
  });

  it('prioritize_queue_order decides between a FIFO and a LIFO queue', async () => {
    f = await RoutingFixture.create({ PrioritizeQueueOrder: 'LIFO' });
    const fifo = await f.queue('F', { TargetWorkers: "k == 'f' OR both == true" });
    const lifo = await f.queue('L', { TaskOrder: 'LIFO', TargetWorkers: "k == 'l' OR both == true" });
    await f.workflow({ task_routing: { filters: [{ expression: "q == 'f'", targets: [{ queue: fifo }] }], default_filter: { queue: lifo } } });
    const w = await f.worker('both', { both: true }, 'Offline');
    const f1 = (await f.task({ q: 'f' })).sid;
    const l1 = (await f.task({ q: 'l' })).sid;
    await f.setActivity(w, 'Available');
    assert.deepEqual(await f.offers(w), [l1]);
    await f.acceptAndComplete(w, l1);
    assert.deepEqual(await f.offers(w), [f1]);
  });
});

describe('routing: worker choice', () => {
  it('longest idle first, and only workers the queue targets', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('English', { TargetWorkers: "languages HAS 'en'" });
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const first = await f.worker('first', { languages: ['en'] });
    f.advance(5);
    const second = await f.worker('second', { languages: ['en'] });
    const french = await f.worker('french', { languages: ['fr'] });
    const t1 = (await f.task()).sid;
    const t2 = (await f.task()).sid;
    assert.deepEqual(await f.offers(first), [t1]);
    assert.deepEqual(await f.offers(second), [t2]);
    assert.deepEqual(await f.offers(french), []);
    assert.equal((await f.fetchTask(t1)).assignment_status, 'reserved');
  });

  it('order_by, target expressions over task and worker, and known worker', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('All');
    const carol = await f.worker('carol', { level: 3, language: 'fr' });
    const dave = await f.worker('dave', { level: 9, language: 'en' });
    const erin = await f.worker('erin', { language: 'en' });
    await f.workflow({
      task_routing: {
        filters: [
          { expression: "kind == 'ranked'", targets: [{ queue: q, order_by: 'worker.level DESC' }] },
          { expression: "kind == 'lang'", targets: [{ queue: q, expression: 'task.language == worker.language', order_by: 'worker.level ASC' }] },
          { expression: "kind == 'known'", targets: [{ queue: q, known_worker_friendly_name: 'task.agent' }] },
        ],
      },
    });
    const ranked = (await f.task({ kind: 'ranked' })).sid;
    assert.deepEqual(await f.offers(dave), [ranked]);
    const lang = (await f.task({ kind: 'lang', language: 'en' })).sid;
    // dave (level 9) is busy on channel default (capacity 1); erin has no level and sorts last but is the only one left.
    assert.deepEqual(await f.offers(erin), [lang]);
    const known = (await f.task({ kind: 'known', agent: 'carol' })).sid;
    assert.deepEqual(await f.offers(carol), [known]);
  });

  it('capacity: pending reservations count; more capacity means parallel offers', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/default`), { Capacity: 2 });
    const t1 = (await f.task()).sid;
    const t2 = (await f.task()).sid;
    const t3 = (await f.task()).sid;
    assert.deepEqual((await f.offers(alice)).sort(), [t1, t2].sort());
    assert.equal((await f.fetchTask(t3)).assignment_status, 'pending');
    const ch = await f.ok('GET', f.path(`/Workers/${alice}/Channels/default`));
    assert.equal(ch.configured_capacity, 2);
    await f.acceptAndComplete(alice, t1);
    assert.ok((await f.offers(alice)).includes(t3));
    // Channel unavailable: no new offers.
    await f.acceptAndComplete(alice, t2);
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/default`), { Available: 'false' });
    const t4 = (await f.task()).sid;
    assert.equal((await f.fetchTask(t4)).assignment_status, 'pending');
  });

  it('a worker full on one channel is passed over for its tasks and stays in the longest-idle order on the others', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    f.advance(5);
    const bob = await f.worker('bob');
    // Alice is idle longest: she takes the first default task, and is then full on default (capacity 1) only.
    const d1 = (await f.task({ n: 'd1' })).sid;
    assert.deepEqual(await f.offers(alice), [d1]);
    const d2 = (await f.task({ n: 'd2' })).sid;
    assert.deepEqual(await f.offers(bob), [d2]);
    const v1 = (await f.task({ n: 'v1' }, { TaskChannel: 'voice' })).sid;
    assert.deepEqual((await f.offers(alice)).sort(), [d1, v1].sort());
    assert.deepEqual(await f.offers(bob), [d2]);
    // Finishing d1 frees alice's default channel and makes her the most recently idle: the next default task
    // is hers (bob is full on default), the next voice task bob's (idle longer, room on voice).
    f.advance(5);
    await f.acceptAndComplete(alice, d1);
    const d3 = (await f.task({ n: 'd3' })).sid;
    assert.deepEqual((await f.offers(alice)).sort(), [d3, v1].sort());
    const v2 = (await f.task({ n: 'v2' }, { TaskChannel: 'voice' })).sid;
    assert.deepEqual((await f.offers(bob)).sort(), [d2, v2].sort());
  });

  it('one queue, several channels: a worker gets the oldest task of a channel it has room on, and each channel in turn', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice', {}, 'Offline');
    // Default (capacity 1) and voice (capacity 1) tasks interleaved in one queue, oldest first.
    const d1 = (await f.task({ n: 'd1' })).sid;
    f.advance(1);
    const v1 = (await f.task({ n: 'v1' }, { TaskChannel: 'voice' })).sid;
    f.advance(1);
    const d2 = (await f.task({ n: 'd2' })).sid;
    f.advance(1);
    const v2 = (await f.task({ n: 'v2' }, { TaskChannel: 'voice' })).sid;
    await f.setActivity(alice, 'Available');
    // Room on both channels in a multitasking workspace: the oldest task of each.
    assert.deepEqual((await f.offers(alice)).sort(), [d1, v1].sort());
    // Completing the voice task frees voice only: the next voice task, not the older default one.
    await f.acceptAndComplete(alice, v1);
    assert.deepEqual((await f.offers(alice)).sort(), [d1, v2].sort());
    await f.acceptAndComplete(alice, d1);
    assert.deepEqual((await f.offers(alice)).sort(), [d2, v2].sort());
    // A channel made unavailable takes no offers; its tasks wait for it.
    await f.acceptAndComplete(alice, v2);
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/voice`), { Available: 'false' });
    const v3 = (await f.task({ n: 'v3' }, { TaskChannel: 'voice' })).sid;
    assert.deepEqual(await f.offers(alice), [d2]);
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/voice`), { Available: 'true' });
    assert.deepEqual((await f.offers(alice)).sort(), [d2, v3].sort());
  });

  it('multitasking workspace: the queue reservation activity is not applied and capacity allows parallel offers', async () => {
    f = await RoutingFixture.create();
    const busy = (await f.ok('POST', f.path('/Activities'), { FriendlyName: 'Reserved', Available: 'true' })).sid;
    const q = await f.queue('Q', { ReservationActivitySid: busy });
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/default`), { Capacity: 3 });
    // In a multitasking workspace the reservation activity is not applied and capacity allows three.
    await f.task();
    await f.task();
    assert.equal((await f.offers(alice)).length, 2);
    assert.equal((await f.ok('GET', f.path(`/Workers/${alice}`))).activity_name, 'Available');
  });
});

describe('routing: reservations', () => {
  it('multi-reservation: the first accept wins, the others are rescinded', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q', { MaxReservedWorkers: 3 });
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const ws = [await f.worker('a'), await f.worker('b'), await f.worker('c')];
    const t = (await f.task()).sid;
    const pending = await Promise.all(ws.map((w) => f.reservations(w, 'pending')));
    assert.deepEqual(pending.map((p) => p.length), [1, 1, 1]);
    await f.respond(ws[1]!, pending[1]![0].sid, { ReservationStatus: 'accepted' });
    assert.equal((await f.reservations(ws[0]!))[0].reservation_status, 'rescinded');
    assert.equal((await f.reservations(ws[2]!))[0].reservation_status, 'rescinded');
    assert.equal((await f.fetchTask(t)).assignment_status, 'assigned');
    assert.ok(f.events().includes('reservation.rescinded'));
  });

  it('reject moves the worker when asked and offers the task to the next worker', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    f.advance(1);
    const bob = await f.worker('bob');
    const t = (await f.task()).sid;
    const [r] = await f.reservations(alice, 'pending');
    await f.respond(alice, r.sid, { ReservationStatus: 'rejected', WorkerActivitySid: f.activities.Unavailable });
    assert.equal((await f.ok('GET', f.path(`/Workers/${alice}`))).activity_name, 'Unavailable');
    assert.deepEqual(await f.offers(bob), [t]);
    assert.equal((await f.fetchTask(t)).assignment_status, 'reserved');
  });

  it('reservation timeout moves the worker to the timeout activity and re-routes the task', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } }, { TaskReservationTimeout: 30 });
    const alice = await f.worker('alice');
    f.advance(1);
    const bob = await f.worker('bob');
    const t = (await f.task()).sid;
    assert.deepEqual(await f.offers(alice), [t]);
    f.advance(29);
    assert.deepEqual(await f.offers(alice), [t], 'not yet');
    f.advance(1);
    assert.equal((await f.reservations(alice))[0].reservation_status, 'timeout');
    assert.equal((await f.ok('GET', f.path(`/Workers/${alice}`))).activity_name, 'Offline');
    assert.deepEqual(await f.offers(bob), [t]);
    assert.ok(f.events().includes('reservation.timeout'));
  });

  it('invalid transitions are 20001, not 500', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    const t = (await f.task()).sid;
    const [r] = await f.reservations(alice, 'pending');
    const bad = async (path: string, form: Record<string, string>) => {
      const res = await f.s.request('POST', f.path(path), { form });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(form)} -> ${res.status} ${res.text}`);
      assert.equal(res.body.code, 20001);
    };
    await bad(`/Tasks/${t}`, { AssignmentStatus: 'completed' });
    await bad(`/Tasks/${t}`, { AssignmentStatus: 'wrapping' });
    await bad(`/Tasks/${t}`, { AssignmentStatus: 'assigned' });
    await bad(`/Workers/${alice}/Reservations/${r.sid}`, { ReservationStatus: 'completed' });
    await bad(`/Workers/${alice}/Reservations/${r.sid}`, { ReservationStatus: 'timeout' });
    await f.respond(alice, r.sid, { ReservationStatus: 'accepted' });
    await bad(`/Workers/${alice}/Reservations/${r.sid}`, { ReservationStatus: 'rejected' });
    await bad(`/Tasks/${t}`, { AssignmentStatus: 'canceled' });
    await bad(`/Workers/${alice}/Reservations/${r.sid}`, { Instruction: 'conference' });
    const wrap = await f.ok('POST', f.path(`/Tasks/${t}`), { AssignmentStatus: 'wrapping' });
    assert.equal(wrap.assignment_status, 'wrapping');
    assert.equal((await f.reservations(alice))[0].reservation_status, 'wrapping');
    const done = await f.ok('POST', f.path(`/Tasks/${t}`), { AssignmentStatus: 'completed' });
    assert.equal(done.assignment_status, 'completed');
    assert.equal((await f.reservations(alice))[0].reservation_status, 'completed');
  });

  it('instructions: conference and dequeue accept; call without accept is only recorded', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/default`), { Capacity: 3 });
    await f.task();
    await f.task();
    const [r1, r2] = await f.reservations(alice, 'pending');
    const called = await f.respond(alice, r1.sid, { Instruction: 'call', CallFrom: '+15550001', CallUrl: 'https://example.com/twiml' });
    assert.equal(called.reservation_status, 'pending');
    const conf = await f.respond(alice, r1.sid, { Instruction: 'conference', From: '+15550001' });
    assert.equal(conf.reservation_status, 'accepted');
    const dq = await f.respond(alice, r2.sid, { Instruction: 'dequeue', DequeueFrom: '+15550001' });
    assert.equal(dq.reservation_status, 'accepted');
  });
});

describe('routing: workflow steps and timers', () => {
  it('a step timeout moves the task to the next target; the last one cancels it', async () => {
    f = await RoutingFixture.create();
    const tier1 = await f.queue('Tier 1', { TargetWorkers: "tier == 1" });
    const tier2 = await f.queue('Tier 2', { TargetWorkers: "tier == 2" });
    await f.workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: tier1, timeout: 30 }, { queue: tier2, timeout: 60, priority: 7 }] }] } });
    const senior = await f.worker('senior', { tier: 2 }, 'Offline');
    const t = (await f.task()).sid;
    assert.equal((await f.fetchTask(t)).task_queue_friendly_name, 'Tier 1');
    f.advance(30);
    const moved = await f.fetchTask(t);
    assert.equal(moved.task_queue_friendly_name, 'Tier 2');
    assert.equal(moved.priority, 7);
    f.advance(60);
    const canceled = await f.fetchTask(t);
    assert.equal(canceled.assignment_status, 'canceled');
    assert.equal(canceled.reason, 'Task canceled on Workflow timeout');
    await f.setActivity(senior, 'Available');
    assert.deepEqual(await f.offers(senior), []);
  });

  it('skip_if skips a step nobody can take right now', async () => {
    f = await RoutingFixture.create();
    const tier1 = await f.queue('Tier 1', { TargetWorkers: "tier == 1" });
    const tier2 = await f.queue('Tier 2', { TargetWorkers: "tier == 2" });
    await f.workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: tier1, timeout: 300, skip_if: 'workers.available == 0' }, { queue: tier2 }] }] } });
    await f.worker('junior', { tier: 1 }, 'Offline');
    const senior = await f.worker('senior', { tier: 2 });
    const t = (await f.task()).sid;
    assert.deepEqual(await f.offers(senior), [t]);
    assert.ok(f.events().includes('task-queue.moved'));
  });

  it('TTL cancels a waiting task with "Task TTL Exceeded"', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const t = (await f.task({}, { Timeout: 60 })).sid;
    f.advance(59);
    assert.equal((await f.fetchTask(t)).assignment_status, 'pending');
    f.advance(1);
    const task = await f.fetchTask(t);
    assert.equal(task.assignment_status, 'canceled');
    assert.equal(task.reason, 'Task TTL Exceeded');
    // Finished tasks are removed after five minutes.
    f.advance(300);
    assert.equal((await f.s.request('GET', f.path(`/Tasks/${t}`))).status, 404);
  });

  it('ReEvaluateTasks re-routes pending tasks through the updated workflow', async () => {
    f = await RoutingFixture.create();
    const empty = await f.queue('Nobody', { TargetWorkers: "x == 'nobody'" });
    const all = await f.queue('Everyone');
    const wf = await f.workflow({ task_routing: { default_filter: { queue: empty } } });
    const alice = await f.worker('alice');
    const t = (await f.task()).sid;
    assert.deepEqual(await f.offers(alice), []);
    await f.ok('POST', f.path(`/Workflows/${wf}`), { Configuration: JSON.stringify({ task_routing: { default_filter: { queue: all } } }), ReEvaluateTasks: 'true' });
    assert.deepEqual(await f.offers(alice), [t]);
  });

  it('a worker whose attributes change joins the queues it now matches and is offered work', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Billing', { TargetWorkers: "skills HAS 'billing'" });
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice', { skills: [] });
    const t = (await f.task()).sid;
    assert.deepEqual(await f.offers(alice), []);
    await f.ok('POST', f.path(`/Workers/${alice}`), { Attributes: JSON.stringify({ skills: ['billing'] }) });
    assert.deepEqual(await f.offers(alice), [t]);
    assert.deepEqual((await f.ok('GET', f.path(`/Workers?TaskQueueSid=${q}`))).workers.map((w: any) => w.sid), [alice]);
  });

  it('cancel through the API cancels pending reservations; events come in TaskRouter order', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    const t = (await f.task()).sid;
    const canceled = await f.ok('POST', f.path(`/Tasks/${t}`), { AssignmentStatus: 'canceled', Reason: 'customer hung up' });
    assert.equal(canceled.reason, 'customer hung up');
    assert.equal((await f.reservations(alice))[0].reservation_status, 'canceled');
    const ev = f.events();
    const order = ['workflow.entered', 'task-queue.entered', 'task.created', 'workflow.target-matched', 'reservation.created', 'reservation.canceled', 'task.canceled'];
    assert.deepEqual(ev.filter((e) => order.includes(e)), order);
  });
});

describe('routing: worker activity changes', () => {
  it('RejectPendingReservations with an unavailable activity rejects the offers and re-routes them', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    f.advance(1);
    const bob = await f.worker('bob', {}, 'Offline');
    const t = (await f.task()).sid;
    assert.deepEqual(await f.offers(alice), [t]);
    // With an available activity the flag does nothing (TaskRouter: only valid with an unavailable activity).
    await f.ok('POST', f.path(`/Workers/${alice}`), { ActivitySid: f.activities.Available!, RejectPendingReservations: 'true' });
    assert.deepEqual(await f.offers(alice), [t]);
    await f.setActivity(bob, 'Available');
    assert.deepEqual(await f.offers(bob), [], 'the task is still offered to alice');
    await f.ok('POST', f.path(`/Workers/${alice}`), { ActivitySid: f.activities.Offline!, RejectPendingReservations: 'true' });
    assert.equal((await f.reservations(alice))[0].reservation_status, 'rejected');
    assert.deepEqual(await f.offers(bob), [t]);
  });

  it('single-tasking workspace: one reservation at a time whatever the capacity; queue activities applied', async () => {
    f = await RoutingFixture.create({ MultiTaskEnabled: 'false' });
    const reserved = (await f.ok('POST', f.path('/Activities'), { FriendlyName: 'Reserved', Available: 'true' })).sid;
    const busy = (await f.ok('POST', f.path('/Activities'), { FriendlyName: 'Busy', Available: 'false' })).sid;
    const q = await f.queue('Q', { ReservationActivitySid: reserved, AssignmentActivitySid: busy });
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    await f.ok('POST', f.path(`/Workers/${alice}/Channels/default`), { Capacity: 3 });
    const t1 = (await f.task()).sid;
    const t2 = (await f.task()).sid;
    assert.deepEqual(await f.offers(alice), [t1]);
    assert.equal((await f.ok('GET', f.path(`/Workers/${alice}`))).activity_name, 'Reserved');
    const [r] = await f.reservations(alice, 'pending');
    await f.respond(alice, r.sid, { ReservationStatus: 'accepted' });
    assert.equal((await f.ok('GET', f.path(`/Workers/${alice}`))).activity_name, 'Busy');
    assert.equal((await f.fetchTask(t2)).assignment_status, 'pending');
  });
});

describe('routing: TaskRouter limits', () => {
  it('an assigned task left for 24 hours is deleted by the system and its worker freed', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    const t1 = (await f.task()).sid;
    const t2 = (await f.task({}, { Timeout: 172_800 })).sid; // outlives t1's 24 hours in assigned
    const [r] = await f.reservations(alice, 'pending');
    await f.respond(alice, r.sid, { ReservationStatus: 'accepted' });
    f.advance(86_399);
    assert.equal((await f.fetchTask(t1)).assignment_status, 'assigned');
    assert.deepEqual(await f.offers(alice), []);
    f.advance(1);
    assert.equal((await f.s.request('GET', f.path(`/Tasks/${t1}`))).status, 404);
    assert.ok(f.events().includes('task.system-deleted'));
    assert.deepEqual(await f.offers(alice), [t2], 'capacity freed');
  });

  it('a task is canceled after 1,000 pending-to-reserved transitions', async () => {
    f = await RoutingFixture.create();
    const q = await f.queue('Q');
    await f.workflow({ task_routing: { default_filter: { queue: q } } });
    const alice = await f.worker('alice');
    const t = (await f.task()).sid;
    for (let i = 0; i < 1000; i++) {
      const [r] = await f.reservations(alice, 'pending');
      assert.ok(r, `offer ${i + 1} missing`);
      await f.respond(alice, r.sid, { ReservationStatus: 'rejected' });
    }
    const task = await f.fetchTask(t);
    assert.equal(task.assignment_status, 'canceled');
    assert.equal(task.reason, 'Task TTL Exceeded or Max assignment count exceeded');
    assert.deepEqual(await f.offers(alice), []);
  });
});
