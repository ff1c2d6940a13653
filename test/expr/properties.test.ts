// Property tests (fast-check): printing and re-parsing is stable, evaluation of the re-parsed expression is
// the same, and arbitrary input never throws anything but a syntax error.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExpressionSyntaxError, compileExpression, parseExpression, printExpression } from '../../src/expr/index.ts';

const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((s) => !['and', 'or', 'not', 'in', 'has', 'contains', 'true', 'false', 'null'].includes(s));
const key = fc.tuple(ident, fc.array(fc.oneof(ident, fc.nat(3)), { maxLength: 2 })).map(([head, rest]) =>
  head + rest.map((seg) => (typeof seg === 'number' ? `[${seg}]` : `.${seg}`)).join(''),
);
const literal = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('true', 'false', 'null', 'TRUE', 'Null'),
);
const value = fc.oneof(key, literal, fc.array(literal, { maxLength: 3 }).map((items) => `[${items.join(', ')}]`));
const op = fc.constantFrom('==', '=', '!=', '>', '>=', '<', '<=', 'CONTAINS', 'contains', 'HAS', 'IN', 'in', 'NOT IN', 'not in');
const comparison = fc.tuple(value, op, value).map(([a, o, b]) => `${a} ${o} ${b}`);
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.tuple(tie('e'), fc.constantFrom('AND', 'OR', 'and', 'or'), tie('e')).map(([a, o, b]) => `${a} ${o} ${b}`),
    tie('e').map((e) => `(${e})`),
    tie('e').map((e) => `NOT (${e})`),
  ),
})).e;

const attributes = fc.dictionary(ident, fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 })), { maxLength: 3 })), { maxKeys: 6 });

it('print(parse(x)) re-parses to the same tree and evaluates the same', () => {
  fc.assert(
    fc.property(expression, attributes, (source, root) => {
      const tree = parseExpression(source);
      const printed = printExpression(tree);
      assert.deepEqual(parseExpression(printed), tree, `${source}\n${printed}`);
      assert.equal(printExpression(parseExpression(printed)), printed);
      assert.equal(compileExpression(printed, 'plain').evaluate({ root }), compileExpression(source, 'plain').evaluate({ root }));
    }),
    { numRuns: 2000 },
  );
});

it('arbitrary text either compiles or throws ExpressionSyntaxError with a column inside the input', () => {
  const alphabet = fc.constantFrom(...'abc.[]()\'"=!<>, 0123456789-_ANDORNTIHSCaknd'.split(''), ' IN ', ' HAS ', ' AND ', ' NOT ');
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(alphabet, { maxLength: 40 }).map((a) => a.join(''))), attributes, (source, root) => {
      try {
        const compiled = compileExpression(source, 'plain');
        assert.equal(typeof compiled.evaluate({ root }), 'boolean');
      } catch (err) {
        assert.ok(err instanceof ExpressionSyntaxError, `unexpected ${String(err)} for ${JSON.stringify(source)}`);
        assert.ok(err.column >= 1 && err.column <= source.length + 1, `column ${err.column} outside ${JSON.stringify(source)}`);
      }
    }),
    { numRuns: 5000 },
  );
});
