// Pages of a customer's own site in Chromium, talking to Switchboard on another origin (CORS exercised: the
// page is served by a second local server):
//   * the legacy taskrouter.js v1 channel protocol as Twilio's v1.21 bundle speaks it
//     (support/taskrouterV1Protocol.js): the workspace addressed with a trailing slash for ready, update and
//     delete, lists paged with next() and previous() through the proxied next_page_url (query string and all),
//     and taskqueue.realtimeStats.fetch({"Minutes": "240"}, cb);
//   * Switchboard's own /sdk/taskrouter.js, loaded with crossorigin and its SRI hash: lists in the bundle's
//     shape (page, pageSize, hasNext, next(), previous(), configuration parsed, dates as Date), and every
//     method reporting failures through its callback and its promise, never by throwing;
//   * the real twilio-taskrouter Worker SDK (its browser bundle) creating a task for itself with createTask;
//   * and a page whose origin SWITCHBOARD_CORS_ORIGINS does not name, which reads nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import twilio from 'twilio';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.ts';
import { launchChromium, skipWithoutChromium, startPageServer, type PageServer } from '../support/browser.ts';

const { TaskRouterCapability } = twilio.jwt.taskrouter;
const util = twilio.jwt.taskrouter.util;

/** twilio-taskrouter's browser build leaves its dependencies (axios, events, loglevel, …) to be bundled by the
 *  application, as a customer's build would: bundled here with esbuild, exposed as window.TaskRouter. */
async function twilioTaskRouterForBrowsers(): Promise<string> {
  const out = await build({
    stdin: { contents: "window.TaskRouter = require('twilio-taskrouter/dist/index.window.js');", resolveDir: process.cwd() },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    logLevel: 'error',
  });
  return out.outputFiles[0]!.text;
}

