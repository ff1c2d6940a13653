import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkExpression, compileExpression, ExpressionSyntaxError, parseOrderBy } from '../../src/expr/index.ts';

const worker = { skills: ['support', 'sales'], level: 5, language: 'en', name: 'Alice Smith', routing: { skills: ['billing'] }, langs: [['x']], vip: true };
const matches = (expr: string, root: unknown = worker) => compileExpression(expr, 'plain').evaluate({ root });

function syntaxError(expr: string, scope: Parameters<typeof compileExpression>[1] = 'plain'): ExpressionSyntaxError {
  try {
    compileExpression(expr, scope);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError, `expected a syntax error for ${expr}, got ${err}`);
    return err;
  }
  assert.fail(`expected a syntax error for ${expr}`);
}

describe('expression language: evaluation', () => {
  it('evaluates comparisons of every kind', () => {
    assert.equal(matches('1==1'), true);
    assert.equal(matches('1 == 2'), false);
    assert.equal(matches("language == 'en'"), true);
    assert.equal(matches('language = "en"'), true); // single = as in an official example
    assert.equal(matches("language != 'fr'"), true);
    assert.equal(matches('level > 4 AND level >= 5 AND level < 6 AND level <= 5'), true);
    assert.equal(matches('level > 5'), false);
    assert.equal(matches("name CONTAINS 'Smith'"), true);
    assert.equal(matches("name CONTAINS 'smith'"), false);
    assert.equal(matches("skills HAS 'support'"), true);
    assert.equal(matches("skills HAS 'billing'"), false);
    assert.equal(matches("routing.skills HAS 'billing'"), true);
    assert.equal(matches("language IN ['en', 'fr']"), true);
    assert.equal(matches("language NOT IN ['en', 'fr']"), false);
    assert.equal(matches("language not in ['de']"), true);
    assert.equal(matches('vip == true'), true);
    assert.equal(matches("skills[1] == 'sales'"), true);
    assert.equal(matches("langs[0][0] == 'x'"), true);
  });

  it('treats keywords case-insensitively and binds AND tighter than OR', () => {
    assert.equal(matches("skills has 'sales' and level == 5"), true);
    assert.equal(matches('1 == 1 OR 1 == 2 AND 1 == 2'), true); // 1==1 OR (1==2 AND 1==2)
    assert.equal(matches('(1 == 1 OR 1 == 2) AND 1 == 2'), false);
    assert.equal(matches('NOT (level == 5)'), false);
    assert.equal(matches('not (level == 4) And level == 5'), true);
  });

  it('follows TaskRouter type rules: missing is null, mismatched types never match', () => {
    assert.equal(matches('missing == null'), true);
    assert.equal(matches('missing != null'), false);
    assert.equal(matches('language != null'), true);
    assert.equal(matches("level == '5'"), false);
    assert.equal(matches("level != '5'"), true);
    assert.equal(matches("level HAS 'support'"), false); // array operator on a scalar: false, no error
    assert.equal(matches("skills == 'support'"), false); // scalar operator on an array: false
    assert.equal(matches("language IN 'en'"), false); // IN needs a list on the right
    assert.equal(matches("language NOT IN 'en'"), false);
    assert.equal(matches("level > 'a'"), false);
    assert.equal(matches("skills IN ['sales', 'x']"), true); // any element in
    assert.equal(matches("skills NOT IN ['x']"), true);
    assert.equal(matches('__proto__ == null', JSON.parse('{"__proto__": 1}')), false);
    assert.equal(matches('constructor == null', {}), true); // inherited properties are not attributes
  });

  it('scopes keys: queue, filter, target and skip_if', () => {
    const task = { language: 'en', agent: 'WK1', preferred: ['WK1', 'WK2'] };
    const w = { languages: ['en', 'de'], id: 'WK1', activity_name: 'Available' };
    assert.equal(compileExpression('task.language IN worker.languages', 'target').evaluate({ task, worker: w }), true);
    assert.equal(compileExpression('worker.id IN task.preferred', 'target').evaluate({ task, worker: w }), true);
    assert.equal(compileExpression('task.agent == worker.id', 'target').evaluate({ task, worker: w }), true);
    assert.equal(compileExpression("worker.activity_name in ['Available', 'Busy']", 'target').evaluate({ task, worker: w }), true);
    assert.equal(compileExpression("worker.languages HAS 'de'", 'queue').evaluate({ root: w }), true);
    assert.equal(compileExpression("languages HAS 'de'", 'queue').evaluate({ root: w }), true);
    assert.equal(compileExpression("task.language == 'en'", 'filter').evaluate({ root: task }), true);
    assert.equal(compileExpression('workers.available == 0', 'skipIf').evaluate({ workers: { available: 0 } }), true);
    assert.equal(compileExpression('1==1', 'skipIf').evaluate({ workers: {} }), true);
    assert.match(syntaxError('language == worker.x', 'target').message, /must be prefixed with task\. or worker\./);
    assert.match(syntaxError('available == 0', 'skipIf').message, /workers\.available/);
  });

  it('compiles once and evaluates many times against different contexts', () => {
    const e = compileExpression("skills HAS 'support'", 'queue');
    assert.deepEqual(e.keys, ['skills']);
    assert.equal(e.evaluate({ root: { skills: ['support'] } }), true);
    assert.equal(e.evaluate({ root: { skills: [] } }), false);
    assert.equal(e.evaluate({ root: {} }), false);
  });
});

