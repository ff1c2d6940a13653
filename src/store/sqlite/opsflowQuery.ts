// Translates the Opsflow face's decoded list and stat queries (core/opsflowEntities.ts) into SQL over SQLite:
// filters become WHERE clauses on indexed columns (tasks) or on JSON paths (the small generic tables), sorts
// become ORDER BY, a stat's group becomes GROUP BY with aggregate expressions, a leading unwind a json_each()
// join. Values are always bound parameters; keys were checked against OPS_KEYS by the face and are checked again
// here before they reach SQL text.
import { type GroupOperator, type OpsCollection, type OpsCondition, OPS_KEYS, type OpsGroup, type OpsScope, type OpsSearch, type OpsStat, opsflowStream } from '../../core/opsflowEntities.ts';

interface Target {
  from: string;
  scope(domainId: string): { sql: string; params: unknown[] };
  /** The SQL expression of a key (`data.x`, `tags.x` for JSON members). */
  expr(key: string): string;
  /** Text keys a `keyword` is matched against. */
  keywordKeys: string[];
  /** The column list read for results. */
  select: string;
  /** For keys that may hold lists: the json_each() source over the key's value (a scalar is one element), so a
   *  condition matches when any element does, as MongoDB's. */
  each(key: string): string | undefined;
  /** The json_each() source a stat's unwind of a JSON key reads (a JSON path into the stored document, so a
   *  scalar value is one row instead of malformed JSON). */
  unwindSource(key: string): string;
}

const SAFE_MEMBER = /^[A-Za-z0-9_\- ]{1,128}$/;

/** `column.member` -> the JSON member of a JSON column (a task's `data.<field>`, `mentions.USER`). */
function jsonMember(column: string, key: string): string {
  return `json_extract(${column}, '$."${safeRest(key)}"')`;
}

function checkedKey(collection: OpsCollection, key: string): string {
  const head = key.split('.')[0]!;
  if (!Object.hasOwn(OPS_KEYS[collection], head)) throw new Error(`unknown key ${key}`);
  return key;
}

function genericTarget(table: string, idKey: string, textKeys: string[]): Target {
  return {
    from: table,
    scope: (domainId) => ({ sql: 'account_sid = ?', params: [domainId] }),
    expr: (key) => {
      if (key === idKey) return 'sid';
      if (key === 'domain_id') return 'account_sid';
      const dot = key.indexOf('.');
      if (dot >= 0) return `json_extract(data, '$.${key.slice(0, dot)}."${safeRest(key.slice(dot + 1))}"')`;
      return `json_extract(data, '$.${key}')`;
    },
    keywordKeys: textKeys,
    select: 'seq, data',
    each: (key) => (key === 'assignee_pool' || key === 'mentions.USER' || key === 'mentions.USER_GROUP' ? `json_each(data, '$.${key}')` : undefined),
    unwindSource: (key) => {
      const dot = key.indexOf('.');
      return dot < 0 ? `json_each(data, '$.${key}')` : `json_each(data, '$.${key.slice(0, dot)}."${safeRest(key.slice(dot + 1))}"')`;
    },
  };
}

const TASK_COLUMNS = Object.keys(OPS_KEYS.task);

const TARGETS: Record<OpsCollection, Target> = {
  task: {
    from: 'ops_tasks',
    // A constant subquery: evaluated once, and the indexes on domain_key serve it.
    scope: (domainId) => ({ sql: 'domain_key = (SELECT domain_key FROM ops_domains WHERE domain_id = ?)', params: [domainId] }),
    expr: (key) => {
      const dot = key.indexOf('.');
      return dot < 0 ? key : jsonMember(key.slice(0, dot), key.slice(dot + 1));
    },
    keywordKeys: ['name', 'description', 'task_id'],
    select: `seq, ${TASK_COLUMNS.join(', ')}`,
    each: (key) => {
      if (key === 'files') return 'json_each(files)';
      const dot = key.indexOf('.');
      if (dot < 0) return undefined;
      return `json_each(${key.slice(0, dot)}, '$."${safeRest(key.slice(dot + 1))}"')`;
    },
    // files, data.<field>, mentions.USER…: each() already reads by path; a whole JSON column is valid JSON.
    unwindSource: (key) => TARGETS.task.each(key) ?? `json_each(${key})`,
  },
  category: genericTarget('ops_categories', 'category_id', ['name', 'description']),
  taskType: genericTarget('ops_task_types', 'task_type_id', ['name', 'description']),
  comment: genericTarget('ops_comments', 'comment_id', ['comment']),
  event: {
    from: 'events',
    scope: (domainId) => ({ sql: 'workspace_sid = ?', params: [opsflowStream(domainId)] }),
    expr: (key) => {
      if (key === 'task_id') return 'task_sid';
      if (key === 'created_at') return 'date_ms';
      if (key === 'domain_id') return 'account_sid';
      const dot = key.indexOf('.');
      if (dot >= 0) return jsonMember(`json_extract(data, '$.eventData.${key.slice(0, dot)}')`, key.slice(dot + 1));
      return `json_extract(data, '$.eventData.${key}')`;
    },
    keywordKeys: ['name', 'description'],
    select: 'seq, data',
    each: () => undefined,
    unwindSource: (key) => {
      const dot = key.indexOf('.');
      const info = `json_extract(data, '$.eventData.${dot < 0 ? key : key.slice(0, dot)}')`;
      return dot < 0 ? `json_each(${info})` : `json_each(${info}, '$."${safeRest(key.slice(dot + 1))}"')`;
    },
  },
};

