// Compiles an expression tree into closures once, so routing evaluates a queue's or workflow's expression per
// worker or task without re-parsing. Semantics follow TaskRouter (reference/taskrouter.md §7):
// * a missing key is null. `x == null` / `x != null` are presence tests for a value of ANY type, arrays and
//   objects included: the docs route with `preferred_agents != null` then `worker.id IN task.preferred_agents`,
//   so an array must count as present even though != is otherwise a scalar operator;
// * apart from that, scalar operators (== != > >= < <= CONTAINS) on an array or object are false, and values
//   of different types are never equal or ordered (so `"1" == 1` is false and `"a" != 1` is true: between
//   two scalars != is exactly the negation of ==); strings compare case-sensitively by UTF-16 code unit;
// * array operators: `a HAS v` (array a contains scalar v), `v IN a` (scalar v is in array a); an array on the
//   left of IN / NOT IN means "any element is in" / "no element is in"; with two scalars they are false.
import type { ComparisonOperator, Literal, Node, Operand } from './ast.ts';

export type Resolver = (path: (string | number)[]) => unknown;
export type Predicate = (resolve: Resolver) => boolean;
type Getter = (resolve: Resolver) => unknown;

function normalise(v: unknown): unknown {
  return v === undefined ? null : v;
}

function isScalar(v: unknown): v is Literal {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function scalarEquals(a: unknown, b: unknown): boolean {
  return isScalar(a) && isScalar(b) && a === b;
}

function compare(op: ComparisonOperator, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      if (a === null || b === null) return a === b;
      return scalarEquals(a, b);
    case '!=':
      if (a === null || b === null) return a !== b;
      return isScalar(a) && isScalar(b) && a !== b;
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const sameType = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
      if (!sameType) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === '>' ? x > y : op === '>=' ? x >= y : op === '<' ? x < y : x <= y;
    }
    case 'CONTAINS':
      return typeof a === 'string' && typeof b === 'string' && a.includes(b);
    case 'HAS':
      return Array.isArray(a) && isScalar(b) && a.some((item) => scalarEquals(item, b));
    case 'IN':
      if (!Array.isArray(b)) return false;
      if (Array.isArray(a)) return a.some((x) => b.some((y) => scalarEquals(x, y)));
      return isScalar(a) && b.some((y) => scalarEquals(a, y));
    case 'NOT IN':
      if (!Array.isArray(b)) return false;
      if (Array.isArray(a)) return !a.some((x) => b.some((y) => scalarEquals(x, y)));
      return isScalar(a) && !b.some((y) => scalarEquals(a, y));
  }
}

function compileOperand(o: Operand): Getter {
  switch (o.type) {
    case 'literal': {
      const v = o.value;
      return () => v;
    }
    case 'key': {
      const path = o.path;
      return (resolve) => normalise(resolve(path));
    }
    case 'array': {
      const items = o.items.map(compileOperand);
      if (o.items.every((i) => i.type === 'literal')) {
        const constant = items.map((g) => g(() => null));
        return () => constant;
      }
      return (resolve) => items.map((g) => g(resolve));
    }
  }
}

export function compileNode(node: Node): Predicate {
  switch (node.type) {
    case 'and': {
      const l = compileNode(node.left);
      const r = compileNode(node.right);
      return (resolve) => l(resolve) && r(resolve);
    }
    case 'or': {
      const l = compileNode(node.left);
      const r = compileNode(node.right);
      return (resolve) => l(resolve) || r(resolve);
    }
    case 'not': {
      const inner = compileNode(node.operand);
      return (resolve) => !inner(resolve);
    }
    case 'compare': {
      const l = compileOperand(node.left);
      const r = compileOperand(node.right);
      const op = node.op;
      return (resolve) => compare(op, l(resolve), r(resolve));
    }
  }
}

/** Follows a key path through plain JSON values; anything missing is undefined. */
export function lookup(root: unknown, path: readonly (string | number)[], from = 0): unknown {
  let v: unknown = root;
  for (let i = from; i < path.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    const seg = path[i]!;
    if (typeof seg === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[seg];
    } else {
      if (Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  return v;
}
