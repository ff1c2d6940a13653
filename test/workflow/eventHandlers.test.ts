// Event handlers: CRUD through the LUSID SDK's requests (answers checked against its models), events of every
// source (TaskRouter, Workflow transitions, Opsflow changes) creating and updating tasks, exactly once also
// across restarts (events that happened while the runner was not running are handled after, once), and
// schedules on the injected clock: on time, after a restart, and one run for missed times.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nextOccurrence, occurrencesBetween, scheduledFieldValue } from '../../src/workflow/schedules.ts';
import type { ScheduleMatchingPattern } from '../../src/core/workflowEntities.ts';
import { LusidSdkClient } from '../support/lusidSdk.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { eventually, ok, simpleDefinition } from '../support/workflowFace.ts';

async function sdkFor(s: TestServer, identity = 'handler-admin'): Promise<LusidSdkClient> {
  const minted = await s.request('POST', '/switchboard/v1/Tokens', { form: { Type: 'user', Identity: identity } });
  assert.equal(minted.status, 201, minted.text);
  return new LusidSdkClient(s.origin, minted.body.token);
}

const tasksOf = async (s: TestServer, code: string) => (await ok(s, 'GET', `/api/taskdefinitions/h/${code}/tasks?limit=5000`)).values as any[];

const followUp = () => ({
  id: { scope: 'h', code: 'followup' },
  displayName: 'Follow-up',
  states: [{ name: 'Open' }, { name: 'Chased' }, { name: 'Closed' }],
  fieldSchema: [
    { name: 'source', type: 'String' },
    { name: 'ref', type: 'String' },
    { name: 'due', type: 'DateTime' },
  ],
  initialState: { name: 'Open' },
  triggers: [{ name: 'chase', trigger: { type: 'External' } }, { name: 'close', trigger: { type: 'External' } }],
  transitions: [
    { fromState: 'Open', toState: 'Chased', trigger: 'chase' },
    { fromState: 'Chased', toState: 'Closed', trigger: 'close' },
    { fromState: 'Open', toState: 'Closed', trigger: 'close' },
  ],
});

const handler = (code: string, extra: Record<string, unknown>) => ({
  id: { scope: 'h', code },
  displayName: code,
  status: 'Active',
  runAsUserId: { setTo: 'robot' },
  taskDefinitionId: { scope: 'h', code: 'followup' },
  taskActivity: { type: 'CreateNewTask', taskFields: { source: { setTo: code } } },
  ...extra,
});

