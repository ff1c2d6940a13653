// Requests shaped exactly as the Cloudforet web console builds them (cloudforet-io/console, apps/web: the
// api-clients/opsflow verbs and the ops-flow pages and composables that call them, named beside each request),
// sent as its SpaceConnector does (a JSON POST per verb; `undefined` members dropped by JSON), with the answers read
// as the console reads them: lists as `results`/`total_count`, and errors as core-lib's APIError reads them,
// `response.data.detail.code` and `.message` (else it shows the HTTP status text). The console's sign-in (Bearer
// tokens from SpaceONE's identity service) is not Switchboard's: these requests carry the server's Basic auth.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';

/** What core-lib's APIError makes of a failed response (packages/core-lib/src/space-connector/error.ts). */
function apiError(res: { status: number; body: any }) {
  if (!res.body?.detail) return { status: res.status, code: 'ERROR_UNKNOWN', message: '(status text only: the console cannot read this error)' };
  return { status: res.status, code: res.body.detail.code as string, message: res.body.detail.message as string };
}

/** The console's JSON: members that are `undefined` are not sent. */
const json = (params: object) => JSON.parse(JSON.stringify(params));

describe('Opsflow face: requests as the Cloudforet console sends them', () => {
  let s: TestServer;
  const W = { 'x-workspace-id': 'workspace-console' };
  /** SpaceConnector.clientV2.opsflow.<resource>.<verb>(params): the data, or the APIError it throws. */
  const api = async (path: string, params: object, headers: Record<string, string> = W) => {
    const res = await s.request('POST', `/opsflow/v1/${path}`, { json: json(params), headers });
    if (res.status !== 200) throw Object.assign(new Error(apiError(res).message), apiError(res));
    return res.body;
  };
  const fails = async (path: string, params: object, headers: Record<string, string> = W) => {
    try {
      await api(path, params, headers);
    } catch (e) {
      return e as Error & { status: number; code: string };
    }
    assert.fail(`${path} succeeded`);
  };

  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  test('an admin sets up a category, its statuses and a task type; a member works a task on the board', async () => {
    const domain = {}; // the admin pages call without a workspace
    // TaskCategoryForm.vue: create with use-category-status-options' getDefaultStatusOptions().
    const category = await api('task-category/create', {
      name: 'Service requests',
      description: undefined,
      package_id: 'package-default',
      status_options: {
        TODO: [{ name: 'To Do', color: 'blue200', is_default: true }],
        IN_PROGRESS: [{ name: 'In Progress', color: 'yellow200', is_default: true }],
        COMPLETED: [{ name: 'Completed', color: 'green200', is_default: true }],
      },
    }, domain);
    assert.equal(category.status_options.TODO[0].color, 'blue200');
    // use-status-option-form-mutations.ts: the category's options as read, one more pushed without an id, force.
    const withReview = structuredClone(category.status_options);
    withReview.IN_PROGRESS.push({ name: 'Review', color: 'violet200' });
    const updated = await api('task-category/update', { category_id: category.category_id, status_options: withReview, force: true }, domain);
    const review = updated.status_options.IN_PROGRESS.find((o: any) => o.name === 'Review');
    assert.match(review.status_id, /^status-/);
    assert.equal(review.is_default, false);
    // TaskCategoryForm.vue: rename.
    await api('task-category/update', { category_id: category.category_id, name: 'Service requests', description: 'Everything asked of ops' }, domain);
    // use-categories-query.ts and use-current-category.ts.
    const categories = await api('task-category/list', { include_deleted: true });
    assert.deepEqual(categories.results.map((c: any) => c.category_id), [category.category_id]);
    assert.equal((await api('task-category/get', { category_id: category.category_id })).state, 'ENABLED');

    // use-task-type-form-mutations.ts: create (the form's fields, `_field_id` dropped).
    const type = await api('task-type/create', {
      name: 'Access request',
      require_project: false,
      assignee_pool: ['alice@example.com', 'bob@example.com'],
      description: 'Grant access to a system',
      category_id: category.category_id,
      fields: [
        { field_id: 'system', name: 'System', field_type: 'DROPDOWN', is_required: true, is_primary: true, selection_type: 'SINGLE', options: { enums: [{ key: 'db', name: 'Database' }, { key: 'vpn', name: 'VPN' }] }, _field_id: undefined },
        { field_id: 'reason', name: 'Reason', field_type: 'PARAGRAPH', is_required: false, is_primary: true, options: { example: 'Why you need it' }, _field_id: undefined },
        { field_id: 'approver', name: 'Approver', field_type: 'USER', is_required: false, is_primary: false, selection_type: 'MULTI', options: {}, _field_id: undefined },
      ],
    }, domain);
    // OpsFlowLandingPage.vue / BoardTaskTable.vue / use-category-field.ts: the types of the categories ('in');
    // TaskTypeForm.vue / AdminTaskCategoryDetailPageTaskTypeTab.vue: of one category ('eq').
    assert.deepEqual((await api('task-type/list', { query: { filter: [{ k: 'category_id', v: [category.category_id], o: 'in' }] } })).results.map((t: any) => t.task_type_id), [type.task_type_id]);
    assert.equal((await api('task-type/list', { query: { filter: [{ k: 'category_id', v: category.category_id, o: 'eq' }] } })).total_count, 1);
    // use-task-type-query.ts / TaskProgressEventView.vue.
    const withCategoryFields = await api('task-type/get', { task_type_id: type.task_type_id, include_category_fields: true });
    assert.deepEqual(withCategoryFields.fields.map((f: any) => f.field_id), ['system', 'reason', 'approver']);

    // TaskCreatePage.vue: a type that needs no project sends project_id '*'; files only when there are some.
    const task = await api('task/create', {
      task_type_id: type.task_type_id,
      name: 'VPN for Carol',
      status_id: category.status_options.TODO[0].status_id,
      description: 'Carol starts **Monday**',
      data: { system: 'vpn', reason: 'New hire' },
      files: undefined,
      project_id: '*',
    });
    assert.deepEqual([task.project_id, task.workspace_id, task.contents_type, task.status_type], ['*', 'workspace-console', 'markdown', 'TODO']);
    await api('task/create', { task_type_id: type.task_type_id, name: 'DB read access for Dan', status_id: category.status_options.TODO[0].status_id, data: { system: 'db' }, project_id: '*' });

    // BoardTaskTable.vue: ApiQueryHelper with the filters (arrays with '=' become 'in'), the category ('eq'),
    // the search text as keyword, the sort and the page.
    const board = await api('task/list', {
      query: {
        filter: [
          { k: 'task_type_id', v: [type.task_type_id], o: 'in' },
          { k: 'status_id', v: [category.status_options.TODO[0].status_id], o: 'in' },
          { k: 'created_by', v: [s.accountSid], o: 'in' },
          { k: 'category_id', v: category.category_id, o: 'eq' },
        ],
        keyword: 'vpn carol',
        sort: [{ key: 'created_at', desc: true }],
        page: { start: 1, limit: 15 },
      },
    });
    assert.deepEqual([board.total_count, board.results[0].task_id], [1, task.task_id]);
    // BoardTaskTable.vue on an asset's page: related assets, none here.
    assert.equal((await api('task/list', { query: { filter: [{ k: 'related_asset_id', v: ['asset-1'], o: 'in' }] } })).total_count, 0);
    // TaskCategoryDeleteModal.vue / TaskTypeDeleteModal.vue / use-task-ids-field.ts.
    assert.equal((await api('task/list', { category_id: category.category_id })).results.length, 2);
    assert.equal((await api('task/list', { task_type_id: type.task_type_id })).results.length, 2);
    assert.equal((await api('task/list', { query: { filter: [{ k: 'category_id', v: category.category_id, o: 'eq' }] } })).results.length, 2);

    // The task page: use-task-query.ts, TaskContentBaseForm.vue (status), TaskAssignModal.vue (assignee),
    // TaskDetailPage.vue (update with the form's name, project and data; then the description).
    assert.equal((await api('task/get', { task_id: task.task_id })).name, 'VPN for Carol');
    await api('task/change_status', { task_id: task.task_id, status_id: review.status_id });
    await api('task/change_assignee', { task_id: task.task_id, assignee: 'bob@example.com' });
    await api('task/update', { task_id: task.task_id, name: 'VPN for Carol (contractor)', project_id: '*', data: { system: 'vpn', reason: 'New contractor' } });
    await api('task/update_description', { task_id: task.task_id, description: 'Carol starts **Tuesday**' });
    // BoardTaskComment.vue: add, list newest first, delete (CommentDeleteModal.vue).
    await api('comment/create', { task_id: task.task_id, comment: 'VPN profile sent' });
    const second = await api('comment/create', { task_id: task.task_id, comment: 'typo' });
    const comments = await api('comment/list', { task_id: task.task_id, query: { sort: [{ key: 'created_at', desc: true }] } });
    assert.deepEqual(comments.results.map((c: any) => [c.comment, c.source?.name ?? '']), [['typo', ''], ['VPN profile sent', '']]);
    await api('comment/delete', { comment_id: second.comment_id });

    // use-task-events-query.ts: newest first, ten a page. TaskProgressEventView.vue prints who and when of each
    // event type, "Unknown" when missing: none is.
    const events = await api('event/list', { task_id: task.task_id, query: { sort: [{ key: 'created_at', desc: true }], page: { start: 1, limit: 10 } } });
    assert.deepEqual(events.results.map((e: any) => e.event_type), ['COMMENTED', 'COMMENTED', 'UPDATED', 'UPDATED', 'UPDATED', 'CHANGE_STATUS', 'CREATED']);
    for (const e of events.results) {
      const info = e.additional_info;
      const who = e.event_type === 'CREATED' ? info.created_by : e.event_type === 'UPDATED' ? info.updated_by : e.event_type === 'CHANGE_STATUS' ? info.changed_by : e.created_by;
      const when = e.event_type === 'CREATED' ? info.created_at : e.event_type === 'UPDATED' ? info.updated_at : e.event_type === 'CHANGE_STATUS' ? info.changed_at : e.created_at;
      assert.equal(who, s.accountSid, `${e.event_type}: who`);
      assert.ok(!Number.isNaN(Date.parse(when)), `${e.event_type}: when`);
    }
    const changed = events.results.find((e: any) => e.event_type === 'CHANGE_STATUS').additional_info;
    assert.deepEqual([changed.before_status.name, changed.after_status.name, changed.after_status.status_type], ['To Do', 'Review', 'IN_PROGRESS']);

    // use-task-type-form-mutations.ts: update (basic info) and update_fields (force) as two calls.
    await api('task-type/update', { task_type_id: type.task_type_id, name: 'Access request', description: 'Grant or revoke access', assignee_pool: ['alice@example.com', 'bob@example.com', 'carol@example.com'] }, domain);
    const fields = withCategoryFields.fields.slice(0, 2).map((f: any) => ({ ...f, _field_id: undefined }));
    assert.deepEqual((await api('task-type/update_fields', { task_type_id: type.task_type_id, fields, force: true }, domain)).fields.map((f: any) => f.field_id), ['system', 'reason']);

    // Refusals the console shows from detail.message: a workspace member may not delete the domain's type, the
    // type has tasks, a missing task (use-task-query.ts stops retrying on 404).
    const denied = await fails('task-type/delete', { task_type_id: type.task_type_id });
    assert.deepEqual([denied.status, denied.code], [403, 'ERROR_PERMISSION_DENIED']);
    const inUse = await fails('task-type/delete', { task_type_id: type.task_type_id }, domain);
    assert.deepEqual([inUse.status, inUse.code], [400, 'ERROR_EXIST_RESOURCE']);
    assert.match(inUse.message, /task/);
    const gone = await fails('task/get', { task_id: 'task-000000000000' });
    assert.deepEqual([gone.status, gone.code], [404, 'ERROR_NOT_FOUND']);
    assert.match(gone.message, /task-000000000000/);

    // TaskDeleteModal.vue, then TaskCategoryDeleteModal.vue (soft delete: the category reads as DELETED).
    for (const t of (await api('task/list', { category_id: category.category_id })).results) await api('task/delete', { task_id: t.task_id });
    await api('task-type/delete', { task_type_id: type.task_type_id }, domain);
    await api('task-category/delete', { category_id: category.category_id }, domain);
    assert.equal((await api('task-category/list', { include_deleted: true })).results[0].state, 'DELETED');
  });
});
