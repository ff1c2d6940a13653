// Property tests of the decoders every request goes through: the form/query decoder and the workflow
// configuration validator never throw anything but their own refusal, whatever the input; valid encodings
// decode to what was encoded.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError } from '../../src/core/errors.ts';
import { parseForm, parseQuery, queryError } from '../../src/api/common/formParser.ts';
import { validateWorkflowConfiguration } from '../../src/engine/workflowConfiguration.ts';

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom(...'%&=+aZ09\u00e9\u{1F600}\uFFFD%2%G%E9'.split('')), maxLength: 80 }));

it('parseForm: any text decodes or is refused with a 20001, never anything else', () => {
  fc.assert(
    fc.property(text, (body) => {
      try {
        const out = parseForm(body);
        assert.equal(Object.getPrototypeOf(out), null, 'no prototype: `__proto__=x` is a plain key');
      } catch (err) {
        assert.ok(err instanceof ApiError && err.code === 20001, String(err));
      }
      const q = parseQuery(body);
      assert.ok(q && typeof q === 'object');
      assert.ok(queryError(q) === undefined || typeof queryError(q) === 'string');
    }),
    { numRuns: 2000 },
  );
});

it('parseForm: what URLSearchParams encodes comes back, __proto__ and constructor keys included', () => {
  const key = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'));
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 30 })), { maxLength: 8 }), (pairs) => {
      const clean = pairs.filter(([k, v]) => !(k + v).includes('\uFFFD') && !/[\uD800-\uDFFF]/.test(k + v));
      const out = parseForm(new URLSearchParams(clean).toString());
      const expected: Record<string, string | string[]> = Object.create(null);
      for (const [k, v] of clean) {
        const e = expected[k];
        expected[k] = e === undefined ? v : Array.isArray(e) ? [...e, v] : [e, v];
      }
      assert.deepEqual({ ...out }, { ...expected });
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }),
    { numRuns: 1000 },
  );
});

it('the workflow configuration validator refuses any malformed document with a message, never throws', () => {
  const queue = 'WQ' + 'a'.repeat(32);
  const target = fc.record({ queue: fc.oneof(fc.constant(queue), fc.string(), fc.integer()), expression: fc.oneof(fc.string(), fc.constant('task.x == 1')), priority: fc.oneof(fc.integer(), fc.string(), fc.double()), timeout: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.string()) }, { requiredKeys: [] });
  const filter = fc.record({ filter_friendly_name: fc.oneof(fc.string(), fc.integer()), expression: fc.oneof(fc.string(), fc.constant('type == "x"'), fc.integer()), targets: fc.oneof(fc.array(target, { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] });
  const document = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ task_routing: fc.record({ filters: fc.oneof(fc.array(filter, { maxLength: 3 }), fc.jsonValue()), default_filter: fc.oneof(fc.record({ queue: fc.constant(queue) }), fc.jsonValue()) }, { requiredKeys: [] }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 100 }),
    fc.constantFrom('{"__proto__":{"task_routing":1}}', '{"constructor":{"prototype":{}}}', '['.repeat(5000) + ']'.repeat(5000), '{"task_routing":{"filters":[' + '{"targets":[],"expression":"a == 1","filter_friendly_name":"f"},'.repeat(50) + '{}]}}'),
  );
  fc.assert(
    fc.property(document, (doc) => {
      const result = validateWorkflowConfiguration(doc, (sid) => sid === queue);
      if (!result.ok) assert.ok(typeof result.message === 'string' && result.message.length > 0);
    }),
    { numRuns: 1500 },
  );
});
