// The Opsflow face against SpaceONE's own semantics (issue 20's findings, one test each): python-core's error body
// and error kinds, `project_id` required at creation, the event details the console shows, keyword search, and
// the fields and filters of the newest opsflow v1 protos. Every refusal is checked to change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { domainSnapshot } from '../support/opsflowFace.ts';
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
  /** Everything the domain holds, as a domain-wide caller of the account reads it. */
  const snapshot = () => domainSnapshot(ok);

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

  test('finding 5: every event type carries its actor and time under the console\'s names; a deletion is no event of the protos', async () => {
    const user = s.accountSid;
    const at = (ms: number) => new Date(ms).toISOString();
    const created = now;
    const t = await ok('task/create', { name: 'Events', status_id: 'todo', project_id: '*', task_type_id: type.task_type_id });
    now += 1000;
    await ok('task/update', { task_id: t.task_id, name: 'Events renamed', data: { host: 'db-1' } });
    now += 1000;
    await ok('task/change_status', { task_id: t.task_id, status_id: 'doing', assignee: 'alice' });
    now += 1000;
    const comment = await ok('comment/create', { task_id: t.task_id, comment: 'on it', mentions: { USER: ['bob'] } });
    now += 1000;
    await ok('task/change_assignee', { task_id: t.task_id, assignee: 'bob' });
    const listed = await ok('event/list', { task_id: t.task_id, query: { sort: [{ key: 'created_at' }] } });
    const info = listed.results.map((e: any) => [e.event_type, e.additional_info]);
    assert.deepEqual(info, [
      ['CREATED', { created_by: user, created_at: at(created), after_status: { status_id: 'todo', name: 'To do', status_type: 'TODO' } }],
      ['UPDATED', { updated_by: user, updated_at: at(created + 1000), updated_data: [{ updated_field: 'name', updated_content: 'Events renamed' }, { updated_field: 'data.host', updated_content: 'db-1' }] }],
      ['CHANGE_STATUS', {
        changed_by: user, changed_at: at(created + 2000), before_status: { status_id: 'todo', name: 'To do', status_type: 'TODO' }, after_status: { status_id: 'doing', name: 'Doing', status_type: 'IN_PROGRESS' },
        updated_data: [{ updated_field: 'status_id', updated_content: 'doing' }, { updated_field: 'assignee', updated_content: 'alice' }],
      }],
      ['COMMENTED', { created_by: user, created_at: at(created + 3000), comment_id: comment.comment_id, mentions: { USER: ['bob'], USER_GROUP: [] } }],
      ['UPDATED', { updated_by: user, updated_at: at(created + 4000), updated_data: [{ updated_field: 'assignee', updated_content: 'bob' }] }],
    ]);
    // EventInfo's fields, updated_at included (an event never changes).
    for (const e of listed.results) {
      assert.deepEqual(Object.keys(e).sort(), ['additional_info', 'created_at', 'created_by', 'created_type', 'description', 'domain_id', 'event_id', 'event_type', 'name', 'project_id', 'task_id', 'updated_at', 'workspace_id']);
      assert.equal(e.updated_at, e.created_at);
    }
    // An event recorded before these fields existed is shown with them, from the event's own actor and time.
    const legacyTask = await ok('task/create', { name: 'Legacy', status_id: 'todo', project_id: '*', task_type_id: type.task_type_id });
    await s.store.replaying(() => s.store.transaction((repo) => {
      const [createdEvent] = repo.eventsFor(`opsflow:${s.accountSid}`).filter((e) => e.resourceSid === legacyTask.task_id);
      repo.appendEvent({ ...createdEvent!, sid: `EV${'0'.repeat(31)}1`, eventType: 'opsflow.updated', dateMs: created + 9000, eventData: { ...createdEvent!.eventData, event_id: 'event-legacy', event_type: 'UPDATED', additional_info: JSON.stringify({ updated_data: [], changed_by: 'USlegacy', changed_at: at(created + 9000) }) } });
    }));
    await s.store.durable();
    const legacy = (await ok('event/list', { event_id: 'event-legacy' })).results[0];
    assert.equal(legacy.additional_info.updated_by, s.accountSid);
    assert.equal(legacy.additional_info.updated_at, at(created + 9000));

    // DELETED is not in the protos' EventType: a deletion is no event of event/list or event/stat; the task's
    // earlier events stay listed, and event_type DELETED is refused like any value outside the enum.
    const before = (await ok('event/list', { task_id: t.task_id })).total_count;
    await ok('task/delete', { task_id: t.task_id });
    const afterDelete = await ok('event/list', { task_id: t.task_id });
    assert.equal(afterDelete.total_count, before);
    assert.ok(afterDelete.results.every((e: any) => ['CREATED', 'UPDATED', 'CHANGE_STATUS', 'COMMENTED'].includes(e.event_type)));
    const types = await ok('event/stat', { query: { distinct: 'event_type' } });
    assert.deepEqual(types.results, ['CHANGE_STATUS', 'COMMENTED', 'CREATED', 'UPDATED']);
    assert.equal((await ok('event/stat', { query: { filter: [{ k: 'task_id', v: t.task_id, o: 'eq' }], aggregate: [{ count: { name: 'n' } }] } })).results[0].n, before);
    await refused('event/list', { event_type: 'DELETED' }, 400, 'ERROR_INVALID_PARAMETER');
    await refused('comment/get', { comment_id: comment.comment_id }, 404, 'ERROR_NOT_FOUND');
  });

  test('finding 6: keyword splits on spaces and matches any word (contain_in over the keyword fields), in list and stat', async () => {
    const made: Record<string, string> = {};
    for (const [name, description] of [['Disk nearly full on db-1', ''], ['CPU spike', 'web tier'], ['Printer jam', 'third floor'], ['Certificate expiry', 'DISK of the vault']]) {
      made[name] = (await ok('task/create', { name, description, status_id: 'todo', project_id: 'kw', task_type_id: type.task_type_id })).task_id;
    }
    const names = async (keyword: string) => (await ok('task/list', { project_id: 'kw', query: { keyword, sort: [{ key: 'name' }] } })).results.map((t: any) => t.name);
    assert.deepEqual(await names('disk full'), ['Certificate expiry', 'Disk nearly full on db-1']);
    assert.deepEqual(await names('printer  cpu'), ['CPU spike', 'Printer jam']);
    assert.deepEqual(await names('floor'), ['Printer jam'], 'descriptions are keyword fields');
    assert.deepEqual(await names(made['CPU spike']!), ['CPU spike'], 'so are ids');
    assert.deepEqual(await names('   '), ['CPU spike', 'Certificate expiry', 'Disk nearly full on db-1', 'Printer jam'], 'no words: no condition');
    assert.deepEqual(await names('nothing-like-this'), []);
    // The words are matched any; the other conditions still all hold.
    assert.deepEqual((await ok('task/list', { project_id: 'kw', query: { keyword: 'disk cpu', filter: [{ k: 'name', v: 'spike', o: 'contain' }] } })).results.map((t: any) => t.name), ['CPU spike']);
    const stat = await ok('task/stat', { query: { keyword: 'disk jam', filter: [{ k: 'project_id', v: 'kw', o: 'eq' }], aggregate: [{ count: { name: 'n' } }] } });
    assert.deepEqual(stat.results, [{ n: 3 }]);
    await refused('task/list', { query: { keyword: ['disk'] } }, 400, 'ERROR_INVALID_QUERY');
  });

  test('finding 7: the fields and filters of the newest opsflow v1 protos', async () => {
    const A = { 'x-workspace-id': 'workspace-p7' };
    const t = await ok('task/create', { name: 'Proto task', status_id: 'todo', project_id: 'project-7', task_type_id: type.task_type_id }, A);
    const other = await ok('task/create', { name: 'Other task', status_id: 'todo', project_id: 'project-8', task_type_id: type.task_type_id }, A);
    // TaskInfo: every field of the proto (contents_type included), and Switchboard's mentions beside them.
    assert.deepEqual(Object.keys(t).filter((k) => k !== 'mentions').sort(), [
      'assignee', 'category_id', 'completed_at', 'completed_duration', 'contents_type', 'created_at', 'created_by', 'data', 'description', 'domain_id', 'files', 'in_progress_duration',
      'name', 'priority', 'project_id', 'reference_id', 'related_assets', 'started_at', 'started_duration', 'status_id', 'status_type', 'task_id', 'task_type_id', 'updated_at', 'workspace_id',
    ]);
    assert.equal(t.contents_type, 'markdown');

    // CommentCreateRequest's source and reference_id; CommentInfo's fields.
    const c = await ok('comment/create', { task_id: t.task_id, comment: 'from the pager', source: { name: 'PagerDuty', icon: 'https://example.com/pd.svg' }, reference_id: 'PD-42', mentions: { USER_GROUP: ['ug-oncall'] } }, A);
    assert.deepEqual(Object.keys(c).sort(), ['comment', 'comment_id', 'comment_type', 'contents_type', 'created_at', 'created_by', 'domain_id', 'is_edited', 'mentions', 'project_id', 'reference_id', 'source', 'task_id', 'updated_at', 'workspace_id']);
    assert.deepEqual([c.source, c.reference_id, c.contents_type, c.workspace_id, c.project_id], [{ name: 'PagerDuty', icon: 'https://example.com/pd.svg' }, 'PD-42', 'markdown', 'workspace-p7', 'project-7']);
    await ok('comment/create', { task_id: other.task_id, comment: 'plain' }, A);
    // CommentSearchQuery's filters.
    const comments = async (body: object) => (await ok('comment/list', body, A)).results.map((x: any) => x.comment).sort();
    assert.deepEqual(await comments({ comment_id: c.comment_id }), ['from the pager']);
    assert.deepEqual(await comments({ project_id: 'project-8' }), ['plain']);
    assert.deepEqual(await comments({ workspace_id: 'workspace-p7' }), ['from the pager', 'plain']);
    assert.deepEqual(await comments({ workspace_id: 'workspace-elsewhere' }), []);
    assert.deepEqual(await comments({ user_group_id: 'ug-oncall' }), ['from the pager']);
    assert.deepEqual(await comments({ user_id: s.accountSid, query: { filter: [{ k: 'reference_id', v: 'PD-42', o: 'eq' }] } }), ['from the pager']);
    // comment/stat.
    const byProject = await ok('comment/stat', { query: { aggregate: [{ group: { keys: [{ key: 'project_id', name: 'project' }], fields: [{ operator: 'count', name: 'n' }] } }, { sort: [{ key: 'project' }] }] } }, A);
    assert.deepEqual(byProject.results, [{ project: 'project-7', n: 1 }, { project: 'project-8', n: 1 }]);

    // EventSearchQuery's filters: created_type, event_id, created_by, workspace_id, project_id.
    const events = async (body: object) => (await ok('event/list', { ...body, query: { sort: [{ key: 'created_at' }] } }, A)).results;
    const created = (await events({ task_id: t.task_id, event_type: 'CREATED' }))[0];
    assert.deepEqual((await events({ event_id: created.event_id })).map((e: any) => e.event_id), [created.event_id]);
    assert.deepEqual((await events({ project_id: 'project-8' })).map((e: any) => [e.task_id, e.event_type]), [[other.task_id, 'CREATED'], [other.task_id, 'COMMENTED']]);
    assert.equal((await events({ workspace_id: 'workspace-p7', created_type: 'USER', created_by: s.accountSid })).length, 4);
    assert.equal((await events({ created_type: 'SYSTEM' })).length, 0);
    assert.equal((await events({ created_by: 'USsomeone-else' })).length, 0);
    assert.equal((await events({ workspace_id: 'workspace-elsewhere' })).length, 0);

    // TaskTypeUpdateRequest's category_id: a type no task uses moves; one that tasks use does not.
    const spare = await ok('task-category/create', { name: 'Spare', status_options: { TODO: [{ name: 'a' }], IN_PROGRESS: [{ name: 'b' }], COMPLETED: [{ name: 'c' }] } });
    const unused = await ok('task-type/create', { name: 'Unused', category_id: category.category_id });
    assert.equal((await ok('task-type/update', { task_type_id: unused.task_type_id, category_id: spare.category_id })).category_id, spare.category_id);
    await refused('task-type/update', { task_type_id: type.task_type_id, category_id: spare.category_id, name: 'moved?' }, 400, 'ERROR_EXIST_RESOURCE');
    assert.equal((await ok('task-type/get', { task_type_id: type.task_type_id })).name, 'Request', 'nothing changed');

    // TaskSearchQuery's related_asset_id: no task has related assets here.
    assert.equal((await ok('task/list', { related_asset_id: 'asset-1' }, A)).total_count, 0);
    assert.equal((await ok('task/list', { query: { filter: [{ k: 'related_asset_id', v: ['asset-1'], o: 'in' }] } }, A)).total_count, 0);
    assert.equal((await ok('task/list', { query: { filter: [{ k: 'related_asset_id', v: ['asset-1'], o: 'not_in' }] } }, A)).total_count, 2);

    // StatisticsQuery: the short names k/n/o, and project's boolean exclude_keys (false keeps the group keys).
    const grouped = { group: { keys: [{ k: 'project_id', n: 'project' }], fields: [{ o: 'count', n: 'total' }, { o: 'add_to_set', k: 'name', n: 'names' }] } };
    const kept = await ok('task/stat', { query: { aggregate: [grouped, { project: { fields: [{ k: 'names', n: 'count', o: 'size' }] } }, { sort: [{ key: 'project' }] }] } }, A);
    assert.deepEqual(kept.results, [{ project: 'project-7', count: 1 }, { project: 'project-8', count: 1 }]);
    const dropped = await ok('task/stat', { query: { aggregate: [grouped, { sort: [{ key: 'project' }] }, { project: { fields: [{ key: 'total', name: 'n' }], exclude_keys: true } }] } }, A);
    assert.deepEqual(dropped.results, [{ n: 1 }, { n: 1 }]);
    // Query members Switchboard does not run are refused, not ignored.
    assert.match((await refused('task/list', { query: { lookup: [{ from: 'x' }] } }, 400, 'ERROR_INVALID_QUERY')).message, /lookup/);
    await refused('task/list', { query: { unwind: { path: 'files' } } }, 400, 'ERROR_INVALID_QUERY');
  });

  test('finding 7: the variable service (create, update, delete, get, list, stat), per workspace', async () => {
    const A = { 'x-workspace-id': 'workspace-va' };
    const B = { 'x-workspace-id': 'workspace-vb' };
    const v = await ok('variable/create', { name: 'smtp.host', value: 'mail.example.com', tags: { team: 'ops' } }, A);
    assert.deepEqual(Object.keys(v).sort(), ['created_at', 'domain_id', 'name', 'tags', 'updated_at', 'value', 'workspace_id']);
    assert.deepEqual([v.name, v.value, v.tags, v.domain_id, v.workspace_id], ['smtp.host', 'mail.example.com', { team: 'ops' }, s.accountSid, 'workspace-va']);
    // The same name in another workspace is another variable; twice in one workspace is refused.
    await ok('variable/create', { name: 'smtp.host', value: 'relay.b.example.com' }, B);
    const dup = await refused('variable/create', { name: 'smtp.host', value: 'again' }, 409, 'ERROR_NOT_UNIQUE', A);
    assert.match(dup.message, /smtp\.host/);
    now += 5000;
    const updated = await ok('variable/update', { name: 'smtp.host', value: 'mx.example.com' }, A);
    assert.deepEqual([updated.value, updated.tags, updated.updated_at === v.updated_at], ['mx.example.com', { team: 'ops' }, false]);
    assert.equal((await ok('variable/get', { name: 'smtp.host' }, A)).value, 'mx.example.com');
    assert.equal((await ok('variable/get', { name: 'smtp.host' }, B)).value, 'relay.b.example.com');
    // A domain-wide caller names the workspace (the default one otherwise), and lists every workspace's.
    assert.equal((await ok('variable/get', { name: 'smtp.host', workspace_id: 'workspace-vb' })).value, 'relay.b.example.com');
    await refused('variable/get', { name: 'smtp.host' }, 404, 'ERROR_NOT_FOUND');
    const all = await ok('variable/list', { name: 'smtp.host', query: { sort: [{ key: 'workspace_id' }] } });
    assert.deepEqual(all.results.map((x: any) => x.workspace_id), ['workspace-va', 'workspace-vb']);
    assert.deepEqual((await ok('variable/list', {}, A)).results.map((x: any) => x.value), ['mx.example.com']);
    assert.deepEqual((await ok('variable/list', { query: { keyword: 'relay', only: ['name'] } })).results, [{ name: 'smtp.host' }]);
    const stat = await ok('variable/stat', { query: { aggregate: [{ group: { keys: [{ key: 'workspace_id', name: 'ws' }], fields: [{ operator: 'count', name: 'n' }] } }, { sort: [{ key: 'ws' }] }] } });
    assert.deepEqual(stat.results, [{ ws: 'workspace-va', n: 1 }, { ws: 'workspace-vb', n: 1 }]);
    // Bad input changes nothing.
    const before = (await ok('variable/list', {})).results;
    await refused('variable/create', { name: 'x' }, 400, 'ERROR_REQUIRED_PARAMETER');
    await refused('variable/create', { name: 'x', value: 5 }, 400, 'ERROR_INVALID_PARAMETER_TYPE');
    await refused('variable/create', { name: 'no spaces please', value: 'v' }, 400, 'ERROR_INVALID_PARAMETER');
    await refused('variable/create', { name: 'x', value: 'v', workspace_id: 'workspace-vb' }, 403, 'ERROR_PERMISSION_DENIED', A);
    await refused('variable/update', { name: 'missing', value: 'v' }, 404, 'ERROR_NOT_FOUND', A);
    await refused('variable/list', { query: { filter: [{ k: 'secret', v: 'x', o: 'eq' }] } }, 400, 'ERROR_INVALID_QUERY');
    assert.deepEqual((await ok('variable/list', {})).results, before);
    await ok('variable/delete', { name: 'smtp.host' }, A);
    await refused('variable/get', { name: 'smtp.host' }, 404, 'ERROR_NOT_FOUND', A);
    assert.equal((await ok('variable/get', { name: 'smtp.host' }, B)).value, 'relay.b.example.com');
  });
});
