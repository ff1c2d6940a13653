// Evaluates a parsed LUSID filter against one subject. Paths are resolved by the caller (a task, a worker
// result row), so the same language serves guards, task lists and child-task filters.
// Comparison rules: numbers compare numerically (a numeric string against a number too); two ISO-8601
// date-times compare as instants; booleans against true/false; otherwise strings compare by code point (what
// counts as a number or an instant: filterValues.ts). A
// missing value equals only null; `neq` is true when the value is missing. A list on the left (correlationIds)
// matches when any element does (`neq`/`not in`: when none does).
import type { CompareOp, FilterNode, Operand } from './filterParser.ts';
import { ISO_DATE_TIME, compareText, isoInstant, numericText } from './filterValues.ts';

export { ISO_DATE_TIME };

export type Resolve = (segments: string[]) => unknown;


function valueOf(o: Operand, resolve: Resolve): unknown {
  return o.kind === 'literal' ? o.value : resolve(o.segments);
}

function missing(v: unknown): boolean {
  return v === undefined || v === null;
}

/** -1, 0, 1, or undefined when the two values are not comparable. */
function compareScalars(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = typeof a === 'number' ? a : typeof a === 'string' ? numericText(a) : undefined;
    const y = typeof b === 'number' ? b : typeof b === 'string' ? numericText(b) : undefined;
    if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) return undefined;
    return Math.sign(x - y);
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = typeof a === 'boolean' ? a : a === 'true' ? true : a === 'false' ? false : undefined;
    const y = typeof b === 'boolean' ? b : b === 'true' ? true : b === 'false' ? false : undefined;
    if (x === undefined || y === undefined) return undefined;
    return x === y ? 0 : x ? 1 : -1;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    const x = isoInstant(a);
    const y = x === undefined ? undefined : isoInstant(b);
    if (x !== undefined && y !== undefined) return Math.sign(x - y);
    return compareText(a, b);
  }
  return undefined;
}

function compareOne(op: CompareOp, a: unknown, b: unknown): boolean {
  if (missing(a) || missing(b)) {
    if (op === 'eq') return missing(a) && missing(b);
    if (op === 'neq') return !(missing(a) && missing(b));
    return false;
  }
  if (op === 'startswith') return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
  const c = compareScalars(a, b);
  if (c === undefined) return op === 'neq';
  switch (op) {
    case 'eq':
      return c === 0;
    case 'neq':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'gte':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
  }
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) {
    return op === 'neq' ? a.every((x) => compareOne('neq', x, b)) : a.some((x) => compareOne(op, x, b));
  }
  return compareOne(op, a, b);
}

export function evaluateFilter(node: FilterNode, resolve: Resolve): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, resolve) && evaluateFilter(node.right, resolve);
    case 'or':
      return evaluateFilter(node.left, resolve) || evaluateFilter(node.right, resolve);
    case 'not':
      return !evaluateFilter(node.operand, resolve);
    case 'exists': {
      const v = valueOf(node.operand, resolve);
      const present = !missing(v) && !(Array.isArray(v) && v.length === 0);
      return node.negated ? !present : present;
    }
    case 'compare':
      return compare(node.op, valueOf(node.left, resolve), valueOf(node.right, resolve));
    case 'in': {
      const left = valueOf(node.left, resolve);
      const hit = node.values.some((o) => compare('eq', left, valueOf(o, resolve)));
      return node.negated ? !hit : hit;
    }
  }
}
