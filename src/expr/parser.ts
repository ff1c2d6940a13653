// Pratt parser for TaskRouter expressions. Binding powers: OR 1 < AND 2 (AND binds tighter, as in SQL).
// A comparison (`operand OP operand`) is the only leaf; `( … )` groups and a prefix `NOT` negates a group or
// comparison. Twilio documents only `NOT IN`; prefix NOT is accepted because users write `NOT (…)`, and it binds
// tightest, so `NOT a == 1 AND b == 2` means `(NOT a == 1) AND b == 2`. Length and nesting depth are bounded so hostile input gives a syntax error, never a stack overflow.
import type { ComparisonOperator, Node, Operand } from './ast.ts';
import { ExpressionSyntaxError } from './errors.ts';
import { type Token, tokenize } from './lexer.ts';

export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_DEPTH = 64;
const MAX_ARRAY_ITEMS = 1000;

const BINDING_POWER: Record<string, number> = { OR: 1, AND: 2 };
const OPERATORS = new Set(['==', '!=', '>', '>=', '<', '<=']);
const KEYWORD_OPERATORS = new Set(['CONTAINS', 'HAS', 'IN']);

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of expression';
  if (t.kind === 'string') return `string '${t.value}'`;
  return `'${t.value}'`;
}

/** A key as written, with the 1-based column where it starts, so scope errors can point at it. */
export interface KeyReference {
  text: string;
  path: (string | number)[];
  column: number;
}

export function parse(source: string): Node {
  return parseWithKeys(source).tree;
}

// The key list lives beside the tree rather than in it: trees stay position-free, so the same expression
// written with different spacing gives an equal tree (the printer's round-trip property relies on it).
export function parseWithKeys(source: string): { tree: Node; keys: KeyReference[] } {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH + 1);
  }
  const tokens = tokenize(source);
  const keys: KeyReference[] = [];
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const fail = (t: Token, expected: string): never => {
    throw new ExpressionSyntaxError(`unexpected ${describe(t)}; expected ${expected}`, t.column);
  };

  if (peek().kind === 'end') fail(peek(), 'an expression');

  function expression(minPower: number, depth: number): Node {
    if (depth > MAX_DEPTH) throw new ExpressionSyntaxError(`expression nested deeper than ${MAX_DEPTH} levels`, peek().column);
    let left = prefix(depth);
    for (;;) {
      const t = peek();
      const power = t.kind === 'keyword' ? BINDING_POWER[t.value] : undefined;
      if (power === undefined || power <= minPower) return left;
      next();
      const right = expression(power, depth + 1);
      left = { type: t.value === 'AND' ? 'and' : 'or', left, right };
    }
  }

  function prefix(depth: number): Node {
    // `NOT NOT NOT …` recurses here without passing through expression(), so it is bounded here too.
    if (depth > MAX_DEPTH) throw new ExpressionSyntaxError(`expression nested deeper than ${MAX_DEPTH} levels`, peek().column);
    const t = peek();
    if (t.kind === 'punct' && t.value === '(') {
      next();
      const inner = expression(0, depth + 1);
      const close = next();
      if (close.kind !== 'punct' || close.value !== ')') fail(close, "')' or AND/OR");
      return inner;
    }
    if (t.kind === 'keyword' && t.value === 'NOT' && !(tokens[pos + 1]?.kind === 'keyword' && tokens[pos + 1]!.value === 'IN')) {
      next();
      return { type: 'not', operand: prefix(depth + 1) };
    }
    return comparison(depth);
  }

  function comparison(depth: number): Node {
    const left = operand(depth);
    const t = next();
    let op: ComparisonOperator;
    if (t.kind === 'op' && OPERATORS.has(t.value)) {
      op = t.value as ComparisonOperator;
    } else if (t.kind === 'keyword' && KEYWORD_OPERATORS.has(t.value)) {
      op = t.value as ComparisonOperator;
    } else if (t.kind === 'keyword' && t.value === 'NOT' && peek().kind === 'keyword' && peek().value === 'IN') {
      next();
      op = 'NOT IN';
    } else {
      return fail(t, 'an operator (==, !=, >, >=, <, <=, CONTAINS, HAS, IN, NOT IN)');
    }
    const right = operand(depth);
    return { type: 'compare', op, left, right };
  }

  function operand(depth: number): Operand {
    const t = next();
    switch (t.kind) {
      case 'string':
        return { type: 'literal', value: t.literal as string };
      case 'number':
        return { type: 'literal', value: t.literal as number };
      case 'key': {
        const path = t.literal as (string | number)[];
        keys.push({ text: t.value, path, column: t.column });
        return { type: 'key', path, text: t.value };
      }
      case 'keyword':
        if (t.value === 'TRUE') return { type: 'literal', value: true };
        if (t.value === 'FALSE') return { type: 'literal', value: false };
        if (t.value === 'NULL') return { type: 'literal', value: null };
        break;
      case 'punct':
        if (t.value === '[') return arrayLiteral(depth + 1);
        break;
    }
    return fail(t, 'a value (key, string, number, true, false, null or [list])');
  }

  function arrayLiteral(depth: number): Operand {
    if (depth > MAX_DEPTH) throw new ExpressionSyntaxError(`expression nested deeper than ${MAX_DEPTH} levels`, peek().column);
    const items: Operand[] = [];
    if (peek().kind === 'punct' && peek().value === ']') {
      next();
      return { type: 'array', items };
    }
    for (;;) {
      items.push(operand(depth));
      if (items.length > MAX_ARRAY_ITEMS) throw new ExpressionSyntaxError(`list longer than ${MAX_ARRAY_ITEMS} items`, peek().column);
      const t = next();
      if (t.kind === 'punct' && t.value === ']') return { type: 'array', items };
      if (!(t.kind === 'punct' && t.value === ',')) fail(t, "',' or ']'");
    }
  }

  const tree = expression(0, 0);
  if (peek().kind !== 'end') fail(peek(), 'AND, OR or end of expression');
  return { tree, keys };
}