describe('pages of another origin in Chromium', { skip: skipWithoutChromium }, () => {
  let s: TestServer;
  let site: PageServer;
  let browser: Browser;
  let client: ReturnType<typeof twilio>;
  let ws: string;
  let queue: string;
  let workflow: string;
  let key: { sid: string; secret: string };
  const tr = () => client.taskrouter.v1.workspaces(ws);

  /** A supervisor's workspace token, as Twilio's docs build it for taskrouter.js v1. */
  const workspaceToken = (workspaceSid = ws) => {
    const c = new TaskRouterCapability({ accountSid: s.accountSid, authToken: s.authToken, workspaceSid, channelId: workspaceSid });
    const url = util.workspacesUrl(workspaceSid);
    for (const method of ['GET', 'POST', 'DELETE']) for (const u of [url, `${url}/**`]) c.addPolicy(new TaskRouterCapability.Policy({ url: u, method, allow: true }));
    for (const p of util.defaultEventBridgePolicies(s.accountSid, workspaceSid)) c.addPolicy(p);
    return c.toJwt();
  };
  const accessToken = (workerSid: string) => {
    const t = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: workerSid, ttl: 3600 });
    t.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid, role: 'worker' }));
    return t.toJwt();
  };

  /** The customer's page, with every page error collected. */
  const openPage = async (): Promise<{ page: Page; errors: string[] }> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    if (process.env.DEBUG_BROWSER) page.on('console', (m) => console.error('page:', m.text()));
    // tsx compiles the functions handed to page.evaluate with esbuild's keepNames, which calls __name(); and
    // `within` turns an answer that never comes into a failure instead of a test that waits forever.
    await page.addInitScript({
      content: `window.__name = (f) => f;
window.within = (promise, what, ms = 10000) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('no ' + what + ' within ' + ms + ' ms')), ms))]);`,
    });
    await page.goto(`${site.origin}/`);
    return { page, errors };
  };

  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    client.api.baseUrl = s.origin;
    ws = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'Customer site', template: 'FIFO' })).sid;
    queue = (await tr().taskQueues.list())[0]!.sid;
    workflow = (await tr().workflows.list())[0]!.sid;
    for (const name of ['ana', 'ben', 'cleo']) await tr().workers.create({ friendlyName: name, attributes: JSON.stringify({ name }) });
    const k = await client.newKeys.create();
    key = { sid: k.sid, secret: k.secret };
    // The customer's site serves its page and the scripts it hosts itself; Switchboard's SDK comes from
    // Switchboard, with crossorigin and its SRI hash (the browser checks both only with CORS).
    const sdk = await (await fetch(`${s.origin}/sdk/taskrouter.js`)).text();
    const integrity = `sha384-${createHash('sha384').update(sdk).digest('base64')}`;
    site = await startPageServer({
      '/': {
        type: 'text/html; charset=utf-8',
        body: `<!doctype html><meta charset="utf-8"><title>Customer desk</title>
<script src="/taskrouter-v1-protocol.js"></script>
<script src="${s.origin}/sdk/taskrouter.js" crossorigin="anonymous" integrity="${integrity}"></script>
<script src="/twilio-taskrouter.js"></script><h1>Customer desk</h1>`,
      },
      '/taskrouter-v1-protocol.js': { type: 'text/javascript', body: readFileSync(new URL('./support/taskrouterV1Protocol.js', import.meta.url), 'utf8') },
      '/twilio-taskrouter.js': { type: 'text/javascript', body: await twilioTaskRouterForBrowsers() },
    });
    assert.notEqual(site.origin, s.origin);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await s?.close();
  });

  it('taskrouter.js v1.21 protocol: trailing-slash workspace, proxied paging with next(), realtimeStats with Minutes', { timeout: 90_000 }, async () => {
    const doomed = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'Doomed' })).sid;
    const { page, errors } = await openPage();
    const api = `${s.origin}/v1`;
    const out = await page.evaluate(
      async ({ token, doomedToken, api, eventBridge, queue }) => {
        const V1 = (window as any).TaskRouterV1Protocol;
        const within = (window as any).within;
        const call = (start: (cb: (e: any, r: any) => void) => void) =>
          within(new Promise<{ error: any; result: any }>((resolve) => start((error, result) => resolve({ error, result }))), 'answer');
        const workspace = new V1.Workspace(token, api, eventBridge);
        const ready: any = await within(new Promise((resolve) => workspace.on('ready', resolve)), 'ready');
        const renamed = await call((cb) => workspace.update({ FriendlyName: 'Renamed by v1' }, cb));
        const fetched = await call((cb) => workspace.fetch(cb));
        const first = await call((cb) => workspace.workers.fetch({ PageSize: 1 }, cb));
        const second = await call((cb) => first.result.next(cb));
        const third = await call((cb) => second.result.next(cb));
        const back = await call((cb) => third.result.previous(cb));
        const stats = await call((cb) => workspace.taskqueue(queue).realtimeStats.fetch({ Minutes: '240' }, cb));
        const badStats = await call((cb) => workspace.taskqueue(queue).cumulativeStats.fetch({ Minutes: 'soon' }, cb));
        const other = new V1.Workspace(doomedToken, api, eventBridge);
        await within(new Promise((resolve) => other.on('ready', resolve)), 'ready');
        const deleted = await call((cb) => other.delete(cb));
        workspace.disconnect();
        other.disconnect();
        const page = (p: any) => ({ page: p.page, pageSize: p.pageSize, hasNext: p.hasNext, hasPrevious: p.hasPrevious, names: p.data.map((w: any) => w.friendly_name), url: p.data[0].url });
        return {
          origin: location.origin,
          ready: ready.sid,
          renamed: renamed.result?.friendly_name ?? renamed.error,
          fetched: fetched.result?.friendly_name,
          pages: [first, second, third, back].map((r) => (r.error ? r.error : page(r.result))),
          stats: stats.error ?? { queue: stats.result.task_queue_sid, hasTotal: typeof stats.result.total_tasks === 'number' },
          badStats: badStats.error,
          deleted: deleted.error ?? 'deleted',
        };
      },
      { token: workspaceToken(), doomedToken: workspaceToken(doomed), api, eventBridge: s.origin, queue },
    );
    await page.close();
    assert.notEqual(out.origin, s.origin, 'the page is on another origin');
    assert.equal(out.ready, ws, 'ready came back for the trailing-slash workspace URL');
    assert.equal(out.renamed, 'Renamed by v1');
    assert.equal(out.fetched, 'Renamed by v1');
    assert.equal((await tr().fetch()).friendlyName, 'Renamed by v1');
    const [first, second, third, back] = out.pages as any[];
    assert.deepEqual([first.page, first.pageSize, first.hasNext, first.hasPrevious, first.names], [0, 1, true, false, ['ana']]);
    assert.deepEqual([second.page, second.hasNext, second.hasPrevious, second.names], [1, true, true, ['ben']]);
    assert.deepEqual([third.page, third.hasNext, third.names], [2, false, ['cleo']]);
    assert.deepEqual([back.page, back.names], [1, ['ben']]);
    assert.ok(second.url.startsWith(`${s.origin}/v1/Workspaces/${ws}/Workers/`), `URLs on the origin the page talks to: ${second.url}`);
    assert.deepEqual(out.stats, { queue, hasTotal: true });
    assert.deepEqual(out.badStats, { code: 400, message: 'Bad Request' }, 'a value that is wrong is still refused, reaching the callback');
    assert.equal(out.deleted, 'deleted');
    assert.equal((await s.request('GET', `/v1/Workspaces/${doomed}`)).status, 404);
    assert.deepEqual(errors, []);
  });

  it("Switchboard's taskrouter.js: the bundle's list shapes, and failures that reach callbacks and promises", { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage();
    const otherChannelToken = workspaceToken((await client.taskrouter.v1.workspaces.create({ friendlyName: 'Elsewhere' })).sid);
    const out = await page.evaluate(
      async ({ token, otherChannelToken, queue }) => {
        const T = (window as any).Twilio.TaskRouter;
        const within = (window as any).within;
        const workspace = new T.Workspace(token);
        await within(new Promise((resolve) => workspace.once('ready', resolve)), 'ready');
        const shape = (p: any) => ({ keys: Object.keys(p).sort(), page: p.page, pageSize: p.pageSize, hasNext: p.hasNext, hasPrevious: p.hasPrevious, names: p.data.map((w: any) => w.friendlyName) });
        const first = await workspace.workers.fetch({ PageSize: 1 });
        const second = await new Promise<any>((resolve, reject) => first.next((err: any, p: any) => (err ? reject(err) : resolve(p))));
        const third = await second.next();
        const back = await third.previous();
        const worker = first.data[0];
        const workflow = (await workspace.workflows.fetch()).data[0];
        const stats = await new Promise<any>((resolve) => workspace.taskqueues.fetch(queue, (err: any, q: any) => q.realtimeStats.fetch({ Minutes: '240' }, (e: any, st: any) => resolve({ e, st }))));

        // Every failure reaches the callback once and rejects the promise; nothing throws.
        const activity = await workspace.activities.create({ FriendlyName: 'Short break', Available: false });
        const calls: [string, (cb: (e: any, r?: any) => void) => Promise<unknown>][] = [
          ['list create, bad value', (cb) => workspace.activities.create({ FriendlyName: '' }, cb)],
          ['list fetch, unknown SID', (cb) => workspace.activities.fetch('WA' + '0'.repeat(32), cb)],
          ['list fetch, parameters not an object', (cb) => workspace.activities.fetch(42, cb)],
          ['list update, unknown SID', (cb) => workspace.workers.update('WK' + '0'.repeat(32), { FriendlyName: 'x' }, cb)],
          ['list delete, unknown SID', (cb) => workspace.workers.delete('WK' + '0'.repeat(32), cb)],
          ['statistics, bad value', (cb) => workspace.statistics.fetch({ Minutes: 'soon' }, cb)],
          ['resource update, bad value', (cb) => activity.update('FriendlyName', '', cb)],
          ['resource update, parameters not an object', (cb) => activity.update(7, cb)],
          ['client update, bad value', (cb) => workspace.update({ MultiTaskEnabled: 'false' }, cb)],
          ['last page next()', (cb) => third.next(cb)],
          ['first page previous()', (cb) => first.previous(cb)],
          ['resource delete, then fetch', (cb) => activity.delete().then(() => activity.fetch(cb))],
        ];
        const outcomes: Record<string, unknown> = {};
        for (const [name, start] of calls) {
          const seen: any[] = [];
          let thrown: unknown = null;
          let promise: Promise<unknown> | undefined;
          try {
            promise = start((e, r) => seen.push({ e, r }));
          } catch (err) {
            thrown = (err as Error).message;
          }
          const rejected = await Promise.resolve(promise).then(() => 'resolved', (err: any) => err);
          await new Promise((resolve) => setTimeout(resolve, 20));
          outcomes[name] = {
            thrown,
            callbacks: seen.length,
            code: seen[0]?.e?.code,
            sameError: seen[0]?.e === rejected,
            message: typeof seen[0]?.e?.message === 'string' && seen[0].e.message.length > 0,
          };
        }
        // A token for another channel is refused with an `error` event, the current token stays.
        const refused = await new Promise<string>((resolve) => {
          workspace.once('error', (err: Error) => resolve(err.message));
          workspace.updateToken(otherChannelToken);
        });
        const stillWorks = (await workspace.fetch()).friendlyName;
        // A callback's own exception is the page's to see, once, and the promise is unaffected.
        const settled = await workspace.activities.fetch('WA' + '0'.repeat(32), () => {
          throw new Error('a bug in the callback');
        }).then(() => 'resolved', (err: any) => err.code);
        await new Promise((resolve) => setTimeout(resolve, 50));
        workspace.disconnect();
        return {
          shapes: [first, second, third, back].map(shape),
          worker: { created: worker.dateCreated instanceof Date, updated: worker.dateUpdated instanceof Date, statusChanged: worker.dateStatusChanged instanceof Date, ms: worker.dateCreated.getTime(), attributes: worker.attributes },
          workflow: { type: typeof workflow.configuration, filter: workflow.configuration?.task_routing?.default_filter?.queue, created: workflow.dateCreated instanceof Date },
          stats: { error: stats.e, queue: stats.st?.taskQueueSid },
          outcomes,
          refused,
          stillWorks,
          settled,
        };
      },
      { token: workspaceToken(), otherChannelToken, queue },
    );
    await page.close();
    const pageKeys = ['data', 'hasNext', 'hasPrevious', 'page', 'pageSize'];
    assert.deepEqual(out.shapes, [
      { keys: pageKeys, page: 0, pageSize: 1, hasNext: true, hasPrevious: false, names: ['ana'] },
      { keys: pageKeys, page: 1, pageSize: 1, hasNext: true, hasPrevious: true, names: ['ben'] },
      { keys: pageKeys, page: 2, pageSize: 1, hasNext: false, hasPrevious: true, names: ['cleo'] },
      { keys: pageKeys, page: 1, pageSize: 1, hasNext: true, hasPrevious: true, names: ['ben'] },
    ]);
    const ana = (await tr().workers.list({ friendlyName: 'ana' }))[0]!;
    assert.deepEqual(out.worker, { created: true, updated: true, statusChanged: true, ms: ana.dateCreated.getTime(), attributes: { name: 'ana' } });
    assert.deepEqual(out.workflow, { type: 'object', filter: queue, created: true });
    assert.deepEqual(out.stats, { error: null, queue });
    const expected = (code: number | undefined) => ({ thrown: null, callbacks: 1, code, sameError: true, message: true });
    assert.deepEqual(out.outcomes, {
      'list create, bad value': expected(20001),
      'list fetch, unknown SID': expected(20404),
      'list fetch, parameters not an object': expected(undefined),
      'list update, unknown SID': expected(20404),
      'list delete, unknown SID': expected(20404),
      'statistics, bad value': expected(20001),
      'resource update, bad value': expected(20001),
      'resource update, parameters not an object': expected(undefined),
      'client update, bad value': expected(20001),
      'last page next()': expected(undefined),
      'first page previous()': expected(undefined),
      'resource delete, then fetch': expected(20404),
    });
    assert.match(out.refused, /another channel/);
    assert.equal(out.stillWorks, 'Renamed by v1');
    assert.equal(out.settled, 20404);
    assert.deepEqual(errors, ['a bug in the callback'], 'the only page error is the callback’s own');
  });

  it('the real twilio-taskrouter Worker SDK creates a task for itself from the page, and is offered it', { timeout: 90_000 }, async () => {
    const dana = (await tr().workers.create({ friendlyName: 'dana' })).sid;
    const { page, errors } = await openPage();
    const out = await page.evaluate(
      async ({ token, origin, workflow, queue }) => {
        const { Worker } = (window as any).TaskRouter;
        const within = (window as any).within;
        const worker = new Worker(token, { ebServer: `${origin}/v1/wschannels`, wsServer: `${origin.replace('http', 'ws')}/v1/wschannels`, logLevel: 'error' });
        await within(new Promise((resolve) => worker.on('ready', resolve)), 'ready');
        const offered = new Promise<any>((resolve) => worker.on('reservationCreated', resolve));
        const taskSid = await within(worker.createTask('+15550100', '+15550199', workflow, queue, { attributes: { topic: 'follow-up' }, taskChannelUniqueName: 'voice' }), 'createTask');
        const reservation = await within(offered, 'reservationCreated');
        await reservation.accept();
        const result = { taskSid, offeredTask: reservation.task.sid, attributes: reservation.task.attributes, status: reservation.status };
        worker.disconnect();
        return result;
      },
      { token: accessToken(dana), origin: s.origin, workflow, queue },
    );
    await page.close();
    assert.match(out.taskSid, /^WT[0-9a-f]{32}$/);
    assert.equal(out.offeredTask, out.taskSid);
    assert.deepEqual(out.attributes, { topic: 'follow-up', outbound_to: '+15550100', from: '+15550199' });
    assert.equal(out.status, 'accepted');
    const task = await tr().tasks(out.taskSid).fetch();
    assert.equal(task.assignmentStatus, 'assigned');
    assert.equal(task.taskChannelUniqueName, 'voice');
    assert.deepEqual(errors, []);
  });

  it('a page of an origin SWITCHBOARD_CORS_ORIGINS does not name reads nothing', { timeout: 90_000 }, async () => {
    const strict = await startServer({ corsOrigins: ['https://desk.example.com'] });
    try {
      const { page } = await openPage();
      const out = await page.evaluate(async (origin) => {
        const attempt = (url: string, init?: RequestInit) => fetch(url, init).then((r) => `read ${r.status}`, (err: Error) => err.name);
        const script = await new Promise((resolve) => {
          const tag = document.createElement('script');
          tag.src = `${origin}/sdk/taskrouter.js?again`;
          tag.crossOrigin = 'anonymous';
          tag.onload = () => resolve('loaded');
          tag.onerror = () => resolve('blocked');
          document.head.append(tag);
        });
        return {
          proxy: await attempt(`${origin}/v1/wschannels`, { method: 'POST', body: '{}' }),
          rest: await attempt(`${origin}/v1/Workspaces`, { headers: { 'x-twilio-token': 'a.b.c' } }),
          script,
        };
      }, strict.origin);
      await page.close();
      assert.deepEqual(out, { proxy: 'TypeError', rest: 'TypeError', script: 'blocked' });
    } finally {
      await strict.close();
    }
  });
});