describe('expression language: errors', () => {
  it('reports what was expected and the column', () => {
    const hyphen = syntaxError('skill-level > 3');
    assert.equal(hyphen.column, 6);
    assert.match(hyphen.message, /hyphens are not supported/);
    assert.match(syntaxError("name == 'abc").message, /unterminated string literal at column 9/);
    assert.match(syntaxError('level >').message, /expected a value .* at column 8/);
    assert.match(syntaxError('level 5').message, /expected an operator/);
    assert.match(syntaxError('level == 5 level == 6').message, /expected AND, OR or end of expression at column 12/);
    assert.match(syntaxError('(level == 5').message, /expected '\)'/);
    assert.match(syntaxError('level == 5)').message, /unexpected '\)'/);
    assert.match(syntaxError('').message, /expected an expression at column 1/);
    assert.match(syntaxError('   ').message, /expected an expression/);
    assert.match(syntaxError("x IN ['a' 'b']").message, /expected ',' or '\]'/);
    assert.match(syntaxError('x == #').message, /unexpected character '#' at column 6/);
    assert.match(syntaxError('a. == 1').message, /expected a key segment/);
  });

  it('bounds length and depth: hostile input is an error, never a crash', () => {
    assert.match(syntaxError('('.repeat(100_000)).message, /longer than 4096/);
    assert.match(syntaxError('('.repeat(1000) + '1==1' + ')'.repeat(1000)).message, /nested deeper than 64/);
    assert.match(syntaxError('NOT '.repeat(500) + '(1==1)').message, /nested deeper than 64/);
    assert.match(syntaxError('x IN ' + '['.repeat(200) + ']'.repeat(200)).message, /nested deeper than 64/);
    assert.equal(matches('('.repeat(60) + '1==1' + ')'.repeat(60)), true);
  });

  it('checkExpression returns the message and column instead of throwing', () => {
    assert.deepEqual(checkExpression("skills HAS 'x'", 'queue'), { ok: true });
    const r = checkExpression('skill-level > 3', 'queue');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.column, 6);
  });
});

describe('order_by', () => {
  it('parses clauses with optional direction', () => {
    assert.deepEqual(parseOrderBy('worker.english_level ASC, worker.support.level desc,worker.x'), [
      { key: 'worker.english_level', path: ['english_level'], direction: 'ASC' },
      { key: 'worker.support.level', path: ['support', 'level'], direction: 'DESC' },
      { key: 'worker.x', path: ['x'], direction: 'ASC' },
    ]);
  });
  it('rejects anything else with the column of the bad clause', () => {
    assert.throws(() => parseOrderBy('task.level ASC'), /invalid order_by clause 'task.level ASC'/);
    assert.throws(() => parseOrderBy('worker.a ASC, worker.b SIDEWAYS'), (e: any) => e instanceof ExpressionSyntaxError && e.column === 15);
  });
});

