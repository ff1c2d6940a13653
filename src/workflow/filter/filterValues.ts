// How the LUSID filter language reads text as a number or as an instant, in one place: the evaluator (guards,
// child-task filters, lists filtered in memory) and the stores' SQL (store/workflowTaskQuery.ts: SQLite calls
// these same functions; PostgreSQL's sb_wf_num / sb_wf_ts in migration 0017 follow the same rules) must agree.
//   a number     plain decimal notation, nothing around it: -12, 3.5, .5, 5., 1e3 (not ' 5', '+5', '0x10')
//   text order   by code point, as SQLite's BINARY and PostgreSQL's "C" collation order it (not by UTF-16 unit:
//                a character past U+FFFF sorts after every other)
//   an instant   ISO 8601 date or date-time with valid components: 2026-01-02, 2026-01-02T10:00,
//                2026-01-02T10:00:00.123Z, ...+01:00 / +0100; without an offset it is UTC; fractions past
//                milliseconds are dropped
// Pure.

/** ISO-8601 dates and date-times as the Workflow face takes them (filter literals, DateTime fields, asAt). */
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?)?$/;

/** The number a text stands for (plain decimal notation), or undefined. */
export function numericText(s: string): number | undefined {
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** The instant (epoch ms) an ISO-8601 text stands for, or undefined (not ISO 8601, or no such date). */
export function isoInstant(s: string): number | undefined {
  const m = ISO_PARTS.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > new Date(Date.UTC(y!, mo!, 0)).getUTCDate() || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offset = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const t = Date.UTC(y!, mo! - 1, d!, h, mi, sec, ms) - offset;
  return Number.isFinite(t) ? t : undefined;
}

/** -1, 0 or 1: two texts in code point order. */
export function compareText(x: string, y: string): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const a = x.charCodeAt(i);
    const b = y.charCodeAt(i);
    if (a === b) continue;
    const sa = a >= 0xd800 && a <= 0xdfff;
    const sb = b >= 0xd800 && b <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return a < b ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}
