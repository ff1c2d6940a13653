// The Opsflow queries' PostgreSQL dialect (store/opsflowQuery.ts). Values are compared as jsonb, columns too
// (to_jsonb), which orders numbers as numbers and strings as text as SQLite's typed JSON values do, and never
// fails on a value of another type; text forms serve LIKE (ILIKE: SQLite's LIKE ignores ASCII case) and regular
// expressions. The sb_* helpers are in migration 0012.
import type { OpsDialect, OpsExpr } from '../opsflowQuery.ts';

const jsonb = (source: string, members: string[]) => `(${source})::jsonb${members.map((m) => ` -> '${m}'`).join('')}`;
const jsonText = (source: string, members: string[]) =>
  members.length ? `((${source})::jsonb${members.slice(0, -1).map((m) => ` -> '${m}'`).join('')} ->> '${members.at(-1)}')` : `((${source})::jsonb #>> '{}')`;

/** strftime conversions -> to_char patterns; everything else is literal text (double-quoted for to_char). */
const STRFTIME: Record<string, string> = { Y: 'YYYY', m: 'MM', d: 'DD', H: 'HH24', M: 'MI', S: 'SS', j: 'DDD', y: 'YY', f: 'SS.MS', s: 'EPOCH', '%': '%' };

export function toCharFormat(format: string): string {
  let out = '';
  let literal = '';
  const flush = () => {
    if (literal) out += `"${literal.replace(/"/g, '')}"`;
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    const conversion = c === '%' ? STRFTIME[format[i + 1] ?? ''] : undefined;
    if (conversion !== undefined && conversion !== '%') {
      flush();
      out += conversion;
      i++;
    } else if (conversion === '%') {
      literal += '%';
      i++;
    } else {
      literal += c;
    }
  }
  flush();
  return out;
}

export const POSTGRES_OPS: OpsDialect = {
  column: (name): OpsExpr => ({ sql: `to_jsonb(${name})`, text: `${name}::text`, json: true }),
  jsonPath: (source, members): OpsExpr => ({ sql: jsonb(source, members), text: jsonText(source, members), json: true }),
  elements: (source, members, alias) => ({
    from: `sb_elements(${jsonb(source, members)}) AS ${alias}(value)`,
    value: { sql: `${alias}.value`, text: `(${alias}.value #>> '{}')`, json: true },
  }),
  bind: (expr, value, params) => {
    params.push(JSON.stringify(value ?? null));
    return expr.json ? '?::jsonb' : '?';
  },
  like: (text) => `${text} ILIKE ? ESCAPE '\\'`,
  regex: (text) => `sb_iregex(${text}, ?)`,
  never: 'false',
  always: 'true',
  number: (expr) => (expr.json ? `sb_number(${expr.sql})` : expr.sql),
  jsonArray: (expr, distinct) => `coalesce(jsonb_agg(${distinct ? 'DISTINCT ' : ''}${expr}), '[]'::jsonb)`,
  jsonObject: (members) => `jsonb_build_object(${members.map(([name, e]) => `'${name}', ${e.sql}`).join(', ')})`,
  sum: (number) => `coalesce(sum(${number}), 0)`,
  max: (value) => `sb_max(${value})`,
  min: (value) => `sb_min(${value})`,
  formatEpochMs: (ms, format, params) => {
    params.push(toCharFormat(format));
    return `to_char(to_timestamp((${ms}) / 1000.0) AT TIME ZONE 'UTC', ?)`;
  },
  formatDateText: (text, format, params) => {
    params.push(toCharFormat(format));
    return `sb_format_date_text(${text}, ?)`;
  },
  orderBy: (expr, desc) => `${expr.sql} ${desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`,
  noLimit: null,
  createdMonthColumn: false,
};
