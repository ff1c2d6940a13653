// Accessibility audit of every console page with axe-core (@axe-core/playwright) in Chromium, in the light and
// in the dark colour scheme: no serious or critical violation (colour contrast, names of controls, landmarks,
// ARIA use). Each page is audited with what it shows in use: rows in its lists, an offer on the desk, a
// definition's editor and a task's panel open, an Opsflow task's panel with a comment.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.ts';
import { ok, simpleDefinition } from '../support/workflowFace.ts';
import { launchChromium, openConsole, problemsOf, skipWithoutChromium } from '../support/consoleBrowser.ts';

interface Finding {
  page: string;
  rule: string;
  impact: string;
  targets: string[];
}

/**
 * The serious and critical violations axe finds on what the page shows now. In axe's single-call mode
 * (`setLegacyMode`): the console has no frames, so the default mode's per-frame partial runs add nothing, and
 * its last step opens a blank page to merge them on every call, which made each audit about twice as long
 * (66 s for the file against 35 s alone on 2 cores). The rules and the findings are the same.
 */
async function audit(page: Page, name: string): Promise<Finding[]> {
  assert.equal(page.frames().length, 1, `${name}: a frame appeared; axe's single-call mode does not audit inside frames`);
  const results = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ page: name, rule: v.id, impact: v.impact!, targets: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.split('\n').slice(1, 2).join('').trim()})` : ''}`) }));
}

