// The Opsflow queries' SQLite dialect (store/opsflowQuery.ts): json_extract reads JSON members as typed SQL
// values, json_each walks arrays (by path, so a scalar is one element), LIKE is case-insensitive, and the
// store registers regexp() (a bad pattern matches nothing).
import type { OpsDialect, OpsExpr } from '../opsflowQuery.ts';

const plain = (sql: string): OpsExpr => ({ sql, text: sql, json: false });
const path = (members: string[]) => (members.length ? `'$.${members.map((m) => `"${m}"`).join('.')}'` : undefined);

export const SQLITE_OPS: OpsDialect = {
  column: plain,
  jsonPath: (source, members) => plain(`json_extract(${source}, ${path(members) ?? "'$'"})`),
  elements: (source, members, alias) => {
    const p = path(members);
    return { from: `${p ? `json_each(${source}, ${p})` : `json_each(${source})`} AS ${alias}`, value: plain(`${alias}.value`) };
  },
  bind: (_expr, value, params) => {
    params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
    return '?';
  },
  like: (text) => `${text} LIKE ? ESCAPE '\\'`,
  regex: (text) => `regexp(?, ${text})`,
  never: '0',
  always: '1',
  number: (expr) => expr.sql,
  jsonArray: (expr, distinct) => `json_group_array(${distinct ? 'DISTINCT ' : ''}${expr})`,
  jsonObject: (members) => `json_object(${members.map(([name, e]) => `'${name}', ${e.sql}`).join(', ')})`,
  sum: (number) => `TOTAL(${number})`,
  max: (value) => `MAX(${value})`,
  min: (value) => `MIN(${value})`,
  formatEpochMs: (ms, format, params) => {
    params.push(format);
    return `strftime(?, ${ms} / 1000, 'unixepoch')`;
  },
  formatDateText: (text, format, params) => {
    params.push(format);
    return `strftime(?, ${text})`;
  },
  orderBy: (expr, desc) => `${expr.sql} ${desc ? 'DESC' : 'ASC'}`,
  noLimit: -1,
  createdMonthColumn: true,
};
