// Translates the Opsflow face's decoded list and stat queries (core/opsflowEntities.ts) into SQL, for SQLite or
// PostgreSQL (the dialect: sqlite/opsflowDialect.ts, postgres/opsflowDialect.ts): filters become WHERE clauses on
// indexed columns (tasks) or on JSON paths (the small generic tables), sorts become ORDER BY, a stat's group
// becomes GROUP BY with aggregate expressions, a leading unwind a join with the array's elements. Values are
// always bound parameters; keys were checked against OPS_KEYS by the face and are checked again here before
// they reach SQL text.
import { EVENT_READ_COLUMNS, eventFromRow, type EventReadRow, taskFromRow } from './storeSchema.ts';
import { type GroupOperator, type OpsCollection, type OpsCondition, OPS_KEYS, type OpsGroup, type OpsScope, type OpsSearch, type OpsStat, OPS_UNLISTED_EVENT_TYPE, opsflowStream } from '../core/opsflowEntities.ts';

/** An SQL expression in the two forms a query needs: `sql` to compare and sort (typed: a column, or JSON as the
 *  dialect compares it), `text` to match with LIKE and regular expressions and to test for null. `json` says
 *  that values compared with `sql` are bound as JSON. */
export interface OpsExpr {
  sql: string;
  text: string;
  json: boolean;
}

/** What differs between SQLite and PostgreSQL in these queries. */
export interface OpsDialect {
  /** A column of the table. */
  column(name: string): OpsExpr;
  /** A member of the JSON held by `source` (a JSON or JSON-text column, or an element): `path` are member names. */
  jsonPath(source: string, path: string[]): OpsExpr;
  /** A FROM item whose `alias.value` are the elements of the JSON array at `path` in `source` (a scalar is one
   *  element, a missing value none), and the element as an expression. */
  elements(source: string, path: string[], alias: string): { from: string; value: OpsExpr };
  /** The placeholder of `value` compared with `expr` (pushing the parameter). */
  bind(expr: OpsExpr, value: unknown, params: unknown[]): string;
  /** Case-insensitive substring match of a text expression (the pattern is a bound LIKE pattern). */
  like(text: string): string;
  /** Case-insensitive regular expression match of a text expression (the pattern is bound; a bad one matches nothing). */
  regex(text: string): string;
  never: string;
  always: string;
  /** A numeric value for SUM and AVG (JSON numbers; other JSON values count as null). */
  number(expr: OpsExpr): string;
  /** Aggregates a group's values into a JSON array (in row order; `distinct` drops repeats). */
  jsonArray(expr: string, distinct: boolean): string;
  /** A JSON object built from name/expression pairs. */
  jsonObject(members: [string, OpsExpr][]): string;
  sum(number: string): string;
  /** The largest / smallest value of a group (values in their compare form). */
  max(value: string): string;
  min(value: string): string;
  /** Formats an epoch-milliseconds value with a strftime-style format (the format is bound, as given). */
  formatEpochMs(ms: string, format: string, params: unknown[]): string;
  /** Formats a date-time text with a strftime-style format. */
  formatDateText(text: string, format: string, params: unknown[]): string;
  /** ORDER BY one expression, NULLs first ascending (SQLite's order, kept on both). */
  orderBy(expr: OpsExpr, desc: boolean): string;
  /** LIMIT placeholder value for "no limit". */
  noLimit: unknown;
  /** Tasks have an indexed creation-month column (SQLite). */
  createdMonthColumn: boolean;
}

interface Target {
  from: string;
  scope(domainId: string): { sql: string; params: unknown[] };
  /** The expression of a key (`data.x`, `tags.x` for JSON members). */
  expr(key: string): OpsExpr;
  /** Text keys a `keyword` is matched against. */
  keywordKeys: string[];
  /** The column list read for results. */
  select: string;
  /** For keys that may hold lists: their elements (a scalar is one element), so a condition matches when any
   *  element does, as MongoDB's. */
  each(key: string, alias: string): { from: string; value: OpsExpr } | undefined;
  /** The elements a stat's unwind of a key reads. */
  unwind(key: string, alias: string): { from: string; value: OpsExpr };
}

