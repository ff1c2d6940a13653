import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertTwilioError } from '../support/contract.ts';
import { newSid } from '../../src/core/sid.ts';

const Q = '/v1/Workspaces/{WorkspaceSid}/TaskQueues';
const F = '/v1/Workspaces/{WorkspaceSid}/Workflows';

describe('TaskQueues and Workflows: contract and behaviour', () => {
  let s: TestServer;
  let ws: string;
  let busy: string;
  before(async () => {
    s = await startServer();
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Queues' } })).body.sid;
    busy = (await s.request('POST', `/v1/Workspaces/${ws}/Activities`, { form: { FriendlyName: 'Busy' } })).body.sid;
  });
  after(async () => s.close());

  const snapshot = async () => ({
    queues: (await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues?PageSize=1000`)).body.task_queues,
    workflows: (await s.request('GET', `/v1/Workspaces/${ws}/Workflows?PageSize=1000`)).body.workflows,
  });

  it('task queues: create, fetch, update, list filters, ordering, paging', async () => {
    const en = await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, {
      form: { FriendlyName: 'English', TargetWorkers: "languages HAS 'en'", ReservationActivitySid: busy, MaxReservedWorkers: 3, TaskOrder: 'LIFO' },
    });
    assertContract('post', Q, en, 201);
    assert.equal(en.body.reservation_activity_name, 'Busy');
    assert.equal(en.body.max_reserved_workers, 3);
    assert.equal(en.body.task_order, 'LIFO');
    const all = await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'Everyone' } });
    assertContract('post', Q, all, 201);
    assert.equal(all.body.target_workers, '1==1');
    assert.equal(all.body.assignment_activity_sid, null);
    const fr = await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'French', TargetWorkers: "languages HAS 'fr'" } });
    assertContract('get', `${Q}/{Sid}`, await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues/${en.body.sid}`), 200);
    const upd = await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues/${fr.body.sid}`, { form: { TargetWorkers: "languages HAS 'fr' OR level > 8" } });
    assertContract('post', `${Q}/{Sid}`, upd, 200);
    assert.equal(upd.body.target_workers, "languages HAS 'fr' OR level > 8");

    const names = async (q: string) => {
      const res = await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues?${q}`);
      assertContract('get', Q, res, 200);
      return res.body.task_queues.map((x: any) => x.friendly_name);
    };
    assert.deepEqual(await names(`EvaluateWorkerAttributes=${encodeURIComponent('{"languages":["en"]}')}`), ['English', 'Everyone']);
    assert.deepEqual(await names(`EvaluateWorkerAttributes=${encodeURIComponent('{"languages":[],"level":9}')}`), ['Everyone', 'French']);
    assert.deepEqual(await names('FriendlyName=French'), ['French']);
    assert.deepEqual(await names('Ordering=FriendlyName:asc'), ['English', 'Everyone', 'French']);
    assert.deepEqual(await names('Ordering=DateCreated:desc,FriendlyName:desc'), ['French', 'Everyone', 'English']);
    const wk = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'w', Attributes: '{"languages":["fr"]}' } })).body.sid;
    assert.deepEqual(await names(`WorkerSid=${wk}`), ['Everyone', 'French']);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues?WorkerSid=${newSid('WK')}`), 404, 20404);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues?EvaluateWorkerAttributes=nope`), 400, 20001);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues?Ordering=Colour:asc`), 400, 20001);
    const page1 = await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues?PageSize=2`);
    const page2 = await s.request('GET', page1.body.meta.next_page_url.replace(s.origin, ''));
    assertContract('get', Q, page2, 200);
    assert.deepEqual([...page1.body.task_queues, ...page2.body.task_queues].map((x: any) => x.friendly_name), ['English', 'Everyone', 'French']);
    assert.equal(page2.body.meta.next_page_url, null);
  });

  it('task queues: bad input is 20001 with a clear message and changes nothing', async () => {
    const before = await snapshot();
    const bad = await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'X', TargetWorkers: 'skill-level > 3' } });
    assertTwilioError(bad, 400, 20001);
    assert.match(bad.body.message, /TargetWorkers: hyphens are not supported.*column 6/);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'X', MaxReservedWorkers: 51 } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'X', TaskOrder: 'RANDOM' } }), 400, 20001);
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues`, { form: { FriendlyName: 'X', AssignmentActivitySid: newSid('WA') } }), 400, 20001);
    const first = before.queues[0].sid;
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/TaskQueues/${first}`, { form: { TargetWorkers: 'a ==' } }), 400, 20001);
    assert.deepEqual(await snapshot(), before);
  });

  it('workflows: create, fetch, update, list, delete; queues in use cannot be deleted', async () => {
    const queues = (await snapshot()).queues;
    const [en, all] = [queues[0].sid, queues[1].sid];
    const configuration = JSON.stringify({
      task_routing: {
        filters: [{ filter_friendly_name: 'English', expression: "language == 'en'", targets: [{ queue: en, timeout: '30' }, { queue: all }] }],
        default_filter: { queue: all },
      },
    });
    const created = await s.request('POST', `/v1/Workspaces/${ws}/Workflows`, {
      form: { FriendlyName: 'Main', Configuration: configuration, AssignmentCallbackUrl: 'https://example.com/assign', TaskReservationTimeout: 30 },
    });
    assertContract('post', F, created, 201);
    assert.equal(created.body.configuration, configuration);
    assert.equal(created.body.task_reservation_timeout, 30);
    assert.equal(created.body.document_content_type, 'application/json');
    const wf = created.body.sid;
    assertContract('get', `${F}/{Sid}`, await s.request('GET', `/v1/Workspaces/${ws}/Workflows/${wf}`), 200);
    const upd = await s.request('POST', `/v1/Workspaces/${ws}/Workflows/${wf}`, { form: { FriendlyName: 'Renamed', ReEvaluateTasks: 'true', AssignmentCallbackUrl: '' } });
    assertContract('post', `${F}/{Sid}`, upd, 200);
    assert.equal(upd.body.assignment_callback_url, null);
    const list = await s.request('GET', `/v1/Workspaces/${ws}/Workflows?FriendlyName=Renamed`);
    assertContract('get', F, list, 200);
    assert.equal(list.body.workflows.length, 1);

    const refused = await s.request('DELETE', `/v1/Workspaces/${ws}/TaskQueues/${en}`);
    assertTwilioError(refused, 400, 20001);
    assert.match(refused.body.message, new RegExp(wf));
    assertContract('delete', `${F}/{Sid}`, await s.request('DELETE', `/v1/Workspaces/${ws}/Workflows/${wf}`), 204);
    assertContract('delete', `${Q}/{Sid}`, await s.request('DELETE', `/v1/Workspaces/${ws}/TaskQueues/${en}`), 204);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/TaskQueues/${en}`), 404, 20404);
  });

  it('workflows: configuration errors name the field and change nothing', async () => {
    const before = await snapshot();
    const all = before.queues[0].sid;
    const post = (Configuration: string, extra: Record<string, string> = {}) =>
      s.request('POST', `/v1/Workspaces/${ws}/Workflows`, { form: { FriendlyName: 'Bad', Configuration, ...extra } });
    const cases: [string, RegExp][] = [
      ['not json', /Configuration: must be valid JSON/],
      ['{}', /task_routing: is required/],
      [JSON.stringify({ task_routing: { default_filter: { queue: newSid('WQ') } } }), /default_filter\.queue: TaskQueue WQ[0-9a-f]{32} not found in this Workspace/],
      [JSON.stringify({ task_routing: { filters: [{ expression: 'a ==', targets: [{ queue: all }] }] } }), /filters\[0\]\.expression: invalid expression/],
    ];
    for (const [config, message] of cases) {
      const res = await post(config);
      assertTwilioError(res, 400, 20001);
      assert.match(res.body.message, message);
    }
    assertTwilioError(await s.request('POST', `/v1/Workspaces/${ws}/Workflows`, { form: { FriendlyName: 'Bad' } }), 400, 20001);
    const valid = JSON.stringify({ task_routing: { default_filter: { queue: all } } });
    assertTwilioError(await post(valid, { TaskReservationTimeout: '0' }), 400, 20001);
    assertTwilioError(await post(valid, { TaskReservationTimeout: '86401' }), 400, 20001);
    assertTwilioError(await post(valid, { AssignmentCallbackUrl: 'ftp://x' }), 400, 20001);
    assert.deepEqual(await snapshot(), before);
  });
});
