// Bad parameters of every kind, on every configuration resource: each gets a 400 with Twilio's 20001 body and
// changes nothing (the whole workspace is snapshotted through list calls before and after). Also the limits
// themselves (what is just inside is accepted) and Twilio's boolean rule.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertTwilioError } from '../support/contract.ts';
import { type SeededWorkspace, seedWorkspace, snapshot } from '../support/workspaceSnapshot.ts';

const zero = (prefix: string) => prefix + '0'.repeat(32);
/** A JSON object text of exactly `n` characters. */
const jsonOfLength = (n: number) => `{"k":"${'v'.repeat(n - 8)}"}`;

type Case = [method: 'GET' | 'POST', path: string, form: Record<string, string | string[]>];

describe('malformed parameters', () => {
  let s: TestServer;
  let t: SeededWorkspace;
  before(async () => {
    s = await startServer();
    t = await seedWorkspace(s);
  });
  after(async () => s.close());

  async function expectAll400(cases: Case[]) {
    const before = await snapshot(s, t);
    for (const [method, path, form] of cases) {
      const label = `${method} ${path.replace(t.W, '{W}').slice(0, 120)} ${JSON.stringify(form).slice(0, 100)}`;
      const res = await s.request(method, path, method === 'POST' ? { form } : {});
      assert.ok(res.status < 500, `${label} -> ${res.status}`);
      assert.doesNotThrow(() => assertTwilioError(res, 400, 20001), `${label} -> ${res.status} ${res.text.slice(0, 200)}`);
    }
    assert.deepEqual(await snapshot(s, t), before);
  }

  it('worker attributes that are not a JSON object of at most 4096 characters', async () => {
    const W = `${t.W}/Workers`;
    const bad = ['{bad json', '{"a":1', '[1,2]', '"a string"', 'null', '42', 'true', '', jsonOfLength(4097), '{"a":1}{"b":2}', "{'a':1}", '{"a":NaN}'];
    await expectAll400([
      ...bad.map((Attributes): Case => ['POST', W, { FriendlyName: 'carol', Attributes }]),
      ...bad.map((Attributes): Case => ['POST', `${W}/${t.worker}`, { Attributes }]),
      ['POST', W, { FriendlyName: 'carol', Attributes: ['{}', '{}'] }],
    ]);
  });

  it('repeated scalars and names that are too long or missing (unknown parameters do not excuse them)', async () => {
    const W = t.W;
    const long = 'y'.repeat(65);
    await expectAll400([
      ['POST', `${W}/Workers`, { friendlyName: 'carol' }],
      ['POST', `${W}/Workers`, { FriendlyName: long, Bogus: 'y' }],
      ['POST', `${W}/Workers`, { FriendlyName: ['carol', 'dave'] }],
      ['POST', `${W}/Workers`, { FriendlyName: long }],
      ['POST', `${W}/Workers`, { FriendlyName: '' }],
      ['POST', `${W}/Workers`, {}],
      ['POST', `${W}/Workers/${t.worker}`, { FriendlyName: long }],
      ['POST', '/v1/Workspaces', { FriendlyName: long }],
      ['POST', '/v1/Workspaces', { FriendlyName: ['a', 'b'] }],
      ['POST', '/v1/Workspaces', { FriendlyName: 'ok', Template: ['FIFO', 'FIFO'] }],
      ['POST', W, { FriendlyName: long }],
      ['POST', `${W}/Activities`, { FriendlyName: long }],
      ['POST', `${W}/Activities`, { FriendlyName: 'Break', Available: ['true', 'false'] }],
      ['POST', `${W}/Activities/${t.activity}`, { FriendlyName: long }],
      ['POST', `${W}/TaskChannels`, { FriendlyName: long, UniqueName: 'fax' }],
      ['POST', `${W}/TaskChannels`, { FriendlyName: 'Fax' }],
      ['POST', `${W}/TaskChannels/${t.channel}`, { FriendlyName: long }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: long }],
      ['POST', `${W}/TaskQueues/${t.queue}`, { FriendlyName: long }],
      ['POST', `${W}/Workflows`, { FriendlyName: long, Configuration: JSON.stringify({ task_routing: { default_filter: { queue: t.queue } } }) }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'No configuration' }],
      ['POST', `${W}/Workflows/${t.workflow}`, { FriendlyName: long }],
      ['POST', `${W}/Workers/${t.worker}/Channels/voice`, { Capacity: ['1', '2'] }],
    ]);
  });

  it('wrong types and values out of range', async () => {
    const W = t.W;
    const C = `${W}/Workers/${t.worker}/Channels/voice`;
    await expectAll400([
      ...['lots', '-1', '1e3', '2.5', '51', '', '99999999999999999999', '0x10'].map((Capacity): Case => ['POST', C, { Capacity }]),
      ['POST', `${W}/Workers`, { FriendlyName: 'carol', ActivitySid: 'WA123' }],
      ['POST', `${W}/Workers`, { FriendlyName: 'carol', ActivitySid: t.queue }],
      ['POST', `${W}/Workers`, { FriendlyName: 'carol', ActivitySid: zero('WA') }],
      ['POST', `${W}/Workers`, { FriendlyName: 'ALICE' }],
      ['POST', `${W}/Workers/${t.worker}`, { ActivitySid: `${t.activity}x` }],
      ['POST', `${W}/Workers/${t.worker}`, { FriendlyName: 'Bob' }],
      ['POST', '/v1/Workspaces', { FriendlyName: 'ok', Template: 'LIFO' }],
      ['POST', '/v1/Workspaces', { FriendlyName: 'ok', PrioritizeQueueOrder: 'RANDOM' }],
      ['POST', '/v1/Workspaces', { FriendlyName: 'ok', EventCallbackUrl: 'not a url' }],
      ['POST', W, { MultiTaskEnabled: 'false' }],
      ['POST', W, { EventCallbackUrl: 'javascript:alert(1)' }],
      ['POST', W, { TimeoutActivitySid: zero('WA') }],
      ['POST', `${W}/Activities`, { FriendlyName: 'lunch' }],
      ['POST', `${W}/TaskChannels`, { FriendlyName: 'Fax', UniqueName: 'has-hyphen' }],
      ['POST', `${W}/TaskChannels`, { FriendlyName: 'Fax', UniqueName: 'EMAIL' }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', MaxReservedWorkers: '3.5' }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', MaxReservedWorkers: '0' }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', MaxReservedWorkers: '51' }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', TaskOrder: 'RANDOM' }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', TargetWorkers: "a == 'unterminated" }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', TargetWorkers: 'skill-level > 3' }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', TargetWorkers: '('.repeat(5000) }],
      ['POST', `${W}/TaskQueues`, { FriendlyName: 'q', ReservationActivitySid: zero('WA') }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: 'not json' }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: '[]' }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: '{}' }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: '{"task_routing":{"filters":[{"expression":"1==1","targets":[{"queue":"WQ1"}]}]}}' }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: '{"__proto__":{"polluted":true}}' }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: JSON.stringify({ task_routing: { default_filter: { queue: zero('WQ') } } }) }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: JSON.stringify({ task_routing: { default_filter: { queue: t.queue } } }), TaskReservationTimeout: '0' }],
      ['POST', `${W}/Workflows`, { FriendlyName: 'f', Configuration: JSON.stringify({ task_routing: { default_filter: { queue: t.queue } } }), TaskReservationTimeout: '86401' }],
      ['POST', `${W}/Workflows/${t.workflow}`, { TaskReservationTimeout: '1e400' }],
    ]);
    assert.equal(({} as any).polluted, undefined);
  });

  it('an update with one bad parameter applies none of the good ones', async () => {
    const W = t.W;
    await expectAll400([
      ['POST', `${W}/Workers/${t.worker}`, { FriendlyName: 'renamed', Attributes: '{' }],
      ['POST', `${W}/Workers/${t.worker}`, { Attributes: '{"changed":true}', ActivitySid: zero('WA') }],
      ['POST', W, { FriendlyName: 'renamed', DefaultActivitySid: zero('WA') }],
      ['POST', W, { FriendlyName: 'renamed', MultiTaskEnabled: 'false' }],
      ['POST', `${W}/Activities/${t.activity}`, { FriendlyName: 'Offline' }],
      ['POST', `${W}/TaskChannels/${t.channel}`, { FriendlyName: 'renamed', ChannelOptimizedRouting: ['true', 'false'] }],
      ['POST', `${W}/TaskQueues/${t.queue}`, { FriendlyName: 'renamed', TargetWorkers: '((' }],
      ['POST', `${W}/TaskQueues/${t.queue}`, { FriendlyName: 'renamed', MaxReservedWorkers: '99' }],
      ['POST', `${W}/Workflows/${t.workflow}`, { FriendlyName: 'renamed', Configuration: '{' }],
      ['POST', `${W}/Workflows/${t.workflow}`, { FriendlyName: 'renamed', TaskReservationTimeout: '-5' }],
      ['POST', `${W}/Workers/${t.worker}/Channels/voice`, { Available: 'false', Capacity: '-2' }],
    ]);
  });

  it('tasks and reservations: bad attributes, numbers, statuses, references and transitions', async () => {
    const T = `${t.W}/Tasks`;
    const R = `${T}/${t.task}/Reservations/${t.reservation}`;
    const WR = `${t.W}/Workers/${t.dora}/Reservations/${t.reservation}`;
    const wf = { WorkflowSid: t.workflow };
    const bad = ['{bad json', '[1,2]', '"a string"', 'null', '', jsonOfLength(4097)];
    await expectAll400([
      ...bad.map((Attributes): Case => ['POST', T, { ...wf, Attributes }]),
      ...bad.map((Attributes): Case => ['POST', `${T}/${t.waiting}`, { Attributes }]),
      ['POST', T, { Attributes: '{}' }], // two workflows in the workspace: WorkflowSid is required
      ['POST', T, { WorkflowSid: zero('WW') }],
      ['POST', T, { WorkflowSid: t.queue }],
      ['POST', T, { ...wf, Priority: '-1' }],
      ['POST', T, { ...wf, Priority: 'high' }],
      ['POST', T, { ...wf, Priority: String(2 ** 31) }],
      ['POST', T, { ...wf, Timeout: '0' }],
      ['POST', T, { ...wf, Timeout: '1209601' }],
      ['POST', T, { ...wf, TaskChannel: 'nosuch' }],
      ['POST', T, { ...wf, VirtualStartTime: 'yesterday' }],
      ['POST', T, { ...wf, VirtualStartTime: '1899-12-31T23:59:59Z' }],
      ['POST', T, { ...wf, VirtualStartTime: '2999-01-01T00:00:00Z' }],
      ['POST', T, { ...wf, RoutingTarget: 'XX' + '0'.repeat(32) }],
      ['POST', T, { ...wf, RoutingTarget: zero('WK') }],
      ['POST', T, { ...wf, Priority: ['1', '2'] }],
      ['POST', `${T}/${t.waiting}`, { AssignmentStatus: 'lost' }],
      ['POST', `${T}/${t.waiting}`, { AssignmentStatus: 'completed', Reason: 'never assigned' }],
      ['POST', `${T}/${t.waiting}`, { AssignmentStatus: 'wrapping' }],
      ['POST', `${T}/${t.waiting}`, { Priority: '1', Attributes: '{' }],
      ['POST', `${T}/${t.waiting}`, { Priority: '1', TaskChannel: 'nosuch' }],
      ['POST', `${T}/${t.task}`, { AssignmentStatus: 'completed' }],
      ['POST', R, { ReservationStatus: 'bogus' }],
      ['POST', R, { ReservationStatus: 'pending' }],
      ['POST', R, { ReservationStatus: 'completed' }],
      ['POST', R, { ReservationStatus: 'rejected', WorkerActivitySid: zero('WA') }],
      ['POST', WR, { ReservationStatus: 'accepted', WorkerActivitySid: 'WAnothex' }],
      ['POST', WR, { ReservationStatus: ['accepted', 'rejected'] }],
      ['GET', `${T}?AssignmentStatus=lost`, {}],
      ['GET', `${T}?EvaluateTaskAttributes=${encodeURIComponent('((')}`, {}],
      ['GET', `${T}?Priority=high`, {}],
      ['GET', `${T}?Ordering=Sideways`, {}],
      ['GET', `${T}?PageSize=0`, {}],
      ['GET', `${T}/${t.task}/Reservations?ReservationStatus=bogus`, {}],
      ['GET', `${t.W}/Workers/${t.dora}/Reservations?PageToken=garbage`, {}],
    ]);
  });

  it('a task TaskQueueSid naming no queue of the workspace is refused like every other SID reference', async () => {
    // WorkflowSid, RoutingTarget, ActivitySid, ReservationActivitySid... are all checked; TaskQueueSid is not
    // (createTask in src/engine/routing/workspaceRouter.ts never reads it), so a typo creates a task anyway.
    await expectAll400([
      ['POST', `${t.W}/Tasks`, { WorkflowSid: t.workflow, TaskQueueSid: zero('WQ') }],
      ['POST', `${t.W}/Tasks`, { WorkflowSid: t.workflow, TaskQueueSid: t.queue.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }],
    ]);
  });

  it('If-Match that is not the current version is 412 and changes nothing', async () => {
    const before = await snapshot(s, t);
    for (const [path, form] of [
      [`${t.W}/Workers/${t.worker}`, { FriendlyName: 'renamed' }],
      [`${t.W}/Tasks/${t.waiting}`, { Priority: '7' }],
      [`${t.W}/Tasks/${t.task}/Reservations/${t.reservation}`, { ReservationStatus: 'accepted' }],
    ] as const) {
      for (const ifMatch of ['999', 'abc', '"999"', '-1', '']) {
        const res = await s.request('POST', path, { form, headers: { 'if-match': ifMatch } });
        if (ifMatch === '') assert.ok(res.status === 412 || res.status === 400, `empty If-Match -> ${res.status}`);
        assertTwilioError(res, res.status === 400 ? 400 : 412, res.status === 400 ? 20001 : 20412);
      }
    }
    for (const path of [`${t.W}/Workers/${t.worker}`, `${t.W}/Tasks/${t.waiting}`]) {
      assertTwilioError(await s.request('DELETE', path, { headers: { 'if-match': '999' } }), 412, 20412);
    }
    assert.deepEqual(await snapshot(s, t), before);
  });

  it('list parameters: PageSize, Page, PageToken, filters', async () => {
    const L = `${t.W}/Workers`;
    const queries = [
      'PageSize=abc', 'PageSize=0', 'PageSize=1001', 'PageSize=-1', 'PageSize=1.5', 'PageSize=', 'PageSize=2&PageSize=3',
      'Page=-1', 'Page=abc', 'Page=99999999999999999999',
      'PageToken=garbage', 'PageToken=PA', `PageToken=PA${'9'.repeat(16)}`, `PageToken=${encodeURIComponent("PA1' OR 1=1 --")}`, 'PageToken=PA1&PageToken=PA2',
      'FriendlyName=%ZZ', 'FriendlyName=%FF', 'FriendlyName=a&FriendlyName=b', 'Bogus=1&PageSize=0',
      `TargetWorkersExpression=${encodeURIComponent('('.repeat(5000))}`, 'TargetWorkersExpression=a%20%3D%3D', 'Ordering=Sideways', 'Ordering=FriendlyName:up',
    ];
    await expectAll400([
      ...queries.map((q): Case => ['GET', `${L}?${q}`, {}]),
      ['GET', `${t.W}/TaskQueues?EvaluateWorkerAttributes=${encodeURIComponent('[1]')}`, {}],
      ['GET', `${t.W}/TaskQueues?EvaluateWorkerAttributes=not%20json`, {}],
      ['GET', `${t.W}/Activities?PageSize=0`, {}],
      ['GET', `/v1/Workspaces?PageSize=1001`, {}],
      ['GET', `${t.W}/Workers/${t.worker}/Channels?PageSize=abc`, {}],
    ]);
  });

  it('the limits themselves are accepted: 4096-character attributes, 64-character names, PageSize 1 and 1000', async () => {
    const attributes = jsonOfLength(4096);
    assert.equal(attributes.length, 4096);
    const made = await s.request('POST', `${t.W}/Workers`, { form: { FriendlyName: 'n'.repeat(64), Attributes: attributes } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.attributes, attributes);
    assert.equal(made.body.friendly_name, 'n'.repeat(64));
    for (const size of [1, 1000]) {
      const res = await s.request('GET', `${t.W}/Workers?PageSize=${size}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.meta.page_size, size);
    }
    assert.equal((await s.request('DELETE', `${t.W}/Workers/${made.body.sid}`)).status, 204);
  });
});

describe("booleans follow Twilio's rule: true, 1 or yes (any case) are true, anything else is false", () => {
  let s: TestServer;
  let t: SeededWorkspace;
  before(async () => {
    s = await startServer();
    t = await seedWorkspace(s);
  });
  after(async () => s.close());

  it('Available as a list filter and on create', async () => {
    const names = async (q: string) => (await s.request('GET', `${t.W}/Activities?${q}`)).body.activities.map((a: any) => a.friendly_name);
    const unavailable = await names('Available=false');
    const available = await names('Available=true');
    assert.deepEqual(available, ['Available']);
    assert.deepEqual(unavailable, ['Offline', 'Unavailable', 'Lunch']);
    for (const v of ['true', 'TRUE', 'True', '1', 'yes', 'YES']) assert.deepEqual(await names(`Available=${v}`), available, v);
    for (const v of ['maybe', 'false', '0', 'no', 'on', 'y', 't', '']) assert.deepEqual(await names(`Available=${v}`), unavailable, v);

    for (const [value, expected] of [['maybe', false], ['Yes', true], ['1', true], ['2', false], ['on', false]] as const) {
      const res = await s.request('POST', `${t.W}/Activities`, { form: { FriendlyName: `Avail ${value}`, Available: value } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.available, expected, `Available=${value}`);
    }
    const wc = await s.request('POST', `${t.W}/Workers/${t.worker}/Channels/voice`, { form: { Available: 'maybe' } });
    assert.equal(wc.status, 200, wc.text);
    assert.equal(wc.body.available, false);
    const workers = await s.request('GET', `${t.W}/Workers?Available=maybe`);
    assert.equal(workers.status, 200);
    assert.deepEqual(workers.body.workers.map((w: any) => w.friendly_name), ['alice', 'bob']);
  });
});