function likePattern(v: unknown): string {
  return `%${String(v).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function sqlValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** One condition as SQL. Array-valued keys (files, assignee_pool) match when any element does, as MongoDB's. */
function condition(t: Target, collection: OpsCollection, c: OpsCondition, params: unknown[]): string {
  const col = t.expr(checkedKey(collection, c.key));
  const list = Array.isArray(c.value) ? c.value : [c.value];
  const each = t.each(c.key);
  const anyElement = (test: string) => `EXISTS (SELECT 1 FROM ${each} AS e WHERE ${test.replaceAll('$v', 'e.value')})`;
  const isArray = each !== undefined;
  const cmp = (op: string) => {
    params.push(sqlValue(c.value));
    return isArray ? anyElement(`$v ${op} ?`) : `${col} ${op} ?`;
  };
  switch (c.operator) {
    case 'eq':
      if (c.value === null) return `${col} IS NULL`;
      return cmp('=');
    case 'not':
      if (c.value === null) return `${col} IS NOT NULL`;
      params.push(sqlValue(c.value));
      return isArray ? `NOT ${anyElement('$v = ?')}` : `(${col} IS NULL OR ${col} != ?)`;
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
      return c.value ? `${col} IS NOT NULL` : `${col} IS NULL`;
    case 'contain':
      params.push(likePattern(c.value));
      return isArray ? anyElement("$v LIKE ? ESCAPE '\\'") : `${col} LIKE ? ESCAPE '\\'`;
    case 'not_contain':
      params.push(likePattern(c.value));
      return isArray ? `NOT ${anyElement("$v LIKE ? ESCAPE '\\'")}` : `(${col} IS NULL OR ${col} NOT LIKE ? ESCAPE '\\')`;
    case 'in':
    case 'not_in': {
      if (list.length === 0) return c.operator === 'in' ? '0' : '1';
      params.push(...list.map(sqlValue));
      const marks = list.map(() => '?').join(', ');
      const hit = isArray ? anyElement(`$v IN (${marks})`) : `${col} IN (${marks})`;
      return c.operator === 'in' ? hit : isArray ? `NOT ${hit}` : `(${col} IS NULL OR ${col} NOT IN (${marks}))`;
    }
    case 'contain_in':
    case 'not_contain_in': {
      if (list.length === 0) return c.operator === 'contain_in' ? '0' : '1';
      params.push(...list.map(likePattern));
      const any = `(${list.map(() => (isArray ? anyElement("$v LIKE ? ESCAPE '\\'") : `${col} LIKE ? ESCAPE '\\'`)).join(' OR ')})`;
      return c.operator === 'contain_in' ? any : `(${col} IS NULL OR NOT ${any})`;
    }
    case 'regex':
    case 'regex_in': {
      if (list.length === 0) return '0';
      params.push(...list.map(String));
      return `(${list.map(() => (isArray ? anyElement('regexp(?, $v)') : `regexp(?, ${col})`)).join(' OR ')})`;
    }
  }
}

function whereOf(t: Target, collection: OpsCollection, scope: OpsScope, filter: OpsCondition[], filterOr: OpsCondition[], keyword?: string): { sql: string; params: unknown[] } {
  const base = t.scope(scope.domainId);
  const params: unknown[] = [...base.params];
  const parts = [base.sql];
  for (const c of [...scope.conditions, ...filter]) parts.push(condition(t, collection, c, params));
  if (filterOr.length) parts.push(`(${filterOr.map((c) => condition(t, collection, c, params)).join(' OR ')})`);
  if (keyword) {
    parts.push(`(${t.keywordKeys.map((k) => `${t.expr(k)} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    params.push(...t.keywordKeys.map(() => likePattern(keyword)));
  }
  return { sql: parts.join(' AND '), params };
}

export interface CompiledSearch {
  rows: { sql: string; params: unknown[] } | undefined;
  count: { sql: string; params: unknown[] };
}

export function compileSearch(collection: OpsCollection, scope: OpsScope, q: OpsSearch): CompiledSearch {
  const t = TARGETS[collection];
  const w = whereOf(t, collection, scope, q.filter, q.filterOr, q.keyword);
  const count = { sql: `SELECT count(*) AS n FROM ${t.from} WHERE ${w.sql}`, params: w.params };
  if (q.countOnly) return { rows: undefined, count };
  const order = [...q.sort.map((s) => `${t.expr(checkedKey(collection, s.key))} ${s.desc ? 'DESC' : 'ASC'}`), `seq ${q.sort.at(-1)?.desc ? 'DESC' : 'ASC'}`].join(', ');
  const limit = q.limit === undefined ? -1 : q.limit;
  return { rows: { sql: `SELECT ${t.select} FROM ${t.from} WHERE ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, params: [...w.params, limit, q.offset] }, count };
}

/** How to turn a stat row's columns back into values: JSON aggregates are parsed; first/last pick an element. */
export type StatColumn = { name: string; decode: 'plain' | 'json' | 'first' | 'last' };

/** The group operators other than count, as SQL aggregates of the (condition-gated) value, and how each result
 *  column is decoded: first and last pick from the group's JSON array. */
const AGGREGATES: Record<Exclude<GroupOperator, 'count'>, { sql: (value: string) => string; decode: StatColumn['decode'] }> = {
  sum: { sql: (v) => `TOTAL(${v})`, decode: 'plain' },
  average: { sql: (v) => `AVG(${v})`, decode: 'plain' },
  max: { sql: (v) => `MAX(${v})`, decode: 'plain' },
  min: { sql: (v) => `MIN(${v})`, decode: 'plain' },
  first: { sql: (v) => `json_group_array(${v})`, decode: 'first' },
  last: { sql: (v) => `json_group_array(${v})`, decode: 'last' },
  push: { sql: (v) => `json_group_array(${v})`, decode: 'json' },
  add_to_set: { sql: (v) => `json_group_array(DISTINCT ${v})`, decode: 'json' },
};

export function compileStat(collection: OpsCollection, scope: OpsScope, q: OpsStat): { sql: string; params: unknown[]; columns: StatColumn[] } {
  const t = TARGETS[collection];
  const unwound = q.unwind;
  const expr = (key: string) => (unwound && key === unwound ? 'u.value' : unwound && key.startsWith(`${unwound}.`) ? `json_extract(u.value, '$."${safeRest(key.slice(unwound.length + 1))}"')` : t.expr(checkedKey(collection, key)));
  const target: Target = { ...t, expr };
  const w = whereOf(target, collection, scope, q.filter, q.filterOr);
  const from = unwound ? `${t.from}, ${t.unwindSource(checkedKey(collection, unwound))} AS u` : t.from;
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  if (q.distinct) {
    const d = expr(q.distinct);
    return { sql: `SELECT DISTINCT ${d} AS value FROM ${from} WHERE ${w.sql} AND ${d} IS NOT NULL ORDER BY ${d}`, params: w.params, columns: [{ name: 'value', decode: 'plain' }] };
  }
  if (!q.group) {
    const keys = Object.keys(OPS_KEYS[collection]);
    return {
      sql: `SELECT ${keys.map((k) => `${t.expr(k)} AS ${quote(k)}`).join(', ')} FROM ${from} WHERE ${w.sql} ORDER BY seq LIMIT ?`,
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
    // A task's creation month is an indexed generated column; other formats are computed per row.
    const precomputed = collection === 'task' && k.key === 'created_at' && k.dateFormat === '%Y-%m' && !unwound ? 'created_month' : undefined;
    const e = precomputed ?? (k.dateFormat ? `strftime(?, ${kind === 'datetime' ? `${base} / 1000, 'unixepoch'` : base})` : base);
    if (k.dateFormat && !precomputed) params.push(k.dateFormat);
    selects.push(`${e} AS ${quote(k.name)}`);
    groupBy.push(String(selects.length));
    columns.push({ name: k.name, decode: 'plain' });
  }
  for (const f of g.fields) {
    const condParams: unknown[] = [];
    const cond = f.conditions.length ? f.conditions.map((c) => condition(target, collection, c, condParams)).join(' AND ') : undefined;
    const value = f.operator === 'push' && f.fields?.length ? `json_object(${f.fields.map((x) => `'${safeRest(x.name)}', ${expr(x.key)}`).join(', ')})` : f.key ? expr(f.key) : 'NULL';
    const gated = (v: string) => (cond ? `CASE WHEN ${cond} THEN ${v} END` : v);
    const { sql: agg, decode } =
      f.operator === 'count' ? { sql: cond ? `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)` : 'COUNT(*)', decode: 'plain' as const } : { sql: AGGREGATES[f.operator].sql(gated(value)), decode: AGGREGATES[f.operator].decode };
    // The condition's parameters appear once per use of `cond` in the expression (a CASE per aggregate).
    params.push(...condParams);
    selects.push(`${agg} AS ${quote(f.name)}`);
    columns.push({ name: f.name, decode });
  }
  const sql = `SELECT ${selects.join(', ')} FROM ${from} WHERE ${w.sql}${groupBy.length ? ` GROUP BY ${groupBy.join(', ')}` : ''}`;
  // Parameters in text order: the select list (date formats, conditions), then the WHERE clause.
  return { sql, params: [...params, ...w.params], columns };
}

function safeRest(name: string): string {
  if (!SAFE_MEMBER.test(name)) throw new Error(`unsafe name ${name}`);
  return name;
}
