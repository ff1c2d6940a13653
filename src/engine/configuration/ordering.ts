// The `Ordering` list parameter: `Attribute:asc|desc[,Attribute:asc|desc…]`, e.g. `DateStatusChanged:desc`.
// Each resource names the attributes it can be sorted by; anything else is 20001 so a typo is not ignored.
import { invalid } from '../../core/errors.ts';

export type SortKey<T> = (item: T) => number | string;

export function orderingComparator<T>(text: string, keys: Record<string, SortKey<T>>): (a: T, b: T) => number {
  const clauses = text.split(',').map((part) => {
    const m = /^\s*([A-Za-z]+)\s*(?::\s*(asc|desc))?\s*$/i.exec(part);
    const key = m && Object.keys(keys).find((k) => k.toLowerCase() === m[1]!.toLowerCase());
    if (!m || !key) {
      throw invalid(`Invalid parameter Ordering: '${part.trim()}' is not one of ${Object.keys(keys).map((k) => `${k}:asc|desc`).join(', ')}`);
    }
    return { get: keys[key]!, sign: m[2]?.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const c of clauses) {
      const x = c.get(a);
      const y = c.get(b);
      if (x < y) return -c.sign;
      if (x > y) return c.sign;
    }
    return 0;
  };
}