describe('expression language: lexing and literals', () => {
  it('reads string escapes, both quote styles, and numbers of every form', () => {
    assert.equal(matches("name == 'O\\'Brien'", { name: "O'Brien" }), true);
    assert.equal(matches('name == "say \\"hi\\""', { name: 'say "hi"' }), true);
    assert.equal(matches("path == 'a\\\\b'", { path: 'a\\b' }), true);
    assert.equal(matches("text == 'x\\ny\\tz'", { text: 'x\ny\tz' }), true);
    assert.equal(matches('level > -1'), true);
    assert.equal(matches('level>-1'), true);
    assert.equal(matches('score >= 4.5 AND score < 4.75', { score: 4.5 }), true);
    assert.equal(matches('t < .5', { t: 0.25 }), true);
    assert.equal(matches('-0.5 < 0'), true);
    assert.equal(matches('big == 1e3', { big: 1000 }), true);
  });

  it('accepts keywords and literals in any case', () => {
    assert.equal(matches('vip == TRUE'), true);
    assert.equal(matches('vip == False'), false);
    assert.equal(matches('missing == Null'), true);
    assert.equal(matches("skills Has 'sales'"), true);
    assert.equal(matches("name Contains 'Ali'"), true);
    assert.equal(matches("language In ['en']"), true);
    assert.equal(matches("language Not In ['en']"), false);
    assert.equal(matches('level == 4 oR level == 5'), true);
    assert.equal(matches('Not (level == 4) aNd level == 5'), true);
  });

  it('follows dotted and indexed keys, and a keyword may be a later key segment', () => {
    const root = { a: { b: [0, 1, { c: 'deep' }] }, task: { in: 3 } };
    assert.equal(matches("a.b[2].c == 'deep'", root), true);
    assert.equal(matches('a.b[1] == 1', root), true);
    assert.equal(matches('a.b[9] == null', root), true); // out of range is missing
    assert.equal(matches('a.b.c == null', root), true); // a name on an array is missing
    assert.equal(matches('a[0] == null', root), true); // an index on an object is missing
    assert.equal(matches('task.in == 3', root), true);
  });
});

describe('expression language: operator semantics', () => {
  const root = { name: 'Bob', level: 3, levels: [1, 3], tags: ['a', 'b'], ok: true, empty: [] as unknown[] };
  const m = (expr: string) => matches(expr, root);

  it('compares strings case-sensitively and by code unit', () => {
    assert.equal(m("name == 'bob'"), false);
    assert.equal(m("name > 'Alice'"), true);
    assert.equal(m("'B' < 'a'"), true); // upper case sorts before lower case
    assert.equal(m("name CONTAINS 'o'"), true);
    assert.equal(m("name CONTAINS 'O'"), false);
  });

  it('is false for scalar operators on arrays and for array operators on scalars', () => {
    assert.equal(m('levels == 3'), false);
    assert.equal(m('levels != 3'), false); // != is a scalar operator too
    assert.equal(m('levels > 0'), false);
    assert.equal(m("tags CONTAINS 'a'"), false);
    assert.equal(m('level HAS 3'), false);
    assert.equal(m("name IN 'Bob'"), false);
    assert.equal(m("name NOT IN 'Alice'"), false); // NOT IN is false, not true, without a list on the right
  });

  it('never equates or orders values of different types; != is the negation of == between scalars', () => {
    assert.equal(m("level == '3'"), false);
    assert.equal(m("level != '3'"), true);
    assert.equal(m("level >= '3'"), false);
    assert.equal(m("level <= '3'"), false);
    assert.equal(m("ok == 'true'"), false);
    assert.equal(m('ok == 1'), false);
    assert.equal(m('ok != false'), true);
    assert.equal(m('level CONTAINS 3'), false); // CONTAINS is for strings only
  });

  it('treats a missing key as null', () => {
    assert.equal(m('missing == null'), true);
    assert.equal(m('missing != null'), false);
    assert.equal(m('name != null'), true);
    assert.equal(m('missing > 0'), false);
    assert.equal(m('missing < 0'), false);
    assert.equal(m("missing IN ['a']"), false);
    assert.equal(m("missing NOT IN ['a']"), true);
    assert.equal(m("missing HAS 'a'"), false);
    assert.equal(m("missing CONTAINS 'a'"), false);
    assert.equal(m('null == null'), true);
    assert.equal(m('levels != null'), true); // presence test works for arrays (docs: preferred_agents != null)
    assert.equal(m('levels == null'), false);
    assert.equal(matches('o != null', { o: { x: 1 } }), true);
    assert.equal(matches('null != o', { o: [] }), true);
    assert.equal(matches('missing == other', {}), true); // both missing: both null
  });

  it('implements HAS, IN and NOT IN over arrays, with keys on either side', () => {
    assert.equal(m('levels HAS 3'), true);
    assert.equal(m("levels HAS '3'"), false);
    assert.equal(m("tags HAS ['a']"), false); // HAS looks for one value, not a list
    assert.equal(m('level IN [1, 2, 3]'), true);
    assert.equal(m('level IN levels'), true);
    assert.equal(m('level NOT IN levels'), false);
    assert.equal(m('2 IN levels'), false); // 2 is not in [1, 3]
    assert.equal(m("tags IN ['b', 'z']"), true); // array on the left: any element in
    assert.equal(m("tags NOT IN ['b', 'z']"), false); // ... and NOT IN: no element in
    assert.equal(m("tags NOT IN ['y', 'z']"), true);
    assert.equal(m('empty IN [1]'), false);
    assert.equal(m('empty NOT IN [1]'), true);
    assert.equal(m("name IN [level, 'Bob']"), true); // list items may be keys
  });
});

