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
