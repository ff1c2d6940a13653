// Hostile input to the Workflow face: random and mutated JSON bodies, query strings and filters against a live
// server. Every answer is a success or a LUSID problem-details 4xx, never a 5xx, and a refused request leaves the
// account's tasks as they were.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startServer, type TestServer } from '../support/server.ts';
import { ok, simpleDefinition } from '../support/workflowFace.ts';

describe('Workflow face fuzz', () => {
  let s: TestServer;
  let taskId: string;
  before(async () => {
    s = await startServer();
    await ok(s, 'POST', '/api/taskdefinitions', simpleDefinition('fuzz', 'base'));
    taskId = (await ok(s, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'fuzz', code: 'base' }, fields: [{ name: 'clientId', value: 'c' }] })).id;
  });
  after(async () => s.close());

  const check = (res: { status: number; body: any; text: string }, what: string) => {
    assert.ok(res.status < 500, `${what} -> ${res.status} ${res.text.slice(0, 300)}`);
    if (res.status >= 400) {
      assert.equal(typeof res.body?.name, 'string', `${what}: problem details, got ${res.text.slice(0, 200)}`);
      assert.equal(res.body.status, res.status);
    }
  };

  const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }));
  /** A valid definition with one part replaced by something random. */
  const mutatedDefinition = fc.record({
    key: fc.constantFrom('id', 'displayName', 'states', 'fieldSchema', 'initialState', 'triggers', 'transitions', 'actions', '__proto__', 'constructor'),
    inner: fc.constantFrom('name', 'type', 'fromState', 'toState', 'trigger', 'guard', 'actionDetails', 'readOnlyStates', 'valueConstraints', 'requiredFields'),
    value,
    code: fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
  });

  test('mutated definitions: created or refused with a 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedDefinition, async ({ key, inner, value: v, code }) => {
        const def: any = structuredClone(simpleDefinition('fz', code));
        // Own properties only: `def.__proto__.x = v` would pollute this test process, not test the server.
        const target = Object.hasOwn(def, key) ? def[key] : undefined;
        if (Array.isArray(target) && target.length && typeof target[0] === 'object') target[0][inner] = v;
        else if (target && typeof target === 'object' && !Array.isArray(target)) target[inner] = v;
        else Object.defineProperty(def, key, { value: v, enumerable: true, writable: true, configurable: true });
        const res = await s.request('POST', '/api/taskdefinitions', { json: def });
        check(res, JSON.stringify(def).slice(0, 200));
        if (res.status === 201) await ok(s, 'DELETE', `/api/taskdefinitions/fz/${code}`);
      }),
      { numRuns: 300 },
    );
  });

  test('random task bodies, triggers, filters and query strings never break the server or the task', async () => {
    const before = await ok(s, 'GET', `/api/tasks/${taskId}`);
    const fieldList = fc.array(fc.record({ name: fc.constantFrom('clientId', 'test', 'nope', '', '__proto__'), value }), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('create'), body: fc.oneof(value, fc.record({ taskDefinitionId: fc.oneof(value, fc.constant({ scope: 'fuzz', code: 'base' })), fields: fc.oneof(value, fieldList), correlationIds: fc.oneof(value, fc.array(fc.string(), { maxLength: 2 })) })), q: fc.string({ maxLength: 10 }) }),
          fc.record({ kind: fc.constant('update'), body: fc.oneof(value, fc.record({ fields: fieldList, stackingKey: value })), q: fc.string({ maxLength: 10 }) }),
          fc.record({ kind: fc.constant('list'), body: fc.constant(undefined), q: fc.string({ maxLength: 40 }) }),
        ),
        async ({ kind, body, q }) => {
          if (kind === 'create') {
            check(await s.request('POST', `/api/tasks?trigger=${encodeURIComponent(q)}`, { json: body }), `create ${JSON.stringify(body).slice(0, 100)}`);
          } else if (kind === 'update') {
            // Fields that fail leave the task untouched; 'test' is writable, so a success may change it.
            const res = await s.request('POST', `/api/tasks/${taskId}?trigger=${encodeURIComponent(q)}`, { json: body });
            check(res, `update ${JSON.stringify(body).slice(0, 100)}`);
            if (res.status >= 400) {
              const now = await ok(s, 'GET', `/api/tasks/${taskId}`);
              assert.equal(now.version.asAtVersionNumber, (await ok(s, 'GET', `/api/tasks/${taskId}/history`)).values.at(-1).asAtVersionNumber);
            }
          } else {
            check(await s.request('GET', `/api/tasks?filter=${encodeURIComponent(q)}`), `filter ${q}`);
            check(await s.request('GET', `/api/tasks?${q}`), `query ${q}`);
            check(await s.request('GET', `/api/tasks/${encodeURIComponent(q) || 'x'}?asAt=${encodeURIComponent(q)}`), `asAt ${q}`);
          }
        },
      ),
      { numRuns: 400 },
    );
    const afterAll = await ok(s, 'GET', `/api/tasks/${taskId}`);
    assert.equal(afterAll.id, before.id);
    assert.equal(afterAll.taskDefinitionVersion.asAtModified, before.taskDefinitionVersion.asAtModified);
  });

  test('raw bodies: truncated, huge-nested and non-JSON', async () => {
    for (const body of ['{', '[', '"x"', 'null', '1e999', '{"fields":' + '['.repeat(5000) + ']'.repeat(5000) + '}', '\u0000', '{"taskDefinitionId":{"scope":"fuzz","code":"base"},"fields":[{"name":"clientId","value":{"$gt":""}}]}']) {
      check(await s.request('POST', '/api/tasks', { body, headers: { 'content-type': 'application/json' } }), `raw ${body.slice(0, 40)}`);
    }
  });
});