describe('event handlers', () => {
  let s: TestServer;
  let sdk: LusidSdkClient;
  before(async () => {
    s = await startServer();
    sdk = await sdkFor(s);
    await sdk.call('create_task_definition', {}, followUp());
  });
  after(async () => s.close());

  test('create, get, list, update and delete through the SDK; invalid handlers are refused and change nothing', async () => {
    const created = await sdk.call('create_event_handler', {}, handler('crud', { eventMatchingPattern: { eventType: 'task.created', filter: "body.attributes.kind eq 'refund'" } }));
    assert.equal(created.status, 'Active');
    assert.deepEqual(created.taskActivity, { type: 'CreateNewTask', taskFields: { source: { setTo: 'crud' } } });
    const v1 = created.version.asAtModified;
    await new Promise((r) => setTimeout(r, 5));
    const updated = await sdk.call('update_event_handler', { scope: 'h', code: 'crud' }, { ...handler('crud', { eventMatchingPattern: { eventType: 'task.canceled' } }), id: undefined, status: 'Inactive' });
    assert.equal(updated.status, 'Inactive');
    assert.equal((await sdk.call('get_event_handler', { scope: 'h', code: 'crud', as_at: new Date(Date.parse(v1)) })).eventMatchingPattern.eventType, 'task.created');
    const schedule = await sdk.call('create_event_handler', {}, handler('daily', {
      scheduleMatchingPattern: {
        context: { timeZone: 'Europe/London' },
        recurrencePattern: { timeConstraints: { startDate: '2026-01-01', timesOfDay: [{ type: 'Specified', hours: 9, minutes: 30 }] }, dateRegularity: { type: 'Week', frequency: 1, daysOfWeek: ['Monday', 'Friday'] }, businessDayAdjustment: 'None' },
      },
      taskActivity: { type: 'CreateNewTask', taskFields: { source: { setTo: 'daily' } }, scheduleDependentTaskFields: { due: { dateAdjustment: { deltaDays: 1, businessDayAdjustment: 'Following' }, timeAdjustment: { setTo: { type: 'Specified', hours: 17, minutes: 0 } } } } },
    }));
    assert.equal(schedule.scheduleMatchingPattern.recurrencePattern.dateRegularity.type, 'Week');
    const list = await sdk.call('list_event_handlers', { filter: "status eq 'Active'", limit: 10 });
    assert.deepEqual(list.values.map((h: any) => h.id.code), ['daily']);
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['neither pattern', handler('bad', {}), /exactly one of eventMatchingPattern and scheduleMatchingPattern/],
      ['both patterns', handler('bad', { eventMatchingPattern: { eventType: 'x' }, scheduleMatchingPattern: schedule.scheduleMatchingPattern }), /exactly one/],
      ['a bad filter', handler('bad', { eventMatchingPattern: { eventType: 'x', filter: 'body.a eq' } }), /not a valid filter/],
      ['an unknown definition', { ...handler('bad', { eventMatchingPattern: { eventType: 'x' } }), taskDefinitionId: { scope: 'h', code: 'ghost' } }, /ghost was not found/],
      ['an unknown time zone', handler('bad', { scheduleMatchingPattern: { ...schedule.scheduleMatchingPattern, context: { timeZone: 'Mars/Olympus' } } }), /TZ identifier/],
      ['holiday calendars', handler('bad', { scheduleMatchingPattern: { ...schedule.scheduleMatchingPattern, context: { timeZone: 'UTC', holidayCalendars: [{ scope: 'c', code: 'uk' }] } } }), /no holiday calendars/],
      ['an unknown activity', handler('bad', { eventMatchingPattern: { eventType: 'x' }, taskActivity: { type: 'Explode' } }), /CreateNewTask or UpdateMatchingTasks/],
      ['a bad runAsUserId', { ...handler('bad', { eventMatchingPattern: { eventType: 'x' } }), runAsUserId: {} }, /exactly one of mapFrom and setTo/],
    ];
    for (const [what, body, message] of bad) {
      const res = await sdk.raw('create_event_handler', {}, body);
      assert.equal(res.status, 400, what);
      assert.match(res.body.detail, message, what);
    }
    assert.equal((await sdk.raw('get_event_handler', { scope: 'h', code: 'bad' })).status, 404);
    await sdk.call('delete_event_handler', { scope: 'h', code: 'crud' });
    await sdk.call('delete_event_handler', { scope: 'h', code: 'daily' });
    assert.equal((await sdk.raw('get_event_handler', { scope: 'h', code: 'crud' })).body.name, 'EventHandlerNotFound');
    assert.equal((await sdk.call('list_event_handlers', {})).values.length, 0);
  });

  test('events of every source: TaskRouter, Workflow transitions, Opsflow changes', async () => {
    const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'handlers', Template: 'FIFO' } })).body.sid;
    await sdk.call('create_event_handler', {}, handler('refunds', {
      eventMatchingPattern: { eventType: 'task.created', filter: "body.attributes.kind eq 'refund'" },
      runAsUserId: { mapFrom: 'body.attributes.agent' },
      taskActivity: { type: 'CreateNewTask', initialTrigger: 'chase', correlationIds: [{ mapFrom: 'body.task_sid' }], taskFields: { source: { setTo: 'taskrouter' }, ref: { mapFrom: 'body.attributes.order' } } },
    }));
    // A Workflow transition closes the follow-ups that carry the same reference.
    await sdk.call('create_task_definition', {}, simpleDefinition('h', 'order', { fieldSchema: [{ name: 'clientId', type: 'String' }, { name: 'test', type: 'String' }] }));
    await sdk.call('create_event_handler', {}, handler('closer', {
      eventMatchingPattern: { eventType: 'workflow.task.updated', filter: "body.trigger eq 'finish' and body.taskDefinitionId.code eq 'order'" },
      taskActivity: { type: 'UpdateMatchingTasks', trigger: 'close', filter: "fields['ref'] eq event.body.fields.clientId" },
    }));
    await sdk.call('create_event_handler', {}, handler('ops', {
      eventMatchingPattern: { eventType: 'opsflow.created' },
      taskActivity: { type: 'CreateNewTask', taskFields: { source: { setTo: 'opsflow' }, ref: { mapFrom: 'body.name' } } },
    }));

    const create = (attributes: object) => s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: JSON.stringify(attributes) } });
    const refund = (await create({ kind: 'refund', order: 'O-1', agent: 'alice' })).body.sid;
    await create({ kind: 'question', order: 'O-2' });
    const made = await eventually(async () => ((await tasksOf(s, 'followup')).filter((t) => t.fields.find((f: any) => f.name === 'source')?.value === 'taskrouter').length ? await tasksOf(s, 'followup') : undefined), 'the TaskRouter follow-up');
    const fromTr = made.filter((t) => t.fields.find((f: any) => f.name === 'source')?.value === 'taskrouter');
    assert.equal(fromTr.length, 1, 'only the refund matched');
    assert.equal(fromTr[0].state, 'Chased', 'the initial trigger fired');
    assert.deepEqual(fromTr[0].correlationIds, [refund]);
    assert.equal(fromTr[0].version.userIdCreated, 'alice', 'run as the user the event names');
    const log = await ok(s, 'GET', `/api/actionlogs/${fromTr[0].actionLogIdCreated}`);
    assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Matched', 'TaskCreated']);

    const order = await sdk.call('create_task', {}, { taskDefinitionId: { scope: 'h', code: 'order' }, fields: [{ name: 'clientId', value: 'O-1' }] });
    await sdk.call('update_task', { id: order.id, trigger: 'start' });
    await sdk.call('update_task', { id: order.id, trigger: 'finish' });
    await eventually(async () => ((await ok(s, 'GET', `/api/tasks/${fromTr[0].id}`)).state === 'Closed' ? true : undefined), 'closed by the Workflow transition');

    const category = await ok(s, 'POST', '/opsflow/v1/task-category/create', { name: 'Ops', status_options: { TODO: [{ name: 'a' }], IN_PROGRESS: [{ name: 'b' }], COMPLETED: [{ name: 'c' }] } });
    const type = await ok(s, 'POST', '/opsflow/v1/task-type/create', { name: 'Outage', category_id: category.category_id });
    await ok(s, 'POST', '/opsflow/v1/task/create', { name: 'db down', status_id: category.status_options.TODO[0].status_id, project_id: '*', task_type_id: type.task_type_id });
    await eventually(async () => ((await tasksOf(s, 'followup')).some((t) => t.fields.some((f: any) => f.name === 'ref' && f.value === 'db down')) ? true : undefined), 'the Opsflow follow-up');
    for (const code of ['refunds', 'closer', 'ops']) await sdk.call('delete_event_handler', { scope: 'h', code });
  });
});

