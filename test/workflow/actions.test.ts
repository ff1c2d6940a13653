// Workflow-face actions: child tasks and parent/child triggers, RunWorker with each worker kind, action logs,
// and a pending action that survives a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver.ts';
import { eventually, ok } from '../support/workflowFace.ts';

const stateOf = (s: TestServer, id: string, state: string) => async () => {
  const t = await ok(s, 'GET', `/api/tasks/${id}`);
  return t.state === state ? t : undefined;
};

describe('Workflow face: actions', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  before(async () => {
    s = await startServer({ workflowActions: { retryBaseMs: 20 } });
    receiver = await startReceiver();
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  test('CreateChildTasks, TriggerParentTask and TriggerChildTasks (with a filter)', async () => {
    await ok(s, 'POST', '/api/taskdefinitions', {
      id: { scope: 'breaks', code: 'check' },
      displayName: 'Check',
      states: [{ name: 'Todo' }, { name: 'Done' }, { name: 'Cancelled' }],
      fieldSchema: [{ name: 'ref', type: 'String' }, { name: 'kind', type: 'String' }],
      initialState: { name: 'Todo', requiredFields: ['ref'] },
      triggers: [{ name: 'complete' }, { name: 'cancel' }],
      transitions: [
        { fromState: 'Todo', toState: 'Done', trigger: 'complete', action: 'tellParent' },
        { fromState: 'Todo', toState: 'Cancelled', trigger: 'cancel' },
      ],
      actions: [{ name: 'tellParent', actionDetails: { type: 'TriggerParentTask', trigger: 'childDone' } }],
    });
    await ok(s, 'POST', '/api/taskdefinitions', {
      id: { scope: 'breaks', code: 'trade' },
      displayName: 'Trade break',
      states: [{ name: 'Open' }, { name: 'Investigating' }, { name: 'Resolved' }],
      fieldSchema: [{ name: 'ref', type: 'String' }, { name: 'checksDone', type: 'Decimal' }],
      initialState: { name: 'Open', requiredFields: ['ref'] },
      triggers: [{ name: 'investigate' }, { name: 'childDone' }, { name: 'abandon' }],
      transitions: [
        { fromState: 'Open', toState: 'Investigating', trigger: 'investigate', action: 'spawn' },
        { fromState: 'Investigating', toState: 'Investigating', trigger: 'childDone' },
        { fromState: 'Investigating', toState: 'Resolved', trigger: 'abandon', action: 'cancelOpenChecks' },
      ],
      actions: [
        {
          name: 'spawn',
          actionDetails: {
            type: 'CreateChildTasks',
            childTaskConfigurations: [
              { taskDefinitionId: { scope: 'breaks', code: 'check' }, childTaskFields: { ref: { mapFrom: 'ref' }, kind: { setTo: 'price' } } },
              { taskDefinitionId: { scope: 'breaks', code: 'check' }, childTaskFields: { ref: { mapFrom: 'ref' }, kind: { setTo: 'position' } } },
            ],
          },
        },
        { name: 'cancelOpenChecks', actionDetails: { type: 'TriggerChildTasks', trigger: 'cancel', filter: "state eq 'Todo'" } },
      ],
    });
    const parent = await ok(s, 'POST', '/api/tasks?trigger=investigate', { taskDefinitionId: { scope: 'breaks', code: 'trade' }, correlationIds: ['TRD-1'], fields: [{ name: 'ref', value: 'TRD-1' }] });
    assert.equal(parent.state, 'Investigating');
    assert.ok(parent.actionLogIdSubmitted, 'the transition submitted its action');

    const withChildren = await eventually(async () => {
      const p = await ok(s, 'GET', `/api/tasks/${parent.id}`);
      return p.childTasks.length === 2 ? p : undefined;
    }, 'two child tasks');
    assert.equal(withChildren.hierarchicalPosition, 'UltimateParent');
    const children = await Promise.all(withChildren.childTasks.map((c: any) => ok(s, 'GET', `/api/tasks/${c.id}`)));
    assert.deepEqual(children.map((c) => Object.fromEntries(c.fields.map((f: any) => [f.name, f.value]))), [{ ref: 'TRD-1', kind: 'price' }, { ref: 'TRD-1', kind: 'position' }]);
    for (const c of children) {
      assert.equal(c.parentTask.id, parent.id);
      assert.equal(c.ultimateParentTask.id, parent.id);
      assert.equal(c.hierarchicalPosition, 'Child');
      assert.deepEqual(c.correlationIds, ['TRD-1']);
      assert.equal(c.actionLogIdCreated, parent.actionLogIdSubmitted);
    }
    const log = await ok(s, 'GET', `/api/actionlogs/${parent.actionLogIdSubmitted}`);
    assert.equal(log.actionType, 'CreateChildTasks');
    assert.equal(log.origin.taskId, parent.id);
    assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Submitted', 'Completed']);

    // A child completes: its action triggers the parent.
    const done = await ok(s, 'POST', `/api/tasks/${children[0].id}?trigger=complete`);
    await eventually(async () => {
      const h = (await ok(s, 'GET', `/api/tasks/${parent.id}/history`)).values;
      return h.some((c: any) => c.action === 'Update:childDone') ? h : undefined;
    }, 'the parent received childDone');
    const childLog = await ok(s, 'GET', `/api/actionlogs/${done.actionLogIdSubmitted}`);
    assert.deepEqual(childLog.loggedItems.map((i: any) => i.logType), ['Submitted', 'TriggerFired', 'Completed']);
    assert.equal((await ok(s, 'GET', `/api/tasks/${parent.id}`)).actionLogIdModified, done.actionLogIdSubmitted);

    // The parent is abandoned: only the checks still to do are cancelled.
    await ok(s, 'POST', `/api/tasks/${parent.id}?trigger=abandon`);
    await eventually(stateOf(s, children[1].id, 'Cancelled'), 'open check cancelled');
    assert.equal((await ok(s, 'GET', `/api/tasks/${children[0].id}`)).state, 'Done');
    const parentNow = await ok(s, 'GET', `/api/tasks/${parent.id}`);
    assert.deepEqual(parentNow.childTasks.map((c: any) => c.state), ['Done', 'Cancelled']);
  });

  test('RunWorker: Fail, HealthCheck and Webhook workers feed their outcome back as triggers', async () => {
    receiver.answer = (path) => {
      if (path === '/healthy') return { status: 200, body: 'ok' };
      if (path === '/sick') return { status: 503 };
      if (path === '/positions') {
        const tries = receiver.received.filter((r) => r.path === '/positions').length;
        // The first call fails (retried), the second answers with results.
        return tries === 1 ? { status: 503 } : { status: 200, body: JSON.stringify({ results: [{ sym: 'AAA', qty: 5 }, { sym: 'BBB', qty: 0 }, { sym: 'CCC', qty: 2 }] }) };
      }
      return { status: 404 };
    };
    const worker = (code: string, workerConfiguration: object) => ok(s, 'POST', '/api/workers', { id: { scope: 'jobs', code }, displayName: code, workerConfiguration });
    const failW = await worker('fail', { type: 'Fail' });
    assert.deepEqual(failW.parameters.map((p: any) => p.name), ['FailureMessage']);
    await worker('healthy', { type: 'HealthCheck', url: `${receiver.origin}/healthy` });
    await worker('sick', { type: 'HealthCheck', url: `${receiver.origin}/sick` });
    await worker('positions', { type: 'Webhook', url: `${receiver.origin}/positions`, parameters: [{ name: 'account', type: 'String', required: true }] });
    await ok(s, 'POST', '/api/taskdefinitions', {
      id: { scope: 'jobs', code: 'position' },
      displayName: 'Position',
      states: [{ name: 'New' }],
      fieldSchema: [{ name: 'sym', type: 'String' }, { name: 'qty', type: 'Decimal' }],
      initialState: { name: 'New' },
    });
    const definition = (code: string) => ({
      id: { scope: 'jobs', code: `run-${code}` },
      displayName: code,
      states: [{ name: 'Ready' }, { name: 'Running' }, { name: 'Succeeded' }, { name: 'Empty' }, { name: 'Failed' }, { name: 'NotStarted' }],
      fieldSchema: [{ name: 'account', type: 'String' }],
      initialState: { name: 'Ready' },
      triggers: ['go', 'started', 'ok', 'empty', 'failed', 'noStart'].map((name) => ({ name })),
      transitions: [
        { fromState: 'Ready', toState: 'Running', trigger: 'go', action: 'run' },
        { fromState: 'Running', toState: 'Succeeded', trigger: 'ok' },
        { fromState: 'Running', toState: 'Empty', trigger: 'empty' },
        { fromState: 'Running', toState: 'Failed', trigger: 'failed' },
        { fromState: 'Running', toState: 'NotStarted', trigger: 'noStart' },
      ],
      actions: [
        {
          name: 'run',
          actionDetails: {
            type: 'RunWorker',
            workerId: { scope: 'jobs', code },
            workerParameters: code === 'fail' ? { FailureMessage: { setTo: 'deliberately' } } : code === 'positions' ? { account: { mapFrom: 'account' } } : {},
            workerStatusTriggers: { completedWithResults: 'ok', completedNoResults: 'empty', failedToComplete: 'failed', failedToStart: 'noStart' },
            childTaskConfigurations: [{ resultMatchingPattern: { filter: 'qty gt 0' }, taskDefinitionId: { scope: 'jobs', code: 'position' }, childTaskFields: { sym: { mapFrom: 'sym' }, qty: { mapFrom: 'qty' } } }],
          },
        },
      ],
    });
    for (const code of ['fail', 'healthy', 'sick', 'positions']) await ok(s, 'POST', '/api/taskdefinitions', definition(code));
    const run = (code: string, fields: object[] = []) => ok(s, 'POST', '/api/tasks?trigger=go', { taskDefinitionId: { scope: 'jobs', code: `run-${code}` }, fields });

    const failed = await run('fail');
    await eventually(stateOf(s, failed.id, 'Failed'), 'Fail worker -> failedToComplete');
    const failLog = await ok(s, 'GET', `/api/actionlogs/${failed.actionLogIdSubmitted}`);
    assert.deepEqual(failLog.loggedItems.map((i: any) => i.logType), ['Submitted', 'Started', 'FailedToComplete', 'TriggerFired']);
    assert.equal(failLog.loggedItems[2].details, 'deliberately');

    const healthy = await run('healthy');
    await eventually(stateOf(s, healthy.id, 'Succeeded'), 'health check 200 -> completedWithResults');
    const sick = await run('sick');
    await eventually(stateOf(s, sick.id, 'Failed'), 'health check 503 -> failedToComplete');

    // The Webhook worker's required parameter is mapped from the task; without it the worker fails to start.
    const noParam = await run('positions');
    await eventually(stateOf(s, noParam.id, 'NotStarted'), 'missing parameter -> failedToStart');
    const positions = await run('positions', [{ name: 'account', value: 'ACC-9' }]);
    const succeeded = await eventually(async () => {
      const t = await ok(s, 'GET', `/api/tasks/${positions.id}`);
      return t.state === 'Succeeded' ? t : undefined;
    }, 'webhook results -> completedWithResults');
    const calls = receiver.received.filter((r) => r.path === '/positions');
    assert.equal(calls.length, 2, 'one retry after the 503');
    const posted = JSON.parse(calls[1]!.body);
    assert.deepEqual(posted, { taskId: positions.id, actionLogId: positions.actionLogIdSubmitted, parameters: { account: 'ACC-9' } });
    // One child task per result row that matched the pattern (qty > 0).
    const kids = await Promise.all(succeeded.childTasks.map((c: any) => ok(s, 'GET', `/api/tasks/${c.id}`)));
    assert.deepEqual(kids.map((k) => Object.fromEntries(k.fields.map((f: any) => [f.name, f.value]))), [{ sym: 'AAA', qty: 5 }, { sym: 'CCC', qty: 2 }]);
    const log = await ok(s, 'GET', `/api/actionlogs/${positions.actionLogIdSubmitted}`);
    assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Submitted', 'Started', 'Retrying', 'Completed', 'ChildTaskCreated', 'ChildTaskCreated', 'TriggerFired']);
  });
});

describe('Workflow face: a Sleep action survives a restart', () => {
  test('the worker starts, the server stops, and after the restart it wakes on time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-wf-restart-'));
    let now = Date.UTC(2026, 5, 1, 9, 0, 0);
    const clock = () => now;
    let s = await startServer({ clock, dir });
    try {
      await ok(s, 'POST', '/api/workers', { id: { scope: 'ops', code: 'nap' }, displayName: 'Nap', workerConfiguration: { type: 'Sleep' } });
      await ok(s, 'POST', '/api/taskdefinitions', {
        id: { scope: 'ops', code: 'cooldown' },
        displayName: 'Cool-down',
        states: [{ name: 'Ready' }, { name: 'Queued' }, { name: 'Sleeping' }, { name: 'Done' }],
        fieldSchema: [{ name: 'seconds', type: 'Decimal' }],
        initialState: { name: 'Ready', requiredFields: ['seconds'] },
        triggers: [{ name: 'go' }, { name: 'workerStarted' }, { name: 'workerDone' }],
        transitions: [
          { fromState: 'Ready', toState: 'Queued', trigger: 'go', action: 'nap' },
          { fromState: 'Queued', toState: 'Sleeping', trigger: 'workerStarted' },
          { fromState: 'Sleeping', toState: 'Done', trigger: 'workerDone' },
        ],
        actions: [
          {
            name: 'nap',
            actionDetails: { type: 'RunWorker', workerId: { scope: 'ops', code: 'nap' }, workerParameters: { SleepTime: { mapFrom: 'seconds' } }, workerStatusTriggers: { started: 'workerStarted', completedNoResults: 'workerDone' } },
          },
        ],
      });
      const task = await ok(s, 'POST', '/api/tasks?trigger=go', { taskDefinitionId: { scope: 'ops', code: 'cooldown' }, fields: [{ name: 'seconds', value: 600 }] });
      await eventually(stateOf(s, task.id, 'Sleeping'), 'worker started');
      now += 599_000;
      s.app.workflowActions.wake();
      await s.app.workflowActions.idle();
      assert.equal((await ok(s, 'GET', `/api/tasks/${task.id}`)).state, 'Sleeping', 'not before its time');
      await s.close();

      now += 2_000;
      s = await startServer({ clock, dir });
      const done = await eventually(stateOf(s, task.id, 'Done'), 'woke after the restart');
      assert.equal(done.version.asAtModified, new Date(now).toISOString());
      const log = await ok(s, 'GET', `/api/actionlogs/${task.actionLogIdSubmitted}`);
      assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Submitted', 'Started', 'TriggerFired', 'Completed', 'TriggerFired']);
      assert.equal(log.loggedItems[1].timestamp, '2026-06-01T09:00:00.000Z');
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
