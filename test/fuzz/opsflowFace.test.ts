// Hostile input to the Opsflow face: random bodies to every verb and random list/stat queries (filters with
// random keys, operators and values; random aggregate stages). Every answer is a 200 or a SpaceONE 4xx error,
// never a 5xx; the seeded task is unchanged by refused requests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startServer, type TestServer } from '../support/server.ts';

describe('Opsflow face fuzz', () => {
  let s: TestServer;
  let taskId: string;
  const post = (path: string, json: unknown) => s.request('POST', `/opsflow/v1/${path}`, { json });
  before(async () => {
    s = await startServer();
    const c = (await post('task-category/create', { name: 'F', status_options: { TODO: [{ status_id: 'a', name: 'A' }], IN_PROGRESS: [{ status_id: 'b', name: 'B' }], COMPLETED: [{ status_id: 'c', name: 'C' }] }, fields: [{ field_id: 'f', name: 'F', field_type: 'TEXT' }] })).body;
    const t = (await post('task-type/create', { name: 'T', category_id: c.category_id, assignee_pool: ['u'] })).body;
    taskId = (await post('task/create', { name: 'seed', status_id: 'a', project_id: '*', task_type_id: t.task_type_id, data: { f: 'x' } })).body.task_id;
  });
  after(async () => s.close());

  const check = (res: { status: number; body: any; text: string }, what: string) => {
    assert.ok(res.status < 500, `${what} -> ${res.status} ${res.text.slice(0, 300)}`);
    if (res.status >= 400) assert.match(res.body?.detail?.code ?? '', /^ERROR_/, `${what}: ${res.text.slice(0, 200)}`);
  };
  const scalar = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('now-1d', 'now+2h', '2026-01-01', '(', '.*', '%', "'; DROP TABLE ops_tasks; --"));
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 2 }));
  const key = fc.oneof(fc.constantFrom('name', 'status_type', 'assignee', 'created_at', 'data.f', 'data.x y', 'files', 'in_progress_duration', 'priority', 'task_id', 'mentions.USER', 'nope', 'data.', '__proto__', 'data.a"b'), fc.string({ maxLength: 8 }));
  const op = fc.oneof(fc.constantFrom('eq', 'not', 'lt', 'lte', 'gt', 'gte', 'exists', 'contain', 'not_contain', 'in', 'not_in', 'contain_in', 'not_contain_in', 'regex', 'regex_in', 'datetime_gt', 'timediff_lte', 'match'), fc.string({ maxLength: 6 }));
  const condition = fc.record({ k: key, v: value, o: op });
  const query = fc.record(
    {
      lookup: fc.oneof(fc.constant(undefined), value),
      filter: fc.oneof(fc.array(condition, { maxLength: 3 }), value),
      filter_or: fc.array(condition, { maxLength: 2 }),
      sort: fc.oneof(fc.array(fc.record({ key, desc: fc.boolean() }), { maxLength: 2 }), value),
      page: fc.oneof(fc.record({ start: fc.integer({ min: -2, max: 50 }), limit: fc.integer({ min: -1, max: 20_000 }) }), value),
      only: fc.oneof(fc.array(key, { maxLength: 3 }), value),
      keyword: value,
      count_only: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const stage = fc.oneof(
    fc.record({ group: fc.record({ keys: fc.array(fc.record({ key, name: fc.string({ maxLength: 6 }), date_format: fc.constantFrom('%Y-%m', '%Y', 'x', undefined) }), { maxLength: 2 }), fields: fc.array(fc.record({ key, name: fc.string({ maxLength: 6 }), operator: fc.constantFrom('count', 'sum', 'average', 'max', 'min', 'first', 'last', 'push', 'add_to_set', 'merge_objects'), conditions: fc.array(condition, { maxLength: 1 }) }), { maxLength: 3 }) }) }),
    fc.record({ sort: fc.array(fc.record({ key: fc.string({ maxLength: 6 }), desc: fc.boolean() }), { maxLength: 2 }) }),
    fc.record({ limit: fc.integer({ min: -1, max: 5 }) }),
    fc.record({ unwind: fc.record({ path: key }) }),
    fc.record({ count: fc.record({ name: fc.string({ maxLength: 6 }) }) }),
    fc.record({ project: fc.record({ fields: fc.array(fc.record({ key: fc.string({ maxLength: 6 }), name: fc.string({ maxLength: 6 }), operator: fc.constantFrom(undefined, 'size', 'concat') }), { maxLength: 2 }) }) }),
  );

  test('random list and stat queries never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.array(stage, { minLength: 0, maxLength: 3 }), fc.option(key), async (q, aggregate, distinct) => {
        check(await post('task/list', { query: q }), `list ${JSON.stringify(q).slice(0, 200)}`);
        check(await post('task/stat', { query: { filter: q.filter, aggregate, ...(distinct !== null ? { distinct } : {}) } }), `stat ${JSON.stringify(aggregate).slice(0, 200)}`);
        check(await post('event/list', { query: q }), 'event list');
        check(await post('comment/stat', { query: { ...q, aggregate } }), 'comment stat');
        check(await post('variable/list', { query: q }), 'variable list');
      }),
      { numRuns: 300 },
    );
  });

  test('random bodies to every verb never give a 5xx and leave the seeded task alone', async () => {
    const before = (await post('task/get', { task_id: taskId })).body;
    const verbs = ['task/create', 'task/update', 'task/update_description', 'task/change_assignee', 'task/change_status', 'task/get', 'task-category/create', 'task-category/update', 'task-category/update_fields', 'task-type/create', 'task-type/update', 'task-type/update_fields', 'comment/create', 'comment/update', 'comment/get', 'event/list', 'variable/create', 'variable/update', 'variable/get', 'variable/delete'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...verbs), fc.dictionary(fc.constantFrom('name', 'status_id', 'task_id', 'task_type_id', 'category_id', 'data', 'fields', 'status_options', 'assignee', 'priority', 'comment', 'mentions', 'files', 'project_id', 'value', 'workspace_id', 'source', 'event_type', 'created_type'), value, { maxKeys: 5 }), async (verb, body) => {
        // Requests that name the seeded task only with invalid content must not change it.
        check(await post(verb, body), `${verb} ${JSON.stringify(body).slice(0, 200)}`);
      }),
      { numRuns: 400 },
    );
    const afterAll = (await post('task/get', { task_id: taskId })).body;
    assert.deepEqual(afterAll, before, 'random bodies never carried the seeded task id, so it is untouched');
  });
});