describe('event handlers across restarts', () => {
  test('events that happen while the runner is not running are handled after a restart, exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-handlers-'));
    try {
      let s = await startServer({ dir });
      const sdk = await sdkFor(s);
      await sdk.call('create_task_definition', {}, followUp());
      await sdk.call('create_event_handler', {}, handler('once', { eventMatchingPattern: { eventType: 'task.canceled' }, taskActivity: { type: 'CreateNewTask', correlationIds: [{ mapFrom: 'body.task_sid' }], taskFields: { source: { setTo: 'once' } } } }));
      const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'restarts', Template: 'FIFO' } })).body.sid;
      await s.close();
      // The runner is off: events are only logged.
      s = await startServer({ dir, runsBackground: () => false });
      const canceled: string[] = [];
      for (let i = 0; i < 5; i++) {
        const t = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: JSON.stringify({ i }) } })).body.sid;
        assert.equal((await s.request('POST', `/v1/Workspaces/${ws}/Tasks/${t}`, { form: { AssignmentStatus: 'canceled', Reason: 'test' } })).status, 200);
        canceled.push(t);
      }
      assert.equal((await tasksOf(s, 'followup')).length, 0);
      await s.close();
      s = await startServer({ dir });
      const done = await eventually(async () => {
        const t = await tasksOf(s, 'followup');
        return t.length >= 5 ? t : undefined;
      }, 'five follow-ups');
      assert.deepEqual(done.map((t) => t.correlationIds[0]).sort(), [...canceled].sort());
      await s.close();
      // Once more: nothing is handled twice.
      s = await startServer({ dir });
      await s.app.eventHandlers.idle();
      await new Promise((r) => setTimeout(r, 100));
      await s.app.eventHandlers.idle();
      assert.equal((await tasksOf(s, 'followup')).length, 5);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('schedules fire on time on the injected clock, after a restart, and once for missed times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-schedules-'));
    let now = Date.parse('2026-03-02T08:00:00Z'); // a Monday
    const clock = () => now;
    const tick = async (s: TestServer, to: string) => {
      now = Date.parse(to);
      s.app.eventHandlers.wake();
      await s.app.eventHandlers.idle();
    };
    try {
      let s = await startServer({ dir, clock });
      const sdk = await sdkFor(s);
      await sdk.call('create_task_definition', {}, followUp());
      await sdk.call('create_event_handler', {}, handler('weekdays', {
        scheduleMatchingPattern: {
          context: { timeZone: 'Europe/London' },
          recurrencePattern: { timeConstraints: { startDate: '2026-03-01', timesOfDay: [{ type: 'Specified', hours: 9, minutes: 0 }] }, dateRegularity: { type: 'Day', frequency: 1 }, businessDayAdjustment: 'None' },
        },
        taskActivity: { type: 'CreateNewTask', taskFields: { source: { setTo: 'schedule' } }, scheduleDependentTaskFields: { due: { dateAdjustment: { deltaDays: 0, businessDayAdjustment: 'None' }, timeAdjustment: { setTo: { type: 'Specified', hours: 17, minutes: 30 } } } } },
      }));
      await tick(s, '2026-03-02T08:59:59Z');
      assert.equal((await tasksOf(s, 'followup')).length, 0, 'not before its time');
      await tick(s, '2026-03-02T09:00:00Z');
      let tasks = await tasksOf(s, 'followup');
      assert.equal(tasks.length, 1, 'at its time');
      assert.equal(tasks[0].fields.find((f: any) => f.name === 'due').value, '2026-03-02T17:30:00.000Z');
      await tick(s, '2026-03-02T12:00:00Z');
      assert.equal((await tasksOf(s, 'followup')).length, 1, 'once per time');
      await s.close();
      // Down for three days: the runs of the 3rd, 4th and 5th are missed; after the restart it runs once, for
      // the latest of them (the 5th).
      now = Date.parse('2026-03-05T10:00:00Z');
      s = await startServer({ dir, clock });
      await s.app.eventHandlers.idle();
      tasks = await tasksOf(s, 'followup');
      assert.equal(tasks.length, 2);
      assert.equal(tasks[1].fields.find((f: any) => f.name === 'due').value, '2026-03-05T17:30:00.000Z');
      const log = await ok(s, 'GET', `/api/actionlogs/${tasks[1].actionLogIdCreated}`);
      assert.match(log.loggedItems[0].details, /2 earlier missed times not run/);
      // Then on time again, in London time: 09:00 is 08:00 UTC once summer time starts (29 March).
      await tick(s, '2026-03-06T09:00:00Z');
      assert.equal((await tasksOf(s, 'followup')).length, 3);
      await tick(s, '2026-03-30T07:59:00Z');
      assert.equal((await tasksOf(s, 'followup')).length, 4, 'the missed days run once');
      await tick(s, '2026-03-30T08:00:00Z');
      assert.equal((await tasksOf(s, 'followup')).length, 5);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('recurrence rules', () => {
    const pattern = (dateRegularity: object, businessDayAdjustment = 'None', timeZone = 'UTC'): ScheduleMatchingPattern =>
      ({ context: { timeZone }, recurrencePattern: { timeConstraints: { startDate: '2026-01-01', endDate: '2026-12-31', timesOfDay: [{ type: 'Specified', hours: 6, minutes: 0 }] }, dateRegularity, businessDayAdjustment } }) as ScheduleMatchingPattern;
    const days = (p: ScheduleMatchingPattern, from: string, to: string) => occurrencesBetween(p, Date.parse(from), Date.parse(to) + 86_399_999).map((t) => new Date(t).toISOString().slice(0, 10));
    assert.deepEqual(days(pattern({ type: 'Day', frequency: 3 }), '2026-01-01', '2026-01-10'), ['2026-01-01', '2026-01-04', '2026-01-07', '2026-01-10']);
    assert.deepEqual(days(pattern({ type: 'Week', frequency: 2, daysOfWeek: ['Tuesday'] }), '2026-01-01', '2026-01-31'), ['2026-01-13', '2026-01-27'], 'every other week from the start date\'s week (29 Dec - 4 Jan)');
    assert.deepEqual(days(pattern({ type: 'SpecificMonth', frequency: 1, daysOfMonth: [31] }), '2026-01-01', '2026-04-30'), ['2026-01-31', '2026-03-31']);
    assert.deepEqual(days(pattern({ type: 'RelativeMonth', frequency: 1, daysOfWeek: ['Friday'], index: 'Last' }), '2026-01-01', '2026-02-28'), ['2026-01-30', '2026-02-27']);
    assert.deepEqual(days(pattern({ type: 'RelativeMonth', frequency: 1, daysOfWeek: ['Tuesday'], index: 'Second' }), '2026-01-01', '2026-01-31'), ['2026-01-13']);
    assert.deepEqual(days(pattern({ type: 'Year', dates: [{ month: 7, day: 4 }] }), '2026-01-01', '2026-12-31'), ['2026-07-04']);
    // 2026-01-31 is a Saturday: Following moves it into February, ModifiedFollowing keeps it in January.
    assert.deepEqual(days(pattern({ type: 'SpecificMonth', frequency: 1, daysOfMonth: [31] }, 'Following'), '2026-01-01', '2026-02-10'), ['2026-02-02']);
    assert.deepEqual(days(pattern({ type: 'SpecificMonth', frequency: 1, daysOfMonth: [31] }, 'ModifiedFollowing'), '2026-01-01', '2026-02-10'), ['2026-01-30']);
    assert.deepEqual(days(pattern({ type: 'SpecificMonth', frequency: 1, daysOfMonth: [31] }, 'Nearest'), '2026-01-01', '2026-02-10'), ['2026-01-30']);
    // The end date ends it; a time zone moves the instant.
    assert.equal(nextOccurrence(pattern({ type: 'Day', frequency: 1 }), Date.parse('2026-12-31T07:00:00Z')), null);
    assert.equal(new Date(nextOccurrence(pattern({ type: 'Day', frequency: 1 }, 'None', 'America/New_York'), Date.parse('2026-07-01T00:00:00Z'))!).toISOString(), '2026-07-01T10:00:00.000Z');
    assert.equal(scheduledFieldValue({ dateAdjustment: { deltaDays: 1, businessDayAdjustment: 'Following' }, timeAdjustment: { setTo: { type: 'Specified', hours: 18, minutes: 15 } } }, Date.parse('2026-01-30T06:00:00Z'), 'UTC'), '2026-02-02T18:15:00.000Z');
  });
});
