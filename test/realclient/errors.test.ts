// The errors a TaskRouter application sees through the official twilio client: a RestException with the HTTP
// status and Twilio code for bad input (400/20001), unknown SIDs (404/20404), wrong credentials (401/20003) and a
// stale If-Match (412), and that none of them changes anything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { clientFor, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

const zero = (prefix: string) => prefix + '0'.repeat(32);

describe('RestExceptions from the twilio client', () => {
  let s: TestServer;
  let client: TwilioClient;
  let wsSid: string;
  let ids: { worker: string; queue: string; workflow: string; activity: string; channel: string };
  before(async () => {
    s = await startServer();
    client = clientFor(s);
    wsSid = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'Errors', template: 'FIFO' })).sid;
    const w = client.taskrouter.v1.workspaces(wsSid);
    ids = {
      worker: (await w.workers.create({ friendlyName: 'alice', attributes: '{"a":1}' })).sid,
      queue: (await w.taskQueues.list())[0]!.sid,
      workflow: (await w.workflows.list())[0]!.sid,
      activity: (await w.activities.list())[0]!.sid,
      channel: (await w.taskChannels.list())[0]!.sid,
    };
  });
  after(async () => s.close());

  /** What the account can see, through the client. */
  async function snapshot() {
    const w = client.taskrouter.v1.workspaces(wsSid);
    const json = (xs: { toJSON(): object }[]) => xs.map((x) => x.toJSON());
    return {
      workspaces: json(await client.taskrouter.v1.workspaces.list()),
      activities: json(await w.activities.list()),
      channels: json(await w.taskChannels.list()),
      workers: json(await w.workers.list()),
      workerChannels: json(await w.workers(ids.worker).workerChannels.list()),
      queues: json(await w.taskQueues.list()),
      workflows: json(await w.workflows.list()),
      tasks: (await w.tasks.list()).map((t) => ({ ...t.toJSON(), age: undefined })),
    };
  }

  it('bad input is 400 with code 20001 for every resource, and changes nothing', async () => {
    const before = await snapshot();
    const w = client.taskrouter.v1.workspaces(wsSid);
    const long = 'x'.repeat(65);
    await expectRestError(client.taskrouter.v1.workspaces.create({ friendlyName: long }), 400, 20001);
    await expectRestError(client.taskrouter.v1.workspaces.create({ friendlyName: 'w', template: 'LIFO' }), 400, 20001);
    await expectRestError(w.update({ defaultActivitySid: 'WAnothex' }), 400, 20001);
    await expectRestError(w.update({ multiTaskEnabled: false }), 400, 20001);
    await expectRestError(w.activities.create({ friendlyName: 'offline' }), 400, 20001);
    await expectRestError(w.activities.create({ friendlyName: long }), 400, 20001);
    await expectRestError(w.taskChannels.create({ friendlyName: 'x', uniqueName: 'has-hyphen' }), 400, 20001);
    await expectRestError(w.taskChannels.create({ friendlyName: 'x', uniqueName: 'voice' }), 400, 20001);
    await expectRestError(w.workers.create({ friendlyName: 'ALICE' }), 400, 20001);
    await expectRestError(w.workers.create({ friendlyName: 'bob', attributes: '{"unterminated": ' }), 400, 20001);
    await expectRestError(w.workers.create({ friendlyName: 'bob', attributes: '["not", "an", "object"]' }), 400, 20001);
    await expectRestError(w.workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ k: 'v'.repeat(4090) }) }), 400, 20001);
    await expectRestError(w.workers(ids.worker).update({ attributes: '{', friendlyName: 'renamed' }), 400, 20001);
    await expectRestError(w.workers(ids.worker).update({ activitySid: zero('WA') }), 400, 20001);
    await expectRestError(w.workers(ids.worker).workerChannels('voice').update({ capacity: -1 }), 400, 20001);
    await expectRestError(w.taskQueues.create({ friendlyName: 'q', targetWorkers: 'skill-level > 3' }), 400, 20001);
    await expectRestError(w.taskQueues.create({ friendlyName: 'q', maxReservedWorkers: 51 }), 400, 20001);
    await expectRestError(w.taskQueues(ids.queue).update({ targetWorkers: "a == 'unterminated" }), 400, 20001);
    await expectRestError(w.taskQueues.list({ evaluateWorkerAttributes: 'not json' }), 400, 20001);
    await expectRestError(w.workflows.create({ friendlyName: 'f', configuration: '{}' }), 400, 20001);
    await expectRestError(w.workflows.create({ friendlyName: 'f', configuration: 'not json' }), 400, 20001);
    await expectRestError(w.workflows(ids.workflow).update({ taskReservationTimeout: 0 }), 400, 20001);
    await expectRestError(w.workers.list({ pageSize: 1001 }), 400, 20001);
    await expectRestError(w.workers.list({ targetWorkersExpression: '((' }), 400, 20001);
    await expectRestError(w.workers.list({ ordering: 'Bogus:sideways' }), 400, 20001);
    await expectRestError(w.activities(ids.activity).remove(), 400, 20001); // the default activity
    await expectRestError(w.tasks.create({ attributes: '{"unterminated' }), 400, 20001);
    await expectRestError(w.tasks.create({ attributes: '{}', priority: -1 }), 400, 20001);
    await expectRestError(w.tasks.create({ attributes: '{}', workflowSid: zero('WW') }), 400, 20001);
    assert.deepEqual(await snapshot(), before);
  });

  it('unknown SIDs are 404 with code 20404 for every resource and operation', async () => {
    const before = await snapshot();
    const w = client.taskrouter.v1.workspaces(wsSid);
    const ghost = client.taskrouter.v1.workspaces(zero('WS'));
    await expectRestError(ghost.fetch(), 404, 20404);
    await expectRestError(ghost.update({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(ghost.remove(), 404, 20404);
    await expectRestError(ghost.activities.list(), 404, 20404);
    await expectRestError(ghost.workers.create({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(ghost.activities(ids.activity).fetch(), 404, 20404); // a real child under a wrong parent
    const cases: [string, { fetch(): Promise<unknown>; remove?(): Promise<unknown> }][] = [
      ['activity', w.activities(zero('WA'))],
      ['task channel', w.taskChannels(zero('TC'))],
      ['task channel by name', w.taskChannels('nosuchchannel')],
      ['worker', w.workers(zero('WK'))],
      ['worker channel', w.workers(ids.worker).workerChannels(zero('WC'))],
      ['worker channel of a ghost worker', w.workers(zero('WK')).workerChannels('voice')],
      ['task queue', w.taskQueues(zero('WQ'))],
      ['workflow', w.workflows(zero('WW'))],
      ['task', w.tasks(zero('WT'))],
      ['reservation of a ghost task', w.tasks(zero('WT')).reservations(zero('WR'))],
      ['reservation of a worker', w.workers(ids.worker).reservations(zero('WR'))],
    ];
    for (const [what, ctx] of cases) {
      await assert.doesNotReject(expectRestError(ctx.fetch(), 404, 20404), what);
      if (ctx.remove) await expectRestError(ctx.remove(), 404, 20404);
    }
    await expectRestError(w.activities(zero('WA')).update({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(w.workers(zero('WK')).update({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(w.taskQueues(zero('WQ')).update({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(w.workflows(zero('WW')).update({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(w.workers(zero('WK')).workerChannels.list(), 404, 20404);
    await expectRestError(w.workers.list({ taskQueueSid: zero('WQ') }), 404, 20404);
    await expectRestError(w.taskQueues.list({ workerSid: zero('WK') }), 404, 20404);
    // A SID of the wrong kind in a path is as unknown as a missing one.
    await expectRestError(w.workers(ids.queue).fetch(), 404, 20404);
    await expectRestError(w.taskQueues(ids.worker).fetch(), 404, 20404);
    assert.deepEqual(await snapshot(), before);
  });

  it('wrong credentials are 401 with code 20003 for every kind of call, and change nothing', async () => {
    const before = await snapshot();
    const wrongToken = clientFor(s, s.accountSid, s.authToken.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
    const unknownAccount = clientFor(s, zero('AC'), s.authToken);
    const unknownKey = clientFor(s, zero('SK'), 'secret', s.accountSid);
    for (const bad of [wrongToken, unknownAccount, unknownKey]) {
      const w = bad.taskrouter.v1.workspaces(wsSid);
      await expectRestError(bad.taskrouter.v1.workspaces.list(), 401, 20003);
      await expectRestError(bad.taskrouter.v1.workspaces.create({ friendlyName: 'intruder' }), 401, 20003);
      await expectRestError(w.fetch(), 401, 20003);
      await expectRestError(w.update({ friendlyName: 'pwned' }), 401, 20003);
      await expectRestError(w.workers.create({ friendlyName: 'mallory' }), 401, 20003);
      await expectRestError(w.workers(ids.worker).update({ attributes: '{}' }), 401, 20003);
      await expectRestError(w.workers(ids.worker).workerChannels('voice').update({ capacity: 0 }), 401, 20003);
      await expectRestError(w.taskQueues(ids.queue).remove(), 401, 20003);
      await expectRestError(w.tasks.create({ attributes: '{}' }), 401, 20003);
      await expectRestError(w.tasks.list(), 401, 20003);
      await expectRestError(w.remove(), 401, 20003);
      // Unknown SIDs are not revealed to a caller who is not authenticated.
      await expectRestError(bad.taskrouter.v1.workspaces(zero('WS')).fetch(), 401, 20003);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('a stale ifMatch on a worker update is 412; the current one works', async () => {
    const w = client.taskrouter.v1.workspaces(wsSid);
    await expectRestError(w.workers(ids.worker).update({ ifMatch: '999', friendlyName: 'x' }), 412, 20412);
    assert.equal((await w.workers(ids.worker).fetch()).friendlyName, 'alice');
    const etag = (await s.request('GET', `/v1/Workspaces/${wsSid}/Workers/${ids.worker}`)).headers.get('etag')!.replace(/"/g, '');
    assert.equal((await w.workers(ids.worker).update({ ifMatch: etag, friendlyName: 'alice' })).friendlyName, 'alice');
    await expectRestError(w.workers(ids.worker).update({ ifMatch: etag, friendlyName: 'x' }), 412, 20412);
  });
});
