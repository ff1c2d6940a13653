// The Workflow face driven as FINBOURNE's official Workflow SDK for Python drives it: every request built as the
// SDK builds it (its headers, its Content-Type application/json-patch+json on writes and application/json on
// everything else, Content-Length: 0 on bodiless writes, its paths, query names and asAt format, a bearer
// token), and every answer checked against the SDK's own models as its deserialiser reads them
// (test/support/lusidSdk.ts, with the models derived from the SDK's source into test/fixtures/lusid-workflow-sdk.json).
// Switchboard's extensions (Webhook workers, RouteToWorkers actions) are present, so the lists prove they do not
// break the SDK's oneOf deserialisation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LusidSdkClient, checkModel } from '../support/lusidSdk.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { clientFor } from '../support/twilioClient.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver.ts';
import { eventually, ok } from '../support/workflowFace.ts';

describe('Workflow face through the LUSID SDK', () => {
  let s: TestServer;
  let sdk: LusidSdkClient;
  let receiver: WebhookReceiver;
  let routing: { ws: string; workflow: string };

  before(async () => {
    s = await startServer();
    receiver = await startReceiver();
    receiver.answer = (path) => {
      if (path.startsWith('/alive')) return { status: 200, body: 'ok' };
      if (path === '/prices') return { status: 200, body: JSON.stringify({ results: [{ sym: 'AAA', px: 10.5 }, { sym: 'BBB', px: 7 }] }) };
      return { status: 404 };
    };
    const minted = await s.request('POST', '/switchboard/v1/Tokens', { form: { Type: 'user', Identity: 'sdk-user' } });
    assert.equal(minted.status, 201, minted.text);
    sdk = new LusidSdkClient(s.origin, minted.body.token);
    const client = clientFor(s);
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'SDK routing', template: 'FIFO' });
    const wf = (await client.taskrouter.v1.workspaces(ws.sid).workflows.list())[0]!;
    routing = { ws: ws.sid, workflow: wf.sid };
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  test('the schema check itself refuses what the SDK would refuse', () => {
    assert.deepEqual(checkModel('WorkerConfigurationResponse', { type: 'HealthCheck', url: 'http://x' }), []);
    assert.equal(checkModel('WorkerConfigurationResponse', { type: 'Webhook', url: 'http://x' }).length, 1, 'an unknown type matches no oneOf member');
    assert.equal(checkModel('ActionDetailsResponse', { type: 'RouteToWorkers', workspaceSid: 'WS1' }).length, 1);
    assert.match(checkModel('Task', { id: 'x' }).join(), /taskDefinitionId: field required/);
    assert.match(checkModel('VersionInfo', { asAtVersionNumber: '1' }).join(), /not a valid integer/);
  });

  test('workers: create on every write content type, asAt reads of earlier versions, Webhook workers readable by the SDK', async () => {
    const created = await sdk.call('create_worker', {}, { id: { scope: 'sdk', code: 'alive' }, displayName: 'Alive', workerConfiguration: { type: 'HealthCheck', url: `${receiver.origin}/alive` } });
    assert.equal(created.version.asAtVersionNumber, 1);
    await sdk.call('create_worker', {}, { id: { scope: 'sdk', code: 'nap' }, displayName: 'Nap', workerConfiguration: { type: 'Sleep' } });
    await sdk.call('create_worker', {}, { id: { scope: 'sdk', code: 'boom' }, displayName: 'Boom', workerConfiguration: { type: 'Fail' } });
    // Switchboard's Webhook kind is created with plain JSON (the SDK's request types do not have it) ...
    await ok(s, 'POST', '/api/workers', { id: { scope: 'sdk', code: 'prices' }, displayName: 'Prices', workerConfiguration: { type: 'Webhook', url: `${receiver.origin}/prices`, parameters: [{ name: 'book', type: 'String', required: true }] } });
    // ... and the SDK reads it as a Library worker.
    const hook = await sdk.call('get_worker', { scope: 'sdk', code: 'prices' });
    assert.deepEqual(hook.workerConfiguration, { type: 'Library', libraryWorker: 'Webhook', url: `${receiver.origin}/prices`, parameters: [{ name: 'book', type: 'String', required: true }] });
    // The Library form round-trips as input (a JSON client that reads, edits and writes back).
    const roundTrip = await ok(s, 'PUT', '/api/workers/sdk/prices', { displayName: 'Prices v2', workerConfiguration: hook.workerConfiguration });
    assert.equal(roundTrip.workerConfiguration.libraryWorker, 'Webhook');

    const v1At = created.version.asAtModified;
    await new Promise((r) => setTimeout(r, 5));
    const updated = await sdk.call('update_worker', { scope: 'sdk', code: 'alive' }, { displayName: 'Alive v2', workerConfiguration: { type: 'HealthCheck', url: `${receiver.origin}/alive?v=2` } });
    assert.equal(updated.version.asAtVersionNumber, 2);
    const then = await sdk.call('get_worker', { scope: 'sdk', code: 'alive', as_at: new Date(Date.parse(v1At)) });
    assert.equal(then.displayName, 'Alive');
    assert.equal(then.workerConfiguration.url, `${receiver.origin}/alive`);
    assert.equal((await sdk.call('get_worker', { scope: 'sdk', code: 'alive' })).displayName, 'Alive v2');
    const before = await sdk.raw('get_worker', { scope: 'sdk', code: 'alive', as_at: new Date(Date.parse(v1At) - 60_000) });
    assert.equal(before.status, 404);
    assert.equal(before.body.name, 'WorkerNotFound');
    const list = await sdk.call('list_workers', { sort_by: ['displayName DESC'], limit: 10 });
    assert.deepEqual(list.values.map((w: any) => w.displayName), ['Prices v2', 'Nap', 'Boom', 'Alive v2']);
    const listThen = await sdk.call('list_workers', { as_at: new Date(Date.parse(v1At)) });
    assert.deepEqual(listThen.values.map((w: any) => w.displayName), ['Alive']);
    // Deleted: gone now, still there as at before the deletion.
    const beforeDelete = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await sdk.call('delete_worker', { scope: 'sdk', code: 'boom' });
    assert.equal((await sdk.raw('get_worker', { scope: 'sdk', code: 'boom' })).status, 404);
    assert.equal((await sdk.call('get_worker', { scope: 'sdk', code: 'boom', as_at: beforeDelete })).displayName, 'Boom');
  });

  test('task definitions with RouteToWorkers, written by the SDK as a RunWorker of Switchboard/RouteToWorkers', async () => {
    const definition = {
      id: { scope: 'sdk', code: 'review' },
      displayName: 'Review',
      states: [{ name: 'New' }, { name: 'WithPerson' }, { name: 'Done' }, { name: 'Dropped' }],
      fieldSchema: [{ name: 'amount', type: 'Decimal' }, { name: 'note', type: 'String' }],
      initialState: { name: 'New', requiredFields: ['amount'] },
      triggers: [{ name: 'route', trigger: { type: 'External' } }, { name: 'process', trigger: { type: 'External' } }, { name: 'done', trigger: { type: 'External' } }, { name: 'drop', trigger: { type: 'External' } }],
      transitions: [
        { fromState: 'New', toState: 'WithPerson', trigger: 'route', action: 'toPeople' },
        { fromState: 'New', toState: 'Done', trigger: 'process' },
        { fromState: 'WithPerson', toState: 'Done', trigger: 'done' },
        { fromState: 'WithPerson', toState: 'Dropped', trigger: 'drop' },
      ],
      actions: [
        {
          name: 'toPeople',
          actionDetails: {
            type: 'RunWorker',
            workerId: { scope: 'Switchboard', code: 'RouteToWorkers' },
            workerParameters: { workspaceSid: { setTo: routing.ws }, workflowSid: { setTo: routing.workflow }, priority: { setTo: 3 }, 'attributes.amount': { mapFrom: 'amount' } },
            workerStatusTriggers: { completedNoResults: 'done', failedToComplete: 'drop' },
          },
        },
      ],
    };
    const created = await sdk.call('create_task_definition', {}, definition);
    assert.deepEqual(created.actions[0].actionDetails, definition.actions[0]!.actionDetails);
    // The plain JSON form is the same action: shown the same way.
    const plain = await ok(s, 'POST', '/api/taskdefinitions', {
      ...definition,
      id: { scope: 'sdk', code: 'review-plain' },
      actions: [{ name: 'toPeople', actionDetails: { type: 'RouteToWorkers', workspaceSid: routing.ws, workflowSid: routing.workflow, priority: 3, attributes: { amount: { mapFrom: 'amount' } }, completedTrigger: 'done', canceledTrigger: 'drop' } }],
    });
    assert.deepEqual(plain.actions[0].actionDetails, definition.actions[0]!.actionDetails);
    const bad = await sdk.raw('create_task_definition', {}, {
      ...definition,
      id: { scope: 'sdk', code: 'review-bad' },
      actions: [{ name: 'toPeople', actionDetails: { type: 'RunWorker', workerId: { scope: 'Switchboard', code: 'RouteToWorkers' }, workerParameters: { workspaceSid: { mapFrom: 'note' } } } }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /workspaceSid must be a constant/);
    const list = await sdk.call('list_task_definitions', {});
    assert.ok(list.values.length >= 2);
    await sdk.call('get_task_definition', { scope: 'sdk', code: 'review-plain' });
    await sdk.call('update_task_definition', { scope: 'sdk', code: 'review' }, { ...definition, id: undefined, displayName: 'Review v2' });
  });

  test('tasks: create, a trigger with no body, batch update and delete, lists, asAt and history', async () => {
    const created = await sdk.call('create_task', {}, { taskDefinitionId: { scope: 'sdk', code: 'review' }, correlationIds: ['c-1'], fields: [{ name: 'amount', value: 250 }] });
    assert.equal(created.state, 'New');
    // update_task(id, trigger='process'): no body, Content-Type application/json-patch+json, Content-Length: 0.
    const processed = await sdk.call('update_task', { id: created.id, trigger: 'process' });
    assert.equal(processed.state, 'Done');
    const withBody = await sdk.call('create_task', { trigger: 'process' }, { taskDefinitionId: { scope: 'sdk', code: 'review' }, fields: [{ name: 'amount', value: 5 }] });
    const other = await sdk.call('create_task', {}, { taskDefinitionId: { scope: 'sdk', code: 'review' }, fields: [{ name: 'amount', value: 7 }] });
    const batch = await sdk.call('batch_update_tasks', {}, { updateTasks: [{ taskId: other.id, triggerName: 'process', fields: [{ name: 'note', value: 'batch' }] }, { taskId: '00000000-0000-0000-0000-000000000000', triggerName: 'process' }] });
    assert.equal(batch.values.length, 1);
    assert.equal(batch.failed.length, 1);
    const page = await sdk.call('list_tasks', { filter: "state eq 'Done'", sort_by: ["fields['amount'] DESC"], limit: 2 });
    assert.deepEqual(page.values.map((t: any) => t.fields.find((f: any) => f.name === 'amount').value), [250, 7]);
    const next = await sdk.call('list_tasks', { filter: "state eq 'Done'", sort_by: ["fields['amount'] DESC"], limit: 2, page: page.nextPage });
    assert.deepEqual(next.values.map((t: any) => t.id), [withBody.id]);
    assert.equal((await sdk.call('list_tasks_for_task_definition', { scope: 'sdk', code: 'review' })).values.length, 3);
    const asAt = await sdk.call('get_task', { id: created.id, as_at: new Date(Date.parse(created.version.asAtModified)) });
    assert.equal(asAt.state, 'New');
    const history = await sdk.call('get_task_history', { id: created.id });
    assert.ok(history.values.some((c: any) => c.attributeName === 'state' && c.newValue === 'Done'));
    await sdk.call('delete_tasks', {}, { taskIds: [other.id] });
    // delete_task: DELETE with Content-Type application/json and Content-Length: 0.
    await sdk.call('delete_task', { id: withBody.id });
    assert.equal((await sdk.raw('get_task', { id: withBody.id })).status, 404);
  });

  test('a routed task created through the SDK reaches TaskRouter', async () => {
    const task = await sdk.call('create_task', { trigger: 'route' }, { taskDefinitionId: { scope: 'sdk', code: 'review' }, fields: [{ name: 'amount', value: 99 }] });
    const log = await eventually(async () => {
      const l = await sdk.call('get_action_logs', { id: task.actionLogIdSubmitted });
      return l.loggedItems.some((i: any) => i.logType === 'Routed') ? l : undefined;
    }, 'routed');
    const sid = /TaskRouter task (WT[0-9a-f]{32})/.exec(log.loggedItems.find((i: any) => i.logType === 'Routed').details)![1];
    // On several nodes the node that routes the workspace creates it moments after the log line.
    const tr = await eventually(async () => {
      const res = await s.request('GET', `/v1/Workspaces/${routing.ws}/Tasks/${sid}`);
      return res.status === 200 ? res : undefined;
    }, 'the routed TaskRouter task');
    assert.equal(JSON.parse(tr.body.attributes).amount, 99);
    assert.equal(tr.body.priority, 3);
  });

  test('run_worker outside a task, and its result', async () => {
    const waitResult = (runId: string) =>
      eventually(async () => {
        const r = await sdk.call('get_worker_result', { runId });
        return r.workerStatus === 'Running' ? undefined : r;
      }, `run ${runId}`);
    const health = await sdk.call('run_worker', { scope: 'sdk', code: 'alive' }, { parameters: [] });
    assert.match(health.runId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await waitResult(health.runId), { workerStatus: 'CompletedWithResults', results: [{ StatusCode: 200 }], statusDetail: null });
    const prices = await sdk.call('run_worker', { scope: 'sdk', code: 'prices' }, { parameters: [{ name: 'book', value: 'EU' }], workerTimeout: 10 });
    const priced = await waitResult(prices.runId);
    assert.deepEqual(priced.results, [{ sym: 'AAA', px: 10.5 }, { sym: 'BBB', px: 7 }]);
    const posted = receiver.received.find((r) => r.path === '/prices')!;
    assert.deepEqual(JSON.parse(posted.body), { taskId: null, actionLogId: prices.runId, parameters: { book: 'EU' } });
    assert.deepEqual(receiver.received.filter((r) => r.path.startsWith('/alive')).map((r) => r.path), ['/alive?v=2']);
    // The worker as it was at asAt: the first version's URL.
    const first = await sdk.call('get_worker', { scope: 'sdk', code: 'alive' });
    const old = await sdk.call('run_worker', { scope: 'sdk', code: 'alive', as_at: new Date(Date.parse(first.version.asAtCreated)) }, { parameters: [] });
    await waitResult(old.runId);
    assert.deepEqual(receiver.received.filter((r) => r.path.startsWith('/alive')).map((r) => r.path), ['/alive?v=2', '/alive']);
    const nap = await sdk.call('run_worker', { scope: 'sdk', code: 'nap' }, { parameters: [{ name: 'SleepTime', value: 0 }] });
    assert.equal((await waitResult(nap.runId)).workerStatus, 'CompletedNoResults');
    // Refusals change nothing: a missing required parameter, an unknown one, an unknown worker, an unknown run.
    const missing = await sdk.raw('run_worker', { scope: 'sdk', code: 'prices' }, { parameters: [] });
    assert.equal(missing.status, 400);
    assert.match(missing.body.detail, /'book' is required/);
    assert.equal((await sdk.raw('run_worker', { scope: 'sdk', code: 'prices' }, { parameters: [{ name: 'colour', value: 1 }, { name: 'book', value: 'x' }] })).status, 400);
    assert.equal((await sdk.raw('run_worker', { scope: 'sdk', code: 'nobody' }, { parameters: [] })).status, 404);
    const unknown = await sdk.raw('get_worker_result', { runId: '00000000-0000-0000-0000-000000000000' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.name, 'WorkerRunNotFound');
    // The run's log is an action log like any other.
    const log = await sdk.call('get_action_logs', { id: health.runId });
    assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Submitted', 'Started', 'Completed']);
  });

  test('workflows: a root task definition and the structure its actions create, versioned', async () => {
    const def = (code: string, actions: object[] = []) => ({
      id: { scope: 'flow', code },
      displayName: code,
      states: [{ name: 'A' }, { name: 'B' }],
      initialState: { name: 'A' },
      triggers: [{ name: 'go', trigger: { type: 'External' } }],
      transitions: [{ fromState: 'A', toState: 'B', trigger: 'go', ...(actions.length ? { action: 'spawn' } : {}) }],
      actions,
    });
    await sdk.call('create_task_definition', {}, def('leaf'));
    await sdk.call('create_task_definition', {}, def('root', [{ name: 'spawn', actionDetails: { type: 'CreateChildTasks', childTaskConfigurations: [{ taskDefinitionId: { scope: 'flow', code: 'leaf' } }, { taskDefinitionId: { scope: 'flow', code: 'later' } }] } }]));
    const created = await sdk.call('create_workflow', {}, { id: { scope: 'flow', code: 'main' }, displayName: 'Main', description: 'the main flow', rootTaskDefinitionId: { scope: 'flow', code: 'root' } });
    assert.deepEqual(created.rootTaskDefinitionId, { scope: 'flow', code: 'root' });
    assert.deepEqual(created.workflowStructure.nodes.taskDefinitions.map((d: any) => d.id.code), ['root', 'leaf']);
    assert.deepEqual(
      created.workflowStructure.edges.childTaskDefinitions.map((e: any) => `${e.parent.taskDefinitionId.code}->${e.child.taskDefinitionId.code}`),
      ['root->leaf', 'root->later'],
    );
    const v1 = created.version.asAtModified;
    await new Promise((r) => setTimeout(r, 5));
    await sdk.call('update_workflow', { scope: 'flow', code: 'main' }, { displayName: 'Main v2', rootTaskDefinitionId: { scope: 'flow', code: 'leaf' } });
    assert.equal((await sdk.call('get_workflow', { scope: 'flow', code: 'main' })).workflowStructure.nodes.taskDefinitions.length, 1);
    const then = await sdk.call('get_workflow', { scope: 'flow', code: 'main', as_at: new Date(Date.parse(v1)) });
    assert.equal(then.displayName, 'Main');
    assert.equal(then.workflowStructure.nodes.taskDefinitions.length, 2);
    await sdk.call('create_workflow', {}, { id: { scope: 'flow', code: 'second' }, displayName: 'Second', rootTaskDefinitionId: { scope: 'flow', code: 'leaf' } });
    const list = await sdk.call('list_workflows', { filter: "displayName startswith 'Main'", limit: 5 });
    assert.deepEqual(list.values.map((w: any) => w.id.code), ['main']);
    // Refusals: an unknown root, a duplicate id, an unknown workflow; nothing is created.
    const noRoot = await sdk.raw('create_workflow', {}, { id: { scope: 'flow', code: 'bad' }, displayName: 'Bad', rootTaskDefinitionId: { scope: 'flow', code: 'ghost' } });
    assert.equal(noRoot.status, 400);
    assert.match(noRoot.body.detail, /ghost was not found/);
    assert.equal((await sdk.raw('create_workflow', {}, { id: { scope: 'flow', code: 'main' }, displayName: 'Again', rootTaskDefinitionId: { scope: 'flow', code: 'leaf' } })).body.name, 'WorkflowAlreadyExists');
    assert.equal((await sdk.raw('get_workflow', { scope: 'flow', code: 'bad' })).status, 404);
    await sdk.call('delete_workflow', { scope: 'flow', code: 'second' });
    assert.deepEqual((await sdk.call('list_workflows', {})).values.map((w: any) => w.id.code), ['main']);
  });

  test('list_access_controlled_resources', async () => {
    const resources = await sdk.call('list_access_controlled_resources');
    assert.deepEqual(resources.values.map((r: any) => r.name), ['TaskDefinition', 'Task', 'Worker', 'Workflow', 'EventHandler', 'ActionLog']);
    assert.ok(resources.values.find((r: any) => r.name === 'Worker').actions.some((a: any) => a.action.activity === 'Execute'));
  });
});
