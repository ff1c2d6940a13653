// Workspace and domain isolation of the Opsflow face, verb by verb. A caller scoped to one workspace
// (`X-Workspace-Id`) and a caller of another domain (account) reach workspace A's task, its comment and its
// events through every verb of every service: each object verb is refused with exactly the 404 a missing object
// gets, each list and stat reveals nothing (counts included), and nothing changes. The caller of workspace A
// itself sees all of it. Categories and task types belong to the domain (SpaceONE's TaskCategoryInfo and
// TaskTypeInfo have no workspace): every workspace of the domain reads them, only a domain-wide caller changes
// them, and another domain neither reads nor changes them. Variables belong to a workspace, as tasks do. Every
// refusal is SpaceONE's body, `{"detail": {"code": "ERROR_NOT_FOUND", ...}}`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { domainSnapshot } from '../support/opsflowFace.ts';
import { startServer, type TestServer } from '../support/server.ts';

const MISSING = { task_id: 'task-000000000000', comment_id: 'comment-000000000000', category_id: 'tc-000000000000', task_type_id: 'tt-000000000000', name: 'missing.variable' };

describe('Opsflow isolation matrix', () => {
  let s: TestServer;
  let other: { username: string; password: string };
  let category: any;
  let type: any;
  let task: any;
  let comment: any;
  let variable: any;
  const A = { 'x-workspace-id': 'workspace-a' };
  const B = { 'x-workspace-id': 'workspace-b' };

  const call = (path: string, json: unknown, headers: Record<string, string> = {}, auth?: { username: string; password: string }) =>
    s.request('POST', `/opsflow/v1/${path}`, { json, headers, ...(auth ? { auth } : {}) });
  const ok = async (path: string, json: unknown, headers: Record<string, string> = {}, auth?: { username: string; password: string }) => {
    const r = await call(path, json, headers, auth);
    assert.equal(r.status, 200, `${path} -> ${r.status} ${r.text}`);
    return r.body;
  };

  /** Everything the domain holds, as a domain-wide caller of the account reads it. */
  const snapshot = () => domainSnapshot(ok);

  before(async () => {
    s = await startServer();
    const sub = (await s.request('POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'another domain' } })).body;
    other = { username: sub.sid, password: sub.auth_token };
    category = await ok('task-category/create', {
      name: 'Incidents',
      status_options: { TODO: [{ status_id: 'new', name: 'New' }], IN_PROGRESS: [{ status_id: 'working', name: 'Working' }], COMPLETED: [{ status_id: 'done', name: 'Done' }] },
    });
    type = await ok('task-type/create', { name: 'Outage', category_id: category.category_id });
    task = await ok('task/create', { name: 'Disk nearly full on db-1', status_id: 'new', project_id: 'project-db', task_type_id: type.task_type_id }, A);
    await ok('task/change_status', { task_id: task.task_id, status_id: 'working' }, A);
    comment = await ok('comment/create', { task_id: task.task_id, comment: 'looking at it' }, A);
    variable = await ok('variable/create', { name: 'pager.token', value: 'sekrit-of-a' }, A);
    // Workspace B has a task of its own, so its lists are not empty by accident.
    await ok('task/create', { name: 'Printer jam', status_id: 'new', project_id: 'project-office', task_type_id: type.task_type_id }, B);
  });
  after(async () => s.close());

  /** Verbs that name one object of workspace A, with the body for A's object and for a missing one. */
  const objectVerbs = (): [string, Record<string, unknown>, Record<string, unknown>][] => [
    ['task/get', { task_id: task.task_id }, { task_id: MISSING.task_id }],
    ['task/update', { task_id: task.task_id, name: 'renamed' }, { task_id: MISSING.task_id, name: 'renamed' }],
    ['task/update_description', { task_id: task.task_id, description: 'x' }, { task_id: MISSING.task_id, description: 'x' }],
    ['task/change_assignee', { task_id: task.task_id, assignee: 'mallory' }, { task_id: MISSING.task_id, assignee: 'mallory' }],
    ['task/change_status', { task_id: task.task_id, status_id: 'done' }, { task_id: MISSING.task_id, status_id: 'done' }],
    ['task/delete', { task_id: task.task_id }, { task_id: MISSING.task_id }],
    ['comment/create', { task_id: task.task_id, comment: 'hi' }, { task_id: MISSING.task_id, comment: 'hi' }],
    ['comment/get', { comment_id: comment.comment_id }, { comment_id: MISSING.comment_id }],
    ['comment/update', { comment_id: comment.comment_id, comment: 'edited' }, { comment_id: MISSING.comment_id, comment: 'edited' }],
    ['comment/delete', { comment_id: comment.comment_id }, { comment_id: MISSING.comment_id }],
    ['variable/get', { name: variable.name }, { name: MISSING.name }],
    ['variable/get', { name: variable.name, workspace_id: 'workspace-a' }, { name: MISSING.name, workspace_id: 'workspace-a' }],
    ['variable/update', { name: variable.name, value: 'stolen' }, { name: MISSING.name, value: 'stolen' }],
    ['variable/update', { name: variable.name, value: 'stolen', workspace_id: 'workspace-a' }, { name: MISSING.name, value: 'stolen', workspace_id: 'workspace-a' }],
    ['variable/delete', { name: variable.name, workspace_id: 'workspace-a' }, { name: MISSING.name, workspace_id: 'workspace-a' }],
  ];

  /** Lists and stats that reach A's task, comment and events through another object or a filter. */
  const revealing = (): [string, Record<string, unknown>][] => [
    ['task/list', {}],
    ['task/list', { task_id: task.task_id }],
    ['task/list', { task_type_id: type.task_type_id, workspace_id: 'workspace-a' }],
    ['task/list', { category_id: category.category_id, query: { count_only: true } }],
    ['task/list', { query: { keyword: 'disk' } }],
    ['task/stat', { query: { filter: [{ k: 'task_id', v: task.task_id, o: 'eq' }], aggregate: [{ group: { fields: [{ operator: 'count', name: 'n' }] } }] } }],
    ['task/stat', { query: { distinct: 'name' } }],
    ['comment/list', { task_id: task.task_id }],
    ['comment/list', { query: { count_only: true } }],
    ['event/list', { task_id: task.task_id }],
    ['event/list', { query: { filter: [{ k: 'task_id', v: task.task_id, o: 'eq' }], count_only: true } }],
    ['event/stat', { query: { filter: [{ k: 'task_id', v: task.task_id, o: 'eq' }], aggregate: [{ group: { keys: [{ key: 'event_type', name: 'type' }], fields: [{ operator: 'count', name: 'n' }] } }] } }],
    ['event/stat', { query: { distinct: 'task_id' } }],
    ['event/list', { workspace_id: 'workspace-a', project_id: 'project-db' }],
    ['comment/stat', { query: { aggregate: [{ group: { keys: [{ key: 'task_id', name: 'task' }], fields: [{ operator: 'count', name: 'n' }] } }] } }],
    ['comment/stat', { query: { distinct: 'comment_id' } }],
    ['variable/list', {}],
    ['variable/list', { name: 'pager.token', workspace_id: 'workspace-a' }],
    ['variable/list', { query: { keyword: 'sekrit' } }],
    ['variable/stat', { query: { distinct: 'value' } }],
    ['variable/stat', { query: { aggregate: [{ group: { keys: [{ key: 'name', name: 'name' }], fields: [{ operator: 'count', name: 'n' }] } }] } }],
  ];

  /** A's own objects, as a list or stat returns them: what must not leak. */
  const leaks = (body: any): boolean => {
    const text = JSON.stringify(body);
    return text.includes(task.task_id) || text.includes(comment.comment_id) || text.includes('Disk nearly full') || text.includes('sekrit-of-a') || text.includes('pager.token');
  };

  // The other domain's credentials exist once `before` ran, so a caller names them through a function.
  const callers: { name: string; headers: Record<string, string>; auth: () => { username: string; password: string } | undefined }[] = [
    { name: 'another workspace of the same domain', headers: B, auth: () => undefined },
    { name: 'another domain', headers: {}, auth: () => other },
    { name: 'another domain naming workspace A', headers: A, auth: () => other },
  ];

  test('the own workspace reaches its task, comment and events through every verb', async () => {
    assert.equal((await ok('task/get', { task_id: task.task_id }, A)).task_id, task.task_id);
    assert.equal((await ok('comment/get', { comment_id: comment.comment_id }, A)).comment_id, comment.comment_id);
    assert.deepEqual((await ok('comment/list', { task_id: task.task_id }, A)).results.map((c: any) => c.comment_id), [comment.comment_id]);
    const events = (await ok('event/list', { task_id: task.task_id }, A)).results;
    assert.deepEqual(events.map((e: any) => e.event_type), ['CREATED', 'CHANGE_STATUS', 'COMMENTED']);
    assert.ok(events.every((e: any) => e.workspace_id === 'workspace-a'));
    const listed = await ok('task/list', {}, A);
    assert.deepEqual(listed.results.map((t: any) => t.task_id), [task.task_id]);
    assert.equal(listed.total_count, 1);
    const stat = await ok('event/stat', { query: { filter: [{ k: 'task_id', v: task.task_id, o: 'eq' }], aggregate: [{ group: { fields: [{ operator: 'count', name: 'n' }] } }] } }, A);
    assert.deepEqual(stat.results, [{ n: 3 }]);
    assert.equal((await ok('comment/get', { comment_id: comment.comment_id }, A)).workspace_id, 'workspace-a');
    assert.equal((await ok('variable/get', { name: variable.name }, A)).value, 'sekrit-of-a');
    assert.equal((await ok('variable/get', { name: variable.name, workspace_id: 'workspace-a' })).value, 'sekrit-of-a', 'a domain-wide caller names the workspace');
    assert.deepEqual((await ok('variable/list', {}, A)).results.map((v: any) => v.name), [variable.name]);
    assert.deepEqual((await ok('comment/stat', { query: { aggregate: [{ group: { keys: [{ key: 'task_id', name: 'task' }], fields: [{ operator: 'count', name: 'n' }] } }] } }, A)).results, [{ task: task.task_id, n: 1 }]);
    // The domain's categories and types are read by every workspace of the domain.
    for (const h of [A, B]) {
      assert.equal((await ok('task-category/get', { category_id: category.category_id }, h)).category_id, category.category_id);
      assert.equal((await ok('task-type/get', { task_type_id: type.task_type_id }, h)).task_type_id, type.task_type_id);
      assert.deepEqual((await ok('task-type/list', { category_id: category.category_id }, h)).results.map((t: any) => t.task_type_id), [type.task_type_id]);
    }
  });

  for (const caller of callers) {
    test(`${caller.name}: every object verb answers as for a missing object, every list and stat reveals nothing, nothing changes`, async () => {
      const before = await snapshot();
      for (const [path, body, missingBody] of objectVerbs()) {
        const r = await call(path, body, caller.headers, caller.auth());
        const missing = await call(path, missingBody, caller.headers, caller.auth());
        assert.equal(r.status, 404, `${path} -> ${r.status} ${r.text}`);
        assert.equal(missing.status, 404, `${path} (missing) -> ${missing.status} ${missing.text}`);
        assert.deepEqual(Object.keys(r.body), ['detail'], `${path}: SpaceONE's error body`);
        assert.equal(r.body.detail.code, 'ERROR_NOT_FOUND');
        const idKey = Object.keys(missingBody).find((k) => k in MISSING)!;
        const normalise = (text: string, id: unknown) => text.split(String(id)).join('<id>');
        assert.equal(normalise(r.text, body[idKey]), normalise(missing.text, missingBody[idKey]), `${path}: the same answer as a missing object`);
      }
      for (const [path, body] of revealing()) {
        const r = await ok(path, body, caller.headers, caller.auth());
        assert.equal(leaks(r), false, `${path} ${JSON.stringify(body)} leaks: ${JSON.stringify(r).slice(0, 300)}`);
        if ('total_count' in r && !path.endsWith('/stat')) {
          const own = (await ok(path, body, {}, caller.auth())) as any;
          assert.ok(r.total_count <= own.total_count);
        }
        if (path === 'event/list' || path === 'comment/list' || path === 'variable/list' || (path === 'task/list' && Object.keys(body).length > 0 && caller.headers !== B)) {
          assert.equal(r.total_count, 0, `${path} ${JSON.stringify(body)} counts nothing`);
        }
      }
      assert.deepEqual(await snapshot(), before, 'nothing changed');
    });
  }

  test('categories and task types: another domain gets 404 for each verb and sees none; a workspace reads but does not change them', async () => {
    const before = await snapshot();
    const categoryVerbs: [string, Record<string, unknown>][] = [
      ['task-category/get', { category_id: category.category_id }],
      ['task-category/update', { category_id: category.category_id, name: 'stolen' }],
      ['task-category/update_fields', { category_id: category.category_id, fields: [] }],
      ['task-category/delete', { category_id: category.category_id }],
      ['task-type/get', { task_type_id: type.task_type_id }],
      ['task-type/update', { task_type_id: type.task_type_id, name: 'stolen' }],
      ['task-type/update_fields', { task_type_id: type.task_type_id, fields: [] }],
      ['task-type/delete', { task_type_id: type.task_type_id }],
      ['task-type/create', { name: 'Mine', category_id: category.category_id }],
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id }],
    ];
    for (const [path, body] of categoryVerbs) {
      const r = await call(path, body, {}, other);
      assert.equal(r.status, 404, `another domain: ${path} -> ${r.status} ${r.text}`);
      const key = Object.keys(body).find((k) => k === 'category_id' || k === 'task_type_id')!;
      const missing = await call(path, { ...body, [key]: MISSING[key as 'category_id'] }, {}, other);
      assert.equal(r.text.split(String(body[key])).join('<id>'), missing.text.split(MISSING[key as 'category_id']).join('<id>'), `${path}: the same answer as a missing object`);
    }
    for (const [path, body] of [
      ['task-category/list', {}],
      ['task-category/list', { category_id: category.category_id }],
      ['task-category/stat', { query: { aggregate: [{ group: { fields: [{ operator: 'count', name: 'n' }] } }] } }],
      ['task-type/list', { category_id: category.category_id }],
      ['task-type/stat', { query: { distinct: 'task_type_id' } }],
    ] as [string, Record<string, unknown>][]) {
      const r = await ok(path, body, {}, other);
      assert.equal(JSON.stringify(r).includes(category.category_id) || JSON.stringify(r).includes(type.task_type_id), false, `${path} leaks`);
      if ('total_count' in r && !path.endsWith('/stat')) assert.equal(r.total_count, 0);
    }
    // A workspace-scoped caller reads the domain's categories and types but may not change them.
    for (const [path, body] of categoryVerbs.filter(([p]) => !p.endsWith('/get') && !p.startsWith('task/'))) {
      const r = await call(path, body, B);
      assert.equal(r.status, 403, `workspace B: ${path} -> ${r.status} ${r.text}`);
      assert.equal(r.body.detail?.code, 'ERROR_PERMISSION_DENIED');
    }
    const created = await call('task-category/create', { name: 'Mine', status_options: { TODO: [{ name: 'a' }], IN_PROGRESS: [{ name: 'b' }], COMPLETED: [{ name: 'c' }] } }, B);
    assert.equal(created.status, 403);
    // Nor does it create a variable in another workspace (a variable of the same name in its own is its own).
    const planted = await call('variable/create', { name: variable.name, value: 'planted', workspace_id: 'workspace-a' }, B);
    assert.equal(planted.status, 403, planted.text);
    assert.equal(planted.body.detail.code, 'ERROR_PERMISSION_DENIED');
    assert.deepEqual(await snapshot(), before, 'nothing changed');
  });
});
