// The console (/console) in a real browser: Debian's Chromium driven by playwright-core. A supervisor signs in,
// creates a queue (its target-workers expression previewed as it is typed) and a worker; a task created through
// REST shows on the live dashboard without a reload; the worker's desk in a second tab receives the offer with
// a countdown, accepts and completes it, and the finished offer leaves the desk; the dashboard and the task's
// event timeline show it. Screenshots of the dashboard and the desk are saved, every request the pages made is
// one any application can make, and no page broke its Content-Security-Policy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import type { Browser, Page, Route } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.ts';
import { eventually, ok, simpleDefinition } from '../support/workflowFace.ts';
import { launchChromium, openConsole as open, problemsOf, skipWithoutChromium } from '../support/consoleBrowser.ts';

/** The public API surface: the console's own files, the browser SDK, the REST API, token minting, EventBridge. */
const PUBLIC = [/^\/console\/?$/, /^\/console\/app\.(js|css)$/, /^\/sdk\/taskrouter\.js$/, /^\/v1\//, /^\/switchboard\/v1\/Tokens$/, /^\/opsflow\/v1\//, /^\/api\//];

describe('console in Chromium', { skip: skipWithoutChromium }, () => {
  let s: TestServer;
  let browser: Browser;
  let client: ReturnType<typeof twilio>;
  let ws: string;
  const shots = join(tmpdir(), 'switchboard-console');
  const requested = new Set<string>();
  const pages: Page[] = [];

  const openConsole = async (): Promise<Page> => {
    const page = await open(browser, s.origin, s, { requested });
    pages.push(page);
    return page;
  };

  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    ws = (await client.taskrouter.v1.workspaces.create({ friendlyName: 'Support desk', template: 'FIFO' })).sid;
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('refuses wrong credentials with a message and keeps nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${s.origin}/console`);
    await page.getByLabel('Account SID or API key SID').fill(s.accountSid);
    await page.getByLabel('Auth token or API key secret').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.close();
  });

  it('signs in with a bearer token (a user token the server minted): every call of the console carries it', async () => {
    const minted = await s.request('POST', '/switchboard/v1/Tokens', { form: { Type: 'user', Identity: 'console-user' } });
    const page = await browser.newPage();
    const authorizations = new Set<string>();
    page.on('request', (r) => {
      const a = r.headers().authorization;
      if (a) authorizations.add(a.split(' ')[0]!);
    });
    await page.goto(`${s.origin}/console`);
    await page.getByLabel("Bearer token (a user token, or your identity provider's)").fill(minted.body.token);
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await page.getByRole('link', { name: 'Support desk' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.deepEqual([...authorizations], ['Bearer']);
    await page.close();
    // A refused token: the message, and nothing kept.
    const refused = await browser.newPage();
    await refused.goto(`${s.origin}/console`);
    await refused.getByLabel("Bearer token (a user token, or your identity provider's)").fill('not.a.token');
    await refused.getByRole('button', { name: 'Sign in with the token' }).click();
    await refused.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    assert.equal(await refused.evaluate(() => sessionStorage.length), 0);
    await refused.close();
  });

  it('supervisor and agent: queue and worker created, a REST task on the live dashboard, offered, accepted, completed', async () => {
    const supervisor = await openConsole();
    await supervisor.getByRole('link', { name: 'Support desk' }).click();
    await supervisor.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // A queue, its expression checked as it is typed.
    await supervisor.getByRole('link', { name: 'Queues' }).click();
    await supervisor.getByLabel('Name').fill('Billing');
    const expression = supervisor.getByLabel('Target workers expression');
    await expression.fill('skills HAS ');
    await supervisor.getByTestId('eligible').filter({ hasText: /./ }).waitFor();
    assert.doesNotMatch(await supervisor.getByTestId('eligible').innerText(), /eligible worker/, 'an incomplete expression is reported');
    assert.equal(await supervisor.getByRole('button', { name: 'Create queue' }).isDisabled(), true);
    await expression.fill('skills HAS "billing"');
    await supervisor.getByTestId('eligible').filter({ hasText: '0 eligible workers' }).waitFor();
    await supervisor.getByRole('button', { name: 'Create queue' }).click();
    await supervisor.getByRole('status').filter({ hasText: 'Queue Billing created' }).waitFor();
    assert.equal((await client.taskrouter.v1.workspaces(ws).taskQueues.list({ friendlyName: 'Billing' }))[0]?.targetWorkers, 'skills HAS "billing"');

    // A worker, its attributes checked as JSON as they are typed.
    await supervisor.getByRole('link', { name: 'Workers' }).click();
    await supervisor.getByRole('form', { name: 'New worker' }).getByLabel('Name').fill('alice');
    const attributes = supervisor.getByLabel('Attributes (JSON)');
    await attributes.fill('{"skills": ["billing"');
    await supervisor.locator('#attributes-problem').filter({ hasText: 'Not valid JSON' }).waitFor();
    await attributes.fill('{"skills": ["billing"]}');
    await supervisor.getByRole('button', { name: 'Create worker' }).click();
    await supervisor.getByRole('status').filter({ hasText: 'Worker alice created' }).waitFor();
    const alice = (await client.taskrouter.v1.workspaces(ws).workers.list({ friendlyName: 'alice' }))[0]!;
    assert.deepEqual(JSON.parse(alice.attributes), { skills: ['billing'] });

    // The live dashboard: a task created through REST shows as pending without a reload.
    await supervisor.getByRole('link', { name: 'Dashboard' }).click();
    await supervisor.getByText('Live').waitFor();
    const sample = supervisor.locator('tr[data-queue="Sample Queue"]');
    await sample.locator('td[data-status="pending"]').filter({ hasText: '0' }).waitFor();
    const task = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: JSON.stringify({ customer: 'ACME', topic: 'invoice' }) });
    await sample.locator('td[data-status="pending"]').filter({ hasText: '1' }).waitFor();
    assert.match(await sample.locator('td[data-workers]').innerText(), /0 \/ 1/, 'alice is eligible but not available');
    await supervisor.getByTestId('workspace-name').filter({ hasText: 'Support desk' }).waitFor();
    assert.ok(Number(await supervisor.getByTestId('event-count').innerText()) > 0, 'the update came from a live event');
    // The chart over time has a point per refresh, drawn on a canvas (uPlot).
    const chart = supervisor.getByRole('img', { name: /tasks waiting and average wait/ });
    assert.ok(Number(await chart.getAttribute('data-points')) >= 2, 'points before and after the task');
    assert.equal(await chart.locator('canvas').count(), 1);
    await supervisor.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });

    // The agent's desk in another tab: available, offered the task with a countdown, accepts, completes.
    const agent = await openConsole();
    await agent.goto(`${s.origin}/console#/${ws}/desk`);
    await agent.getByRole('link', { name: 'Open desk of alice' }).click();
    await agent.getByText('Connected').waitFor();
    await agent.getByLabel('Activity').selectOption({ label: 'Available' });
    const offer = agent.locator(`li.offer[data-task="${task.sid}"]`);
    await offer.waitFor();
    // The offer's attributes as fields, not a JSON string.
    assert.equal(await offer.locator('[data-attribute="customer"] dd').innerText(), 'ACME');
    assert.equal(await offer.locator('[data-attribute="topic"] dd').innerText(), 'invoice');
    assert.match(await offer.locator('.countdown').innerText(), /left to answer/);
    await agent.screenshot({ path: join(shots, 'desk.png'), fullPage: true });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await offer.getByTestId('offer-status').filter({ hasText: 'accepted' }).waitFor();
    assert.equal((await client.taskrouter.v1.workspaces(ws).tasks(task.sid).fetch()).assignmentStatus, 'assigned');
    await offer.getByRole('button', { name: 'Wrap up' }).click();
    await offer.getByTestId('offer-status').filter({ hasText: 'wrapping' }).waitFor();
    assert.equal((await client.taskrouter.v1.workspaces(ws).tasks(task.sid).fetch()).assignmentStatus, 'wrapping');
    await offer.getByRole('button', { name: 'Complete task' }).click();
    // A completed offer leaves the desk; the status line says so.
    await offer.waitFor({ state: 'detached' });
    assert.match(await agent.getByTestId('desk-ended').innerText(), new RegExp(`${task.sid} completed`));
    assert.equal((await client.taskrouter.v1.workspaces(ws).tasks(task.sid).fetch()).assignmentStatus, 'completed');

    // The dashboard followed, still without a reload; the task's timeline tells the story.
    await sample.locator('td[data-status="pending"]').filter({ hasText: '0' }).waitFor();
    await sample.locator('td[data-accepted]').filter({ hasText: '1' }).waitFor();
    await supervisor.goto(`${s.origin}/console#/${ws}/tasks/${task.sid}`);
    await supervisor.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor();
    const timeline = await supervisor.getByRole('list', { name: 'Event timeline' }).locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-event')));
    for (const e of ['task.created', 'reservation.created', 'reservation.accepted', 'task.completed']) assert.ok(timeline.includes(e), `${e} in ${timeline}`);
    assert.ok(timeline.indexOf('reservation.accepted') < timeline.indexOf('task.completed'));
    // Same-second events in the order they were logged, the task's creation first (TaskRouter logs the
    // workflow and queue entries just before task.created, in the same instant).
    assert.equal(timeline[0], 'task.created');
    assert.ok(timeline.indexOf('workflow.entered') > 0, `workflow.entered after task.created in ${timeline}`);
    const logged = (await s.request('GET', `/v1/Workspaces/${ws}/Events?TaskSid=${task.sid}&PageSize=1000`)).body.events.map((e: any) => e.event_type);
    assert.deepEqual(timeline.slice(1), logged.filter((t: string) => t !== 'task.created'));

    // Task search with the API's list filters: an expression over the attributes.
    const other = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: JSON.stringify({ customer: 'Initech' }) });
    await supervisor.goto(`${s.origin}/console#/${ws}/tasks`);
    await supervisor.locator(`a[href$="${other.sid}"]`).waitFor();
    await supervisor.getByLabel('Attributes matching').fill('customer == "ACME"');
    // The list refreshes live while the filter is being typed (a task created now): what was typed stays (a
    // controlled input put back to the applied filter at that re-render lost it, and the filter never applied).
    const third = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: JSON.stringify({ customer: 'Globex' }) });
    await supervisor.locator(`a[href$="${third.sid}"]`).waitFor();
    assert.equal(await supervisor.getByLabel('Attributes matching').inputValue(), 'customer == "ACME"');
    await supervisor.getByLabel('Attributes matching').press('Tab');
    await supervisor.locator(`a[href$="${other.sid}"]`).waitFor({ state: 'detached' });
    await supervisor.locator(`a[href$="${third.sid}"]`).waitFor({ state: 'detached' });
    await supervisor.locator(`a[href$="${task.sid}"]`).waitFor();
    for (const shot of ['dashboard.png', 'desk.png']) assert.ok(statSync(join(shots, shot)).size > 10_000, `${shot} saved`);
    assert.ok([...requested].some((p) => p === '/switchboard/v1/Tokens'));
    await agent.close();
    await supervisor.close();
  });

  it('workflow editor: JSON checked as typed, the server\'s validation shown, saved; the tester names the filter and queue a task hits', async () => {
    const tr = client.taskrouter.v1.workspaces(ws);
    const invoices = await tr.taskQueues.create({ friendlyName: 'Invoices', targetWorkers: '1 == 1' });
    const sample = (await tr.taskQueues.list({ friendlyName: 'Sample Queue' }))[0]!;
    const workflow = (await tr.workflows.list())[0]!;
    const page = await openConsole();
    await page.goto(`${s.origin}/console#/${ws}/workflows`);
    const editor = page.getByLabel('Configuration (JSON)');
    await page.waitForFunction(() => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes('task_routing'));

    await editor.fill('{ "task_routing": ');
    await page.locator('#configuration-problem').filter({ hasText: 'Not valid JSON' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save configuration' }).isDisabled(), true);

    // Valid JSON, invalid workflow: the API's own message, and nothing saved.
    await editor.fill(JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'broken', expression: 'topic ==', targets: [{ queue: invoices.sid }] }] } }));
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByRole('alert').filter({ hasText: /expression/i }).waitFor();
    assert.equal((await tr.workflows(workflow.sid).fetch()).configuration, workflow.configuration);

    const configuration = {
      task_routing: {
        filters: [{ filter_friendly_name: 'invoices', expression: 'topic == "invoice" AND amount > 100', targets: [{ queue: invoices.sid }] }],
        default_filter: { queue: sample.sid },
      },
    };
    await editor.fill(JSON.stringify(configuration, null, 2));
    const tester = page.getByLabel('Task attributes (JSON)');
    const result = page.getByTestId('routing-result');
    await tester.fill('{"topic": "invoice", "amount": 250}');
    await result.filter({ hasText: 'invoices → Invoices' }).waitFor();
    await tester.fill('{"topic": "invoice", "amount": 20}');
    await result.filter({ hasText: 'default filter → Sample Queue' }).waitFor();
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByRole('status').filter({ hasText: 'Configuration saved' }).waitFor();
    assert.deepEqual(JSON.parse((await tr.workflows(workflow.sid).fetch()).configuration).task_routing.filters[0].expression, 'topic == "invoice" AND amount > 100');
    // And routing agrees with the tester.
    const routed = await tr.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ topic: 'invoice', amount: 250 }) });
    assert.equal(routed.taskQueueFriendlyName, 'Invoices');
    await page.close();
  });

  it('activities and task channels are added through their forms; the events page lists what happened, live', async () => {
    const page = await openConsole();
    await page.goto(`${s.origin}/console#/${ws}/activities`);
    const activityForm = page.getByRole('form', { name: 'New activity' });
    await activityForm.getByLabel('Name').fill('Lunch');
    await activityForm.getByRole('button', { name: 'Create activity' }).click();
    await page.getByRole('status').filter({ hasText: 'Activity created' }).waitFor();
    const lunch = (await client.taskrouter.v1.workspaces(ws).activities.list({ friendlyName: 'Lunch' }))[0]!;
    assert.equal(lunch.available, false);
    const channelForm = page.getByRole('form', { name: 'New task channel' });
    await channelForm.getByLabel('Name', { exact: true }).fill('WhatsApp');
    await channelForm.getByLabel('Unique name').fill('whatsapp');
    await channelForm.getByRole('button', { name: 'Create task channel' }).click();
    await page.getByRole('status').filter({ hasText: 'Task channel created' }).waitFor();
    assert.equal((await client.taskrouter.v1.workspaces(ws).taskChannels('whatsapp').fetch()).friendlyName, 'WhatsApp');
    // A refused one (the unique name is taken): the API's message, nothing added.
    await channelForm.getByLabel('Name', { exact: true }).fill('WhatsApp again');
    await channelForm.getByLabel('Unique name').fill('whatsapp');
    await channelForm.getByRole('button', { name: 'Create task channel' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal((await client.taskrouter.v1.workspaces(ws).taskChannels.list()).filter((c) => c.uniqueName === 'whatsapp').length, 1);

    await page.goto(`${s.origin}/console#/${ws}/events`);
    // Events in log order, paged: Latest goes to the last page, where the newest are.
    const latest = async () => {
      await page.locator('tr[data-event]').first().waitFor();
      if (await page.getByRole('button', { name: 'Latest' }).isEnabled()) await page.getByRole('button', { name: 'Latest' }).click();
    };
    await latest();
    await page.locator('tr[data-event="activity.created"]').first().waitFor();
    // Live: an event made through REST appears without a reload.
    await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'bob' });
    await page.getByTestId('pager').filter({ hasText: /more on the next page|Events \d+–\d+/ }).first().waitFor();
    await latest();
    await page.locator('tr[data-event="worker.created"]').filter({ hasText: /WK/ }).first().waitFor();
    await page.close();
  });

  it('Opsflow board: tasks in columns by status type, moved by drag and drop and by keyboard, with the SLA fields following', async () => {
    const ops = async (verb: string, body: unknown) => {
      const r = await s.request('POST', `/opsflow/v1/${verb}`, { json: body });
      assert.equal(r.status, 200, `${verb}: ${r.text}`);
      return r.body;
    };
    const category = await ops('task-category/create', {
      name: 'Incidents',
      status_options: { TODO: [{ status_id: 'open', name: 'Open' }], IN_PROGRESS: [{ status_id: 'triage', name: 'Triage' }, { status_id: 'fixing', name: 'Fixing', is_default: true }], COMPLETED: [{ status_id: 'closed', name: 'Closed' }] },
    });
    const type = await ops('task-type/create', { name: 'Incident', category_id: category.category_id });
    const lag = await ops('task/create', { name: 'Replica lag', status_id: 'open', project_id: '*', task_type_id: type.task_type_id });
    const disk = await ops('task/create', { name: 'Disk full', status_id: 'open', project_id: '*', task_type_id: type.task_type_id });

    const page = await openConsole();
    await page.getByRole('link', { name: 'Opsflow board' }).click();
    const column = (name: string) => page.getByRole('region', { name });
    await column('To do').locator(`article[data-task="${lag.task_id}"]`).waitFor();
    assert.equal(await column('To do').locator('article').count(), 2);

    // Drag a card to "In progress": it takes that column's default status, and starts its SLA clock.
    await column('To do').locator(`article[data-task="${disk.task_id}"]`).dragTo(column('In progress'));
    await column('In progress').locator(`article[data-task="${disk.task_id}"]`).waitFor();
    const started = await ops('task/get', { task_id: disk.task_id });
    assert.deepEqual([started.status_type, started.status_id], ['IN_PROGRESS', 'fixing']);
    assert.ok(started.started_at);

    // The keyboard way: the card's "Move to" menu.
    await page.getByLabel('Move Replica lag to').selectOption({ label: 'Completed' });
    await column('Completed').locator(`article[data-task="${lag.task_id}"]`).waitFor();
    const closed = await ops('task/get', { task_id: lag.task_id });
    assert.deepEqual([closed.status_type, closed.status_id], ['COMPLETED', 'closed']);
    assert.ok(closed.completed_at);
    await page.screenshot({ path: join(shots, 'opsflow-board.png'), fullPage: true });
    await page.close();
  });

  it("the lists a page's filters offer say why when they cannot be read", async () => {
    const page = await openConsole();
    const unavailable = (route: Route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 20503, message: 'the server is stopping (Retry-After: 1)', status: 503 }) });
    await page.route(/\/TaskQueues\?PageSize=1000/, unavailable);
    await page.route(/\/Activities\?PageSize=100$/, unavailable);
    await page.goto(`${s.origin}/console#/${ws}/tasks`);
    await page.getByRole('alert').filter({ hasText: /^The queues to filter by could not be read: the server is stopping/ }).waitFor();
    await page.goto(`${s.origin}/console#/${ws}/workers`);
    await page.getByRole('alert').filter({ hasText: /^The activities could not be read: the server is stopping/ }).waitFor();
    await page.close();
  });

  it("a worker's channels that fail to load say why in the table", async () => {
    await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'dave' });
    const page = await openConsole();
    await page.goto(`${s.origin}/console#/${ws}/workers`);
    await page.route(/\/Workers\/[^/]+\/Channels\?/, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 20503, message: 'the server is stopping (Retry-After: 1)', status: 503 }) }),
    );
    await page.locator('tr[data-worker="dave"]').getByRole('button', { name: 'Channels' }).click();
    const alert = page.getByRole('table', { name: 'Channels of dave' }).getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /the server is stopping/);
    await page.close();
  });

  it("a worker's channels: capacity and availability changed in place", async () => {
    const carol = await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: 'carol' });
    const page = await openConsole();
    await page.goto(`${s.origin}/console#/${ws}/workers`);
    const row = page.locator('tr[data-worker="carol"]');
    await row.getByRole('button', { name: 'Channels' }).click();
    const capacity = page.getByLabel('Capacity of carol on chat');
    await capacity.waitFor();
    // The table's reloads are held back here (answered with what the server said when they were asked), so that the
    // reload after the capacity change lands while the availability change is out: it carries the old
    // availability and must not put the tick back under the user's click (CI once saw exactly that).
    const held: Array<() => Promise<void>> = [];
    const holdReloads = async (route: Route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      held.push(() => route.fulfill({ response }));
    };
    const channelLists = /\/Workers\/[^/]+\/Channels\?/;
    await page.route(channelLists, holdReloads);
    const heldCount = async (n: number) => {
      await eventually(async () => (held.length >= n ? true : undefined), `${n} reloads of the channels held`, 2000);
      assert.equal(held.length, n);
    };
    await capacity.fill('3');
    await capacity.press('Tab');
    await heldCount(1);
    const voiceAvailable = page.getByLabel('carol available on voice');
    await voiceAvailable.uncheck();
    await heldCount(2);
    await held[0]!();
    await page.evaluate(() => new Promise((r) => setTimeout(r, 150)));
    assert.equal(await voiceAvailable.isChecked(), false, 'a reload from before the change does not undo it');
    await held[1]!();
    await page.unroute(channelLists, holdReloads);
    const channels = client.taskrouter.v1.workspaces(ws).workers(carol.sid).workerChannels;
    const byName = async () => Object.fromEntries((await channels.list()).map((c) => [c.taskChannelUniqueName, c]));
    for (let i = 0; i < 50; i++) {
      const c = await byName();
      if (c.chat?.configuredCapacity === 3 && c.voice?.available === false) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const c = await byName();
    assert.equal(c.chat!.configuredCapacity, 3);
    assert.equal(c.voice!.available, false);
    // A refused value: the API's message in the table, nothing changed.
    await capacity.fill('-1');
    await capacity.press('Tab');
    await page.getByRole('alert').waitFor();
    assert.equal((await byName()).chat!.configuredCapacity, 3);
    // Attributes as fields; the editor opens on demand (invalid JSON blocks saving, valid JSON is saved).
    assert.equal(await page.locator('tbody textarea').count(), 0, 'no editor open in the list before one is asked for');
    await row.getByRole('button', { name: 'Edit attributes of carol' }).click();
    const editor = row.getByLabel('Attributes of carol');
    await editor.fill('{"skills": [');
    assert.equal(await row.getByRole('button', { name: 'Save attributes' }).isDisabled(), true);
    await editor.fill('{"skills": ["chat"]}');
    await row.getByRole('button', { name: 'Save attributes' }).click();
    for (let i = 0; i < 50 && (await client.taskrouter.v1.workspaces(ws).workers(carol.sid).fetch()).attributes === '{}'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(JSON.parse((await client.taskrouter.v1.workspaces(ws).workers(carol.sid).fetch()).attributes), { skills: ['chat'] });
    await page.close();
  });

  it('Workflow face: a task definition drawn as a state diagram, its tasks, and a task\'s history', async () => {
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('support', 'tickets'));
    const created = await ok(s, 'POST', '/api/tasks?trigger=start', { taskDefinitionId: { scope: 'support', code: 'tickets' }, fields: [{ name: 'clientId', value: 'C-42' }] });
    assert.equal(created.state, 'InProgress');
    const page = await openConsole();
    await page.getByRole('link', { name: 'Task definitions' }).click();
    const diagram = page.getByRole('img', { name: /State diagram of support\/tickets/ });
    await diagram.waitFor();
    assert.deepEqual(await diagram.locator('g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state'))), ['Pending', 'InProgress', 'Done'], 'states in the order the initial state reaches them');
    assert.equal(await diagram.locator('g.transition').count(), 2);
    assert.deepEqual(await page.getByRole('list', { name: 'Transitions' }).locator('li').allInnerTexts(), ['Pending → InProgress on start', 'InProgress → Done on finish']);
    const row = page.locator(`tr[data-wftask="${created.id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /InProgress/);
    await row.getByRole('button', { name: 'Open task' }).click();
    const history = page.getByRole('list', { name: 'Task history' });
    await history.locator('li[data-attribute="state"]').filter({ hasText: 'InProgress' }).first().waitFor();
    await page.screenshot({ path: join(shots, 'task-definition.png'), fullPage: true });
    await page.close();
  });

  it('Workflow face: a definition created in the form (states, fields, a guarded transition) with its diagram previewed as typed, then edited; a task created and its triggers run, a failing guard refused', async () => {
    const page = await openConsole();
    await page.goto(`${s.origin}/console#/${ws}/definitions`);
    // The account's pages keep the workspace's menu and name.
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor();
    await page.getByTestId('workspace-name').filter({ hasText: 'Support desk' }).waitFor();
    await page.getByRole('button', { name: 'New task definition' }).click();
    const form = page.getByRole('form', { name: 'New task definition' });
    await form.getByLabel('Scope').fill('finance');
    await form.getByLabel('Code').fill('refunds');
    await form.getByLabel('Display name').fill('Refunds');
    // States Open -> Done become Requested -> Approved -> Paid; renaming a state renames it in the transition.
    await form.getByLabel('State 1 name').fill('Requested');
    await form.getByLabel('State 2 name').fill('Approved');
    await form.getByRole('button', { name: 'Add state' }).click();
    await form.getByLabel('State 3 name').fill('Paid');
    const preview = form.getByRole('img', { name: 'Preview of Refunds' });
    assert.deepEqual(await preview.locator('g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state'))), ['Requested', 'Approved', 'Paid']);
    await form.getByRole('button', { name: 'Add field' }).click();
    await form.getByLabel('Field 1 name').fill('amount');
    await form.getByLabel('Field 1 type').selectOption('Decimal');
    await form.getByLabel('required at creation').check();
    await form.getByLabel('Trigger 1 name').fill('approve');
    await form.getByRole('button', { name: 'Add trigger' }).click();
    await form.getByLabel('Trigger 2 name').fill('pay');
    await form.getByLabel('Transition 1 guard').fill("fields['amount'] lt 1000");
    await form.getByRole('button', { name: 'Add transition' }).click();
    await form.getByLabel('Transition 2 from').selectOption('Approved');
    await form.getByLabel('Transition 2 to').selectOption('Paid');
    await form.getByLabel('Transition 2 trigger').selectOption('pay');
    assert.equal(await preview.locator('g.transition').count(), 2, 'the preview follows the form');
    await form.getByRole('button', { name: 'Create definition' }).click();
    await form.waitFor({ state: 'detached' });
    const saved = await ok(s, 'GET', '/api/taskdefinitions/finance/refunds');
    assert.deepEqual(saved.states.map((x: any) => x.name), ['Requested', 'Approved', 'Paid']);
    assert.deepEqual(saved.initialState, { name: 'Requested', requiredFields: ['amount'] });
    assert.deepEqual(saved.transitions.map((t: any) => [t.fromState, t.toState, t.trigger, t.guard ?? null]), [
      ['Requested', 'Approved', 'approve', "fields['amount'] lt 1000"],
      ['Approved', 'Paid', 'pay', null],
    ]);
    await page.getByRole('img', { name: 'State diagram of Refunds' }).waitFor();

    // A task: created with its required field, a guard that does not hold is refused, then it does.
    const newTask = page.getByRole('form', { name: 'New task' });
    await newTask.getByLabel('amount (required)').fill('5000');
    await newTask.getByRole('button', { name: 'Create task' }).click();
    const panel = page.getByRole('region', { name: /^Task / });
    await panel.getByTestId('wftask-state').filter({ hasText: 'Requested' }).waitFor();
    await panel.getByRole('button', { name: 'Run approve → Approved' }).click();
    await page.getByRole('alert').filter({ hasText: /guard|amount/i }).waitFor();
    assert.equal(await panel.getByTestId('wftask-state').innerText(), 'Requested', 'a refused trigger changes nothing');
    await panel.getByLabel('amount').fill('250');
    await panel.getByRole('button', { name: 'Run approve → Approved' }).click();
    await panel.getByTestId('wftask-state').filter({ hasText: 'Approved' }).waitFor();
    await panel.getByRole('button', { name: 'Run pay → Paid' }).click();
    await panel.getByTestId('wftask-state').filter({ hasText: 'Paid' }).waitFor();
    const tasks = await ok(s, 'GET', '/api/taskdefinitions/finance/refunds/tasks');
    assert.deepEqual(tasks.values.map((t: any) => [t.state, t.fields.find((f: any) => f.name === 'amount')?.value]), [['Paid', 250]]);

    // A task that cannot be read back: its panel says why instead of staying empty.
    const unreadable = /\/api\/tasks\/[^/?]+$/;
    await page.route(unreadable, (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ title: 'Internal Server Error', status: 500, detail: 'the database did not answer' }) })
        : route.continue(),
    );
    await newTask.getByLabel('amount (required)').fill('10');
    await newTask.getByRole('button', { name: 'Create task' }).click();
    const failed = page.getByRole('region', { name: /^Task / }).getByRole('alert');
    await failed.waitFor();
    assert.match((await failed.textContent()) ?? '', /^The task could not be read: the database did not answer/);
    await page.unroute(unreadable);

    // Edited: a state added in the form is saved as a new version.
    await page.getByRole('button', { name: 'Edit definition' }).click();
    const edit = page.getByRole('form', { name: 'Edit finance/refunds' });
    await edit.getByRole('button', { name: 'Add state' }).click();
    await edit.getByLabel('State 4 name').fill('Rejected');
    await edit.getByRole('button', { name: 'Save definition' }).click();
    await edit.waitFor({ state: 'detached' });
    assert.deepEqual((await ok(s, 'GET', '/api/taskdefinitions/finance/refunds')).states.map((x: any) => x.name), ['Requested', 'Approved', 'Paid', 'Rejected']);
    await page.close();
  });

  it('Opsflow board: a task created, edited and commented; cards name their status; counts beside the column titles', async () => {
    const category = await ok(s, 'POST', '/opsflow/v1/task-category/create', {
      name: 'Changes',
      status_options: { TODO: [{ status_id: 'proposed', name: 'Proposed' }], IN_PROGRESS: [{ status_id: 'rolling', name: 'Rolling out', is_default: true }], COMPLETED: [{ status_id: 'done', name: 'Done' }] },
    });
    await ok(s, 'POST', '/opsflow/v1/task-type/create', { name: 'Change', category_id: category.category_id, assignee_pool: ['ana', 'ben'] });
    const page = await openConsole();
    await page.goto(`${s.origin}/console#/${ws}/opsflow`);
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor();
    await page.getByLabel('Category').selectOption({ label: 'Changes' });
    await page.getByRole('button', { name: 'New task' }).click();
    const form = page.getByRole('form', { name: 'New Opsflow task' });
    await form.getByLabel('Name').fill('Upgrade PostgreSQL');
    await form.getByLabel('Priority').selectOption('HIGH');
    await form.getByLabel('Assignee').selectOption('ana');
    await form.getByRole('button', { name: 'Create task' }).click();
    const card = page.getByRole('region', { name: 'To do' }).getByRole('article', { name: 'Upgrade PostgreSQL' });
    await card.waitFor();
    assert.equal(await card.getByTestId('status-name').innerText(), 'Proposed', 'the status by name, not its id');
    const [created] = (await ok(s, 'POST', '/opsflow/v1/task/list', { category_id: category.category_id })).results;
    assert.deepEqual([created.name, created.priority, created.assignee, created.status_id], ['Upgrade PostgreSQL', 'HIGH', 'ana', 'proposed']);

    // Edited in its panel (name, assignee, status) and commented.
    const panel = page.getByRole('region', { name: 'Task Upgrade PostgreSQL' });
    await panel.getByLabel('Name').fill('Upgrade PostgreSQL to 16');
    await panel.getByLabel('Assignee').selectOption('ben');
    await panel.getByLabel('Status').selectOption({ label: 'Rolling out' });
    await panel.getByRole('button', { name: 'Save task' }).click();
    await page.getByRole('region', { name: 'In progress' }).getByRole('article', { name: 'Upgrade PostgreSQL to 16' }).waitFor();
    const edited = await ok(s, 'POST', '/opsflow/v1/task/get', { task_id: created.task_id });
    assert.deepEqual([edited.name, edited.assignee, edited.status_id, edited.status_type], ['Upgrade PostgreSQL to 16', 'ben', 'rolling', 'IN_PROGRESS']);
    const commentPanel = page.getByRole('region', { name: 'Task Upgrade PostgreSQL to 16' });
    await commentPanel.getByRole('textbox', { name: 'Comment' }).fill('Replica first, then the primary.');
    await commentPanel.getByRole('button', { name: 'Add comment' }).click();
    await commentPanel.getByRole('list', { name: 'Comments' }).getByText('Replica first, then the primary.').waitFor();
    const comments = await ok(s, 'POST', '/opsflow/v1/comment/list', { task_id: created.task_id });
    assert.deepEqual(comments.results.map((c: any) => c.comment), ['Replica first, then the primary.']);

    // A task that cannot be read: the panel says why instead of staying empty.
    await commentPanel.getByRole('button', { name: 'Close' }).click();
    await page.route('**/opsflow/v1/task/get', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ detail: { code: 'ERROR_DB_QUERY', message: 'the database did not answer' } }) }),
    );
    await page.getByRole('region', { name: 'In progress' }).getByRole('button', { name: 'Upgrade PostgreSQL to 16' }).click();
    const failed = page.getByRole('region', { name: 'Task', exact: true }).getByRole('alert');
    await failed.waitFor();
    assert.match((await failed.textContent()) ?? '', /the database did not answer/);
    await page.unroute('**/opsflow/v1/task/get');

    // Each column's count sits beside its title, not over it.
    for (const name of ['To do', 'In progress', 'Completed']) {
      const column = page.getByRole('region', { name });
      const title = await column.getByRole('heading', { level: 2 }).boundingBox();
      const count = await column.locator('.count').boundingBox();
      assert.ok(title && count && (count.x >= title.x + title.width || count.y >= title.y + title.height), `${name}: the count does not overlap the title`);
    }
    await page.close();
  });

  it('an agent signs in with the worker token their supervisor issued: their own desk only, and the token can do only what a worker may', async () => {
    const tr = client.taskrouter.v1.workspaces(ws);
    // Nothing else waits and nobody else takes tasks, so the task below is offered to dana.
    for (const t of await tr.tasks.list({ assignmentStatus: ['pending', 'reserved'] })) await tr.tasks(t.sid).update({ assignmentStatus: 'canceled', reason: 'clearing the queue' });
    const offline = (await tr.activities.list({ friendlyName: 'Offline' }))[0]!;
    for (const w of await tr.workers.list()) await tr.workers(w.sid).update({ activitySid: offline.sid });
    await tr.workers.create({ friendlyName: 'dana', attributes: JSON.stringify({ skills: ['billing'] }) });
    const supervisor = await openConsole();
    await supervisor.goto(`${s.origin}/console#/${ws}/workers`);
    await supervisor.getByLabel('Name contains').fill('dana');
    const row = supervisor.locator('tr[data-worker="dana"]');
    await row.getByRole('button', { name: 'Sign-in' }).click();
    await row.getByRole('button', { name: 'Issue sign-in token' }).click();
    const token = await row.getByLabel(/Sign-in token of dana/).inputValue();
    assert.match(token, /^ey/);
    await supervisor.close();

    const agent = await open(browser, s.origin, { workerToken: token }, { requested });
    pages.push(agent);
    await agent.getByRole('heading', { name: 'Desk of dana' }).waitFor();
    await agent.getByText('Connected').waitFor();
    assert.equal(await agent.getByRole('navigation', { name: 'Workspace' }).count(), 0, 'no supervisor menu');
    await agent.getByLabel('Activity').selectOption({ label: 'Available' });
    const task = await tr.tasks.create({ attributes: JSON.stringify({ customer: 'Globex' }) });
    const offer = agent.locator(`li.offer[data-task="${task.sid}"]`);
    await offer.waitFor();
    assert.equal(await offer.locator('[data-attribute="customer"] dd').innerText(), 'Globex');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await offer.getByTestId('offer-status').filter({ hasText: 'accepted' }).waitFor();
    await offer.getByRole('button', { name: 'Complete task' }).click();
    await offer.waitFor({ state: 'detached' });
    assert.equal((await tr.tasks(task.sid).fetch()).assignmentStatus, 'completed');
    // The same token, used as the console uses it, may not do what only a supervisor may.
    const asAgent = (method: string, path: string, body?: string) =>
      fetch(`${s.origin}${path}`, { method, headers: { 'x-twilio-token': token, 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal((await asAgent('POST', `/v1/Workspaces/${ws}/Tasks`, 'Attributes=%7B%7D')).status, 403, 'no task creation');
    assert.equal((await asAgent('GET', `/v1/Workspaces/${ws}/Workers`)).status, 403, 'no list of the other workers');
    const carol = (await tr.workers.list({ friendlyName: 'carol' }))[0]!;
    assert.equal((await asAgent('POST', `/v1/Workspaces/${ws}/Workers/${carol.sid}`, `ActivitySid=${offline.sid}`)).status, 403, "no changing another worker's activity");
    assert.equal((await asAgent('GET', '/api/tasks')).status, 401, 'no Workflow face');
    assert.equal((await asAgent('POST', '/switchboard/v1/Tokens', `WorkspaceSid=${ws}&Role=admin`)).status, 401, 'no minting a supervisor token');
    // Signing out forgets the token.
    await agent.getByRole('button', { name: 'Sign out' }).click();
    await agent.getByLabel('Sign-in token from your supervisor').waitFor();
    assert.equal(await agent.evaluate(() => sessionStorage.length), 0);
  });

  it('every request the console pages made (all the tests above) is one any application can make', () => {
    assert.ok(requested.size > 10);
    const private_ = [...requested].filter((p) => !PUBLIC.some((re) => re.test(p)));
    assert.deepEqual(private_, [], 'the console uses only public endpoints');
  });

  it('under its Content-Security-Policy no page of the tests above was refused anything, and it sends the usual security headers', async () => {
    assert.ok(pages.length >= 8);
    for (const page of pages) assert.deepEqual(problemsOf(page), [], `no page error or CSP refusal on ${page.url()}`);
    const res = await fetch(`${s.origin}/console`);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(res.headers.get('strict-transport-security'));
    // The page itself has no inline script or style for the policy to refuse.
    assert.doesNotMatch(await res.text(), /<style|<script>|style=/);
    // The API faces are not the console: no page policy on a JSON response.
    assert.equal((await fetch(`${s.origin}/healthz`)).headers.get('content-security-policy'), null);
  });
});