describe('expression language: official TaskRouter examples', () => {
  it('accepts and evaluates the documented expressions', () => {
    const task = { type: 'Support', language: 'en', preferred_agents: ['WK1'], requested_agent: 'ag1', subSection: 'x' };
    const worker = { languages: ['en'], id: 'WK1', agent_id: 'ag1', activity_name: 'Generally Available', specializedSubField: 'x', skills: ['support'] };
    const target = (e: string) => compileExpression(e, 'target').evaluate({ task, worker });
    assert.equal(target('task.language IN worker.languages'), true);
    assert.equal(target('worker.id IN task.preferred_agents'), true);
    assert.equal(target('task.requested_agent==worker.agent_id'), true);
    assert.equal(target("worker.activity_name IN ['Generally Available','High Value Tasks']"), true);
    assert.equal(target('task.subSection = worker.specializedSubField'), true);
    assert.equal(compileExpression('preferred_agents != null', 'filter').evaluate({ root: task }), true);
    assert.equal(compileExpression('type=="Support"', 'filter').evaluate({ root: task }), true);
    assert.equal(compileExpression("type == 'ticket' AND customer_value == 'Gold'", 'filter').evaluate({ root: task }), false);
    assert.equal(compileExpression('skills HAS "support"', 'queue').evaluate({ root: worker }), true);
    assert.equal(compileExpression('1==1', 'queue').evaluate({ root: {} }), true);
  });

  it('evaluates skip_if counts by activity', () => {
    const skip = compileExpression('workers.available == 0 OR workers.WA0123456789abcdef0123456789abcdef > 2', 'skipIf');
    assert.equal(skip.evaluate({ workers: { available: 0, unavailable: 4 } }), true);
    assert.equal(skip.evaluate({ workers: { available: 1, WA0123456789abcdef0123456789abcdef: 3 } }), true);
    assert.equal(skip.evaluate({ workers: { available: 1, WA0123456789abcdef0123456789abcdef: 1 } }), false);
  });
});

describe('expression language: scopes', () => {
  it('lists the keys as written', () => {
    assert.deepEqual(compileExpression("task.a == worker.b[0] AND worker.c IN ['x', task.d]", 'target').keys, ['task.a', 'worker.b[0]', 'worker.c', 'task.d']);
    assert.deepEqual(compileExpression('1==1', 'queue').keys, []);
  });

  it('points scope errors at the offending key, not an earlier occurrence of its text', () => {
    const e = syntaxError('task.level == level', 'target');
    assert.equal(e.column, 15);
    assert.match(e.message, /key 'level' must be prefixed with task\. or worker\. at column 15/);
    assert.equal(syntaxError('task == 1', 'target').column, 1); // a bare prefix names nothing
    assert.match(syntaxError('workers == 1', 'skipIf').message, /needs an attribute after the prefix/);
    assert.equal(syntaxError('workers.available == 0 AND worker.x == 1', 'skipIf').column, 28);
  });

  it('tolerates the worker./task. prefix in queue and filter scopes, preferring a real top-level key', () => {
    assert.equal(compileExpression('worker.level == 2', 'queue').evaluate({ root: { level: 2 } }), true);
    assert.equal(compileExpression('worker.level == 2', 'queue').evaluate({ root: { level: 1, worker: { level: 2 } } }), true);
    assert.equal(compileExpression('task.type == 1', 'filter').evaluate({ root: { type: 1 } }), true);
    assert.equal(compileExpression('task.type == 1', 'plain').evaluate({ root: { type: 1 } }), false); // plain: as written
    assert.equal(compileExpression('worker.level == 2', 'filter').evaluate({ root: { level: 2 } }), false); // wrong prefix for the scope
  });
});

