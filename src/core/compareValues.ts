// The order lists and grouped statistics sort JSON values in: missing (null or undefined) last, numbers by value,
// everything else by its string form (code points). Pure.
export function compareMissingLast(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
