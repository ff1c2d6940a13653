// The Workflow face's tasks over HTTP: the seed example, a four-eyes approval, asAt and history, definition
// versions, lists, batch calls, and refusals that change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';
import { apiKeyUser, fails, ok, simpleDefinition } from '../support/workflowFace.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Workflow face: tasks', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  test('the seed example: create with correlation ids and a field, then update with a field and a trigger', async () => {
    const def = simpleDefinition('A1-Scope', 'A1-Code', {
      transitions: [
        { fromState: 'Pending', toState: 'InProgress', trigger: 'start', guard: "fields['test'] exists", guardConditionNotMetMessage: 'Set the test field first' },
        { fromState: 'InProgress', toState: 'Done', trigger: 'finish' },
      ],
    });
    const created = await ok(s, 'POST', '/api/taskdefinitions', def);
    assert.deepEqual(created.id, { scope: 'A1-Scope', code: 'A1-Code' });
    assert.equal(created.version.asAtVersionNumber, 1);

    const task = await ok(s, 'POST', '/api/tasks', {
      taskDefinitionId: { scope: 'A1-Scope', code: 'A1-Code' },
      correlationIds: ['correlation-id'],
      fields: [{ name: 'clientId', value: 'zzz123' }],
    });
    assert.match(task.id, /^[0-9a-f-]{36}$/);
    assert.equal(task.state, 'Pending');
    assert.equal(task.terminalState, false);
    assert.equal(task.completionStatus, 'NotStarted');
    assert.deepEqual(task.correlationIds, ['correlation-id']);
    assert.deepEqual(task.fields, [{ name: 'clientId', value: 'zzz123' }]);
    assert.equal(task.taskDefinitionVersion.asAtModified, created.version.asAtModified);
    assert.equal(task.hierarchicalPosition, 'Standalone');
    assert.equal(task.ultimateParentTask.id, task.id);
    assert.equal(task.version.userIdCreated, s.accountSid);

    // The guard needs the field: the trigger alone is refused with the definition's message, and nothing changes.
    const refused = await fails(s, 'POST', `/api/tasks/${task.id}?trigger=start`, {}, 400, 'GuardConditionNotMet');
    assert.equal(refused.detail, 'Set the test field first');
    assert.deepEqual(await ok(s, 'GET', `/api/tasks/${task.id}`), { ...task, openDuration: (await ok(s, 'GET', `/api/tasks/${task.id}`)).openDuration });

    // The seed's update: fields merged first, then the trigger (whose guard sees the merged field).
    const updated = await ok(s, 'POST', `/api/tasks/${task.id}?trigger=start`, { fields: [{ name: 'test', value: 'foo' }] });
    assert.equal(updated.state, 'InProgress');
    assert.deepEqual(updated.fields, [
      { name: 'clientId', value: 'zzz123' },
      { name: 'test', value: 'foo' },
    ]);
    assert.equal(updated.version.asAtVersionNumber, 2);
    assert.equal(updated.completionStatus, 'InProgress');
    assert.ok(updated.asAtLastTransition);

    const done = await ok(s, 'POST', `/api/tasks/${task.id}?trigger=finish`);
    assert.equal(done.state, 'Done');
    assert.equal(done.terminalState, true);
    assert.equal(done.completionStatus, 'Completed');
    const noWay = await fails(s, 'POST', `/api/tasks/${task.id}?trigger=finish`, {}, 400, 'InvalidTrigger');
    assert.match(noWay.detail, /state 'Done'.*none \(the state is terminal\)/);
    await fails(s, 'POST', `/api/tasks/${task.id}?trigger=nonsense`, {}, 400, 'InvalidTrigger');

    // Create with a trigger: the transition is attempted at once.
    const started = await ok(s, 'POST', '/api/tasks?trigger=start', { taskDefinitionId: { scope: 'A1-Scope', code: 'A1-Code' }, fields: [{ name: 'clientId', value: 'a' }, { name: 'test', value: 'b' }] });
    assert.equal(started.state, 'InProgress');
    // ... and when its guard fails, no task is created.
    const before = (await ok(s, 'GET', '/api/tasks?limit=100')).values.length;
    await fails(s, 'POST', '/api/tasks?trigger=start', { taskDefinitionId: { scope: 'A1-Scope', code: 'A1-Code' }, fields: [{ name: 'clientId', value: 'a' }] }, 400, 'GuardConditionNotMet');
    assert.equal((await ok(s, 'GET', '/api/tasks?limit=100')).values.length, before);
  });

  test('four eyes: the guard stops the creator approving their own task; another user may', async () => {
    await ok(s, 'POST', '/api/taskdefinitions', {
      id: { scope: 'approvals', code: 'payment' },
      displayName: 'Payment approval',
      states: [{ name: 'Pending' }, { name: 'Approved' }, { name: 'Rejected' }],
      fieldSchema: [
        { name: 'amount', type: 'Decimal', readOnlyStates: { stateType: 'AllStates' } },
        { name: 'reasonForDecision', type: 'String' },
      ],
      initialState: { name: 'Pending', requiredFields: ['amount'] },
      triggers: [{ name: 'approve', trigger: { type: 'External' } }, { name: 'reject', trigger: { type: 'External' } }],
      transitions: [
        { fromState: 'Pending', toState: 'Approved', trigger: 'approve', guard: "UserCreated neq CurrentUser and fields['reasonForDecision'] exists", guardConditionNotMetMessage: 'A second person must approve, giving a reason' },
        { fromState: 'Pending', toState: 'Rejected', trigger: 'reject' },
      ],
    });
    const second = await apiKeyUser(s);
    const task = await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'approvals', code: 'payment' }, fields: [{ name: 'amount', value: '1250.50' }] });
    assert.deepEqual(task.fields, [{ name: 'amount', value: 1250.5 }]);

    const own = await fails(s, 'POST', `/api/tasks/${task.id}?trigger=approve`, { fields: [{ name: 'reasonForDecision', value: 'looks fine' }] }, 400, 'GuardConditionNotMet');
    assert.equal(own.detail, 'A second person must approve, giving a reason');
    const unchanged = await ok(s, 'GET', `/api/tasks/${task.id}`);
    assert.equal(unchanged.state, 'Pending');
    assert.equal(unchanged.version.asAtVersionNumber, 1, 'the refused request wrote nothing (not even the field)');

    const approved = await ok(s, 'POST', `/api/tasks/${task.id}?trigger=approve`, { fields: [{ name: 'reasonForDecision', value: 'checked the invoice' }] }, second);
    assert.equal(approved.state, 'Approved');
    assert.equal(approved.version.userIdModified, second.username);
    assert.equal(approved.version.userIdCreated, s.accountSid);
    // The amount is read-only in every state.
    await fails(s, 'POST', `/api/tasks/${approved.id}`, { fields: [{ name: 'amount', value: 1 }] }, 400, 'InvalidFieldValue');
  });

  test('asAt reads return each earlier state exactly; history lists every change', async () => {
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('hist', 'one'));
    const seen: any[] = [];
    seen.push(await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'hist', code: 'one' }, correlationIds: ['c1'], fields: [{ name: 'clientId', value: 'x' }] }));
    const id = seen[0].id;
    await pause(3);
    seen.push(await ok(s, 'POST', `/api/tasks/${id}`, { fields: [{ name: 'test', value: 'one' }] }));
    await pause(3);
    seen.push(await ok(s, 'POST', `/api/tasks/${id}?trigger=start`, { fields: [{ name: 'test', value: 'two' }], correlationIds: ['c1', 'c2'] }));
    await pause(3);
    seen.push(await ok(s, 'POST', `/api/tasks/${id}?trigger=finish`));
    await pause(3);
    for (const rep of seen) {
      const asAt = rep.version.asAtModified;
      assert.deepEqual(await ok(s, 'GET', `/api/tasks/${id}?asAt=${asAt}`), rep, `as at ${asAt}`);
    }
    // Before it existed: not found. The list as at the second change holds that version.
    const beforeCreation = new Date(Date.parse(seen[0].version.asAtCreated) - 1).toISOString();
    await fails(s, 'GET', `/api/tasks/${id}?asAt=${beforeCreation}`, undefined, 404, 'TaskNotFound');
    const listed = (await ok(s, 'GET', `/api/tasks?asAt=${seen[1].version.asAtModified}&filter=${encodeURIComponent(`id eq '${id}'`)}`)).values;
    assert.deepEqual(listed, [seen[1]]);

    const history = (await ok(s, 'GET', `/api/tasks/${id}/history`)).values;
    const summary = history.map((c: any) => [c.asAtVersionNumber, c.action, c.attributeName, c.previousValue, c.newValue]);
    assert.deepEqual(summary, [
      [1, 'Create', 'state', undefined, 'Pending'],
      [1, 'Create', 'fields.clientId', undefined, 'x'],
      [1, 'Create', 'correlationIds', undefined, ['c1']],
      [2, 'Update', 'fields.test', undefined, 'one'],
      [3, 'Update:start', 'state', 'Pending', 'InProgress'],
      [3, 'Update:start', 'fields.test', 'one', 'two'],
      [3, 'Update:start', 'correlationIds', ['c1'], ['c1', 'c2']],
      [4, 'Update:finish', 'state', 'InProgress', 'Done'],
    ]);
    for (const c of history) assert.equal(c.userIdModified, s.accountSid);
    assert.deepEqual(history.map((c: any) => c.asAtModified).filter((v: string, i: number, a: string[]) => a.indexOf(v) === i), seen.map((r) => r.version.asAtModified));
    // History as at an earlier time stops there.
    assert.equal((await ok(s, 'GET', `/api/tasks/${id}/history?asAt=${seen[1].version.asAtModified}`)).values.length, 4);

    // Deleted: gone now, still readable as it was.
    const del = await ok(s, 'DELETE', `/api/tasks/${id}`);
    assert.ok(del.asAt);
    await fails(s, 'GET', `/api/tasks/${id}`, undefined, 404, 'TaskNotFound');
    assert.deepEqual(await ok(s, 'GET', `/api/tasks/${id}?asAt=${seen[3].version.asAtModified}`), seen[3]);
    const last = (await ok(s, 'GET', `/api/tasks/${id}/history`)).values.at(-1);
    assert.deepEqual([last.action, last.attributeName, last.newValue], ['Delete', 'deleted', true]);
  });

  test('a definition update does not change how existing tasks behave', async () => {
    const v1 = await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('ver', 'def'));
    const old = await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'ver', code: 'def' }, fields: [{ name: 'clientId', value: 'o' }] });
    await pause(2);
    // Version 2: 'start' now needs a guard and goes to a new state; 'test' becomes Validated.
    const v2 = await ok(s, 'PUT', '/api/taskdefinitions/ver/def', {
      ...simpleDefinition('ver', 'def'),
      id: undefined,
      displayName: 'Version two',
      states: [{ name: 'Pending' }, { name: 'Review' }, { name: 'Done' }],
      fieldSchema: [{ name: 'clientId', type: 'String' }, { name: 'test', type: 'String', valueConstraints: { constraintType: 'Validated', valueSourceType: 'AcceptableValues', acceptableValues: ['yes'] } }],
      transitions: [{ fromState: 'Pending', toState: 'Review', trigger: 'start', guard: "fields['test'] eq 'yes'" }, { fromState: 'Review', toState: 'Done', trigger: 'finish' }],
    });
    assert.equal(v2.version.asAtVersionNumber, 2);
    assert.equal(v2.version.asAtCreated, v1.version.asAtCreated);
    assert.equal((await ok(s, 'GET', '/api/taskdefinitions/ver/def')).displayName, 'Version two');
    assert.equal((await ok(s, 'GET', `/api/taskdefinitions/ver/def?asAt=${v1.version.asAtModified}`)).displayName, 'ver/def');

    const fresh = await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'ver', code: 'def' }, fields: [{ name: 'clientId', value: 'n' }] });
    assert.equal(fresh.taskDefinitionVersion.asAtModified, v2.version.asAtModified);
    assert.equal(fresh.taskDefinitionDisplayName, 'Version two');
    await fails(s, 'POST', `/api/tasks/${fresh.id}?trigger=start`, {}, 400, 'GuardConditionNotMet');
    await fails(s, 'POST', `/api/tasks/${fresh.id}`, { fields: [{ name: 'test', value: 'no' }] }, 400, 'InvalidFieldValue');

    // The old task keeps version 1: no guard, any 'test' value, state InProgress.
    const moved = await ok(s, 'POST', `/api/tasks/${old.id}?trigger=start`, { fields: [{ name: 'test', value: 'no' }] });
    assert.equal(moved.state, 'InProgress');
    assert.equal(moved.taskDefinitionVersion.asAtModified, v1.version.asAtModified);
    assert.equal(moved.taskDefinitionDisplayName, 'ver/def');

    // Deleting the definition: no new tasks, but existing ones carry on.
    await ok(s, 'DELETE', '/api/taskdefinitions/ver/def');
    await fails(s, 'GET', '/api/taskdefinitions/ver/def', undefined, 404, 'TaskDefinitionNotFound');
    await fails(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'ver', code: 'def' }, fields: [{ name: 'clientId', value: 'z' }] }, 404, 'TaskDefinitionNotFound');
    assert.equal((await ok(s, 'POST', `/api/tasks/${old.id}?trigger=finish`)).state, 'Done');
  });

  test('lists: filter, sortBy, limit and page tokens; definition tasks; batch update and batch delete', async () => {
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('list', 'a', { fieldSchema: [{ name: 'clientId', type: 'String' }, { name: 'test', type: 'String' }, { name: 'n', type: 'Decimal' }] }));
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'list', code: 'a' }, correlationIds: [`batch-${i % 2}`], fields: [{ name: 'clientId', value: `c${i}` }, { name: 'n', value: i }] })).id);
    }
    await ok(s, 'POST', `/api/tasks/${ids[3]}?trigger=start`);
    const q = (filter: string, extra = '') => `/api/tasks?filter=${encodeURIComponent(filter)}${extra}`;
    assert.deepEqual((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and fields['n'] gte 5"))).values.map((t: any) => t.id), [ids[5], ids[6]]);
    assert.deepEqual((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and state eq 'InProgress'"))).values.map((t: any) => t.id), [ids[3]]);
    assert.equal((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and correlationIds eq 'batch-1'"))).values.length, 3);
    assert.equal((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and fields['clientId'] in ('c1', 'c2', 'zz')"))).values.length, 2);
    assert.equal((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and fields['clientId'] not in ('c1', 'c2')"))).values.length, 5);
    assert.equal((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and fields['clientId'] startswith 'c' and not (fields['n'] lt 6)"))).values.length, 1);
    assert.equal((await ok(s, 'GET', q("taskDefinitionId.scope eq 'list' and fields['test'] not exists"))).values.length, 7);

    // Sorted by n descending, two per page, following the tokens.
    const pages: string[] = [];
    let path = q("taskDefinitionId.scope eq 'list'", '&sortBy=' + encodeURIComponent("fields['n'] DESC") + '&limit=2');
    for (;;) {
      const page = await ok(s, 'GET', path);
      pages.push(...page.values.map((t: any) => t.id));
      if (!page.nextPage) break;
      path = q("taskDefinitionId.scope eq 'list'", '&sortBy=' + encodeURIComponent("fields['n'] DESC") + '&limit=2&page=' + page.nextPage);
    }
    assert.deepEqual(pages, [...ids].reverse());
    const first = await ok(s, 'GET', q("taskDefinitionId.scope eq 'list'", '&limit=2'));
    await fails(s, 'GET', q("taskDefinitionId.scope eq 'other'", `&limit=2&page=${first.nextPage}`), undefined, 400, 'InvalidPageToken');
    await fails(s, 'GET', q("fields['n'] gt"), undefined, 400, 'InvalidFilter');
    await fails(s, 'GET', '/api/tasks?limit=0', undefined, 400, 'ValidationError');
    await fails(s, 'GET', '/api/tasks?sortBy=' + encodeURIComponent('state SIDEWAYS'), undefined, 400, 'ValidationError');
    assert.equal((await ok(s, 'GET', '/api/taskdefinitions/list/a/tasks?limit=100')).values.length, 7);
    assert.ok((await ok(s, 'GET', '/api/taskdefinitions?limit=100')).values.some((d: any) => d.id.code === 'a'));

    // Batch update: each item on its own; the failure is listed and leaves its task unchanged.
    const batch = await ok(s, 'PATCH', '/api/tasks/$update', {
      updateTasks: [
        { taskId: ids[0], triggerName: 'start', fields: [{ name: 'test', value: 't' }] },
        { taskId: ids[3], triggerName: 'start' },
        { taskId: '00000000-0000-0000-0000-000000000000', triggerName: 'start' },
      ],
    });
    assert.deepEqual(batch.values.map((t: any) => [t.id, t.state]), [[ids[0], 'InProgress']]);
    assert.deepEqual(batch.failed.map((f: any) => [f.id, f.type]), [[ids[3], 'workflowTransitionNotFound'], ['00000000-0000-0000-0000-000000000000', 'workflowTaskNotFound']]);
    assert.equal((await ok(s, 'GET', `/api/tasks/${ids[3]}`)).version.asAtVersionNumber, 2);

    // Batch delete is all or nothing.
    await fails(s, 'POST', '/api/tasks/$delete', { taskIds: [ids[5], 'missing'] }, 404, 'TaskNotFound');
    await ok(s, 'GET', `/api/tasks/${ids[5]}`);
    await ok(s, 'POST', '/api/tasks/$delete', { taskIds: [ids[5], ids[6]] });
    await fails(s, 'GET', `/api/tasks/${ids[6]}`, undefined, 404, 'TaskNotFound');
  });

  test('field values are typed, constrained and canonical; refusals change nothing', async () => {
    await ok(s, 'POST', '/api/taskdefinitions', {
      id: { scope: 'types', code: 'all' },
      displayName: 'Typed',
      states: [{ name: 'Open' }, { name: 'Locked' }, { name: 'Closed' }],
      fieldSchema: [
        { name: 's', type: 'String' },
        { name: 'd', type: 'Decimal' },
        { name: 't', type: 'DateTime' },
        { name: 'b', type: 'Boolean' },
        { name: 'colour', type: 'String', valueConstraints: { constraintType: 'Validated', valueSourceType: 'AcceptableValues', acceptableValues: ['red', 'green'] } },
        { name: 'hint', type: 'String', valueConstraints: { constraintType: 'Suggested', valueSourceType: 'AcceptableValues', acceptableValues: ['a'] } },
        { name: 'note', type: 'String', readOnlyStates: { stateType: 'SelectedStates', selectedStates: ['Locked'] } },
        { name: 'final', type: 'String', readOnlyStates: { stateType: 'TerminalState' } },
      ],
      initialState: { name: 'Open' },
      triggers: [{ name: 'lock' }, { name: 'close' }],
      transitions: [{ fromState: 'Open', toState: 'Locked', trigger: 'lock' }, { fromState: 'Locked', toState: 'Closed', trigger: 'close' }],
    });
    const t = await ok(s, 'POST', '/api/tasks', {
      taskDefinitionId: { scope: 'types', code: 'all' },
      fields: [
        { name: 'd', value: '12.5' },
        { name: 't', value: '2026-01-02T03:04:05+01:00' },
        { name: 'b', value: 'true' },
        { name: 'hint', value: 'not suggested but allowed' },
      ],
    });
    assert.deepEqual(Object.fromEntries(t.fields.map((f: any) => [f.name, f.value])), { d: 12.5, t: '2026-01-02T02:04:05.000Z', b: true, hint: 'not suggested but allowed' });
    const path = `/api/tasks/${t.id}`;
    for (const [fields, pattern] of [
      [[{ name: 'd', value: 'abc' }], /'d' \(Decimal\) must be a decimal number/],
      [[{ name: 't', value: 'yesterday' }], /'t' \(DateTime\) must be an ISO-8601/],
      [[{ name: 'b', value: 3 }], /'b' \(Boolean\) must be a boolean/],
      [[{ name: 's', value: 5 }], /'s' \(String\) must be a string/],
      [[{ name: 'colour', value: 'blue' }], /'colour' must be one of "red", "green"/],
      [[{ name: 'nope', value: 'x' }], /'nope' is not in the task definition's fieldSchema/],
      [[{ name: 's', value: 'a' }, { name: 's', value: 'b' }], /given more than once/],
    ] as const) {
      const body = await fails(s, 'POST', path, { fields }, 400, 'InvalidFieldValue');
      assert.match(body.detail, pattern);
      assert.equal(body.errorDetails[0].field, fields[0]!.name);
    }
    assert.equal((await ok(s, 'GET', path)).version.asAtVersionNumber, 1);
    await ok(s, 'POST', `${path}?trigger=lock`, { fields: [{ name: 'colour', value: 'green' }] });
    await fails(s, 'POST', path, { fields: [{ name: 'note', value: 'x' }] }, 400, 'InvalidFieldValue');
    await ok(s, 'POST', `${path}?trigger=close`, { fields: [{ name: 'final', value: 'set before closing' }] });
    await fails(s, 'POST', path, { fields: [{ name: 'final', value: 'changed' }] }, 400, 'InvalidFieldValue');
    // Re-sending a read-only field's current value is not a change.
    await ok(s, 'POST', path, { fields: [{ name: 'final', value: 'set before closing' }] });
    // Required fields of the initial state.
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('req', 'one'));
    const missing = await fails(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'req', code: 'one' } }, 400, 'InvalidFieldValue');
    assert.match(missing.detail, /Required field 'clientId' of initial state 'Pending' not given/);
  });

  test('invalid definitions are refused with a message naming the problem, and nothing is created', async () => {
    const base = simpleDefinition('bad', 'def');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['unknown fromState', { transitions: [{ fromState: 'Nowhere', toState: 'Done', trigger: 'start' }] }, /fromState 'Nowhere' is not a state/],
      ['unknown toState', { transitions: [{ fromState: 'Pending', toState: 'Limbo', trigger: 'start' }] }, /toState 'Limbo' is not a state/],
      ['unknown trigger', { transitions: [{ fromState: 'Pending', toState: 'Done', trigger: 'jump' }] }, /trigger 'jump' is not in triggers/],
      ['unknown action', { transitions: [{ fromState: 'Pending', toState: 'Done', trigger: 'start', action: 'ghost' }] }, /action 'ghost' is not in actions/],
      ['guard on an unknown field', { transitions: [{ fromState: 'Pending', toState: 'Done', trigger: 'start', guard: "fields['colour'] eq 'red'" }] }, /refers to field 'colour', which is not in the fieldSchema/],
      ['guard with bad syntax', { transitions: [{ fromState: 'Pending', toState: 'Done', trigger: 'start', guard: "fields['test'] equals 'x'" }] }, /is not a valid filter: Unexpected 'equals'.*position 16/],
      ['guard on an unknown identifier', { transitions: [{ fromState: 'Pending', toState: 'Done', trigger: 'start', guard: "Somebody eq 'x'" }] }, /refers to 'Somebody'/],
      ['duplicate state', { states: [{ name: 'Pending' }, { name: 'Pending' }] }, /State 'Pending' is defined more than once/],
      ['unknown initial state', { initialState: { name: 'Start' } }, /Initial state 'Start' is not a state/],
      ['unknown required field', { initialState: { name: 'Pending', requiredFields: ['ghost'] } }, /Required field 'ghost'/],
      ['bad field type', { fieldSchema: [{ name: 'x', type: 'Integer' }] }, /fieldSchema\[0\]\.type: must be one of String, Decimal, DateTime, Boolean/],
      ['acceptable value of the wrong type', { fieldSchema: [{ name: 'x', type: 'Decimal', valueConstraints: { constraintType: 'Validated', valueSourceType: 'AcceptableValues', acceptableValues: ['ten'] } }] }, /Field 'x': acceptable value "ten" must be a decimal number/],
      ['read-only state that does not exist', { fieldSchema: [{ name: 'x', type: 'String', readOnlyStates: { stateType: 'SelectedStates', selectedStates: ['Ghost'] } }] }, /read-only state 'Ghost'/],
      ['no states', { states: [] }, /states: must list at least one state/],
      ['unknown action type', { actions: [{ name: 'a', actionDetails: { type: 'Teleport' } }] }, /type must be one of RunWorker/],
      ['worker that does not exist', { actions: [{ name: 'a', actionDetails: { type: 'RunWorker', workerId: { scope: 'no', code: 'body' } } }] }, /runs worker no\/body, which does not exist/],
      ['routing to a workspace that does not exist', { actions: [{ name: 'a', actionDetails: { type: 'RouteToWorkers', workspaceSid: 'WS' + '0'.repeat(32), workflowSid: 'WW' + '0'.repeat(32) } }] }, /workspace WS0+ was not found/],
      ['mapping from an unknown field', { actions: [{ name: 'a', actionDetails: { type: 'CreateChildTasks', childTaskConfigurations: [{ taskDefinitionId: { scope: 'x', code: 'y' }, childTaskFields: { f: { mapFrom: 'ghost' } } }] } }] }, /maps from field 'ghost'/],
    ];
    for (const [what, change, pattern] of cases) {
      const body = await fails(s, 'POST', '/api/taskdefinitions', { ...base, ...change }, 400, 'InvalidTaskDefinition');
      assert.match(body.detail, pattern, what);
      assert.ok(body.errorDetails[0].path, `${what}: errorDetails names the path`);
    }
    await fails(s, 'GET', '/api/taskdefinitions/bad/def', undefined, 404, 'TaskDefinitionNotFound');
    await ok(s, 'POST', '/api/taskdefinitions', base);
    await fails(s, 'POST', '/api/taskdefinitions', base, 400, 'TaskDefinitionAlreadyExists');
    // An invalid update leaves the current version in place.
    await fails(s, 'PUT', '/api/taskdefinitions/bad/def', { ...base, id: undefined, initialState: { name: 'Ghost' } }, 400, 'InvalidTaskDefinition');
    assert.equal((await ok(s, 'GET', '/api/taskdefinitions/bad/def')).version.asAtVersionNumber, 1);
  });

  test('requests: authentication, content types, unknown parameters and endpoints answer in LUSID form', async () => {
    const noAuth = await s.request('GET', '/api/tasks', { auth: null });
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.name, 'AuthenticationFailed');
    const wrong = await s.request('GET', '/api/tasks', { auth: { username: s.accountSid, password: 'wrong' } });
    assert.equal(wrong.status, 401);
    const bearer = await s.request('GET', '/api/tasks', { auth: null, headers: { authorization: 'Bearer abc.def.ghi' } });
    assert.equal(bearer.status, 401);
    assert.match(bearer.body.detail, /Invalid token: not a JWT/);
    const key = await apiKeyUser(s);
    await ok(s, 'GET', '/api/tasks', undefined, key);

    const form = await s.request('POST', '/api/tasks', { form: { a: '1' } });
    assert.equal(form.status, 415);
    assert.equal(form.body.name, 'UnsupportedMediaType');
    for (const type of ['text/plain', 'application/xml', 'application/jsonx', 'multipart/form-data; boundary=b']) {
      const res = await s.request('POST', '/api/taskdefinitions', { body: '{}', headers: { 'content-type': type } });
      assert.equal(res.status, 415, type);
      assert.equal(res.body.name, 'UnsupportedMediaType', type);
    }
    // Bodies over the limit are 413 in LUSID's format and create nothing.
    const huge = await s.request('POST', '/api/taskdefinitions', { body: JSON.stringify({ ...simpleDefinition('huge', 'def'), description: 'x'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.name, 'PayloadTooLarge');
    assert.equal((await s.request('GET', '/api/taskdefinitions/huge/def')).status, 404);
    const badJson = await s.request('POST', '/api/tasks', { body: '{"taskDefinitionId":', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.name, 'ValidationError');
    const poisoned = await s.request('POST', '/api/taskdefinitions', { body: '{"__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } });
    assert.equal(poisoned.status, 400);
    await fails(s, 'POST', '/api/tasks', [], 400, 'ValidationError');
    await fails(s, 'POST', '/api/tasks', { taskDefinitionId: 'A1' }, 400, 'ValidationError');
    await fails(s, 'GET', '/api/tasks?colour=red', undefined, 400, 'ValidationError');
    await fails(s, 'GET', '/api/tasks/x?asAt=yesterday', undefined, 400, 'ValidationError');
    await fails(s, 'GET', '/api/nothing-here', undefined, 404, 'NotFound');
    await fails(s, 'GET', '/api/tasks/00000000-0000-0000-0000-000000000000', undefined, 404, 'TaskNotFound');
    await fails(s, 'GET', '/api/actionlogs/nope', undefined, 404, 'ActionLogNotFound');
    const res = await s.request('GET', '/api/tasks');
    assert.match(res.headers.get('lusid-meta-requestId') ?? '', /^[0-9a-f-]{36}$/);
  });

  test("another account's tasks and definitions are invisible", async () => {
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('tenant', 'mine'));
    const mine = await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'tenant', code: 'mine' }, fields: [{ name: 'clientId', value: 'x' }] });
    const sub = await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'other' } });
    assert.equal(sub.status, 201, sub.text);
    const other = { username: sub.body.sid, password: sub.body.auth_token };
    await fails(s, 'GET', `/api/tasks/${mine.id}`, undefined, 404, 'TaskNotFound', other);
    await fails(s, 'POST', `/api/tasks/${mine.id}?trigger=start`, {}, 404, 'TaskNotFound', other);
    await fails(s, 'GET', '/api/taskdefinitions/tenant/mine', undefined, 404, 'TaskDefinitionNotFound', other);
    assert.equal((await ok(s, 'GET', '/api/tasks', undefined, other)).values.length, 0);
    // The same scope/code is free in the other account.
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('tenant', 'mine'), other);
  });
});
