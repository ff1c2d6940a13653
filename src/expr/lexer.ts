// Lexer for the TaskRouter expression language (reference/taskrouter.md §7). Keywords are case-insensitive
// (`in`, `IN`, `Has` all appear in Twilio's docs); keys are identifiers joined by `.` and `[n]` indexes;
// hyphens are not allowed in keys (Twilio rejects `skill-level > 3`), so a hyphen that does not start a
// negative number is an error that points at it.
import { ExpressionSyntaxError } from './errors.ts';

export type TokenKind = 'string' | 'number' | 'key' | 'keyword' | 'op' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  /** Keywords upper-cased; operators as written except `=`, which is normalised to `==`. */
  value: string;
  /** Parsed value for string and number literals; the path segments for keys. */
  literal?: string | number | (string | number)[];
  column: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'HAS', 'CONTAINS', 'TRUE', 'FALSE', 'NULL']);
const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  const fail = (message: string, at: number): never => {
    throw new ExpressionSyntaxError(message, at + 1);
  };

  while (i < n) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated string literal', start);
        const d = source[i]!;
        if (d === '\\' && i + 1 < n) {
          const e = source[i + 1]!;
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
          continue;
        }
        if (d === c) {
          i++;
          break;
        }
        text += d;
        i++;
      }
      tokens.push({ kind: 'string', value: text, literal: text, column: start + 1 });
      continue;
    }
    if (DIGIT.test(c) || (c === '-' && DIGIT.test(source[i + 1] ?? '')) || (c === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      const m = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i))!;
      i += m[0].length;
      if (i < n && IDENT_START.test(source[i]!)) fail(`unexpected '${source[i]}' after number; expected an operator`, i);
      tokens.push({ kind: 'number', value: m[0], literal: Number(m[0]), column: start + 1 });
      continue;
    }
    if (IDENT_START.test(c)) {
      const path: (string | number)[] = [];
      let word = '';
      while (i < n && IDENT_PART.test(source[i]!)) word += source[i++];
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) {
        tokens.push({ kind: 'keyword', value: upper, column: start + 1 });
        continue;
      }
      path.push(word);
      for (;;) {
        if (source[i] === '.' && IDENT_START.test(source[i + 1] ?? '')) {
          i++;
          let seg = '';
          while (i < n && IDENT_PART.test(source[i]!)) seg += source[i++];
          path.push(seg);
        } else if (source[i] === '[' && DIGIT.test(source[i + 1] ?? '')) {
          const m = /^\[(\d+)\]/.exec(source.slice(i));
          if (!m) fail("malformed index; expected '[' digits ']'", i);
          path.push(Number(m![1]));
          i += m![0].length;
        } else {
          break;
        }
      }
      // Twilio answers `skill-level > 3` with "extraneous input 'evel' expecting OPERATOR"; say the same
      // thing in plain words, pointing at the hyphen.
      if (source[i] === '-') fail(`hyphens are not supported in keys: unexpected '-' after '${source.slice(start, i)}'; expected an operator`, i);
      if (source[i] === '.') fail("unexpected '.'; expected a key segment after '.'", i);
      tokens.push({ kind: 'key', value: source.slice(start, i), literal: path, column: start + 1 });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '>=' || two === '<=') {
      tokens.push({ kind: 'op', value: two, column: start + 1 });
      i += 2;
      continue;
    }
    if (c === '=' || c === '>' || c === '<') {
      // A single `=` appears in an official Twilio example; it means equality.
      tokens.push({ kind: 'op', value: c === '=' ? '==' : c, column: start + 1 });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
      tokens.push({ kind: 'punct', value: c, column: start + 1 });
      i++;
      continue;
    }
    fail(`unexpected character '${c}'`, i);
  }
  tokens.push({ kind: 'end', value: '', column: n + 1 });
  return tokens;
}
