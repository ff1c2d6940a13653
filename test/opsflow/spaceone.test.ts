// The Opsflow face against SpaceONE's own semantics (issue 20's findings, one test each): python-core's error body
// and error kinds, `project_id` required at creation, the event details the console shows, keyword search, and
// the fields and filters of the newest opsflow v1 protos. Every refusal is checked to change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';

describe('Opsflow face as SpaceONE serves it', () => {
  let s: TestServer;
  let now = Date.UTC(2026, 2, 2, 8, 0, 0);
  let category: any;
  let type: any;
  let projectType: any;
  const post = (path: string, json: unknown, headers: Record<string, string> = {}) => s.request('POST', `/opsflow/v1/${path}`, { json, headers });
  const ok = async (path: string, json: unknown, headers: Record<string, string> = {}) => {
    const r = await post(path, json, headers);
    assert.equal(r.status, 200, `${path} -> ${r.status} ${r.text}`);
    return r.body;
  };
  /** A refusal: the status and SpaceONE's body `{detail: {code, message}}`, nothing else at the top. */
  const refused = async (path: string, json: unknown, status: number, code: string, headers: Record<string, string> = {}) => {
    const r = await post(path, json, headers);
    assert.equal(r.status, status, `${path} ${JSON.stringify(json).slice(0, 200)} -> ${r.status} ${r.text}`);
    assert.deepEqual(Object.keys(r.body), ['detail'], r.text);
    assert.equal(r.body.detail.code, code, r.text);
    assert.equal(typeof r.body.detail.message, 'string');
    return r.body.detail;
  };
  /** Everything of the domain, as a domain-wide caller lists it. */
  const snapshot = async () => ({
    tasks: (await ok('task/list', {})).results,
    comments: (await ok('comment/list', {})).results,
    events: (await ok('event/list', {})).results,
    categories: (await ok('task-category/list', { include_deleted: true })).results,
    types: (await ok('task-type/list', {})).results,
  });

  before(async () => {
    s = await startServer({ clock: () => now });
    category = await ok('task-category/create', {
      name: 'Operations',
      status_options: { TODO: [{ status_id: 'todo', name: 'To do' }], IN_PROGRESS: [{ status_id: 'doing', name: 'Doing' }], COMPLETED: [{ status_id: 'done', name: 'Done' }] },
      fields: [{ field_id: 'host', name: 'Host', field_type: 'TEXT' }],
    });
    type = await ok('task-type/create', { name: 'Request', category_id: category.category_id, assignee_pool: ['alice', 'bob'] });
    projectType = await ok('task-type/create', { name: 'Project work', category_id: category.category_id, require_project: true });
  });
  after(async () => s.close());

  test('finding 2: errors are python-core\'s {"detail": {"code", "message"}}, extra fields inside detail', async () => {
    const missing = await refused('task/get', { task_id: 'task-000000000000' }, 404, 'ERROR_NOT_FOUND');
    assert.equal(missing.message, 'Resource cannot be found or access is denied. (task_id = task-000000000000)');
    assert.deepEqual(missing.details, [{ key: 'task_id', value: 'task-000000000000' }]);
    await refused('task/list', { query: { filter: [{ k: 'secret', v: 1, o: 'eq' }] } }, 400, 'ERROR_INVALID_QUERY');
    // The framework's own refusals in the same shape: a path the face does not serve, a body that is not JSON,
    // no credentials (python-core's ERROR_AUTHENTICATE_FAILURE).
    await refused('task/explode', {}, 404, 'ERROR_NOT_FOUND');
    const raw = await s.request('POST', '/opsflow/v1/task/list', { body: '{"query":', headers: { 'content-type': 'application/json' } });
    assert.equal(raw.status, 400);
    assert.equal(raw.body.detail.code, 'ERROR_INVALID_PARAMETER');
    const noAuth = await s.request('POST', '/opsflow/v1/task/list', { json: {}, auth: null });
    assert.equal(noAuth.status, 401);
    assert.deepEqual(Object.keys(noAuth.body), ['detail']);
    assert.equal(noAuth.body.detail.code, 'ERROR_AUTHENTICATE_FAILURE');
    const scoped = await refused('task-category/create', { name: 'x', status_options: category.status_options }, 403, 'ERROR_PERMISSION_DENIED', { 'x-workspace-id': 'workspace-a' });
    assert.match(scoped.message, /domain/);
  });

  test('finding 3: a value of the wrong type is ERROR_INVALID_PARAMETER_TYPE naming the key and type; a missing one ERROR_REQUIRED_PARAMETER', async () => {
    const before = await snapshot();
    const task = { name: 'Disk', status_id: 'todo', project_id: '*', task_type_id: type.task_type_id };
    const typeErrors: [string, Record<string, unknown>, string, string][] = [
      ['task/create', { ...task, name: ['Disk'] }, 'name', 'str'],
      ['task/create', { ...task, status_id: 7 }, 'status_id', 'str'],
      ['task/create', { ...task, data: ['host'] }, 'data', 'dict'],
      ['task/create', { ...task, files: 'file-1' }, 'files', 'list'],
      ['task/create', { ...task, project_id: { id: 'p' } }, 'project_id', 'str'],
      ['task-category/create', { name: 'C', status_options: 'TODO' }, 'status_options', 'dict'],
      ['task-category/create', { name: 'C', status_options: { TODO: [{ name: 5 }], IN_PROGRESS: [{ name: 'b' }], COMPLETED: [{ name: 'c' }] } }, 'status_options.TODO.0.name', 'str'],
      ['task-type/create', { name: 'T', category_id: category.category_id, assignee_pool: 'alice' }, 'assignee_pool', 'list'],
      ['task-type/create', { name: 'T', category_id: category.category_id, require_project: 'yes' }, 'require_project', 'bool'],
      ['comment/create', { task_id: 'task-000000000000', comment: { text: 'hi' } }, 'comment', 'str'],
      ['task-category/list', { include_deleted: 'true' }, 'include_deleted', 'bool'],
    ];
    for (const [path, body, key, expected] of typeErrors) {
      const d = await refused(path, body, 400, 'ERROR_INVALID_PARAMETER_TYPE');
      assert.equal(d.message, `Parameter type is invalid. (key = ${key}, type = ${expected})`, path);
      assert.deepEqual(d.details, [{ key, type: expected }]);
    }
    // Absent, or null where the field takes no null: missing.
    for (const [path, body, key] of [
      ['task/create', { status_id: 'todo', project_id: '*', task_type_id: type.task_type_id }, 'name'],
      ['task/create', { ...task, name: null }, 'name'],
      ['task-category/create', { name: 'C', status_options: { TODO: [{ name: 'a' }], IN_PROGRESS: [{ name: 'b' }] } }, 'status_options.COMPLETED'],
      ['comment/create', { task_id: 'task-000000000000' }, 'comment'],
    ] as [string, Record<string, unknown>, string][]) {
      assert.equal((await refused(path, body, 400, 'ERROR_REQUIRED_PARAMETER')).message, `Required parameter. (key = ${key})`);
    }
    // A value of the right type that breaks a rule: ERROR_INVALID_PARAMETER with the reason.
    assert.match((await refused('task/create', { ...task, priority: 'URGENT' }, 400, 'ERROR_INVALID_PARAMETER')).message, /^Parameter is invalid\. \(key = priority, reason = .*HIGH/);
    assert.match((await refused('task/create', { ...task, name: '' }, 400, 'ERROR_INVALID_PARAMETER')).message, /key = name/);
    // null on an optional field is "not given" (pydantic's Optional), not an error.
    const t = await ok('task/create', { ...task, description: null, assignee: null, data: null });
    assert.equal(t.description, '');
    await ok('task/delete', { task_id: t.task_id });
    const after = await snapshot();
    assert.deepEqual(after.tasks, before.tasks, 'nothing changed');
    assert.deepEqual(after.categories, before.categories);
    assert.deepEqual(after.types, before.types);
  });

  test('finding 4: project_id is required for task/create ("*" for a type that needs no project)', async () => {
    const before = await snapshot();
    const base = { name: 'No project', status_id: 'todo', task_type_id: type.task_type_id };
    assert.equal((await refused('task/create', base, 400, 'ERROR_REQUIRED_PARAMETER')).message, 'Required parameter. (key = project_id)');
    await refused('task/create', { ...base, project_id: '' }, 400, 'ERROR_INVALID_PARAMETER');
    // A type that requires a project takes no '*'.
    assert.match((await refused('task/create', { ...base, task_type_id: projectType.task_type_id, project_id: '*' }, 400, 'ERROR_REQUIRED_PARAMETER')).message, /key = project_id/);
    assert.deepEqual((await snapshot()).tasks, before.tasks, 'nothing changed');
    const workspaceLevel = await ok('task/create', { ...base, project_id: '*' });
    assert.equal(workspaceLevel.project_id, '*');
    const inProject = await ok('task/create', { ...base, task_type_id: projectType.task_type_id, project_id: 'project-db' });
    assert.equal(inProject.project_id, 'project-db');
    await refused('task/update', { task_id: inProject.task_id, project_id: '*' }, 400, 'ERROR_REQUIRED_PARAMETER');
    // An empty project_id on update is proto3's "not set": no change.
    assert.equal((await ok('task/update', { task_id: inProject.task_id, project_id: '', name: 'Renamed' })).project_id, 'project-db');
  });
});
