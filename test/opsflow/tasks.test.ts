// The Opsflow face over HTTP with the server's clock in the test's hands: the seed messages (TaskCreateRequest,
// TaskChangeStatusRequest, TaskSearchQuery, TaskStatQuery), every list operator checked against an independent
// evaluation in this file, a stat by assignee and month checked against values computed here, events and
// comments, and validation failures that change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';

const DAY = 86_400_000;

describe('Opsflow face', () => {
  let s: TestServer;
  let now = Date.UTC(2026, 0, 10, 9, 0, 0);
  let category: any;
  let type: any;
  let status: Record<string, string>;
  const post = async (path: string, json: unknown, headers: Record<string, string> = {}) => s.request('POST', `/opsflow/v1/${path}`, { json, headers });
  const ok = async (path: string, json: unknown, headers: Record<string, string> = {}) => {
    const r = await post(path, json, headers);
    assert.equal(r.status, 200, `${path} -> ${r.status} ${r.text}`);
    return r.body;
  };
  const fails = async (path: string, json: unknown, status: number, code: string, headers: Record<string, string> = {}) => {
    const r = await post(path, json, headers);
    assert.equal(r.status, status, `${path} ${JSON.stringify(json).slice(0, 200)} -> ${r.status} ${r.text}`);
    assert.equal(r.body.detail.code, code, r.text);
    assert.equal(typeof r.body.detail.message, 'string');
    return r.body.detail;
  };

  before(async () => {
    s = await startServer({ clock: () => now });
    category = await ok('task-category/create', {
      name: 'Incidents',
      package_id: 'package-ops',
      status_options: {
        TODO: [{ status_id: 'new', name: 'New', color: 'gray' }, { status_id: 'triage', name: 'Triage' }],
        IN_PROGRESS: [{ status_id: 'working', name: 'Working', is_default: true }],
        COMPLETED: [{ status_id: 'done', name: 'Done', is_default: true }, { status_id: 'wontfix', name: "Won't fix" }],
      },
      fields: [
        { field_id: 'severity', name: 'Severity', field_type: 'DROPDOWN', options: { enums: [{ key: 'S1', name: 'Sev 1' }, { key: 'S2', name: 'Sev 2' }, { key: 'S3', name: 'Sev 3' }] }, is_required: true },
        { field_id: 'labels', name: 'Labels', field_type: 'LABELS' },
      ],
    });
    status = { new: 'new', triage: 'triage', working: 'working', done: 'done', wontfix: 'wontfix' };
    type = await ok('task-type/create', { name: 'Outage', category_id: category.category_id, assignee_pool: ['alice', 'bob', 'carol'], require_project: true, fields: [{ field_id: 'host', name: 'Host', field_type: 'TEXT', options: { max_length: 20 } }] });
  });
  after(async () => s.close());

  test('the seed messages: TaskCreateRequest, TaskChangeStatusRequest with SLA timestamps, TaskSearchQuery', async () => {
    // Required: name, status_id, project_id (this type requires a project), task_type_id.
    const full = { name: 'DB down', status_id: 'new', project_id: 'project-db', task_type_id: type.task_type_id, data: { severity: 'S1' } };
    for (const key of ['name', 'status_id', 'project_id', 'task_type_id'] as const) {
      const { [key]: _, ...without } = full;
      const err = await fails('task/create', without, 400, 'ERROR_REQUIRED_PARAMETER');
      assert.match(err.message, new RegExp(`key = ${key}`));
    }
    const created = now;
    const t = await ok('task/create', { ...full, priority: 'HIGH', description: 'primary is gone', assignee: 'alice', reference_id: 'INC-1', files: ['file-1'], mentions: { USER: ['bob'] } });
    assert.match(t.task_id, /^task-[0-9a-f]{12}$/);
    assert.deepEqual(
      { status_type: t.status_type, priority: t.priority, assignee: t.assignee, category_id: t.category_id, workspace_id: t.workspace_id, created_by: t.created_by, files: t.files, started_at: t.started_at, completed_at: t.completed_at },
      { status_type: 'TODO', priority: 'HIGH', assignee: 'alice', category_id: category.category_id, workspace_id: 'workspace-default', created_by: s.accountSid, files: [{ file_id: 'file-1' }], started_at: null, completed_at: null },
    );
    now += 90_000;
    const started = await ok('task/change_status', { task_id: t.task_id, status_id: status.working });
    assert.equal(started.status_type, 'IN_PROGRESS');
    assert.equal(started.started_at, new Date(created + 90_000).toISOString());
    assert.equal(started.started_duration, 90);
    now += 3600_000;
    // Back to TODO and in progress again: started_at stays the first time.
    await ok('task/change_status', { task_id: t.task_id, status_id: status.triage });
    await ok('task/change_status', { task_id: t.task_id, status_id: status.working });
    now += 600_000;
    const done = await ok('task/change_status', { task_id: t.task_id, status_id: status.done, assignee: 'bob' });
    assert.equal(done.status_type, 'COMPLETED');
    assert.equal(done.assignee, 'bob');
    assert.equal(done.completed_at, new Date(created + 90_000 + 3600_000 + 600_000).toISOString());
    assert.deepEqual([done.started_duration, done.in_progress_duration, done.completed_duration], [90, 4200, 4290]);
    // Reopened: completion cleared.
    const reopened = await ok('task/change_status', { task_id: t.task_id, status_id: status.working });
    assert.deepEqual([reopened.completed_at, reopened.completed_duration, reopened.in_progress_duration], [null, null, null]);
    await ok('task/change_status', { task_id: t.task_id, status_id: status.done });

    const search = await ok('task/list', { query: { filter: [{ k: 'reference_id', v: 'INC-1', o: 'eq' }], only: ['task_id', 'status_type'] } });
    assert.deepEqual(search, { results: [{ task_id: t.task_id, status_type: 'COMPLETED' }], total_count: 1 });
    assert.deepEqual(await ok('task/list', { status_type: 'COMPLETED', query: { count_only: true, filter: [{ key: 'task_id', value: t.task_id, operator: 'eq' }] } }), { results: [], total_count: 1 });
    assert.equal((await ok('task/get', { task_id: t.task_id })).status_id, status.done);

    // Events: created, status changes with before/after, and updates with the fields changed.
    await ok('task/update', { task_id: t.task_id, name: 'DB primary down', data: { labels: ['db', 'p1'] } });
    await ok('comment/create', { task_id: t.task_id, comment: 'failover done', mentions: { USER: ['carol'] } });
    const events = (await ok('event/list', { task_id: t.task_id, query: { sort: [{ key: 'created_at' }] } })).results;
    assert.deepEqual(events.map((e: any) => e.event_type), ['CREATED', 'CHANGE_STATUS', 'CHANGE_STATUS', 'CHANGE_STATUS', 'CHANGE_STATUS', 'CHANGE_STATUS', 'CHANGE_STATUS', 'UPDATED', 'COMMENTED']);
    assert.deepEqual(events[1].additional_info.before_status, { status_id: 'new', name: 'New', status_type: 'TODO' });
    assert.deepEqual(events[1].additional_info.after_status, { status_id: 'working', name: 'Working', status_type: 'IN_PROGRESS' });
    assert.deepEqual(events[7].additional_info.updated_data, [{ updated_field: 'name', updated_content: 'DB primary down' }, { updated_field: 'data.labels', updated_content: ['db', 'p1'] }]);
    const comments = (await ok('comment/list', { task_id: t.task_id })).results;
    assert.deepEqual(comments.map((c: any) => [c.comment, c.mentions.USER, c.is_edited]), [['failover done', ['carol'], false]]);
    const edited = await ok('comment/update', { comment_id: comments[0].comment_id, comment: 'failover done, monitoring' });
    assert.equal(edited.is_edited, true);
  });

  test('every list operator, checked against an independent evaluation', async () => {
    // Twelve tasks with known values, created a day apart.
    const base = Date.UTC(2026, 1, 1, 12, 0, 0);
    now = base;
    const made: any[] = [];
    const names = ['Disk full on web-1', 'CPU spike', 'disk latency', 'Cert expiry', 'DNS flaps', 'Backup failed', 'Queue backlog', 'Web 500s', 'Disk full on db-2', 'Memory leak', 'Login errors', 'Slow queries'];
    for (let i = 0; i < names.length; i++) {
      now = base + i * DAY;
      made.push(
        await ok('task/create', {
          name: names[i],
          status_id: ['new', 'triage', 'working', 'done'][i % 4],
          priority: ['HIGH', 'MEDIUM', 'LOW'][i % 3],
          project_id: `project-${i % 2}`,
          task_type_id: type.task_type_id,
          ...(i % 5 === 0 ? {} : { assignee: ['alice', 'bob', 'carol'][i % 3] }),
          data: { severity: ['S1', 'S2', 'S3'][i % 3], ...(i % 2 ? { labels: i % 4 === 1 ? ['db', 'p1'] : ['web'] } : {}), ...(i < 6 ? { host: `host-${i}` } : {}) },
          reference_id: `REF-${i}`,
        }),
      );
    }
    now = base + 20 * DAY;
    const ours = { k: 'reference_id', v: 'REF-', o: 'contain' };
    const list = async (filter: object[], extra: object = {}) => (await ok('task/list', { query: { filter: [ours, ...filter], sort: [{ key: 'reference_id' }], ...extra } })).results.map((t: any) => t.reference_id).sort();
    const expect = (pred: (t: any) => boolean) => made.filter(pred).map((t) => t.reference_id).sort();
    const at = (t: any) => Date.parse(t.created_at);
    const cases: [string, object, (t: any) => boolean][] = [
      ['eq', { k: 'priority', v: 'HIGH', o: 'eq' }, (t) => t.priority === 'HIGH'],
      ['eq null', { k: 'assignee', v: null, o: 'eq' }, (t) => t.assignee === ''],
      ['not', { k: 'status_type', v: 'TODO', o: 'not' }, (t) => t.status_type !== 'TODO'],
      ['lt', { k: 'created_at', v: new Date(base + 3 * DAY).toISOString(), o: 'lt' }, (t) => at(t) < base + 3 * DAY],
      ['lte', { k: 'created_at', v: new Date(base + 3 * DAY).toISOString(), o: 'lte' }, (t) => at(t) <= base + 3 * DAY],
      ['gt', { k: 'created_at', v: new Date(base + 9 * DAY).toISOString(), o: 'gt' }, (t) => at(t) > base + 9 * DAY],
      ['gte', { k: 'created_at', v: new Date(base + 9 * DAY).toISOString(), o: 'gte' }, (t) => at(t) >= base + 9 * DAY],
      ['exists true', { k: 'data.host', v: true, o: 'exists' }, (t) => t.data.host !== undefined],
      ['exists false', { k: 'data.labels', v: false, o: 'exists' }, (t) => t.data.labels === undefined],
      ['contain (case-insensitive)', { k: 'name', v: 'DISK', o: 'contain' }, (t) => t.name.toLowerCase().includes('disk')],
      ['not_contain', { k: 'name', v: 'disk', o: 'not_contain' }, (t) => !t.name.toLowerCase().includes('disk')],
      ['in', { k: 'assignee', v: ['alice', 'carol'], o: 'in' }, (t) => ['alice', 'carol'].includes(t.assignee)],
      ['not_in', { k: 'status_id', v: ['new', 'done'], o: 'not_in' }, (t) => !['new', 'done'].includes(t.status_id)],
      ['contain_in', { k: 'name', v: ['cpu', 'dns'], o: 'contain_in' }, (t) => /cpu|dns/i.test(t.name)],
      ['not_contain_in', { k: 'name', v: ['disk', 'web'], o: 'not_contain_in' }, (t) => !/disk|web/i.test(t.name)],
      ['regex', { k: 'name', v: '^disk (full|latency)', o: 'regex' }, (t) => /^disk (full|latency)/i.test(t.name)],
      ['regex_in', { k: 'data.host', v: ['-1$', '-4$'], o: 'regex_in' }, (t) => /-1$|-4$/.test(t.data.host ?? '')],
      ['datetime_gt', { k: 'created_at', v: new Date(base + 10 * DAY).toISOString(), o: 'datetime_gt' }, (t) => at(t) > base + 10 * DAY],
      ['datetime_gte', { k: 'created_at', v: new Date(base + 10 * DAY).toISOString(), o: 'datetime_gte' }, (t) => at(t) >= base + 10 * DAY],
      ['datetime_lt', { k: 'created_at', v: new Date(base + DAY).toISOString(), o: 'datetime_lt' }, (t) => at(t) < base + DAY],
      ['datetime_lte', { k: 'created_at', v: new Date(base + DAY).toISOString(), o: 'datetime_lte' }, (t) => at(t) <= base + DAY],
      ['timediff_gt now-15d', { k: 'created_at', v: 'now-15d', o: 'timediff_gt' }, (t) => at(t) > now - 15 * DAY],
      ['timediff_gte now-12d', { k: 'created_at', v: 'now-12d', o: 'timediff_gte' }, (t) => at(t) >= now - 12 * DAY],
      ['timediff_lt now-18d', { k: 'created_at', v: 'now-18d', o: 'timediff_lt' }, (t) => at(t) < now - 18 * DAY],
      ['timediff_lte now-18d-12h', { k: 'created_at', v: 'now-18d-12h', o: 'timediff_lte' }, (t) => at(t) <= now - 18 * DAY - 12 * 3600_000],
      ['eq on a list (any element)', { k: 'data.labels', v: 'db', o: 'eq' }, (t) => (t.data.labels ?? []).includes('db')],
      ['eq on a data member', { k: 'data.severity', v: 'S2', o: 'eq' }, (t) => t.data.severity === 'S2'],
    ];
    for (const [what, condition, pred] of cases) assert.deepEqual(await list([condition]), expect(pred), what);

    // filter_or, keyword, sort, page and only.
    assert.deepEqual(await list([], { filter_or: [{ k: 'priority', v: 'LOW', o: 'eq' }, { k: 'assignee', v: 'alice', o: 'eq' }] }), expect((t) => t.priority === 'LOW' || t.assignee === 'alice'));
    assert.deepEqual(await list([], { keyword: 'full' }), expect((t) => t.name.toLowerCase().includes('full')));
    const page = await ok('task/list', { query: { filter: [ours], sort: [{ key: 'created_at', desc: true }], page: { start: 3, limit: 4 }, only: ['reference_id'] } });
    assert.equal(page.total_count, 12);
    assert.deepEqual(page.results, ['REF-9', 'REF-8', 'REF-7', 'REF-6'].map((reference_id) => ({ reference_id })));
    // Request shortcuts are conditions too.
    assert.equal((await ok('task/list', { assignee: 'bob', priority: 'MEDIUM', query: { filter: [ours] } })).total_count, made.filter((t) => t.assignee === 'bob' && t.priority === 'MEDIUM').length);
  });

  test('stat: tasks per assignee per month with a conditional count and an average duration', async () => {
    // Thirty tasks over three months; most get started and completed with varied durations.
    const rows: { assignee: string; month: string; done: boolean; inProgress: number | null }[] = [];
    const start = Date.UTC(2025, 8, 1, 8, 0, 0);
    for (let i = 0; i < 30; i++) {
      now = start + Math.floor(i / 10) * 31 * DAY + (i % 10) * 3600_000;
      const assignee = ['dave', 'erin', 'frank'][i % 3]!;
      const t = await ok('task/create', { name: `stat ${i}`, status_id: 'new', project_id: 'p-stat', task_type_id: type.task_type_id, assignee: assignee === 'dave' ? 'alice' : assignee === 'erin' ? 'bob' : 'carol', data: { severity: 'S3' }, reference_id: `STAT-${i}` });
      const month = new Date(now).toISOString().slice(0, 7);
      let inProgress: number | null = null;
      if (i % 4 !== 3) {
        now += 60_000 * (i + 1);
        await ok('task/change_status', { task_id: t.task_id, status_id: 'working' });
        if (i % 4 !== 2) {
          now += 1000 * (37 * i + 5);
          await ok('task/change_status', { task_id: t.task_id, status_id: i % 5 === 0 ? 'wontfix' : 'done' });
          inProgress = 37 * i + 5;
        }
      }
      rows.push({ assignee: t.assignee, month, done: inProgress !== null, inProgress });
    }
    const stat = await ok('task/stat', {
      query: {
        filter: [{ k: 'reference_id', v: 'STAT-', o: 'contain' }],
        aggregate: [
          {
            group: {
              keys: [{ key: 'assignee', name: 'assignee' }, { key: 'created_at', name: 'month', date_format: '%Y-%m' }],
              fields: [
                { operator: 'count', name: 'total' },
                { operator: 'count', name: 'done', conditions: [{ k: 'status_type', v: 'COMPLETED', o: 'eq' }] },
                { operator: 'average', key: 'in_progress_duration', name: 'avg_in_progress' },
                { operator: 'max', key: 'in_progress_duration', name: 'max_in_progress' },
                { operator: 'sum', key: 'completed_duration', name: 'sum_completed', conditions: [{ k: 'status_id', v: 'done', o: 'eq' }] },
              ],
            },
          },
          { sort: [{ key: 'month' }, { key: 'assignee' }] },
        ],
      },
    });
    // Independently: group the rows recorded above.
    const groups = new Map<string, { assignee: string; month: string; total: number; done: number; durations: number[] }>();
    for (const r of rows) {
      const k = `${r.month}|${r.assignee}`;
      const g = groups.get(k) ?? { assignee: r.assignee, month: r.month, total: 0, done: 0, durations: [] };
      g.total++;
      if (r.done) {
        g.done++;
        g.durations.push(r.inProgress!);
      }
      groups.set(k, g);
    }
    const expected = [...groups.values()].sort((a, b) => (a.month + a.assignee < b.month + b.assignee ? -1 : 1));
    assert.equal(stat.total_count, expected.length);
    assert.deepEqual(
      stat.results.map((r: any) => [r.assignee, r.month, r.total, r.done, r.avg_in_progress, r.max_in_progress]),
      expected.map((g) => [g.assignee, g.month, g.total, g.done, g.durations.length ? g.durations.reduce((a, b) => a + b, 0) / g.durations.length : null, g.durations.length ? Math.max(...g.durations) : null]),
    );
    assert.ok(stat.results.every((r: any) => typeof r.sum_completed === 'number'));

    // Later stages, distinct and page.
    const top = await ok('task/stat', { query: { filter: [{ k: 'reference_id', v: 'STAT-', o: 'contain' }], aggregate: [{ group: { keys: [{ key: 'assignee', name: 'who' }], fields: [{ operator: 'count', name: 'n' }, { operator: 'add_to_set', key: 'status_id', name: 'statuses' }] } }, { sort: [{ key: 'who', desc: true }] }, { limit: 2 }, { project: { fields: [{ key: 'who', name: 'who' }, { key: 'statuses', name: 'kinds', operator: 'size' }] } }] } });
    assert.deepEqual(top.results.map((r: any) => r.who), ['carol', 'bob']);
    assert.ok(top.results.every((r: any) => typeof r.kinds === 'number' && r.kinds >= 1));
    const counted = await ok('task/stat', { query: { filter: [{ k: 'reference_id', v: 'STAT-', o: 'contain' }], aggregate: [{ group: { keys: [{ key: 'assignee', name: 'a' }], fields: [{ operator: 'count', name: 'n' }] } }, { count: { name: 'groups' } }] } });
    assert.deepEqual(counted.results, [{ groups: 3 }]);
    const distinct = await ok('task/stat', { query: { distinct: 'assignee', filter: [{ k: 'reference_id', v: 'STAT-', o: 'contain' }] } });
    assert.deepEqual(distinct.results, ['alice', 'bob', 'carol']);
    const unwound = await ok('task/stat', { query: { filter: [{ k: 'reference_id', v: 'REF-', o: 'contain' }], aggregate: [{ unwind: { path: 'data.labels' } }, { group: { keys: [{ key: 'data.labels', name: 'label' }], fields: [{ operator: 'count', name: 'n' }] } }, { sort: [{ key: 'label' }] }] } });
    assert.deepEqual(unwound.results, [{ label: 'db', n: 3 }, { label: 'p1', n: 3 }, { label: 'web', n: 3 }]);
    // Unwinding a field that holds one value (not a list) gives one row per task, with or without a group.
    const statOnly = [{ k: 'reference_id', v: 'STAT-', o: 'contain' }];
    assert.deepEqual((await ok('task/stat', { query: { filter: statOnly, aggregate: [{ unwind: { path: 'data.severity' } }, { group: { keys: [{ key: 'data.severity', name: 'sev' }], fields: [{ operator: 'count', name: 'n' }] } }] } })).results, [{ sev: 'S3', n: 30 }]);
    assert.deepEqual((await ok('task/stat', { query: { filter: statOnly, aggregate: [{ unwind: { path: 'data.severity' } }, { count: { name: 'n' } }] } })).results, [{ n: 30 }]);
    const events = await ok('event/stat', { query: { aggregate: [{ group: { keys: [{ key: 'event_type', name: 'type' }], fields: [{ operator: 'count', name: 'n' }] } }, { sort: [{ key: 'type' }] }] } });
    assert.ok(events.results.some((r: any) => r.type === 'CHANGE_STATUS' && r.n > 30));
  });

  test('validation failures are SpaceONE errors and change nothing', async () => {
    const t = await ok('task/create', { name: 'victim', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S2' } });
    const snapshot = async () => ({ task: await ok('task/get', { task_id: t.task_id }), events: (await ok('event/list', { task_id: t.task_id })).total_count });
    const before = await snapshot();
    const cases: [string, object, number, string, RegExp][] = [
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id }, 400, 'ERROR_REQUIRED_PARAMETER', /data\.severity/],
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S9' } }, 400, 'ERROR_INVALID_PARAMETER', /must be one of S1, S2, S3/],
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S1', colour: 'red' } }, 400, 'ERROR_INVALID_PARAMETER', /data\.colour is not a field/],
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S1', host: 'x'.repeat(21) } }, 400, 'ERROR_INVALID_PARAMETER', /at most 20 characters/],
      ['task/create', { name: 'x', status_id: 'elsewhere', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S1' } }, 400, 'ERROR_INVALID_PARAMETER', /not a status of category/],
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: 'tt-missing', data: { severity: 'S1' } }, 404, 'ERROR_NOT_FOUND', /task_type_id/],
      ['task/create', { name: 'x', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S1' }, priority: 'URGENT' }, 400, 'ERROR_INVALID_PARAMETER', /priority/],
      ['task/change_assignee', { task_id: t.task_id, assignee: 'mallory' }, 400, 'ERROR_INVALID_PARAMETER', /not in the task type's assignee_pool/],
      ['task/change_status', { task_id: t.task_id, status_id: 'nope' }, 400, 'ERROR_INVALID_PARAMETER', /not a status/],
      ['task/update', { task_id: t.task_id, data: { severity: 3 } }, 400, 'ERROR_INVALID_PARAMETER', /severity/],
      ['task/update', { task_id: t.task_id, data: { severity: null } }, 400, 'ERROR_REQUIRED_PARAMETER', /data\.severity/],
      ['task/get', { task_id: 'task-000000000000' }, 404, 'ERROR_NOT_FOUND', /task_id/],
      ['task/list', { query: { filter: [{ k: 'name', v: 'x', o: 'like' }] } }, 400, 'ERROR_INVALID_QUERY', /unknown operator 'like'/],
      ['task/list', { query: { filter: [{ k: 'password', v: 'x', o: 'eq' }] } }, 400, 'ERROR_INVALID_QUERY', /unknown key 'password'/],
      ['task/list', { query: { filter: [{ k: 'name', v: '(', o: 'regex' }] } }, 400, 'ERROR_INVALID_QUERY', /not a valid regular expression/],
      ['task/list', { query: { filter: [{ k: 'created_at', v: 'yesterday', o: 'timediff_gt' }] } }, 400, 'ERROR_INVALID_QUERY', /now-1d/],
      ['task/list', { query: { page: { start: 0 } } }, 400, 'ERROR_INVALID_QUERY', /page.start/],
      ['task/list', { query: { sort: [{ key: 'data.x; DROP TABLE ops_tasks' }] } }, 400, 'ERROR_INVALID_QUERY', /unknown key/],
      ['task/stat', { query: { aggregate: [{ group: { keys: [{ key: 'assignee', name: 'a' }], fields: [{ operator: 'median', key: 'priority', name: 'm' }] } }] } }, 400, 'ERROR_INVALID_QUERY', /operator must be one of/],
      ['task/stat', { query: {} }, 400, 'ERROR_INVALID_QUERY', /aggregate/],
      ['task-type/delete', { task_type_id: type.task_type_id }, 400, 'ERROR_EXIST_RESOURCE', /use task type/],
      ['task-category/update', { category_id: category.category_id, status_options: { TODO: [{ status_id: 'new', name: 'New' }], IN_PROGRESS: [{ status_id: 'working', name: 'W' }], COMPLETED: [{ status_id: 'done', name: 'D' }] } }, 400, 'ERROR_EXIST_RESOURCE', /triage|wontfix/],
      ['task-category/create', { name: 'Bad', status_options: { TODO: [], IN_PROGRESS: [{ name: 'a' }], COMPLETED: [{ name: 'b' }] } }, 400, 'ERROR_INVALID_PARAMETER', /status_options/],
    ];
    for (const [path, body, code, name, pattern] of cases) assert.match((await fails(path, body, code, name)).message, pattern, `${path} ${JSON.stringify(body).slice(0, 120)}`);
    assert.deepEqual(await snapshot(), before, 'nothing changed');

    const raw = await s.request('POST', '/opsflow/v1/task/create', { body: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(raw.status, 400);
    assert.equal(raw.body.detail.code, 'ERROR_INVALID_PARAMETER');
    assert.equal((await s.request('POST', '/opsflow/v1/task/create', { json: [1, 2] })).body.detail.code, 'ERROR_INVALID_PARAMETER');
    assert.equal((await s.request('GET', '/opsflow/v1/task/list')).status, 404);
    assert.equal((await s.request('POST', '/opsflow/v1/task/explode', { json: {} })).body.detail.code, 'ERROR_NOT_FOUND');
    const noAuth = await s.request('POST', '/opsflow/v1/task/list', { json: {}, auth: null });
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.detail.code, 'ERROR_AUTHENTICATE_FAILURE');
  });

  test('workspaces scope tasks; task types move their tasks on delete; categories are soft-deleted', async () => {
    const mine = await ok('task/create', { name: 'ws task', status_id: 'new', project_id: 'p', task_type_id: type.task_type_id, data: { severity: 'S1' } }, { 'x-workspace-id': 'workspace-red' });
    assert.equal(mine.workspace_id, 'workspace-red');
    assert.equal((await ok('task/list', {}, { 'x-workspace-id': 'workspace-blue' })).results.some((t: any) => t.task_id === mine.task_id), false);
    await fails('task/get', { task_id: mine.task_id }, 404, 'ERROR_NOT_FOUND', { 'x-workspace-id': 'workspace-blue' });
    assert.equal((await ok('task/get', { task_id: mine.task_id }, { 'x-workspace-id': 'workspace-red' })).task_id, mine.task_id);
    assert.equal((await ok('task/get', { task_id: mine.task_id })).task_id, mine.task_id, 'a domain-wide caller sees every workspace');

    const other = await ok('task-type/create', { name: 'Other', category_id: category.category_id });
    const before = (await ok('task/list', { task_type_id: type.task_type_id, query: { count_only: true } })).total_count;
    await ok('task-type/delete', { task_type_id: type.task_type_id, new_task_type_id: other.task_type_id });
    assert.equal((await ok('task/list', { task_type_id: other.task_type_id, query: { count_only: true } })).total_count, before);
    type = other;
    const withFields = await ok('task-type/get', { task_type_id: other.task_type_id, include_category_fields: true });
    assert.deepEqual(withFields.fields.map((f: any) => f.field_id), ['severity', 'labels']);

    const spare = await ok('task-category/create', { name: 'Spare', status_options: { TODO: [{ name: 'a' }], IN_PROGRESS: [{ name: 'b' }], COMPLETED: [{ name: 'c' }] } });
    const deleted = await ok('task-category/delete', { category_id: spare.category_id });
    assert.equal(deleted.state, 'DELETED');
    assert.equal((await ok('task-category/list', {})).results.some((c: any) => c.category_id === spare.category_id), false);
    assert.equal((await ok('task-category/list', { include_deleted: true })).results.some((c: any) => c.category_id === spare.category_id), true);
    await fails('task-type/create', { name: 'Late', category_id: spare.category_id }, 404, 'ERROR_NOT_FOUND');
  });
});