describe('console accessibility: every page, light and dark, no serious or critical axe violation', { skip: skipWithoutChromium }, () => {
  let s: TestServer;
  let browser: Browser;
  let ws: string;
  let alice: string;
  let waiting: string;
  let workerToken: string;
  let available: string;
  const form = async (path: string, body: Record<string, string>) => {
    const r = await s.request('POST', path, { form: body });
    assert.ok(r.status < 300, `${path}: ${r.text}`);
    return r.body;
  };

  before(async () => {
    s = await startServer();
    ws = (await form('/v1/Workspaces', { FriendlyName: 'Support', Template: 'FIFO' })).sid;
    const base = `/v1/Workspaces/${ws}`;
    await form(`${base}/TaskQueues`, { FriendlyName: 'Billing', TargetWorkers: 'skills HAS "billing"' });
    available = (await s.request('GET', `${base}/Activities?FriendlyName=Available`)).body.activities[0].sid;
    alice = (await form(`${base}/Workers`, { FriendlyName: 'alice', Attributes: JSON.stringify({ skills: ['billing', 'chat'], languages: ['en'], team: { name: 'North' } }) })).sid;
    await form(`${base}/Workers`, { FriendlyName: 'bob', Attributes: '{"skills":["sales"]}' });
    // alice is available: the first task is offered to her (the desk shows an offer); the others wait.
    await form(`${base}/Workers/${alice}`, { ActivitySid: available });
    await form(`${base}/Tasks`, { Attributes: JSON.stringify({ customer: 'ACME', topic: 'invoice', amount: 120 }) });
    waiting = (await form(`${base}/Tasks`, { Attributes: JSON.stringify({ customer: 'Initech', topic: 'refund' }) })).sid;
    workerToken = (await form('/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: alice, Role: 'worker', Type: 'access', Ttl: '3600' })).token;
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('support', 'tickets', { transitions: [{ fromState: 'Pending', toState: 'InProgress', trigger: 'start', guard: "fields['clientId'] neq ''" }, { fromState: 'InProgress', toState: 'Done', trigger: 'finish' }] }));
    await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'support', code: 'tickets' }, fields: [{ name: 'clientId', value: 'C-1' }] });
    const category = await ok(s, 'POST', '/opsflow/v1/task-category/create', { name: 'Incidents', status_options: { TODO: [{ status_id: 'open', name: 'Open' }], IN_PROGRESS: [{ status_id: 'fixing', name: 'Fixing' }], COMPLETED: [{ status_id: 'closed', name: 'Closed' }] } });
    const type = await ok(s, 'POST', '/opsflow/v1/task-type/create', { name: 'Incident', category_id: category.category_id });
    const incident = await ok(s, 'POST', '/opsflow/v1/task/create', { name: 'Replica lag', status_id: 'open', project_id: '*', task_type_id: type.task_type_id, priority: 'HIGH' });
    await ok(s, 'POST', '/opsflow/v1/comment/create', { task_id: incident.task_id, comment: 'Looking at it.' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`every page in the ${scheme} scheme`, async () => {
      const findings: Finding[] = [];
      const audited: string[] = [];
      const check = async (page: Page, name: string) => {
        findings.push(...(await audit(page, name)));
        audited.push(name);
      };

      // Signing in.
      const signIn = await (await browser.newContext({ colorScheme: scheme })).newPage();
      await signIn.goto(`${s.origin}/console`);
      await signIn.getByRole('heading', { name: 'Switchboard console' }).waitFor();
      await check(signIn, 'sign-in');
      await signIn.context().close();

      const page = await openConsole(browser, s.origin, s, { colorScheme: scheme });
      assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), scheme === 'dark');
      await check(page, 'workspaces');
      const visit = async (hash: string, ready: string) => {
        await page.goto(`${s.origin}/console#/${ws}/${hash}`);
        await page.locator(ready).first().waitFor();
      };
      await visit('dashboard', 'tr[data-queue]');
      await page.getByText('Live').waitFor();
      await check(page, 'dashboard');
      await visit('queues', 'tbody tr');
      await check(page, 'queues');
      await visit('workers', 'tr[data-worker]');
      await check(page, 'workers');
      const row = page.locator('tr[data-worker="alice"]');
      await row.getByRole('button', { name: 'Channels' }).click();
      await page.getByLabel('Capacity of alice on chat').waitFor();
      await row.getByRole('button', { name: 'Sign-in' }).click();
      await row.getByRole('button', { name: 'Issue sign-in token' }).click();
      await row.getByLabel(/Sign-in token of alice/).waitFor();
      await row.getByRole('button', { name: 'Edit attributes of alice' }).click();
      await check(page, 'workers with a panel and an editor open');
      await visit('workflows', 'textarea');
      await check(page, 'workflows');
      await visit('activities', 'tbody tr');
      await check(page, 'activities');
      await visit('tasks', 'tr[data-task]');
      await check(page, 'tasks');
      await visit(`tasks/${waiting}`, '.timeline li');
      await check(page, 'task');
      await visit('events', 'tr[data-event]');
      await check(page, 'events');
      await visit('desk', 'li[data-worker]');
      await check(page, 'desk: worker picker');
      // alice is made available again (an offer not answered in time moved her offline): a waiting task is
      // offered to her.
      await form(`/v1/Workspaces/${ws}/Workers/${alice}`, { ActivitySid: available });
      await visit(`desk/${alice}`, 'li.offer');
      await page.getByText('Connected').waitFor();
      await check(page, 'desk with an offer');
      await visit('definitions', 'tr[data-wftask]');
      await page.locator('tr[data-wftask]').getByRole('button', { name: 'Open task' }).click();
      await page.getByRole('list', { name: 'Task history' }).locator('li').first().waitFor();
      await check(page, 'task definitions with a task open');
      await page.getByRole('button', { name: 'New task definition' }).click();
      await page.getByRole('form', { name: 'New task definition' }).waitFor();
      await check(page, 'task definition editor');
      await visit('opsflow', 'article.ticket');
      await page.getByRole('button', { name: 'Replica lag' }).click();
      await page.getByRole('list', { name: 'Comments' }).locator('li').waitFor();
      await page.getByRole('button', { name: 'New task' }).click();
      await page.getByRole('form', { name: 'New Opsflow task' }).waitFor();
      await check(page, 'Opsflow board with a task open and the new-task form');
      assert.deepEqual(problemsOf(page), []);
      await page.close();

      // An agent's own desk (worker sign-in).
      const agent = await openConsole(browser, s.origin, { workerToken }, { colorScheme: scheme });
      await agent.getByText('Connected').waitFor();
      await check(agent, 'agent desk');
      await agent.close();

      assert.ok(audited.length >= 17, `audited ${audited.join(', ')}`);
      assert.deepEqual(findings, [], `serious or critical violations:\n${findings.map((f) => `${f.page}: ${f.rule} (${f.impact}) ${f.targets.join('; ')}`).join('\n')}`);
    });
  }
});