describe('expression language: more syntax errors', () => {
  const at = (expr: string) => {
    const e = syntaxError(expr);
    return [e.column, e.message] as const;
  };

  it('says what was expected and where', () => {
    const [hc, hm] = at('skill-level > 3');
    assert.equal(hc, 6);
    assert.match(hm, /^hyphens are not supported in keys: unexpected '-' after 'skill'; expected an operator at column 6$/);
    assert.equal(at('a.b-c == 1')[0], 4);
    assert.deepEqual(at("a == 'x"), [6, 'unterminated string literal at column 6']);
    assert.deepEqual(at('a == "x\\"'), [6, 'unterminated string literal at column 6']); // the escaped quote does not close it
    assert.match(at('== 1')[1], /unexpected '=='; expected a value .* at column 1$/);
    assert.match(at('a == 1 AND')[1], /unexpected end of expression; expected a value .* at column 11$/);
    assert.match(at('a == 1 OR OR b == 1')[1], /unexpected 'OR'; expected a value .* at column 11$/);
    assert.match(at('a == 1 b')[1], /unexpected 'b'; expected AND, OR or end of expression at column 8$/);
    assert.match(at('a')[1], /unexpected end of expression; expected an operator .* at column 2$/);
    assert.match(at('a == b == c')[1], /unexpected '=='; expected AND, OR or end of expression at column 8$/);
    assert.match(at('NOT')[1], /expected a value .* at column 4$/);
    assert.match(at('()')[1], /unexpected '\)'; expected a value .* at column 2$/);
    assert.match(at('((a == 1)')[1], /unexpected end of expression; expected '\)' or AND\/OR at column 10$/);
    assert.match(at('(a == 1))')[1], /unexpected '\)'; expected AND, OR or end of expression at column 9$/);
    assert.match(at("a IN ['x'")[1], /unexpected end of expression; expected ',' or '\]' at column 10$/);
    assert.match(at('a IN [,]')[1], /unexpected ','; expected a value .* at column 7$/);
    assert.match(at('a ! b')[1], /unexpected character '!' at column 3$/);
    assert.match(at('a == 12abc')[1], /unexpected 'a' after number; expected an operator at column 8$/);
    assert.match(at('a IN NOT')[1], /expected a value .* at column 6$/);
    assert.match(at('a NOT b')[1], /expected an operator .* at column 3$/);
  });

  it('bounds length at 4096 characters and nesting at 64 levels', () => {
    const pad = (n: number) => 'a == 1' + ' '.repeat(n - 6);
    assert.equal(matches(pad(4096), { a: 1 }), true);
    const long = syntaxError(pad(4097));
    assert.equal(long.column, 4097);
    assert.equal(matches('('.repeat(64) + '1==1' + ')'.repeat(64)), true);
    assert.match(syntaxError('('.repeat(65) + '1==1' + ')'.repeat(65)).message, /nested deeper than 64 levels/);
    assert.match(syntaxError('('.repeat(4000)).message, /nested deeper than 64 levels at column 66/);
    assert.match(syntaxError('NOT '.repeat(1000)).message, /nested deeper than 64/);
    assert.match(syntaxError('x IN [' + '1,'.repeat(1001) + '1]').message, /list longer than 1000 items/);
  });

  it('keeps long flat chains (no nesting) within the bounds and evaluable', () => {
    const chain = Array.from({ length: 300 }, (_, i) => `a == ${i}`).join(' OR ');
    assert.ok(chain.length <= 4096);
    assert.equal(matches(chain, { a: 299 }), true);
    assert.equal(matches(chain, { a: 300 }), false);
  });
});

describe('order_by: more cases', () => {
  it('accepts any case for the direction only', () => {
    assert.deepEqual(parseOrderBy(' worker.level   desc '), [{ key: 'worker.level', path: ['level'], direction: 'DESC' }]);
    assert.throws(() => parseOrderBy('Worker.level ASC'), /invalid order_by clause 'Worker.level ASC'/);
  });
  it('rejects empty clauses, stray words and over-long input', () => {
    assert.throws(() => parseOrderBy(''), (e: unknown) => e instanceof ExpressionSyntaxError && e.column === 1);
    assert.throws(() => parseOrderBy('worker.a,'), (e: unknown) => e instanceof ExpressionSyntaxError && e.column === 10);
    assert.throws(() => parseOrderBy('worker.a ASC DESC'), /invalid order_by clause/);
    assert.throws(() => parseOrderBy('worker'), /invalid order_by clause 'worker'/);
    assert.throws(() => parseOrderBy('worker.a[0] ASC'), /invalid order_by clause/);
    assert.throws(() => parseOrderBy('worker.a-b ASC'), /invalid order_by clause/);
    assert.throws(() => parseOrderBy('worker.a ASC,'.repeat(400)), /order_by longer than 4096 characters/);
  });
});
