// Event retention through a real server: SWITCHBOARD_EVENT_RETENTION_DAYS (default Twilio's 30 days) parsed as
// documented, and a server whose events outlived the retention prunes them (the Events resource and the
// cumulative statistics no longer count them) while keeping the recent ones exact.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { RoutingFixture } from '../support/routingFixture.ts';

const DAY_S = 86_400;

describe('event retention', () => {
  it('is 30 days unless SWITCHBOARD_EVENT_RETENTION_DAYS or --event-retention-days says otherwise (0: forever)', () => {
    assert.equal(loadConfig([], {}).eventRetentionDays, 30);
    assert.equal(loadConfig([], { SWITCHBOARD_EVENT_RETENTION_DAYS: '7' }).eventRetentionDays, 7);
    assert.equal(loadConfig(['--event-retention-days', '0.5'], { SWITCHBOARD_EVENT_RETENTION_DAYS: '7' }).eventRetentionDays, 0.5);
    assert.equal(loadConfig([], { SWITCHBOARD_EVENT_RETENTION_DAYS: '0' }).eventRetentionDays, 0);
    for (const bad of ['-1', 'week', ' ']) assert.throws(() => loadConfig([], { SWITCHBOARD_EVENT_RETENTION_DAYS: bad }), /invalid event retention/);
  });

  describe('on a server', () => {
    let f: RoutingFixture;
    let workflow: string;
    let alice: string;
    let oldTask: string;
    let newTask: string;
    let start: number;

    before(async () => {
      f = await RoutingFixture.create();
      const queue = await f.queue('Support');
      workflow = await f.workflow({ task_routing: { default_filter: { queue } } });
      alice = await f.worker('alice');
      start = f.now;
      oldTask = (await f.task({ n: 'old' }, { WorkflowSid: workflow })).sid;
      f.advance(5);
      await f.acceptAndComplete(alice, oldTask);
      f.advance(31 * DAY_S);
      newTask = (await f.task({ n: 'new' }, { WorkflowSid: workflow })).sid;
      f.advance(7);
      await f.acceptAndComplete(alice, newTask);
      f.advance(60);
    });
    after(() => f.close());

    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const everything = () => `StartDate=${iso(start - 60_000)}&EndDate=${iso(f.now)}`;

    it('prunes the events older than the retention, and statistics count only what is kept', async () => {
      const before = await f.ok('GET', f.path(`/Statistics?${everything()}`));
      assert.equal(before.cumulative.tasks_created, 2);
      assert.equal(before.cumulative.tasks_completed, 2);

      const deleted = await f.s.app.eventRetention!.run();
      assert.ok(deleted > 0, 'the old task\'s events went');

      const events = (await f.ok('GET', f.path(`/Events?${everything()}&PageSize=1000`))).events as { event_date_ms: number; event_data: { task_sid?: string } }[];
      assert.ok(events.length > 0);
      const cutoff = f.now - 30 * DAY_S * 1000;
      assert.ok(events.every((e) => Number(e.event_date_ms) >= cutoff - 60_000), 'nothing older than the retention is listed');
      assert.equal(events.filter((e) => e.event_data.task_sid === oldTask).length, 0);
      assert.ok(events.some((e) => e.event_data.task_sid === newTask));

      const after = await f.ok('GET', f.path(`/Statistics?${everything()}`));
      assert.equal(after.cumulative.tasks_created, 1);
      assert.equal(after.cumulative.tasks_completed, 1);
      assert.equal(after.cumulative.reservations_accepted, 1);
      assert.equal(after.cumulative.wait_duration_until_accepted.total, 7);
      // The workflow's and the worker's statistics too.
      assert.equal((await f.ok('GET', f.path(`/Workflows/${workflow}/Statistics?${everything()}`))).cumulative.tasks_entered, 1);
      assert.equal((await f.ok('GET', f.path(`/Workers/${alice}/Statistics?${everything()}`))).cumulative.reservations_accepted, 1);
      // The task resources themselves are not the event log's business.
      assert.equal((await f.s.request('GET', f.path(`/Tasks/${newTask}`))).status, 200);
      // A second pass has nothing left.
      assert.equal(await f.s.app.eventRetention!.run(), 0);
    });
  });
});
