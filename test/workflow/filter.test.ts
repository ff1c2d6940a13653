// The LUSID filter language on its own: parsing, evaluation rules, and errors that say where.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { evaluateFilter } from '../../src/workflow/filter/filterEvaluate.ts';
import { FilterSyntaxError, parseFilter, referencedPaths } from '../../src/workflow/filter/filterParser.ts';

const subject: Record<string, unknown> = {
  state: 'Open',
  amount: 250,
  amountText: '250',
  when: '2026-03-01T10:00:00.000Z',
  flag: true,
  name: "O'Brien",
  tags: ['a', 'b'],
  empty: [],
  CurrentUser: 'SKone',
  UserCreated: 'SKtwo',
};
const resolve = (segments: string[]) => (segments[0] === 'fields' ? subject[segments[1]!] : segments.length === 1 ? subject[segments[0]!] : undefined);
const holds = (text: string) => evaluateFilter(parseFilter(text), resolve);

describe('LUSID filter language', () => {
  test('comparison operators on strings, numbers, dates and booleans', () => {
    const truths = [
      "state eq 'Open'",
      "state neq 'Closed'",
      'amount gt 100',
      'amount gte 250',
      'amount lt 251',
      'amount lte 250',
      "fields['amount'] eq 250",
      'amountText eq 250',
      "when gt '2026-02-28'",
      "when lt '2026-03-01T11:00:00+00:00'",
      'flag eq true',
      "flag eq 'true'",
      "name eq 'O''Brien'",
      'name eq "O\'Brien"',
      "state startswith 'Op'",
      "state in ('Closed', 'Open')",
      "state not in ('Closed')",
      'amount in (1, 250)',
      "tags eq 'b'",
      "tags neq 'c'",
      'amount exists',
      'missing not exists',
      'empty not exists',
      "missing neq 'x'",
      'missing eq null',
      'UserCreated neq CurrentUser',
      "state EQ 'Open' AND NOT amount LT 5",
    ];
    for (const t of truths) assert.equal(holds(t), true, t);
    const falsehoods = ["state eq 'open'", 'amount gt 250', "missing eq 'x'", 'missing gt 1', "tags neq 'a'", "state startswith 'pe'", "amount gt 'abc'", 'flag eq 1'];
    for (const t of falsehoods) assert.equal(holds(t), false, t);
  });

  test('precedence: not binds tightest, then and, then or; parentheses group', () => {
    assert.equal(holds("state eq 'X' and amount gt 1 or flag eq true"), true);
    assert.equal(holds("state eq 'X' and (amount gt 1 or flag eq true)"), false);
    assert.equal(holds("not state eq 'X' and amount gt 1"), true);
    assert.equal(holds("not (state eq 'Open' or amount gt 1)"), false);
  });

  test('syntax errors name what was found, where, and what was expected', () => {
    const cases: [string, RegExp][] = [
      ["state equals 'x'", /Unexpected 'equals'; expected an operator .* at position 7/],
      ["state eq 'x", /Unterminated string at position 10/],
      ["(state eq 'x'", /Unexpected end of filter; expected '\)' at position 14/],
      ["state eq 'x' and", /Unexpected end of filter; expected a value or a field at position 17/],
      ["state in 'x'", /expected '\(' to open the list/],
      ["fields[x] eq 'y'", /expected a quoted name inside/],
      ["state eq 'x' extra", /expected 'and', 'or' or the end of the filter at position 14/],
      ['state # 1', /Unexpected character '#' at position 7/],
      ['', /Empty filter/],
      ["state not like 'x'", /expected 'in' or 'exists' after 'not'/],
    ];
    for (const [text, pattern] of cases) assert.throws(() => parseFilter(text), (e: unknown) => e instanceof FilterSyntaxError && pattern.test(e.message), text);
    assert.throws(() => parseFilter('('.repeat(100) + "a eq 'b'" + ')'.repeat(100)), /nested deeper than 64/);
  });

  test('referencedPaths lists every field a filter reads', () => {
    const paths = referencedPaths(parseFilter("fields['a'] exists and (b eq c.d or e in (1, f))")).map((p) => (p.kind === 'path' ? p.text : ''));
    assert.deepEqual(paths, ["fields['a']", 'b', 'c.d', 'e', 'f']);
  });

  test('any input either parses or raises FilterSyntaxError, never anything else', () => {
    const pieces = fc.constantFrom('state', 'eq', 'neq', 'in', 'not', 'and', 'or', '(', ')', "'x'", '1', 'exists', ',', '[', ']', "fields['a']", '.', 'startswith', '"q"', '-2.5');
    fc.assert(
      fc.property(fc.oneof(fc.array(pieces, { maxLength: 12 }).map((a) => a.join(' ')), fc.string({ maxLength: 40 })), (text) => {
        try {
          const node = parseFilter(text);
          evaluateFilter(node, resolve);
        } catch (err) {
          assert.ok(err instanceof FilterSyntaxError, `${JSON.stringify(text)} threw ${String(err)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
