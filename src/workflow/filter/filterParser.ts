// The LUSID filter language, used by transition guards and by `GET /api/tasks?filter=`:
//
//   fields['assignee'] exists and fields['reasonForDecision'] exists
//   UserCreated neq CurrentUser
//   state in ('Pending', 'Open') and not (fields['amount'] gt 100 or fields['ccy'] startswith 'EU')
//
// Grammar (keywords are case-insensitive):
//   expr       := and ('or' and)*
//   and        := unary ('and' unary)*
//   unary      := 'not' unary | '(' expr ')' | comparison
//   comparison := operand ( 'exists' | 'not' 'exists' | op operand | 'in' list | 'not' 'in' list )
//   op         := eq | neq | gt | gte | lt | lte | startswith
//   operand    := path | 'string' | "string" | number | true | false | null
//   path       := identifier ( '.' identifier | '[' string ']' )*
//   list       := '(' operand (',' operand)* ')'
// A parse error names what was found, where (1-based character position) and what was expected.
// Pure: no I/O; the tree it produces is core/lusidFilter.ts.

import type { CompareOp, FilterNode, Operand } from '../../core/lusidFilter.ts';

export type { CompareOp, FilterNode, Operand };

export class FilterSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.position = position;
  }
}

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; text: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'punct'; text: '(' | ')' | '[' | ']' | '.' | ','; pos: number }
  | { kind: 'end'; text: ''; pos: number };

const COMPARE_OPS = new Set<string>(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'startswith']);
const MAX_LENGTH = 4096;
const MAX_DEPTH = 64;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if ('()[].,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c as '(', pos });
      i++;
    } else if (c === "'" || c === '"') {
      // A quote inside is written twice ('it''s'), as in LUSID and SQL.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw new FilterSyntaxError('Unterminated string', pos);
        if (source[j] === c) {
          if (source[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += source[j];
        j++;
      }
      tokens.push({ kind: 'string', value, text: source.slice(i, j + 1), pos });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', value: Number(m[0]), text: m[0], pos });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], pos });
      i += m[0].length;
    } else {
      throw new FilterSyntaxError(`Unexpected character '${c}'`, pos);
    }
  }
  tokens.push({ kind: 'end', text: '', pos: source.length + 1 });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }
  private fail(t: Token, expected: string): never {
    const found = t.kind === 'end' ? 'end of filter' : `'${t.text}'`;
    throw new FilterSyntaxError(`Unexpected ${found}; expected ${expected}`, t.pos);
  }
  private expectPunct(text: string, expected: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) this.fail(t, expected);
  }

  parse(): FilterNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(t, "'and', 'or' or the end of the filter");
    return node;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (++this.depth > MAX_DEPTH) throw new FilterSyntaxError(`Filter nested deeper than ${MAX_DEPTH}`, this.peek().pos);
    try {
      const t = this.peek();
      if (this.isKeyword(t, 'not')) {
        this.next();
        return { kind: 'not', operand: this.unary() };
      }
      if (t.kind === 'punct' && t.text === '(') {
        this.next();
        const inner = this.or();
        this.expectPunct(')', "')'");
        return inner;
      }
      return this.comparison();
    } finally {
      this.depth--;
    }
  }

  private comparison(): FilterNode {
    const left = this.operand();
    const t = this.next();
    if (t.kind === 'ident') {
      const word = t.text.toLowerCase();
      if (word === 'exists') return { kind: 'exists', negated: false, operand: left };
      if (word === 'in') return { kind: 'in', negated: false, left, values: this.list() };
      if (word === 'not') {
        const after = this.next();
        if (this.isKeyword(after, 'exists')) return { kind: 'exists', negated: true, operand: left };
        if (this.isKeyword(after, 'in')) return { kind: 'in', negated: true, left, values: this.list() };
        this.fail(after, "'in' or 'exists' after 'not'");
      }
      if (COMPARE_OPS.has(word)) return { kind: 'compare', op: word as CompareOp, left, right: this.operand() };
    }
    return this.fail(t, 'an operator (eq, neq, gt, gte, lt, lte, in, not in, startswith, exists)');
  }

  private list(): Operand[] {
    this.expectPunct('(', "'(' to open the list");
    const values = [this.operand()];
    for (;;) {
      const t = this.next();
      if (t.kind === 'punct' && t.text === ')') return values;
      if (t.kind !== 'punct' || t.text !== ',') this.fail(t, "',' or ')'");
      values.push(this.operand());
    }
  }

  private operand(): Operand {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return { kind: 'literal', value: t.value };
    if (t.kind !== 'ident') return this.fail(t, 'a value or a field');
    const word = t.text.toLowerCase();
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    if (word === 'null') return { kind: 'literal', value: null };
    const segments = [t.text];
    let text = t.text;
    for (;;) {
      const p = this.peek();
      if (p.kind === 'punct' && p.text === '.') {
        this.next();
        const name = this.next();
        if (name.kind !== 'ident') this.fail(name, "a name after '.'");
        segments.push(name.text);
        text += `.${name.text}`;
      } else if (p.kind === 'punct' && p.text === '[') {
        this.next();
        const key = this.next();
        if (key.kind !== 'string') this.fail(key, "a quoted name inside '[ ]'");
        this.expectPunct(']', "']'");
        segments.push(key.value);
        text += `['${key.value}']`;
      } else {
        return { kind: 'path', segments, text };
      }
    }
  }
}

export function parseFilter(source: string): FilterNode {
  if (source.length > MAX_LENGTH) throw new FilterSyntaxError(`Filter longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  if (source.trim() === '') throw new FilterSyntaxError('Empty filter', 1);
  return new Parser(tokenize(source)).parse();
}

/** Every path the filter reads (guards are checked against the definition's fields with this). */
export function referencedPaths(node: FilterNode): Operand[] {
  const out: Operand[] = [];
  const visit = (n: FilterNode): void => {
    const add = (o: Operand) => {
      if (o.kind === 'path') out.push(o);
    };
    switch (n.kind) {
      case 'and':
      case 'or':
        visit(n.left);
        visit(n.right);
        break;
      case 'not':
        visit(n.operand);
        break;
      case 'compare':
        add(n.left);
        add(n.right);
        break;
      case 'in':
        add(n.left);
        n.values.forEach(add);
        break;
      case 'exists':
        add(n.operand);
        break;
    }
  };
  visit(node);
  return out;
}
