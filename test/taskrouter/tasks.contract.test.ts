// Tasks and Reservations responses against the OpenAPI document, on every operation and both reservation paths.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingFixture } from '../support/routingFixture.ts';
import { assertContract, assertTwilioError } from '../support/contract.ts';
import { newSid } from '../../src/core/sid.ts';

const T = '/v1/Workspaces/{WorkspaceSid}/Tasks';
const TR = '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations';
const WR = '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations';

describe('Tasks and Reservations: contract', () => {
  let f: RoutingFixture;
  let alice: string;
  let queue: string;
  let workflow: string;
  before(async () => {
    f = await RoutingFixture.create();
    queue = await f.queue('Support', { TargetWorkers: "skills HAS 'support'" });
    workflow = await f.workflow({ task_routing: { filters: [{ expression: "type == 'support'", targets: [{ queue }] }], default_filter: { queue } } });
    alice = await f.worker('alice', { skills: ['support'] });
  });
  after(async () => f.close());

  it('task create, fetch, list, update and delete', async () => {
    const created = await f.s.request('POST', f.path('/Tasks'), { form: { Attributes: '{"type":"support"}', Priority: 3, Timeout: 600, TaskChannel: 'voice' } });
    assertContract('post', T, created, 201);
    assert.equal(created.body.assignment_status, 'reserved', 'alice takes it on her voice channel at once');
    const sid = created.body.sid;
    const fetched = await f.s.request('GET', f.path(`/Tasks/${sid}`));
    assertContract('get', `${T}/{Sid}`, fetched, 200);
    assert.equal(fetched.body.task_channel_unique_name, 'voice');
    assert.equal(fetched.body.workflow_sid, workflow);
    assert.equal(fetched.body.timeout, 600);
    assert.match(fetched.headers.get('etag') ?? '', /^\d+$/);
    const list = await f.s.request('GET', f.path('/Tasks?AssignmentStatus=pending&AssignmentStatus=reserved&Ordering=Priority:desc'));
    assertContract('get', T, list, 200);
    assert.deepEqual(list.body.tasks.map((t: any) => t.sid), [sid]);
    const byQueue = await f.s.request('GET', f.path(`/Tasks?TaskQueueName=Support&EvaluateTaskAttributes=${encodeURIComponent("type == 'support'")}`));
    assertContract('get', T, byQueue, 200);
    assert.equal(byQueue.body.tasks.length, 1);
    const upd = await f.s.request('POST', f.path(`/Tasks/${sid}`), { form: { Priority: 9 } });
    assertContract('post', `${T}/{Sid}`, upd, 200);
    assert.equal(upd.body.priority, 9);
    assertContract('delete', `${T}/{Sid}`, await f.s.request('DELETE', f.path(`/Tasks/${sid}`)), 204);
    assertTwilioError(await f.s.request('GET', f.path(`/Tasks/${sid}`)), 404, 20404);
  });

  it('reservations through the task and the worker', async () => {
    const t = (await f.task({ type: 'support' })).sid;
    const viaTask = await f.s.request('GET', f.path(`/Tasks/${t}/Reservations`));
    assertContract('get', TR, viaTask, 200);
    const r = viaTask.body.reservations[0];
    assert.equal(r.worker_sid, alice);
    assert.equal(r.worker_name, 'alice');
    const viaWorker = await f.s.request('GET', f.path(`/Workers/${alice}/Reservations?ReservationStatus=pending`));
    assertContract('get', WR, viaWorker, 200);
    assertContract('get', `${TR}/{Sid}`, await f.s.request('GET', f.path(`/Tasks/${t}/Reservations/${r.sid}`)), 200);
    assertContract('get', `${WR}/{Sid}`, await f.s.request('GET', f.path(`/Workers/${alice}/Reservations/${r.sid}`)), 200);
    const accepted = await f.s.request('POST', f.path(`/Tasks/${t}/Reservations/${r.sid}`), { form: { ReservationStatus: 'accepted' } });
    assertContract('post', `${TR}/{Sid}`, accepted, 200);
    const completed = await f.s.request('POST', f.path(`/Workers/${alice}/Reservations/${r.sid}`), { form: { ReservationStatus: 'completed' } });
    assertContract('post', `${WR}/{Sid}`, completed, 200);
    assert.equal(completed.body.reservation_status, 'completed');
    assert.equal((await f.fetchTask(t)).assignment_status, 'completed');
    // A reservation is not reachable through another task or worker.
    assertTwilioError(await f.s.request('GET', f.path(`/Workers/${newSid('WK')}/Reservations/${r.sid}`)), 404, 20404);
  });

  it('bad task input is 20001 and creates nothing', async () => {
    const before = (await f.ok('GET', f.path('/Tasks?PageSize=1000'))).tasks.length;
    const forms: Record<string, string | number>[] = [
      { Attributes: '[1]' },
      { Attributes: '{}', Timeout: 0 },
      { Attributes: '{}', Timeout: 1209601 },
      { Attributes: '{}', Priority: -1 },
      { Attributes: '{}', TaskChannel: 'fax' },
      { Attributes: '{}', WorkflowSid: newSid('WW') },
      { Attributes: '{}', VirtualStartTime: '1800-01-01T00:00:00Z' },
      { Attributes: '{}', VirtualStartTime: 'yesterday' },
      { Attributes: '{}', VirtualStartTime: '2999-01-01T00:00:00Z' },
      { Attributes: '{}', RoutingTarget: newSid('WK') },
      { Attributes: '{}', IgnoreCapacity: 'true' },
    ];
    for (const form of forms) {
      const res = await f.s.request('POST', f.path('/Tasks'), { form });
      assertTwilioError(res, 400, 20001);
    }
    assert.equal((await f.ok('GET', f.path('/Tasks?PageSize=1000'))).tasks.length, before);
  });
});
