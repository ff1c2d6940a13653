// The console as a supervisor uses it all day, in Chromium: one workspace with 150 workers and 250 tasks, and
// more queues, activities, task channels, workspaces, task definitions, Workflow tasks and Opsflow tasks than
// one page holds. Every list reaches every item, page by page, in the order its caption claims, and says when
// more exist; attributes are fields (no editor open per row, nothing broken mid-word); the chart with one point
// spans a minute, not years.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.ts';
import { ok } from '../support/workflowFace.ts';
import { launchChromium, openConsole, problemsOf, skipWithoutChromium } from '../support/consoleBrowser.ts';

const WORKERS = 150;
const TASKS = 250;
const EXTRA = 55; // queues, activities, workspaces: more than a page of 50
const CHANNELS = 10; // with the 5 defaults, TaskRouter's most
const DEFINITIONS = 25; // more than a page of 20
const WORKFLOW_TASKS = 25;
const OPS_TASKS = 25;

/** Runs `make(i)` for i in [0, n), a few at a time. */
async function each(n: number, make: (i: number) => Promise<unknown>, parallel = 8): Promise<void> {
  for (let i = 0; i < n; i += parallel) await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, j) => make(i + j)));
}

/** A deterministic shuffle, so creation order differs from name order. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Reads a list page by page with its Next button until the last page; returns every row's value. */
async function walk(page: Page, pagerName: string, read: () => Promise<string[]>): Promise<string[]> {
  const pager = page.getByRole('navigation', { name: `${pagerName} pages` });
  await pager.waitFor();
  const all: string[] = [];
  for (let i = 0; i < 500; i++) {
    const where = await pager.getByTestId('pager').innerText();
    all.push(...(await read()));
    const next = pager.getByRole('button', { name: 'Next' });
    if (await next.isDisabled()) {
      assert.doesNotMatch(where, /more on the next page/, 'the last page says nothing more exists');
      return all;
    }
    assert.match(where, /more on the next page/, `page ${i + 1} says more exist`);
    await next.click();
    await pager.getByTestId('pager').filter({ hasNotText: where }).waitFor();
  }
  throw new Error('more than 500 pages');
}

const shots = join(tmpdir(), 'switchboard-console');
const attr = (rows: Locator, name: string) => rows.evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ''), name);