const SAFE_MEMBER = /^[A-Za-z0-9_\- ]{1,128}$/;

function checkedKey(collection: OpsCollection, key: string): string {
  const head = key.split('.')[0]!;
  if (!Object.hasOwn(OPS_KEYS[collection], head)) throw new Error(`unknown key ${key}`);
  return key;
}

/** The member path of a dotted key below its head (`data.system` -> ['system']), each name checked. */
function rest(key: string): string[] {
  const dot = key.indexOf('.');
  return dot < 0 ? [] : [safeRest(key.slice(dot + 1))];
}

function head(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? key : key.slice(0, dot);
}

/** A collection kept as JSON documents; `idKey` is the wire name of the `sid` column (none for variables, which
 *  are named by `name` within their workspace). */
function genericTarget(d: OpsDialect, table: string, idKey: string | undefined, textKeys: string[]): Target {
  return {
    from: table,
    scope: (domainId) => ({ sql: 'account_sid = ?', params: [domainId] }),
    expr: (key) => {
      if (key === idKey) return d.column('sid');
      if (key === 'domain_id') return d.column('account_sid');
      return d.jsonPath('data', [head(key), ...rest(key)]);
    },
    keywordKeys: textKeys,
    select: 'seq, data',
    each: (key, alias) => (key === 'assignee_pool' || key === 'mentions.USER' || key === 'mentions.USER_GROUP' ? d.elements('data', [head(key), ...rest(key)], alias) : undefined),
    unwind: (key, alias) => d.elements('data', [head(key), ...rest(key)], alias),
  };
}

const TASK_COLUMNS = Object.keys(OPS_KEYS.task);

function targets(d: OpsDialect): Record<OpsCollection, Target> {
  const taskEach = (key: string, alias: string) => {
    if (key === 'files') return d.elements('files', [], alias);
    if (!key.includes('.')) return undefined;
    return d.elements(head(key), rest(key), alias);
  };
  return {
    task: {
      from: 'ops_tasks',
      // A constant subquery: evaluated once, and the indexes on domain_key serve it.
      scope: (domainId) => ({ sql: 'domain_key = (SELECT domain_key FROM ops_domains WHERE domain_id = ?)', params: [domainId] }),
      expr: (key) => (key.includes('.') ? d.jsonPath(head(key), rest(key)) : d.column(key)),
      keywordKeys: ['name', 'description', 'task_id'],
      select: `seq, ${TASK_COLUMNS.join(', ')}`,
      each: taskEach,
      // files, data.<field>, mentions.USER…: elements by path; a whole JSON column's own elements otherwise.
      unwind: (key, alias) => taskEach(key, alias) ?? d.elements(key, [], alias),
    },
    category: genericTarget(d, 'ops_categories', 'category_id', ['name', 'description']),
    taskType: genericTarget(d, 'ops_task_types', 'task_type_id', ['name', 'description']),
    comment: genericTarget(d, 'ops_comments', 'comment_id', ['comment']),
    variable: genericTarget(d, 'ops_variables', undefined, ['name', 'value']),
    event: {
      from: 'events',
      // A task's deletion stays in the stream but is not an Opsflow event.
      scope: (domainId) => ({ sql: 'workspace_sid = ? AND event_type <> ?', params: [opsflowStream(domainId), OPS_UNLISTED_EVENT_TYPE] }),
      expr: (key) => {
        if (key === 'task_id') return d.column('task_sid');
        if (key === 'created_at') return d.column('date_ms');
        if (key === 'domain_id') return d.column('account_sid');
        return d.jsonPath('data', ['eventData', head(key), ...rest(key)]);
      },
      keywordKeys: ['name', 'description'],
      // With the columns an event's data leaves out (storeSchema.ts eventFromRow puts them back).
      select: `seq, ${EVENT_READ_COLUMNS}`,
      each: () => undefined,
      unwind: (key, alias) => d.elements('data', ['eventData', head(key), ...rest(key)], alias),
    },
  };
}

