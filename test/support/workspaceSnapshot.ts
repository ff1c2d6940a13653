// A workspace with one of every resource (a reserved task and a waiting one included), and a snapshot of
// everything a client can observe about it (every list, every worker's and task's ETag, channels and
// reservations, the account's workspaces), so that a test can show a rejected request changed nothing.
import assert from 'node:assert/strict';
import type { TestServer } from './server.ts';

export interface SeededWorkspace {
  ws: string;
  /** Path prefix `/v1/Workspaces/{ws}`. */
  W: string;
  worker: string;
  activity: string;
  channel: string;
  queue: string;
  workflow: string;
  /** A task reserved to `dora` (an available English speaker) with its pending reservation. */
  task: string;
  reservation: string;
  dora: string;
  /** A task nobody can take (it waits in its queue). */
  waiting: string;
}

async function created(s: TestServer, path: string, form: Record<string, string>): Promise<any> {
  const res = await s.request('POST', path, { form });
  assert.equal(res.status, 201, `${path}: ${res.text}`);
  return res.body;
}

export async function seedWorkspace(s: TestServer, name = 'Target'): Promise<SeededWorkspace> {
  const ws = (await created(s, '/v1/Workspaces', { FriendlyName: name, Template: 'FIFO' })).sid;
  const W = `/v1/Workspaces/${ws}`;
  const activity = (await created(s, `${W}/Activities`, { FriendlyName: 'Lunch', Available: 'false' })).sid;
  const channel = (await created(s, `${W}/TaskChannels`, { FriendlyName: 'Email', UniqueName: 'email' })).sid;
  const worker = (await created(s, `${W}/Workers`, { FriendlyName: 'alice', Attributes: '{"a":1,"skills":["en"]}' })).sid;
  await created(s, `${W}/Workers`, { FriendlyName: 'bob', Attributes: '{"a":2}' });
  const queue = (await created(s, `${W}/TaskQueues`, { FriendlyName: 'English', TargetWorkers: "skills HAS 'en'" })).sid;
  const workflow = (
    await created(s, `${W}/Workflows`, {
      FriendlyName: 'Route',
      Configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue } } }),
    })
  ).sid;
  const available = (await s.request('GET', `${W}/Activities?FriendlyName=Available`)).body.activities[0].sid;
  const dora = (await created(s, `${W}/Workers`, { FriendlyName: 'dora', Attributes: '{"skills":["en"]}', ActivitySid: available })).sid;
  const task = (await created(s, `${W}/Tasks`, { WorkflowSid: workflow, Attributes: '{"type":"support"}' })).sid;
  const reservation = (await s.request('GET', `${W}/Tasks/${task}/Reservations`)).body.reservations[0]?.sid;
  assert.ok(reservation, 'the seeded task is reserved');
  const waiting = (await created(s, `${W}/Tasks`, { WorkflowSid: workflow, Attributes: '{"type":"later"}' })).sid;
  return { ws, W, worker, activity, channel, queue, workflow, task, reservation, dora, waiting };
}

/** An OpenAPI path template (`/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}`) with the seeded workspace's SIDs;
 *  `workerSid` (default: alice) stands for every worker segment. */
export function pathOf(template: string, t: SeededWorkspace, workerSid = t.worker): string {
  return template
    .split('/')
    .map((seg, i, all) => {
      const before = all[i - 1];
      if (seg === '{WorkspaceSid}' || (seg === '{Sid}' && before === 'Workspaces')) return t.ws;
      if (seg === '{WorkerSid}' || (seg === '{Sid}' && before === 'Workers')) return workerSid;
      if (seg === '{TaskQueueSid}' || (seg === '{Sid}' && before === 'TaskQueues')) return t.queue;
      if (seg === '{WorkflowSid}' || (seg === '{Sid}' && before === 'Workflows')) return t.workflow;
      if (seg === '{TaskSid}' || (seg === '{Sid}' && before === 'Tasks')) return t.waiting;
      if (seg === '{Sid}' && before === 'Activities') return t.activity;
      if (seg === '{Sid}' && before === 'TaskChannels') return t.channel;
      if (seg === '{Sid}' && before === 'Channels') return 'default';
      if (seg === '{Sid}' && before === 'Reservations') return t.reservation;
      if (seg === '{Sid}' && before === 'Events') return 'EV' + '0'.repeat(32);
      return seg;
    })
    .join('/');
}

/** Everything the account can observe about the seeded workspace (and its list of workspaces). */
export async function snapshot(s: TestServer, seeded: SeededWorkspace): Promise<Record<string, unknown>> {
  const get = async (path: string) => {
    const res = await s.request('GET', path);
    assert.equal(res.status, 200, `snapshot ${path}: ${res.text}`);
    return res.body;
  };
  const { W } = seeded;
  const out: Record<string, unknown> = { workspace: await get(W), workspaces: await get('/v1/Workspaces?PageSize=1000') };
  for (const r of ['Activities', 'TaskChannels', 'Workers', 'TaskQueues', 'Workflows']) out[r] = await get(`${W}/${r}?PageSize=1000`);
  for (const worker of (out.Workers as any).workers) {
    const res = await s.request('GET', `${W}/Workers/${worker.sid}`);
    out[`worker ${worker.sid}`] = { body: res.body, etag: res.headers.get('etag') };
    out[`channels ${worker.sid}`] = await get(`${W}/Workers/${worker.sid}/Channels?PageSize=1000`);
    out[`reservations of ${worker.sid}`] = await get(`${W}/Workers/${worker.sid}/Reservations?PageSize=1000`);
  }
  // A task's `age` is seconds since creation and moves with the clock; everything else about it must not.
  const ageless = (task: any) => ({ ...task, age: undefined });
  const tasks = await get(`${W}/Tasks?PageSize=1000`);
  out.Tasks = { ...tasks, tasks: tasks.tasks.map(ageless) };
  for (const task of tasks.tasks) {
    const res = await s.request('GET', `${W}/Tasks/${task.sid}`);
    out[`task ${task.sid}`] = { body: ageless(res.body), etag: res.headers.get('etag') };
    out[`reservations of ${task.sid}`] = await get(`${W}/Tasks/${task.sid}/Reservations?PageSize=1000`);
  }
  return out;
}
