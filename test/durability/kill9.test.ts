// Nothing acknowledged is lost: the real server runs as a child process (`switchboard serve`) on a temp SQLite
// file; every acknowledged write's response is recorded; right after the last one, writes are put in flight
// and the process is killed with SIGKILL (no shutdown hooks). A restart on the same file must serve every
// acknowledged resource exactly as it was acknowledged, and each in-flight write must be wholly there or
// wholly absent. Also: the bootstrap account is generated and printed once, never again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ChildServer } from '../support/childServer.ts';
import { childServerScope } from '../support/childServerScope.ts';
import { basicAuth, call, send, type WireResponse } from '../support/wire.ts';

// The children inherit this process's environment; credentials must come only from what each test passes.
delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

const scope = childServerScope('switchboard-kill9-');
const dir = scope.dir;

async function start(env: Record<string, string>): Promise<ChildServer> {
  const child = await scope.start(env);
  // /healthz answers as soon as the server listens; the start-up lines are written just after.
  for (let i = 0; i < 100 && !/switchboard listening on /.test(child.stdout()); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(child.stdout(), new RegExp(`switchboard listening on ${child.origin.replace(/[.]/g, '\\.')}`));
  return child;
}

async function sigkill(child: ChildServer): Promise<void> {
  await child.kill('SIGKILL');
  assert.equal(child.process.signalCode, 'SIGKILL', 'the server died of SIGKILL, not a graceful exit');
}

type Client = (method: string, path: string, form?: Record<string, string>) => Promise<WireResponse>;

function clientOf(origin: string, sid: string, token: string): Client {
  const authorization = basicAuth(sid, token);
  return (method, path, form) => call(origin, method, path, { headers: { authorization }, form });
}

const pathOf = (url: string) => new URL(url).pathname;
/** A body as the restarted server (on another port) will render it. */
const rehome = (body: unknown, from: string, to: string) => JSON.parse(JSON.stringify(body).replaceAll(from, to));
const itemsOf = (listBody: any): any[] => listBody[listBody.meta.key];

describe('durability across kill -9', () => {
  it('serves every acknowledged resource after SIGKILL and restart; in-flight writes are all or nothing', async (t) => {
    const env = { SWITCHBOARD_DB: join(dir, 'a.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'a1'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'durability-token' };
    const first = await start(env);
    const api = clientOf(first.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN);

    /** path -> the body of the last acknowledged response for it (null: acknowledged as deleted). */
    const acked = new Map<string, any>();
    const etags = new Map<string, string>();
    const write = async (method: string, path: string, form: Record<string, string> | undefined, status: number) => {
      const res = await api(method, path, form);
      assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
      if (status === 204) acked.set(path, null);
      else {
        acked.set(pathOf(res.body.url), res.body);
        if (res.headers.etag) etags.set(pathOf(res.body.url), String(res.headers.etag));
      }
      return res.body;
    };
    /** Records what a resource is now, for resources that routing changed after the write that made them. */
    const refresh = async (path: string) => {
      const res = await api('GET', path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      acked.set(path, res.body);
      if (res.headers.etag) etags.set(path, String(res.headers.etag));
      else etags.delete(path);
    };
    const record = async (listPath: string) => {
      for (const item of itemsOf((await api('GET', `${listPath}${listPath.includes('?') ? '&' : '?'}PageSize=1000`)).body)) acked.set(pathOf(item.url), item);
    };

    // A workspace whose deletion will be in flight at the kill: it and everything in it must then be all there
    // or all gone.
    const doomed = await write('POST', '/v1/Workspaces', { FriendlyName: 'Doomed', Template: 'FIFO' }, 201);
    const D = `/v1/Workspaces/${doomed.sid}`;
    for (let i = 0; i < 40; i++) await write('POST', `${D}/Workers`, { FriendlyName: `d-${i}`, Attributes: JSON.stringify({ i }) }, 201);
    for (const r of ['Activities', 'TaskQueues', 'Workflows', 'TaskChannels']) await record(`${D}/${r}`);
    const doomedPaths = [...acked.keys()].filter((p) => p.startsWith(D));

    // The workspace under test, with one of everything, created and updated.
    const ws = await write('POST', '/v1/Workspaces', { FriendlyName: 'Durable', Template: 'FIFO', EventCallbackUrl: 'https://example.com/e' }, 201);
    const W = `/v1/Workspaces/${ws.sid}`;
    for (const r of ['Activities', 'TaskQueues', 'Workflows', 'TaskChannels']) await record(`${W}/${r}`);
    const sampleQueue = itemsOf((await api('GET', `${W}/TaskQueues`)).body)[0];
    const fifoFlow = itemsOf((await api('GET', `${W}/Workflows`)).body)[0];
    const lunch = await write('POST', `${W}/Activities`, { FriendlyName: 'Lunch', Available: 'false' }, 201);
    const ready = await write('POST', `${W}/Activities`, { FriendlyName: 'Ready', Available: 'true' }, 201);
    const extra = await write('POST', `${W}/Activities`, { FriendlyName: 'Extra' }, 201);
    await write('POST', `${W}/Activities/${lunch.sid}`, { FriendlyName: 'Lunch break' }, 200);
    await write('DELETE', `${W}/Activities/${extra.sid}`, undefined, 204);
    await write('POST', W, { FriendlyName: 'Durable EU', DefaultActivitySid: ready.sid, PrioritizeQueueOrder: 'LIFO' }, 200);
    const email = await write('POST', `${W}/TaskChannels`, { FriendlyName: 'Email', UniqueName: 'email' }, 201);
    await write('POST', `${W}/TaskChannels/${email.sid}`, { FriendlyName: 'E-mail', ChannelOptimizedRouting: 'true' }, 200);
    const workers = [];
    for (let i = 0; i < 20; i++) {
      const form: Record<string, string> = { FriendlyName: `agent-${i}`, Attributes: JSON.stringify({ n: i, skills: i % 2 ? ['fr'] : ['en'] }) };
      if (i % 3 === 0) form.ActivitySid = ready.sid;
      workers.push(await write('POST', `${W}/Workers`, form, 201));
    }
    await write('POST', `${W}/Workers/${workers[1]!.sid}`, { Attributes: '{"n":"updated"}', ActivitySid: lunch.sid }, 200);
    await write('POST', `${W}/Workers/${workers[2]!.sid}`, { FriendlyName: 'agent-two' }, 200);
    const temp = await write('POST', `${W}/Workers`, { FriendlyName: 'temp' }, 201);
    await write('DELETE', `${W}/Workers/${temp.sid}`, undefined, 204);
    await write('POST', `${W}/Workers/${workers[0]!.sid}/Channels/voice`, { Capacity: '3' }, 200);
    await write('POST', `${W}/Workers/${workers[4]!.sid}/Channels/email`, { Available: 'false' }, 200);
    const fr = await write('POST', `${W}/TaskQueues`, { FriendlyName: 'French', TargetWorkers: "skills HAS 'fr'", ReservationActivitySid: lunch.sid }, 201);
    await write('POST', `${W}/TaskQueues/${sampleQueue.sid}`, { TargetWorkers: 'n >= 0', MaxReservedWorkers: '2' }, 200);
    const config = { task_routing: { filters: [{ expression: "lang == 'fr'", targets: [{ queue: fr.sid }] }], default_filter: { queue: sampleQueue.sid } } };
    await write('POST', `${W}/Workflows`, { FriendlyName: 'Languages', Configuration: JSON.stringify(config), TaskReservationTimeout: '45' }, 201);
    // Tasks and reservations, in a workspace of their own so that routing touches nothing recorded above.
    const tws = await write('POST', '/v1/Workspaces', { FriendlyName: 'Tasks' }, 201);
    const T = `/v1/Workspaces/${tws.sid}`;
    for (const r of ['Activities', 'TaskChannels']) await record(`${T}/${r}`);
    const tAvailable = itemsOf((await api('GET', `${T}/Activities?FriendlyName=Available`)).body)[0];
    const tQueue = await write('POST', `${T}/TaskQueues`, { FriendlyName: 'All' }, 201);
    const tFlow = { task_routing: { default_filter: { queue: tQueue.sid } } };
    await write('POST', `${T}/Workflows`, { FriendlyName: 'All', Configuration: JSON.stringify(tFlow), TaskReservationTimeout: '3600' }, 201);
    const agent = await write('POST', `${T}/Workers`, { FriendlyName: 'agent', ActivitySid: tAvailable.sid }, 201);
    const t1 = await write('POST', `${T}/Tasks`, { Attributes: '{"n":1}', Priority: '5' }, 201);
    assert.equal(t1.assignment_status, 'reserved', 'the first task is offered to the agent at once');
    const t2 = await write('POST', `${T}/Tasks`, { Attributes: '{"n":2}', Timeout: '7200' }, 201);
    assert.equal(t2.assignment_status, 'pending', 'the agent has no capacity left');
    const t3 = await write('POST', `${T}/Tasks`, { Attributes: '{"n":3}' }, 201);
    await write('POST', `${T}/Tasks/${t3.sid}`, { AssignmentStatus: 'canceled', Reason: 'gone' }, 200);
    const t4 = await write('POST', `${T}/Tasks`, { Attributes: '{"n":4}' }, 201);
    await write('DELETE', `${T}/Tasks/${t4.sid}`, undefined, 204);
    const [reservation] = itemsOf((await api('GET', `${T}/Tasks/${t1.sid}/Reservations`)).body);
    assert.equal(reservation.reservation_status, 'pending');
    await write('POST', `${T}/Tasks/${t1.sid}/Reservations/${reservation.sid}`, { ReservationStatus: 'accepted' }, 200);
    await write('POST', `${T}/Tasks/${t2.sid}`, { Attributes: '{"n":2,"updated":true}', Priority: '9' }, 200);
    // Routing changed these after the writes that created them (t1 reserved then assigned, the agent's channel
    // busy): record them as they are now.
    await refresh(`${T}/Tasks/${t1.sid}`);
    await refresh(`${T}/Workers/${agent.sid}`);
    await record(`${T}/Workers/${agent.sid}/Channels`);
    assert.equal(acked.get(`${T}/Tasks/${t1.sid}`).assignment_status, 'assigned');

    // The last acknowledged write.
    await write('POST', `${W}/Workflows/${fifoFlow.sid}`, { TaskReservationTimeout: '90', FriendlyName: 'Fifo 90' }, 200);

    // Writes in flight at the kill: their bytes have left this process, their answers may or may not come.
    const auth = { authorization: basicAuth(env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN) };
    // Sent in this order: one worker create, the cascading workspace delete, a channel create (which gives every
    // worker a channel), a worker update, then seven more worker creates.
    const inflightWorker = (i: number) =>
      send(first.origin, 'POST', `${W}/Workers`, { headers: auth, form: { FriendlyName: `in-flight-${i}`, Attributes: JSON.stringify({ inflight: i }) } });
    const firstInflight = inflightWorker(0);
    const inflightDelete = send(first.origin, 'DELETE', D, { headers: auth });
    const inflightChannel = send(first.origin, 'POST', `${W}/TaskChannels`, { headers: auth, form: { FriendlyName: 'Fax', UniqueName: 'fax' } });
    const inflightUpdate = send(first.origin, 'POST', `${W}/Workers/${workers[5]!.sid}`, { headers: auth, form: { Attributes: '{"n":"in flight"}' } });
    const inflightTask = send(first.origin, 'POST', `${T}/Tasks`, { headers: auth, form: { Attributes: '{"inflight":true}' } });
    const inflightWorkers = [firstInflight, ...Array.from({ length: 7 }, (_, i) => inflightWorker(i + 1))];
    const [firstWorker, ...otherWorkers] = inflightWorkers;
    const all = [firstWorker!, inflightDelete, inflightChannel, inflightUpdate, inflightTask, ...otherWorkers];
    await Promise.all(all.map((r) => r.sent));
    // Kill the moment the first of them is answered: the rest are then queued or half-way through.
    await Promise.race([
      ...all.map((r) => r.response.then((res) => (res ? undefined : new Promise(() => undefined)))),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ]);
    await sigkill(first);
    const [workerAnswers, channelAnswer, updateAnswer, deleteAnswer, taskAnswer] = [
      await Promise.all(inflightWorkers.map((r) => r.response)),
      await inflightChannel.response,
      await inflightUpdate.response,
      await inflightDelete.response,
      await inflightTask.response,
    ];
    t.diagnostic(
      `in flight answered before the kill: workers ${workerAnswers.filter(Boolean).length}/8, channel ${!!channelAnswer}, update ${!!updateAnswer}, delete ${!!deleteAnswer}, task ${!!taskAnswer}`,
    );

    const second = await start(env);
    const api2 = clientOf(second.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN);
    const doomedGone = (await api2('GET', D)).status === 404;
    if (deleteAnswer) assert.equal(deleteAnswer.status, 204);
    if (deleteAnswer?.status === 204) assert.ok(doomedGone, 'an acknowledged workspace delete was lost');
    t.diagnostic(`in-flight workspace delete: ${doomedGone ? 'applied' : 'not applied'}`);

    // Every acknowledged resource, exactly as acknowledged (the worker whose update was in flight aside).
    const w5 = `${W}/Workers/${workers[5]!.sid}`;
    for (const [path, body] of acked) {
      if (path === w5) continue;
      const res = await api2('GET', path);
      if (body === null || (doomedGone && doomedPaths.includes(path))) {
        assert.equal(res.status, 404, `${path} was deleted but is back after kill -9`);
        continue;
      }
      assert.equal(res.status, 200, `${path} lost after kill -9: ${res.text}`);
      const expected = rehome(body, first.origin, second.origin);
      if ('age' in expected) {
        // A task's age is seconds since its creation: it moves with the clock, everything else must not.
        assert.ok(res.body.age >= expected.age, `${path}: age went backwards`);
        expected.age = res.body.age;
      }
      assert.deepEqual(res.body, expected, `${path} differs after kill -9`);
      if (etags.has(path)) assert.equal(res.headers.etag, etags.get(path), `${path}: ETag (version) differs after kill -9`);
    }
    if (!doomedGone) {
      // Not deleted: then nothing of it is missing either (checked above) and its lists are whole.
      assert.equal(itemsOf((await api2('GET', `${D}/Workers?PageSize=1000`)).body).length, 40);
    }

    // The in-flight worker update: the old attributes or the new ones, and if acknowledged, the new ones.
    const w5now = (await api2('GET', w5)).body;
    const w5before = acked.get(w5);
    if (updateAnswer) assert.equal(updateAnswer.status, 200, updateAnswer.text);
    if (updateAnswer?.status === 200) assert.deepEqual(w5now, rehome(updateAnswer.body, first.origin, second.origin));
    else if (w5now.attributes === w5before.attributes) assert.deepEqual(w5now, rehome(w5before, first.origin, second.origin));
    else assert.deepEqual({ ...w5now, date_updated: undefined }, { ...rehome(w5before, first.origin, second.origin), attributes: '{"n":"in flight"}', date_updated: undefined });

    // The in-flight channel: either it exists and every worker has a channel for it, or neither.
    const fax = await api2('GET', `${W}/TaskChannels/fax`);
    if (channelAnswer?.status === 201) assert.equal(fax.status, 200, 'an acknowledged TaskChannel create was lost');
    assert.ok(fax.status === 200 || fax.status === 404, fax.text);

    // The in-flight workers: each acknowledged one is there; each present one is whole; no phantoms.
    const listed = itemsOf((await api2('GET', `${W}/Workers?PageSize=1000`)).body);
    const expectedNames = new Set(workers.map((w) => acked.get(pathOf(w.url)).friendly_name));
    const present = listed.filter((w: any) => w.friendly_name.startsWith('in-flight-'));
    assert.deepEqual(listed.filter((w: any) => !w.friendly_name.startsWith('in-flight-')).map((w: any) => w.friendly_name).sort(), [...expectedNames].sort());
    workerAnswers.forEach((answer, i) => {
      if (answer) assert.equal(answer.status, 201, answer.text);
      const found = present.find((w: any) => w.friendly_name === `in-flight-${i}`);
      if (answer?.status === 201) {
        assert.ok(found, `acknowledged in-flight-${i} was lost`);
        assert.deepEqual(found, rehome(answer.body, first.origin, second.origin));
      }
      if (found) assert.equal(found.attributes, JSON.stringify({ inflight: i }));
    });
    t.diagnostic(`in-flight workers present after restart: ${present.length}/8`);
    const channelNames = itemsOf((await api2('GET', `${W}/TaskChannels`)).body).map((c: any) => c.unique_name).sort();
    for (const worker of listed) {
      const chans = itemsOf((await api2('GET', `${W}/Workers/${worker.sid}/Channels?PageSize=100`)).body);
      assert.deepEqual(chans.map((c: any) => c.task_channel_unique_name).sort(), channelNames, `${worker.friendly_name}: channels are not whole`);
    }

    // The in-flight task: there and whole (pending, its attributes) or absent; there if acknowledged.
    const inflightTasks = itemsOf((await api2('GET', `${T}/Tasks?EvaluateTaskAttributes=${encodeURIComponent('inflight == true')}`)).body);
    if (taskAnswer) assert.equal(taskAnswer.status, 201, taskAnswer.text);
    if (taskAnswer?.status === 201) assert.deepEqual(inflightTasks.map((x: any) => x.sid), [taskAnswer.body.sid], 'an acknowledged task create was lost');
    assert.ok(inflightTasks.length <= 1);
    for (const task of inflightTasks) {
      assert.equal(task.attributes, '{"inflight":true}');
      assert.equal(task.assignment_status, 'pending');
      assert.equal(task.task_queue_sid, tQueue.sid);
    }
    assert.equal(itemsOf((await api2('GET', `${T}/Tasks?PageSize=1000`)).body).length, 3 + inflightTasks.length);

    // And the restarted server takes writes on the same file.
    const after = await api2('POST', `${W}/Workers`, { FriendlyName: 'after-restart' });
    assert.equal(after.status, 201, after.text);
    await sigkill(second);
    const third = await start(env);
    const api3 = clientOf(third.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN);
    assert.deepEqual((await api3('GET', pathOf(after.body.url))).body, rehome(after.body, second.origin, third.origin));
    await third.kill('SIGKILL');
  });

  it('with credentials in the environment, no account is generated or printed, on the first start or the second', async () => {
    const env = { SWITCHBOARD_DB: join(dir, 'env.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'b2'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'env-token-1234' };
    for (let round = 0; round < 2; round++) {
      const server = await start(env);
      assert.doesNotMatch(server.stdout(), /SWITCHBOARD_AUTH_TOKEN=|bootstrap account/, `start ${round + 1} printed credentials`);
      const api = clientOf(server.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN);
      const accounts = await api('GET', '/2010-04-01/Accounts.json');
      assert.equal(accounts.status, 200, accounts.text);
      assert.deepEqual(accounts.body.accounts.map((a: any) => a.sid), [env.SWITCHBOARD_ACCOUNT_SID], `start ${round + 1}: accounts`);
      assert.equal((await api('GET', '/v1/Workspaces')).status, 200);
      await sigkill(server);
    }
    // A later start without credentials on that file does not generate another account either.
    const bare = await start({ SWITCHBOARD_DB: env.SWITCHBOARD_DB });
    assert.doesNotMatch(bare.stdout(), /SWITCHBOARD_AUTH_TOKEN=|bootstrap account/);
    assert.equal((await clientOf(bare.origin, env.SWITCHBOARD_ACCOUNT_SID, env.SWITCHBOARD_AUTH_TOKEN)('GET', '/v1/Workspaces')).status, 200);
    await sigkill(bare);
  });

  it('without credentials, the first start generates the bootstrap account and prints it once; it works after restart', async () => {
    const env = { SWITCHBOARD_DB: join(dir, 'fresh.db') };
    const first = await start(env);
    const printed = first.stdout();
    assert.equal(printed.match(/SWITCHBOARD_ACCOUNT_SID=/g)?.length, 1, printed);
    const sid = /SWITCHBOARD_ACCOUNT_SID=(AC[0-9a-f]{32})/.exec(printed)?.[1];
    const token = /SWITCHBOARD_AUTH_TOKEN=([0-9a-f]{32})/.exec(printed)?.[1];
    assert.ok(sid && token, `no credentials printed: ${printed}`);
    assert.ok(printed.includes(`client.taskrouter.baseUrl = '${first.origin}'`), printed);
    const api1 = clientOf(first.origin, sid!, token!);
    const ws = await api1('POST', '/v1/Workspaces', { FriendlyName: 'Mine' });
    assert.equal(ws.status, 201, ws.text);
    assert.equal(ws.body.account_sid, sid);
    assert.equal((await clientOf(first.origin, sid!, 'wrong-token')('GET', '/v1/Workspaces')).status, 401);
    await sigkill(first);

    const second = await start(env);
    assert.doesNotMatch(second.stdout(), /SWITCHBOARD_ACCOUNT_SID=|SWITCHBOARD_AUTH_TOKEN=|bootstrap account/, 'credentials printed again');
    const api2 = clientOf(second.origin, sid!, token!);
    const list = await api2('GET', '/v1/Workspaces');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.workspaces.map((w: any) => w.sid), [ws.body.sid]);
    const accounts = await api2('GET', '/2010-04-01/Accounts.json');
    assert.deepEqual(accounts.body.accounts.map((a: any) => a.sid), [sid], 'a second account was generated');
    await sigkill(second);
  });
});