describe('console for a full day: 150 workers, 250 tasks, every list reaching every item', { skip: skipWithoutChromium }, () => {
  let s: TestServer;
  let browser: Browser;
  let ws: string;
  const workerNames: string[] = [];
  const taskSids: string[] = []; // in creation order
  const queueNames: string[] = [];
  const pages: Page[] = [];
  const form = (path: string, body: Record<string, string | number>) => s.request('POST', path, { form: body }).then((r) => {
    assert.ok(r.status < 300, `${path}: ${r.status} ${r.text}`);
    return r.body;
  });
  const supervisor = async (hash: string, options: { colorScheme?: 'light' | 'dark' } = {}) => {
    const page = await openConsole(browser, s.origin, s, options);
    pages.push(page);
    await page.goto(`${s.origin}/console#/${ws}/${hash}`);
    return page;
  };

  before(async () => {
    s = await startServer();
    ws = (await form('/v1/Workspaces', { FriendlyName: 'Contact centre', Template: 'FIFO' })).sid;
    const base = `/v1/Workspaces/${ws}`;
    for (let i = 1; i <= WORKERS; i++) workerNames.push(`agent-${String(i).padStart(3, '0')}`);
    // Workers created out of name order, with attributes a supervisor reads: skills, languages, a long note.
    await each(WORKERS, (i) => {
      const name = shuffled(workerNames)[i]!;
      const attributes = { skills: ['billing', 'technical', 'sales'].slice(0, 1 + (i % 3)), languages: i % 2 ? ['en', 'es'] : ['en'], team: { name: `Team ${i % 5}`, floor: 2 }, notes: 'Prefers escalations about international invoicing and reconciliation' };
      return form(`${base}/Workers`, { FriendlyName: name, Attributes: JSON.stringify(attributes) });
    });
    // Tasks one after another, so creation order is known; all wait (every worker is offline).
    for (let i = 0; i < TASKS; i++) {
      const t = await form(`${base}/Tasks`, { Attributes: JSON.stringify({ n: i, customer: `Customer ${i}`, summary: 'Refund for a duplicated international transfer charged twice in March', language: i % 2 ? 'es' : 'en' }) });
      taskSids.push(t.sid);
    }
    await each(EXTRA, (i) => form(`${base}/TaskQueues`, { FriendlyName: `Queue ${String(i).padStart(2, '0')}`, TargetWorkers: `languages HAS "${i % 2 ? 'es' : 'en'}"` }));
    await each(EXTRA, (i) => form(`${base}/Activities`, { FriendlyName: `Activity ${String(i).padStart(2, '0')}`, Available: 'false' }));
    // TaskRouter allows 15 task channels per workspace: all of them fit one page.
    await each(CHANNELS, (i) => form(`${base}/TaskChannels`, { FriendlyName: `Channel ${i}`, UniqueName: `channel_${i}` }));
    await each(EXTRA, (i) => form('/v1/Workspaces', { FriendlyName: `Workspace ${String(i).padStart(2, '0')}` }));
    queueNames.push('Sample Queue', ...Array.from({ length: EXTRA }, (_, i) => `Queue ${String(i).padStart(2, '0')}`));
    // The Workflow face: definitions, and tasks of one of them one after another.
    await each(DEFINITIONS, (i) =>
      ok(s, 'POST', '/api/taskdefinitions', {
        id: { scope: 'day', code: `def-${String(i).padStart(2, '0')}` },
        displayName: `Definition ${String(i).padStart(2, '0')}`,
        states: [{ name: 'Open' }, { name: 'Done' }],
        fieldSchema: [{ name: 'n', type: 'Decimal' }],
        initialState: { name: 'Open' },
        triggers: [{ name: 'close' }],
        transitions: [{ fromState: 'Open', toState: 'Done', trigger: 'close' }],
      }),
    );
    for (let i = 0; i < WORKFLOW_TASKS; i++) await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'day', code: 'def-00' }, fields: [{ name: 'n', value: i }] });
    // Opsflow: one column with more tasks than a page.
    const category = await ok(s, 'POST', '/opsflow/v1/task-category/create', { name: 'Follow-ups', status_options: { TODO: [{ status_id: 'new', name: 'New' }], IN_PROGRESS: [{ status_id: 'working', name: 'Working' }], COMPLETED: [{ status_id: 'closed', name: 'Closed' }] } });
    const type = await ok(s, 'POST', '/opsflow/v1/task-type/create', { name: 'Follow-up', category_id: category.category_id });
    for (let i = 0; i < OPS_TASKS; i++) await ok(s, 'POST', '/opsflow/v1/task/create', { name: `Follow-up ${String(i).padStart(2, '0')}`, status_id: 'new', project_id: '*', task_type_id: type.task_type_id });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('Workers: every worker reached by name, page by page; a name search; attributes as fields, no editor open per row', async () => {
    const page = await supervisor('workers');
    await page.locator('tr[data-worker]').first().waitFor();
    const rows = page.locator('tr[data-worker]');
    await page.screenshot({ path: join(shots, 'workers-150.png'), fullPage: true });
    const seen = await walk(page, 'Workers', () => attr(rows, 'data-worker'));
    assert.deepEqual(seen, [...workerNames].sort(), 'all 150, in name order as the caption says');
    assert.equal(await page.locator('caption').filter({ hasText: 'Workers by name' }).count(), 1);
    // A page of 50 workers is a readable height: fields, and no editor until one is asked for.
    assert.equal(await page.locator('tbody textarea').count(), 0);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 6000, `the Workers page is ${height} px tall`);
    const first = rows.first();
    assert.deepEqual(await first.locator('[data-attribute="skills"] .chip').allInnerTexts().then((x) => x.length > 0), true);
    assert.equal(await first.locator('[data-attribute="team.floor"] dd').innerText(), '2');
    // A search by name reaches a worker on any page.
    await page.getByLabel('Name contains').fill('agent-149');
    await page.locator('tr[data-worker]').filter({ hasText: 'agent-149' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tr[data-worker]').length === 1);
    await page.close();
  });

  it("the desk's worker picker reaches every worker too, and opens the last one's desk", async () => {
    const page = await supervisor('desk');
    const items = page.getByRole('list', { name: 'Workers' }).locator('li[data-worker]');
    await items.first().waitFor();
    assert.deepEqual(await walk(page, 'Workers', () => attr(items, 'data-worker')), [...workerNames].sort());
    await page.getByLabel('Worker name contains').fill('150');
    await page.getByRole('link', { name: 'Open desk of agent-150' }).click();
    await page.getByRole('heading', { name: 'Desk of agent-150' }).waitFor();
    await page.close();
  });

  it('Tasks: newest first as the caption says, all 250 reached, "more" said while more exist; attributes as fields, not broken mid-word', async () => {
    const page = await supervisor('tasks');
    const rows = page.locator('tr[data-task]');
    await rows.first().waitFor();
    assert.equal(await page.locator('caption').innerText(), 'Tasks, newest first');
    assert.equal(await rows.first().getAttribute('data-task'), taskSids.at(-1), 'the newest task first');
    await page.screenshot({ path: join(shots, 'tasks-250.png') });
    const seen = await walk(page, 'Tasks', () => attr(rows, 'data-task'));
    assert.deepEqual(seen, [...taskSids].reverse(), 'every task, newest first');
    // Attributes are fields; a long value wraps between words, never inside one.
    const summary = page.locator('tr[data-task] [data-attribute="summary"] dd').first();
    assert.equal(await summary.innerText(), 'Refund for a duplicated international transfer charged twice in March');
    const style = await summary.evaluate((el) => ({ wordBreak: getComputedStyle(el).wordBreak, overflowWrap: getComputedStyle(el).overflowWrap }));
    assert.equal(style.wordBreak, 'normal');
    assert.notEqual(style.overflowWrap, 'anywhere');
    assert.equal(await page.locator('td.attributes code').count(), 0, 'no raw JSON');
    // Oldest first is offered too, and then it lists the oldest first.
    await page.getByLabel('Order').selectOption({ label: 'oldest first' });
    await page.locator('caption').filter({ hasText: 'Tasks, oldest first' }).waitFor();
    await page.waitForFunction((sid) => document.querySelector('tr[data-task]')?.getAttribute('data-task') === sid, taskSids[0]);
    await page.close();
  });

  it('Queues, the dashboard\'s queue table, activities, task channels, workspaces: every item, in the order each claims', async () => {
    const queues = await supervisor('queues');
    const qRows = queues.locator('tbody tr th');
    await qRows.first().waitFor();
    assert.deepEqual(await walk(queues, 'Queues', () => qRows.allInnerTexts()), [...queueNames].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    await queues.close();

    const dashboard = await supervisor('dashboard');
    const chart = dashboard.getByRole('img', { name: /tasks waiting and average wait/ });
    // The chart with its first point spans a minute ending at that point, not years.
    await dashboard.waitForFunction(() => {
      const el = document.querySelector('.chart') as HTMLElement | null;
      return el?.dataset.points === '1' && el.dataset.to !== undefined && el.dataset.to !== '';
    });
    const span = await chart.evaluate((el) => [Number((el as HTMLElement).dataset.from), Number((el as HTMLElement).dataset.to)]);
    assert.ok(span[1]! - span[0]! >= 59 && span[1]! - span[0]! <= 61, `one point: a one-minute axis, got ${span[1]! - span[0]!} s`);
    assert.ok(Math.abs(span[1]! - Date.now() / 1000) < 120, 'ending now');
    await dashboard.getByTestId('workspace-name').filter({ hasText: 'Contact centre' }).waitFor();
    const dRows = dashboard.locator('tr[data-queue]');
    await dRows.first().waitFor();
    assert.deepEqual(await walk(dashboard, 'Queues', () => attr(dRows, 'data-queue')), [...queueNames].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    await dashboard.close();

    const activities = await supervisor('activities');
    const aTable = activities.locator('table').filter({ has: activities.locator('caption', { hasText: 'Activities' }) });
    await aTable.locator('tbody tr').first().waitFor();
    const aNames = await walk(activities, 'Activities', () => aTable.locator('tbody th').allInnerTexts());
    assert.equal(aNames.length, 3 + EXTRA, 'every activity');
    const apiOrder = (await s.request('GET', `/v1/Workspaces/${ws}/Activities?PageSize=1000`)).body.activities.map((a: any) => a.friendly_name);
    assert.deepEqual(aNames, apiOrder, 'in the order created');
    const cTable = activities.locator('table').filter({ has: activities.locator('caption', { hasText: 'Task channels' }) });
    assert.equal(await cTable.locator('tbody tr').count(), 5 + CHANNELS, 'every task channel');
    await activities.getByTestId('pager').filter({ hasText: `Task channels 1–${5 + CHANNELS}, all shown` }).waitFor();
    await activities.close();

    const picker = await supervisor('');
    await picker.goto(`${s.origin}/console#/`);
    const wsItems = picker.getByRole('list', { name: 'Workspaces' }).locator('li a');
    await wsItems.first().waitFor();
    const names = await walk(picker, 'Workspaces', () => wsItems.allInnerTexts());
    assert.equal(names.length, 1 + EXTRA, 'every workspace');
    assert.ok(names.includes('Contact centre') && names.includes('Workspace 54'));
    await picker.close();
  });

  it('Events: every event of the window reached in log order, and "Latest" goes to the newest', async () => {
    const page = await supervisor('events');
    const rows = page.locator('tr[data-event]');
    await rows.first().waitFor();
    const all: any[] = [];
    for (let url: string | null = `/v1/Workspaces/${ws}/Events?PageSize=1000&Minutes=15`; url; ) {
      const r = await s.request('GET', url.replace(s.origin, ''));
      all.push(...r.body.events);
      url = r.body.meta.next_page_url;
    }
    const seen = await walk(page, 'Events', () => rows.evaluateAll((els) => els.map((e) => e.querySelector('th')!.textContent ?? '')));
    // Events logged while walking (none: nothing runs) would only add to the end.
    assert.deepEqual(seen.slice(0, all.length), all.map((e) => e.event_type));
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByRole('button', { name: 'Latest' }).click();
    await page.getByRole('navigation', { name: 'Events pages' }).getByTestId('pager').filter({ hasNotText: 'more on the next page' }).waitFor();
    assert.equal(await rows.last().locator('th').innerText(), all.at(-1).event_type, 'the newest event last on the last page');
    await page.close();
  });

  it('Task definitions, a definition\'s tasks (newest first) and an Opsflow column: every item reached', async () => {
    const page = await supervisor('definitions');
    const defRows = page.locator('tr[data-definition]');
    await defRows.first().waitFor();
    const defs = await walk(page, 'Definitions', () => attr(defRows, 'data-definition'));
    assert.deepEqual(defs, Array.from({ length: DEFINITIONS }, (_, i) => `day/def-${String(i).padStart(2, '0')}`), 'every definition, by name');
    await page.getByRole('navigation', { name: 'Definitions pages' }).getByRole('button', { name: 'Previous' }).click();
    await page.getByRole('button', { name: 'Definition 00' }).click();
    const taskRows = page.locator('tr[data-wftask]');
    await taskRows.first().waitFor();
    const ids = await walk(page, 'Tasks', () => attr(taskRows, 'data-wftask'));
    const expected = (await ok(s, 'GET', '/api/taskdefinitions/day/def-00/tasks?limit=100&sortBy=version.asAtCreated%20DESC')).values.map((t: any) => t.id);
    assert.equal(ids.length, WORKFLOW_TASKS);
    assert.deepEqual(ids, expected, 'newest first');
    const ns = await ok(s, 'GET', `/api/tasks/${ids[0]}`);
    assert.equal(ns.fields.find((f: any) => f.name === 'n').value, WORKFLOW_TASKS - 1, 'the newest is the last created');

    await page.goto(`${s.origin}/console#/${ws}/opsflow`);
    const todo = page.getByRole('region', { name: 'To do' });
    await todo.locator('article').first().waitFor();
    assert.match(await todo.locator('.count').innerText(), new RegExp(`^${OPS_TASKS}\\b`), 'the column counts every task, not the page');
    for (let i = 0; i < 10 && (await todo.getByRole('button', { name: /Show more/ }).count()) > 0; i++) {
      const shown = await todo.locator('article').count();
      await todo.getByRole('button', { name: /Show more/ }).click();
      await page.waitForFunction(([n]) => document.querySelectorAll('[data-column="TODO"] article').length > n!, [shown]);
    }
    const titles = await todo.locator('article h3').allInnerTexts();
    assert.deepEqual(titles, Array.from({ length: OPS_TASKS }, (_, i) => `Follow-up ${String(OPS_TASKS - 1 - i).padStart(2, '0')}`), 'every task, newest first');
    assert.deepEqual([...new Set(await todo.getByTestId('status-name').allInnerTexts())], ['New'], 'status names, not ids');
    await page.close();
  });

  it('no page broke its Content-Security-Policy or threw', () => {
    for (const page of pages) assert.deepEqual(problemsOf(page), []);
  });
});
