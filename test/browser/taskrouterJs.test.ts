// The browser SDK in a real browser: Debian's Chromium (headless, driven by playwright-core) loads
// /sdk/taskrouter.js from a page on the server, manages a workspace through Twilio.TaskRouter.Workspace, and a
// Twilio.TaskRouter.Worker page receives a reservation for a task created through REST and accepts it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.ts';
import { launchChromium, skipWithoutChromium } from '../support/browser.ts';

const TaskRouterCapability = twilio.jwt.taskrouter.TaskRouterCapability;
const util = twilio.jwt.taskrouter.util;
const Policy = TaskRouterCapability.Policy;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>taskrouter.js on Switchboard</title>
<style>body{font:14px system-ui;margin:24px} #log{white-space:pre-wrap;border:1px solid #ccc;padding:8px}</style>
<script src="/sdk/taskrouter.js"></script></head>
<body><h1>taskrouter.js on Switchboard</h1><div id="log"></div>
<script>window.show = (line) => { document.getElementById('log').textContent += line + '\\n'; };</script></body></html>`;

describe('browser SDK (taskrouter.js) in Chromium', { skip: skipWithoutChromium }, () => {
  let s: TestServer;
  let browser: Browser;
  let client: ReturnType<typeof twilio>;
  let ws: string;
  let available: string;
  const shots = join(tmpdir(), 'switchboard-browser');

  const openPage = async (): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    if (process.env.DEBUG_BROWSER) page.on('console', (m) => console.error('page:', m.text()));
    // A document loaded from the server itself (so Chromium treats the origin as the local server it is, and
    // the SDK finds its server from the script address), then given the test page's content.
    await page.goto(`${s.origin}/healthz`);
    await page.setContent(PAGE);
    return page;
  };

  const workspaceToken = () => {
    const c = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws, channelId: ws });
    // A supervisor's workspace token, as Twilio's docs build it: everything under the workspace.
    const url = util.workspacesUrl(ws);
    for (const method of ['GET', 'POST', 'DELETE']) {
      for (const u of [url, `${url}/**`]) c.addPolicy(new Policy({ url: u, method, allow: true }));
    }
    for (const p of util.defaultEventBridgePolicies(s.accountSid, ws)) c.addPolicy(p);
    return c.toJwt();
  };
  const workerToken = (worker: string, ttl = 3600) => {
    const c = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid: ws, channelId: worker, ttl });
    for (const p of [...util.defaultWorkerPolicies('v1', ws, worker), ...util.defaultEventBridgePolicies(s.accountSid, worker)]) c.addPolicy(p);
    // What Twilio's docs add for an agent page: change its activity, answer reservations, complete tasks.
    c.addPolicy(new Policy({ url: util.workersUrl(ws, worker), method: 'POST', allow: true }));
    c.addPolicy(new Policy({ url: `${util.workersUrl(ws, worker)}/Reservations/**`, method: 'POST', allow: true }));
    c.addPolicy(new Policy({ url: util.tasksUrl(ws, '**'), method: 'POST', allow: true }));
    return c.toJwt();
  };

  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    ws = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'Browser', template: 'FIFO' })).sid;
    available = (await client.taskrouter.v1.workspaces(ws).activities.list({ friendlyName: 'Available' }))[0]!.sid;
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('serves one script that defines Twilio.TaskRouter', async () => {
    const res = await fetch(`${s.origin}/sdk/taskrouter.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    const etag = res.headers.get('etag')!;
    assert.ok((await res.text()).includes('Twilio'));
    assert.equal((await fetch(`${s.origin}/sdk/taskrouter.js`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(`${s.origin}/sdk/taskrouter.min.js`)).status, 200);
  });

  it('a Workspace manages activities and workers from the page, with callbacks and promises', async () => {
    const page = await openPage();
    const result = await page.evaluate(async (token) => {
      const T = (window as any).Twilio.TaskRouter;
      const workspace = new T.Workspace(token);
      await new Promise((resolve) => workspace.once('ready', resolve));
      const out: Record<string, unknown> = { ready: workspace.friendlyName, prioritizeQueueOrder: workspace.prioritizeQueueOrder };
      const activity = await new Promise<any>((resolve, reject) =>
        workspace.activities.create({ FriendlyName: 'Browser break', Available: 'false' }, (err: any, a: any) => (err ? reject(err) : resolve(a))),
      );
      out.created = { sid: activity.sid, friendlyName: activity.friendlyName, available: activity.available };
      await activity.update('FriendlyName', 'Browser lunch');
      out.renamed = activity.friendlyName;
      const list = await workspace.activities.fetch({ FriendlyName: 'Browser lunch' });
      out.listed = list.data.map((a: any) => a.sid);
      out.duplicate = await new Promise((resolve) =>
        workspace.activities.create({ FriendlyName: 'Browser lunch' }, (err: any) => resolve(err && { code: err.code, message: err.message })),
      );
      const worker = await workspace.workers.create({ friendlyName: 'browser-bob', attributes: { skills: ['en'] } });
      out.worker = { sid: worker.sid, attributes: worker.attributes };
      const stats = await new Promise<any>((resolve, reject) => workspace.statistics.fetch({ Minutes: 60 }, (err: any, s: any) => (err ? reject(err) : resolve(s))));
      out.statistics = { totalWorkers: stats.realtime.totalWorkers, tasksCreated: stats.cumulative.tasksCreated };
      const queue = (await workspace.taskqueues.fetch()).data[0];
      out.queueRealtime = (await queue.realtimeStats.fetch()).totalEligibleWorkers;
      out.workersRealtime = (await workspace.workers.realtimeStats.fetch()).totalWorkers;
      const updated = await workspace.workers.update(worker.sid, { attributes: { skills: ['fr'] } });
      out.workerUpdated = updated.attributes;
      await workspace.workers.delete(worker.sid);
      out.workerGone = await workspace.workers.fetch(worker.sid).then(() => 'still there', (err: any) => err.code);
      await activity.delete();
      out.queues = (await workspace.taskqueues.fetch()).data.map((q: any) => q.friendlyName);
      (window as any).show(JSON.stringify(out, null, 1));
      workspace.disconnect();
      return out;
    }, workspaceToken());
    await page.screenshot({ path: join(shots, 'workspace.png') });
    await page.close();

    assert.equal(result.ready, 'Browser');
    assert.equal(typeof result.prioritizeQueueOrder, 'string', 'camelCase properties');
    const created = result.created as { sid: string; friendlyName: string; available: boolean };
    assert.match(created.sid, /^WA[0-9a-f]{32}$/);
    assert.deepEqual([created.friendlyName, created.available], ['Browser break', false]);
    assert.equal(result.renamed, 'Browser lunch');
    assert.deepEqual(result.listed, [created.sid]);
    assert.deepEqual((result.duplicate as { code: number }).code, 20001);
    assert.deepEqual((result.worker as { attributes: unknown }).attributes, { skills: ['en'] }, 'attributes parsed');
    assert.deepEqual(result.workerUpdated, { skills: ['fr'] });
    assert.equal(result.workerGone, 20404);
    assert.deepEqual(result.queues, ['Sample Queue']);
    assert.deepEqual(result.statistics, { totalWorkers: 1, tasksCreated: 0 }, 'statistics while browser-bob exists');
    assert.equal(result.queueRealtime, 1, "the sample queue's expression (1==1) selects him");
    assert.equal(result.workersRealtime, 1);
    // What the page did is what the server holds.
    const names = (await client.taskrouter.v1.workspaces(ws).activities.list()).map((a) => a.friendlyName);
    assert.ok(!names.includes('Browser lunch') && !names.includes('Browser break'));
    assert.equal((await client.taskrouter.v1.workspaces(ws).workers.list({ friendlyName: 'browser-bob' })).length, 0);
    assert.ok(statSync(join(shots, 'workspace.png')).size > 1000);
  });

  it('a Worker page receives a reservation for a REST task, accepts it and completes the task', async () => {
    const alice = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'alice' })).sid;
    const page = await openPage();
    await page.evaluate(
      async ({ token, available }) => {
        const T = (window as any).Twilio.TaskRouter;
        const w = window as any;
        const worker = new T.Worker(token, false, available);
        w.events = [] as string[];
        for (const e of ['ready', 'activity.update', 'reservation.created', 'reservation.accepted', 'task.completed', 'reservation.completed']) {
          worker.on(e, (x: any) => {
            w.events.push(e);
            w.show(`${e} ${x?.sid ?? ''} ${x?.activityName ?? x?.reservationStatus ?? ''}`);
          });
        }
        worker.on('reservation.created', (reservation: any) => {
          w.offer = { sid: reservation.sid, taskSid: reservation.task.sid, attributes: reservation.task.attributes, status: reservation.reservationStatus };
          reservation.accept((err: any, accepted: any) => {
            w.accepted = err ? { error: err.message } : { status: accepted.reservationStatus };
            if (!err) worker.completeTask(reservation.task.sid, (e2: any, task: any) => (w.completed = e2 ? { error: e2.message } : task.assignmentStatus), 'done in the browser');
          });
        });
        w.worker = worker;
        await new Promise((resolve) => worker.once('ready', resolve));
      },
      { token: workerToken(alice), available },
    );
    // connectActivitySid made the worker available once it had no pending reservations.
    await page.waitForFunction(() => (window as any).worker.activityName === 'Available', null, { timeout: 5000 });
    const task = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: JSON.stringify({ customer: 'browser', priority: 'gold' }) });
    await page.waitForFunction(() => (window as any).completed !== undefined, null, { timeout: 10_000 });
    const state = await page.evaluate(() => {
      const w = window as any;
      return { offer: w.offer, accepted: w.accepted, completed: w.completed, events: w.events };
    });
    await page.screenshot({ path: join(shots, 'worker.png') });
    // Outside its policies the worker gets TaskRouter's error in the callback, and nothing changes.
    const denied = await page.evaluate(
      () => new Promise<any>((resolve) => (window as any).worker.activities.create({ FriendlyName: 'Sneaky' }, (err: any) => resolve(err && { code: err.code, status: err.status }))),
    );
    assert.deepEqual(denied, { code: 20403, status: 403 });
    assert.equal((await client.taskrouter.v1.workspaces(ws).activities.list({ friendlyName: 'Sneaky' })).length, 0);
    await page.evaluate(() => (window as any).worker.disconnect());
    await page.close();

    assert.equal(state.offer.taskSid, task.sid);
    assert.match(state.offer.sid, /^WR[0-9a-f]{32}$/);
    assert.deepEqual(state.offer.attributes, { customer: 'browser', priority: 'gold' });
    assert.equal(state.offer.status, 'pending');
    assert.deepEqual(state.accepted, { status: 'accepted' });
    assert.equal(state.completed, 'completed');
    assert.deepEqual(state.events.slice(0, 3), ['ready', 'activity.update', 'reservation.created']);
    assert.ok(state.events.includes('reservation.accepted'));
    const fetched = await client.taskrouter.v1.workspaces(ws).tasks(task.sid).fetch();
    assert.equal(fetched.assignmentStatus, 'completed');
    assert.equal(fetched.reason, 'done in the browser');
    assert.ok(statSync(join(shots, 'worker.png')).size > 1000);
  });

  it('offers a reservation once when it arrives both as a push and in the pending list fetched after ready', async () => {
    const offline = (await client.taskrouter.v1.workspaces(ws).activities.list({ friendlyName: 'Offline' }))[0]!.sid;
    for (const w of await client.taskrouter.v1.workspaces(ws).workers.list()) await client.taskrouter.v1.workspaces(ws).workers(w.sid).update({ activitySid: offline });
    const dan = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'dan', activitySid: available })).sid;
    const page = await openPage();
    // Hold the worker's pending-reservations request (made after `ready`) until the task exists and its push
    // has arrived, so the same reservation comes both ways.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v1/wschannels/**', async (route) => {
      if ((route.request().postData() ?? '').includes('"ReservationStatus":"pending"')) await released;
      await route.continue();
    });
    await page.evaluate(async (token) => {
      const w = window as any;
      w.offers = [] as string[];
      w.worker = new w.Twilio.TaskRouter.Worker(token);
      w.worker.on('reservation.created', (r: any) => w.offers.push(r.sid));
      await new Promise((resolve) => w.worker.once('ready', resolve));
    }, workerToken(dan));
    const task = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: '{"race":true}' });
    await page.waitForFunction(() => (window as any).offers.length === 1, null, { timeout: 5000 });
    release();
    const [reservation] = await client.taskrouter.v1.workspaces(ws).tasks(task.sid).reservations.list();
    // The pending list came back with the same reservation: give it time to be (wrongly) offered again.
    await page.waitForTimeout(500);
    const offers = await page.evaluate(() => (window as any).offers);
    await page.evaluate(() => (window as any).worker.disconnect());
    await page.close();
    assert.deepEqual(offers, [reservation!.sid]);
    await client.taskrouter.v1.workspaces(ws).tasks(task.sid).update({ assignmentStatus: 'canceled' });
  });

  it('warns with token.expired 5 s before the token ends, and takes a new token with updateToken', async () => {
    const carol = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'carol' })).sid;
    const page = await openPage();
    const outcome = await page.evaluate(
      async ({ shortToken, freshToken }) => {
        const worker = new (window as any).Twilio.TaskRouter.Worker(shortToken);
        await new Promise((resolve) => worker.once('ready', resolve));
        const started = Date.now();
        await new Promise((resolve) => worker.once('token.expired', resolve));
        const warnedAfter = Date.now() - started;
        worker.updateToken(freshToken);
        // The fresh token works for the next request (its 5 s would be over by then with the old one).
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const updated = await worker.update('Attributes', { renewed: true });
        worker.disconnect();
        return { warnedAfter, attributes: updated.attributes };
      },
      { shortToken: workerToken(carol, 7), freshToken: workerToken(carol) },
    );
    await page.close();
    assert.ok(outcome.warnedAfter < 4000, `token.expired after ${outcome.warnedAfter} ms`);
    assert.deepEqual(outcome.attributes, { renewed: true });
  });
});
