// A task that leaves routing ends every reservation it has (engine/routing/reservations.ts, endAll): which status
// each ends in, which events say so (with what description), and that the workers it held are offered the next
// task. One case per way out: deleted while offered, deleted while assigned, canceled while reserved, a
// workflow step timing out, and the system deleting a task left assigned for 24 hours.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingFixture } from '../support/routingFixture.ts';

let f: RoutingFixture;
afterEach(async () => f?.close());

/** The workspace's events after `from` (an index into the log): type and description. */
function eventsSince(from: number): string[] {
  return f.s.store
    .read((repo) => repo.eventsFor(f.ws))
    .slice(from)
    .map((e) => `${e.eventType}: ${e.description}`);
}

/** A worker with a pending offer of a first task, and a second task (created with `secondForm`) waiting behind it. */
async function offered(secondForm: Record<string, unknown> = {}) {
  f = await RoutingFixture.create();
  const q = await f.queue('Q');
  await f.workflow({ task_routing: { default_filter: { queue: q } } });
  const alice = await f.worker('alice');
  const first = (await f.task({ n: 1 })).sid;
  const second = (await f.task({ n: 2 }, secondForm)).sid;
  const [r] = await f.reservations(alice, 'pending');
  assert.equal(r.task_sid, first);
  return { alice, first, second, r };
}

describe('a task leaving routing ends its reservations', () => {
  it('deleted while offered: the offer is canceled, and the worker gets the next task', async () => {
    const { alice, first, second, r } = await offered();
    const mark = f.events().length;
    assert.equal((await f.s.request('DELETE', f.path(`/Tasks/${first}`))).status, 204);
    const after = eventsSince(mark);
    assert.deepEqual(after.slice(0, 2), [`reservation.canceled: Reservation ${r.sid} ended: task deleted`, `task.deleted: Task ${first} deleted`]);
    assert.ok(after[2]?.startsWith('reservation.created'), after.join('\n'));
    assert.deepEqual(await f.offers(alice), [second]);
  });

  it('deleted while assigned: the reservation is completed, and the worker gets the next task', async () => {
    const { alice, first, second, r } = await offered();
    await f.respond(alice, r.sid, { ReservationStatus: 'accepted' });
    const mark = f.events().length;
    assert.equal((await f.s.request('DELETE', f.path(`/Tasks/${first}`))).status, 204);
    const after = eventsSince(mark);
    assert.deepEqual(after.slice(0, 2), [`reservation.completed: Reservation ${r.sid} ended: task deleted`, `task.deleted: Task ${first} deleted`]);
    assert.deepEqual(await f.offers(alice), [second]);
  });

  it('canceled while reserved: the offer is canceled before the task, and the worker gets the next task', async () => {
    const { alice, first, second, r } = await offered();
    const mark = f.events().length;
    await f.ok('POST', f.path(`/Tasks/${first}`), { AssignmentStatus: 'canceled', Reason: 'caller hung up' });
    const after = eventsSince(mark);
    assert.deepEqual(after.slice(0, 2), [`reservation.canceled: Reservation ${r.sid} canceled`, `task.canceled: Task ${first} canceled: caller hung up`]);
    assert.equal((await f.reservations(alice)).find((x) => x.sid === r.sid)?.reservation_status, 'canceled');
    assert.deepEqual(await f.offers(alice), [second]);
  });

  it('a workflow step times out: its offers are canceled and the task moves on', async () => {
    f = await RoutingFixture.create();
    const tier1 = await f.queue('Tier 1', { TargetWorkers: 'tier == 1' });
    const tier2 = await f.queue('Tier 2', { TargetWorkers: 'tier == 2' });
    await f.workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: tier1, timeout: 30 }, { queue: tier2 }] }] } });
    const junior = await f.worker('junior', { tier: 1 });
    const t = (await f.task()).sid;
    const [r] = await f.reservations(junior, 'pending');
    f.advance(10);
    const waiting = (await f.task()).sid;
    const mark = f.events().length;
    f.advance(20);
    assert.equal(eventsSince(mark)[0], `reservation.canceled: Reservation ${r.sid} canceled: routing step timed out`);
    const moved = await f.fetchTask(t);
    assert.equal(moved.task_queue_friendly_name, 'Tier 2');
    assert.equal(moved.assignment_status, 'pending');
    assert.deepEqual(await f.offers(junior), [waiting], 'the freed worker is offered the task waiting in its queue');
  });

  it('left assigned for 24 hours: the system deletes it without reservation events, freeing the worker', async () => {
    // The second task outlives the first one's 24 hours (the default timeout would cancel it first).
    const { alice, first, second, r } = await offered({ Timeout: 172_800 });
    await f.respond(alice, r.sid, { ReservationStatus: 'accepted' });
    const mark = f.events().length;
    f.advance(86_400);
    const after = eventsSince(mark);
    assert.ok(after[0]?.startsWith(`task.system-deleted: Task ${first} deleted by the system`), after.join('\n'));
    assert.ok(!after.some((e) => e.includes(r.sid)), 'no event of the ended reservation');
    assert.deepEqual(await f.offers(alice), [second]);
  });
});