/** The targets of each dialect, built once. */
const TARGETS = new WeakMap<OpsDialect, Record<OpsCollection, Target>>();
function targetOf(d: OpsDialect, collection: OpsCollection): Target {
  let t = TARGETS.get(d);
  if (!t) {
    t = targets(d);
    TARGETS.set(d, t);
  }
  return t[collection];
}

function likePattern(v: unknown): string {
  return `%${String(v).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One condition as SQL. Array-valued keys (files, assignee_pool) match when any element does, as MongoDB's. */
function condition(d: OpsDialect, t: Target, collection: OpsCollection, c: OpsCondition, params: unknown[]): string {
  const col = t.expr(checkedKey(collection, c.key));
  const list = Array.isArray(c.value) ? c.value : [c.value];
  const each = t.each(c.key, 'e');
  const anyElement = (test: string) => `EXISTS (SELECT 1 FROM ${each!.from} WHERE ${test})`;
  const cmp = (op: string) => {
    if (each) return anyElement(`${each.value.sql} ${op} ${d.bind(each.value, c.value, params)}`);
    return `${col.sql} ${op} ${d.bind(col, c.value, params)}`;
  };
  const likeAny = (negate: boolean) => {
    params.push(likePattern(c.value));
    if (each) return `${negate ? 'NOT ' : ''}${anyElement(d.like(each.value.text))}`;
    return negate ? `(${col.text} IS NULL OR NOT ${d.like(col.text)})` : d.like(col.text);
  };
  switch (c.operator) {
    case 'eq':
      if (c.value === null) return `${col.text} IS NULL`;
      return cmp('=');
    case 'not':
      if (c.value === null) return `${col.text} IS NOT NULL`;
      if (each) return `NOT ${anyElement(`${each.value.sql} = ${d.bind(each.value, c.value, params)}`)}`;
      return `(${col.text} IS NULL OR ${col.sql} != ${d.bind(col, c.value, params)})`;
    case 'lt':
    case 'datetime_lt':
    case 'timediff_lt':
      return cmp('<');
    case 'lte':
    case 'datetime_lte':
    case 'timediff_lte':
      return cmp('<=');
    case 'gt':
    case 'datetime_gt':
    case 'timediff_gt':
      return cmp('>');
    case 'gte':
    case 'datetime_gte':
    case 'timediff_gte':
      return cmp('>=');
    case 'exists':
      return c.value ? `${col.text} IS NOT NULL` : `${col.text} IS NULL`;
    case 'contain':
      return likeAny(false);
    case 'not_contain':
      return likeAny(true);
    case 'in':
    case 'not_in': {
      if (list.length === 0) return c.operator === 'in' ? d.never : d.always;
      const target = each ? each.value : col;
      const marks = list.map((v) => d.bind(target, v, params)).join(', ');
      const hit = each ? anyElement(`${each.value.sql} IN (${marks})`) : `${col.sql} IN (${marks})`;
      return c.operator === 'in' ? hit : each ? `NOT ${hit}` : `(${col.text} IS NULL OR ${col.sql} NOT IN (${marks}))`;
    }
    case 'contain_in':
    case 'not_contain_in': {
      if (list.length === 0) return c.operator === 'contain_in' ? d.never : d.always;
      params.push(...list.map(likePattern));
      const any = `(${list.map(() => (each ? anyElement(d.like(each.value.text)) : d.like(col.text))).join(' OR ')})`;
      return c.operator === 'contain_in' ? any : `(${col.text} IS NULL OR NOT ${any})`;
    }
    case 'regex':
    case 'regex_in': {
      if (list.length === 0) return d.never;
      params.push(...list.map(String));
      return `(${list.map(() => (each ? anyElement(d.regex(each.value.text)) : d.regex(col.text))).join(' OR ')})`;
    }
  }
}

function whereOf(d: OpsDialect, t: Target, collection: OpsCollection, scope: OpsScope, filter: OpsCondition[], filterOr: OpsCondition[], keywords: string[] = []): { sql: string; params: unknown[] } {
  const base = t.scope(scope.domainId);
  const params: unknown[] = [...base.params];
  const parts = [base.sql];
  for (const c of [...scope.conditions, ...filter]) parts.push(condition(d, t, collection, c, params));
  if (filterOr.length) parts.push(`(${filterOr.map((c) => condition(d, t, collection, c, params)).join(' OR ')})`);
  // SpaceONE's keyword: contain_in of its words over each keyword key, any of them matching.
  if (keywords.length) {
    parts.push(`(${t.keywordKeys.flatMap((k) => keywords.map(() => d.like(t.expr(k).text))).join(' OR ')})`);
    params.push(...t.keywordKeys.flatMap(() => keywords.map(likePattern)));
  }
  return { sql: parts.join(' AND '), params };
}

export interface CompiledSearch {
  rows: { sql: string; params: unknown[] } | undefined;
  count: { sql: string; params: unknown[] };
}

export function compileSearch(d: OpsDialect, collection: OpsCollection, scope: OpsScope, q: OpsSearch): CompiledSearch {
  const t = targetOf(d, collection);
  const w = whereOf(d, t, collection, scope, q.filter, q.filterOr, q.keywords);
  const count = { sql: `SELECT count(*) AS n FROM ${t.from} WHERE ${w.sql}`, params: w.params };
  if (q.countOnly) return { rows: undefined, count };
  const order = [...q.sort.map((s) => d.orderBy(t.expr(checkedKey(collection, s.key)), s.desc)), `seq ${q.sort.at(-1)?.desc ? 'DESC' : 'ASC'}`].join(', ');
  const limit = q.limit === undefined ? d.noLimit : q.limit;
  return { rows: { sql: `SELECT ${t.select} FROM ${t.from} WHERE ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, params: [...w.params, limit, q.offset] }, count };
}

/** How to turn a stat row's columns back into values: JSON aggregates are parsed; first/last pick an element. */
export type StatColumn = { name: string; decode: 'plain' | 'json' | 'first' | 'last' };

/** The group operators other than count as aggregates of the (condition-gated) value, and how each result
 *  column is decoded: first and last pick from the group's JSON array. */
function aggregate(d: OpsDialect, op: Exclude<GroupOperator, 'count'>, v: OpsExpr): { sql: string; decode: StatColumn['decode'] } {
  switch (op) {
    case 'sum':
      return { sql: d.sum(d.number(v)), decode: 'plain' };
    case 'average':
      return { sql: `AVG(${d.number(v)})`, decode: 'plain' };
    case 'max':
      return { sql: d.max(v.sql), decode: 'plain' };
    case 'min':
      return { sql: d.min(v.sql), decode: 'plain' };
    case 'first':
      return { sql: d.jsonArray(v.sql, false), decode: 'first' };
    case 'last':
      return { sql: d.jsonArray(v.sql, false), decode: 'last' };
    case 'push':
      return { sql: d.jsonArray(v.sql, false), decode: 'json' };
    case 'add_to_set':
      return { sql: d.jsonArray(v.sql, true), decode: 'json' };
  }
}

export function compileStat(d: OpsDialect, collection: OpsCollection, scope: OpsScope, q: OpsStat): { sql: string; params: unknown[]; columns: StatColumn[] } {
  const t = targetOf(d, collection);
  const unwound = q.unwind;
  const u = unwound ? t.unwind(checkedKey(collection, unwound), 'u') : undefined;
  const expr = (key: string): OpsExpr =>
    u && key === unwound ? u.value : u && key.startsWith(`${unwound}.`) ? d.jsonPath(u.value.sql, [safeRest(key.slice(unwound!.length + 1))]) : t.expr(checkedKey(collection, key));
  const target: Target = { ...t, expr };
  const w = whereOf(d, target, collection, scope, q.filter, q.filterOr, q.keywords);
  const from = u ? `${t.from}, ${u.from}` : t.from;
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  if (q.distinct) {
    const e = expr(q.distinct);
    return { sql: `SELECT DISTINCT ${e.sql} AS value FROM ${from} WHERE ${w.sql} AND ${e.text} IS NOT NULL ORDER BY 1`, params: w.params, columns: [{ name: 'value', decode: 'plain' }] };
  }
  if (!q.group) {
    const keys = Object.keys(OPS_KEYS[collection]);
    return {
      sql: `SELECT ${keys.map((k) => `${t.expr(k).sql} AS ${quote(k)}`).join(', ')} FROM ${from} WHERE ${w.sql} ORDER BY seq LIMIT ?`,
      params: [...w.params, q.rowLimit],
      columns: keys.map((k) => ({ name: k, decode: OPS_KEYS[collection][k] === 'json' ? 'json' : 'plain' })),
    };
  }
  const g: OpsGroup = q.group;
  const params: unknown[] = [];
  const selects: string[] = [];
  const columns: StatColumn[] = [];
  const groupBy: string[] = [];
  for (const k of g.keys) {
    const base = expr(k.key);
    const kind = OPS_KEYS[collection][k.key.split('.')[0]!];
    // A task's creation month is an indexed generated column (SQLite); other formats are computed per row.
    const precomputed = d.createdMonthColumn && collection === 'task' && k.key === 'created_at' && k.dateFormat === '%Y-%m' && !unwound ? 'created_month' : undefined;
    const e = precomputed ?? (k.dateFormat ? (kind === 'datetime' ? d.formatEpochMs(d.number(base), k.dateFormat, params) : d.formatDateText(base.text, k.dateFormat, params)) : base.sql);
    selects.push(`${e} AS ${quote(k.name)}`);
    groupBy.push(String(selects.length));
    columns.push({ name: k.name, decode: 'plain' });
  }
  for (const f of g.fields) {
    const condParams: unknown[] = [];
    const cond = f.conditions.length ? f.conditions.map((c) => condition(d, target, collection, c, condParams)).join(' AND ') : undefined;
    const value: OpsExpr =
      f.operator === 'push' && f.fields?.length
        ? { sql: d.jsonObject(f.fields.map((x) => [safeRest(x.name), expr(x.key)])), text: 'NULL', json: true }
        : f.key
          ? expr(f.key)
          : { sql: 'NULL', text: 'NULL', json: false };
    const gated: OpsExpr = cond ? { ...value, sql: `CASE WHEN ${cond} THEN ${value.sql} END` } : value;
    const { sql: agg, decode } =
      f.operator === 'count' ? { sql: cond ? `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)` : 'COUNT(*)', decode: 'plain' as const } : aggregate(d, f.operator, gated);
    // The condition's parameters appear once per use of `cond` in the expression (a CASE per aggregate).
    params.push(...condParams);
    selects.push(`${agg} AS ${quote(f.name)}`);
    columns.push({ name: f.name, decode });
  }
  const sql = `SELECT ${selects.join(', ')} FROM ${from} WHERE ${w.sql}${groupBy.length ? ` GROUP BY ${groupBy.join(', ')}` : ''}`;
  // Parameters in text order: the select list (date formats, conditions), then the WHERE clause.
  return { sql, params: [...params, ...w.params], columns };
}

/** A search's result row as its document, from the columns its target selects: a task from its columns, an
 *  event from its data and the columns that data leaves out, anything else from its data. */
export function decodeSearchRow(collection: OpsCollection, row: Record<string, unknown>): unknown {
  if (collection === 'task') return taskFromRow(row);
  if (collection === 'event') return eventFromRow(row as EventReadRow);
  return JSON.parse(String(row.data));
}

/** A stat query's rows as values: JSON aggregates parsed, first and last picked from their arrays. */
export function decodeStatRows(rows: Record<string, unknown>[], columns: StatColumn[]): Record<string, unknown>[] {
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const col of columns) {
      const v = r[col.name];
      if (col.decode === 'plain') out[col.name] = v;
      else {
        const parsed = typeof v === 'string' ? JSON.parse(v) : v;
        out[col.name] = col.decode === 'json' ? parsed : Array.isArray(parsed) ? (col.decode === 'first' ? parsed[0] : parsed[parsed.length - 1]) ?? null : parsed;
      }
    }
    return out;
  });
}

function safeRest(name: string): string {
  if (!SAFE_MEMBER.test(name)) throw new Error(`unsafe name ${name}`);
  return name;
}
