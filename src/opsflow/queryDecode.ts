// Decodes SpaceONE's query messages (core/v2 Query and StatisticsQuery) into the typed queries the store runs:
// filter / filter_or entries with long or short names ({key|k, value|v, operator|o}), sort, page {start, limit},
// only, keyword, count_only; and the stat pipeline. Dates are turned into epoch ms here, including timediff
// values relative to now ("now", "now-1d", "now+2h"; units s, m, h, d, w). Every refusal names the entry.
import { ApiError } from '../core/errors.ts';
import { type GroupOperator, type OpsCollection, type OpsCondition, type OpsGroup, OPS_KEYS, type OpsOperator, type OpsSearch, type OpsStat } from '../core/opsflowEntities.ts';

const OPERATORS = new Set<OpsOperator>([
  'eq', 'not', 'lt', 'lte', 'gt', 'gte', 'exists', 'contain', 'not_contain', 'in', 'not_in', 'contain_in', 'not_contain_in', 'regex', 'regex_in',
  'datetime_gt', 'datetime_gte', 'datetime_lt', 'datetime_lte', 'timediff_gt', 'timediff_gte', 'timediff_lt', 'timediff_lte',
]);
const GROUP_OPERATORS = new Set<GroupOperator>(['count', 'sum', 'average', 'max', 'min', 'first', 'last', 'push', 'add_to_set']);
const LIST_OPERATORS = new Set<OpsOperator>(['in', 'not_in', 'contain_in', 'not_contain_in', 'regex_in']);
const MAX_PAGE = 10_000;
export const STAT_ROW_LIMIT = 10_000;

export function invalidQuery(message: string, key?: string): ApiError {
  return new ApiError('opsInvalidQuery', message, key ? [{ key }] : []);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `key` must be one of the collection's keys, or a member of one of its JSON keys (`data.severity`). */
export function checkKey(collection: OpsCollection, key: unknown, where: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 160) throw invalidQuery(`${where}: key must be a non-empty string`);
  const [head, ...rest] = key.split('.');
  const kind = Object.hasOwn(OPS_KEYS[collection], head!) ? OPS_KEYS[collection][head!] : undefined;
  if (!kind || (rest.length > 0 && (kind !== 'json' || rest.length !== 1 || !/^[A-Za-z0-9_\- ]{1,128}$/.test(rest[0]!)))) {
    throw invalidQuery(`${where}: unknown key '${key.slice(0, 100)}'; keys are ${Object.keys(OPS_KEYS[collection]).join(', ')} (and data.<field> members)`, key.slice(0, 100));
  }
  return key;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "now", "now-1d", "now+2h30m"… relative to `now`. */
export function timediff(value: unknown, now: number, where: string): number {
  const text = String(value).trim().replace(/\s+/g, '');
  const m = /^now((?:[+-]\d+[smhdw])*)$/.exec(text);
  if (!m) throw invalidQuery(`${where}: timediff value '${String(value).slice(0, 40)}' must look like now, now-1d or now+2h`);
  let ms = now;
  for (const part of m[1]!.matchAll(/([+-])(\d+)([smhdw])/g)) ms += (part[1] === '-' ? -1 : 1) * Number(part[2]) * UNIT_MS[part[3]!]!;
  return ms;
}

function dateValue(value: unknown, where: string): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  if (Number.isNaN(ms)) throw invalidQuery(`${where}: '${String(value).slice(0, 40)}' is not a date-time (ISO-8601)`);
  return ms;
}

/** A task's related assets (TaskInfo.related_assets, filtered as `related_asset_id` by TaskSearchQuery and the
 *  console): Switchboard links no assets, so every task's list is empty and a condition on it is decided here. */
const RELATED_ASSET_KEYS = new Set(['related_asset_id', 'related_assets']);
const NEGATIVE_OPERATORS = new Set<OpsOperator>(['not', 'not_in', 'not_contain', 'not_contain_in']);
const NEVER: OpsCondition = { key: 'task_id', operator: 'in', value: [] };
const ALWAYS: OpsCondition = { key: 'task_id', operator: 'exists', value: true };

/** A condition on the (always empty) related assets: true for the negative operators and `exists: false`. */
export function relatedAssetCondition(operator: OpsOperator, value: unknown): OpsCondition {
  const holds = NEGATIVE_OPERATORS.has(operator) || (operator === 'exists' && !(value === true || value === 'true' || value === 1));
  return holds ? ALWAYS : NEVER;
}

function decodeCondition(collection: OpsCollection, raw: unknown, now: number, where: string): OpsCondition {
  if (!isObject(raw)) throw invalidQuery(`${where} must be an object {k, v, o}`);
  const rawKey = raw.key ?? raw.k;
  const related = collection === 'task' && typeof rawKey === 'string' && RELATED_ASSET_KEYS.has(rawKey);
  const key = related ? String(rawKey) : checkKey(collection, rawKey, where);
  const operator = (raw.operator ?? raw.o ?? 'eq') as OpsOperator;
  if (!OPERATORS.has(operator)) throw invalidQuery(`${where}: unknown operator '${String(operator).slice(0, 40)}'; operators are ${[...OPERATORS].join(', ')}`, key);
  let value = 'value' in raw ? raw.value : raw.v;
  if (value === undefined) throw invalidQuery(`${where}: a value (v) is required`, key);
  if (related) return relatedAssetCondition(operator, value);
  if (LIST_OPERATORS.has(operator)) value = Array.isArray(value) ? value : [value];
  else if (Array.isArray(value)) throw invalidQuery(`${where}: operator '${operator}' takes one value, not a list`, key);
  if (operator === 'exists') value = value === true || value === 'true' || value === 1;
  const isDateKey = OPS_KEYS[collection][key] === 'datetime';
  if (operator.startsWith('timediff_')) value = timediff(value, now, where);
  else if (operator.startsWith('datetime_')) value = dateValue(value, where);
  else if (isDateKey && value !== null && operator !== 'exists') value = Array.isArray(value) ? value.map((v) => dateValue(v, where)) : dateValue(value, where);
  if (operator.startsWith('regex')) {
    for (const p of Array.isArray(value) ? value : [value]) {
      if (String(p).length > 256) throw invalidQuery(`${where}: a regex is at most 256 characters`, key);
      try {
        new RegExp(String(p));
      } catch {
        throw invalidQuery(`${where}: '${String(p).slice(0, 60)}' is not a valid regular expression`, key);
      }
    }
  }
  return { key, operator, value };
}

function decodeConditions(collection: OpsCollection, raw: unknown, now: number, name: string): OpsCondition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidQuery(`${name} must be a list`);
  if (raw.length > 100) throw invalidQuery(`${name} has more than 100 conditions`);
  return raw.map((c, i) => decodeCondition(collection, c, now, `${name}[${i}]`));
}

function decodeSort(collection: OpsCollection, raw: unknown, where: string): { key: string; desc: boolean }[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((s, i) => {
    if (!isObject(s)) throw invalidQuery(`${where}[${i}] must be {key, desc}`);
    return { key: checkKey(collection, s.key ?? s.k, `${where}[${i}]`), desc: s.desc === true };
  });
}

function decodePage(raw: unknown): { offset: number; limit: number | undefined } {
  if (raw === undefined || raw === null) return { offset: 0, limit: undefined };
  if (!isObject(raw)) throw invalidQuery('page must be {start, limit}');
  const start = raw.start === undefined ? 1 : Number(raw.start);
  const limit = raw.limit === undefined ? undefined : Number(raw.limit);
  if (!Number.isInteger(start) || start < 1) throw invalidQuery('page.start must be an integer from 1');
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)) throw invalidQuery(`page.limit must be an integer from 1 to ${MAX_PAGE}`);
  return { offset: start - 1, limit };
}

const MAX_KEYWORDS = 32;

/** SpaceONE's keyword: split on spaces, each word matched (any of them) as contain_in over the keyword keys. */
function decodeKeyword(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'string') throw invalidQuery('keyword must be a string', 'keyword');
  const words = raw.slice(0, 256).split(' ').filter((w) => w !== '');
  if (words.length > MAX_KEYWORDS) throw invalidQuery(`keyword has more than ${MAX_KEYWORDS} words`, 'keyword');
  return [...new Set(words)];
}

export interface DecodedSearch extends OpsSearch {
  only: string[] | undefined;
}

export function decodeSearch(collection: OpsCollection, raw: unknown, now: number): DecodedSearch {
  const q = raw === undefined || raw === null ? {} : raw;
  if (!isObject(q)) throw invalidQuery('query must be an object');
  const page = decodePage(q.page);
  const only = q.only === undefined || q.only === null ? undefined : Array.isArray(q.only) ? q.only.map((k, i) => checkKey(collection, k, `only[${i}]`)) : (() => {
    throw invalidQuery('only must be a list of keys');
  })();
  // Parts of core/v2 Query that Switchboard does not run: refused rather than ignored (the results would differ).
  for (const unbuilt of ['lookup', 'add_fields', 'unwind'] as const) {
    if (q[unbuilt] !== undefined && q[unbuilt] !== null && !(Array.isArray(q[unbuilt]) && q[unbuilt].length === 0)) throw invalidQuery(`query.${unbuilt} is not supported by list queries (use stat's aggregate)`, unbuilt);
  }
  return {
    filter: decodeConditions(collection, q.filter, now, 'filter'),
    filterOr: decodeConditions(collection, q.filter_or, now, 'filter_or'),
    sort: decodeSort(collection, q.sort, 'sort'),
    ...page,
    keywords: decodeKeyword(q.keyword),
    countOnly: q.count_only === true,
    only,
  };
}

/** A stage that runs on the grouped (or raw) rows. */
export type LaterStage =
  | { sort: { key: string; desc: boolean }[] }
  | { limit: number }
  | { skip: number }
  | { count: { name: string } }
  /** `keepKeys`: the group's keys stay beside the projected fields (StatisticsQuery's `exclude_keys: false`). */
  | { project: { fields: { key: string; name: string; operator?: string }[]; exclude: string[]; keepKeys: boolean } }
  | { unwind: { path: string } };

export interface DecodedStat {
  sql: OpsStat;
  later: LaterStage[];
  page: { offset: number; limit: number | undefined };
}

function nameOf(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.\- ]{1,128}$/.test(v)) throw invalidQuery(`${where}: name must be 1-128 letters, digits, _ . - or spaces`);
  return v;
}

function decodeGroup(collection: OpsCollection, raw: unknown, now: number): OpsGroup {
  if (!isObject(raw)) throw invalidQuery('group must be {keys, fields}');
  const keys = Array.isArray(raw.keys) ? raw.keys : [];
  const fields = Array.isArray(raw.fields) ? raw.fields : [];
  if (keys.length === 0 && fields.length === 0) throw invalidQuery('group needs keys or fields');
  return {
    keys: keys.map((k, i) => {
      if (!isObject(k)) throw invalidQuery(`group.keys[${i}] must be {key, name, date_format?}`);
      const key = checkKey(collection, k.key ?? k.k, `group.keys[${i}]`);
      const dateFormat = k.date_format;
      if (dateFormat !== undefined && (typeof dateFormat !== 'string' || !/^[%A-Za-z0-9 :/_.-]{1,32}$/.test(dateFormat))) throw invalidQuery(`group.keys[${i}].date_format must be a strftime format such as %Y-%m`);
      return { key, name: nameOf(k.name ?? k.n ?? key, `group.keys[${i}]`), ...(typeof dateFormat === 'string' ? { dateFormat } : {}) };
    }),
    fields: fields.map((f, i) => {
      const where = `group.fields[${i}]`;
      if (!isObject(f)) throw invalidQuery(`${where} must be {key, name, operator}`);
      const operator = (f.operator ?? f.o) as GroupOperator;
      if (!GROUP_OPERATORS.has(operator)) throw invalidQuery(`${where}: operator must be one of ${[...GROUP_OPERATORS].join(', ')}`);
      const rawKey = f.key ?? f.k;
      const key = rawKey === undefined ? undefined : checkKey(collection, rawKey, where);
      if (operator !== 'count' && key === undefined && !(operator === 'push' && Array.isArray(f.fields))) throw invalidQuery(`${where}: operator '${operator}' needs a key`);
      const sub = Array.isArray(f.fields) ? f.fields.map((x, j) => (isObject(x) ? { key: checkKey(collection, x.key ?? x.k, `${where}.fields[${j}]`), name: nameOf(x.name ?? x.n ?? x.key ?? x.k, `${where}.fields[${j}]`) } : (() => { throw invalidQuery(`${where}.fields[${j}] must be {key, name}`); })())) : undefined;
      return { name: nameOf(f.name ?? f.n, where), operator, ...(key ? { key } : {}), ...(sub ? { fields: sub } : {}), conditions: decodeConditions(collection, f.conditions, now, `${where}.conditions`) };
    }),
  };
}

function count(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw invalidQuery(`${what} must be a non-negative integer`);
  return n;
}

export function decodeStat(collection: OpsCollection, raw: unknown, now: number): DecodedStat {
  if (!isObject(raw)) throw invalidQuery('query is required: {aggregate, filter?, page?} or {distinct}');
  const filter = decodeConditions(collection, raw.filter, now, 'filter');
  const filterOr = decodeConditions(collection, raw.filter_or, now, 'filter_or');
  const page = decodePage(raw.page);
  const keywords = decodeKeyword(raw.keyword);
  if (raw.distinct !== undefined && raw.distinct !== null) {
    return { sql: { filter, filterOr, keywords, unwind: undefined, group: undefined, distinct: checkKey(collection, raw.distinct, 'distinct'), rowLimit: STAT_ROW_LIMIT }, later: [], page };
  }
  const stages = raw.aggregate;
  if (!Array.isArray(stages) || stages.length === 0) throw invalidQuery('aggregate must be a non-empty list of stages (or give distinct)');
  let unwind: string | undefined;
  let group: OpsGroup | undefined;
  const later: LaterStage[] = [];
  stages.forEach((stage, i) => {
    if (!isObject(stage) || Object.keys(stage).length !== 1) throw invalidQuery(`aggregate[${i}] must be one stage: {group}, {unwind}, {sort}, {limit}, {skip}, {count} or {project}`);
    const [kind, body] = Object.entries(stage)[0]!;
    const beforeGroup = group === undefined && later.length === 0;
    switch (kind) {
      case 'group':
        if (group || later.length) throw invalidQuery(`aggregate[${i}]: one group, before sort/limit/skip/count/project`);
        group = decodeGroup(collection, body, now);
        break;
      case 'unwind': {
        const path = isObject(body) ? body.path : undefined;
        if (beforeGroup && unwind === undefined) {
          const key = checkKey(collection, path, `aggregate[${i}].unwind.path`);
          if (OPS_KEYS[collection][key.split('.')[0]!] !== 'json') throw invalidQuery(`aggregate[${i}]: unwind needs a list key (files, assignee_pool, ...)`);
          unwind = key;
        } else later.push({ unwind: { path: nameOf(path, `aggregate[${i}].unwind.path`) } });
        break;
      }
      case 'sort':
        later.push({ sort: (Array.isArray(body) ? body : [body]).map((s, j) => (isObject(s) ? { key: nameOf(s.key, `aggregate[${i}].sort[${j}]`), desc: s.desc === true } : (() => { throw invalidQuery(`aggregate[${i}].sort[${j}] must be {key, desc}`); })())) });
        break;
      case 'limit':
        later.push({ limit: count(body, `aggregate[${i}].limit`) });
        break;
      case 'skip':
        later.push({ skip: count(body, `aggregate[${i}].skip`) });
        break;
      case 'count':
        later.push({ count: { name: nameOf(isObject(body) ? body.name : undefined, `aggregate[${i}].count`) } });
        break;
      case 'project': {
        if (!isObject(body)) throw invalidQuery(`aggregate[${i}].project must be {fields, exclude_keys?}`);
        const fields = (Array.isArray(body.fields) ? body.fields : []).map((f, j) => {
          if (!isObject(f)) throw invalidQuery(`aggregate[${i}].project.fields[${j}] must be {key, name, operator?}`);
          const operator = f.operator ?? f.o;
          if (operator !== undefined && operator !== 'size') throw invalidQuery(`aggregate[${i}].project.fields[${j}]: operator must be size (or none)`);
          const key = nameOf(f.key ?? f.k, `aggregate[${i}].project.fields[${j}]`);
          return { key, name: nameOf(f.name ?? f.n ?? key, `aggregate[${i}].project.fields[${j}]`), ...(operator ? { operator: String(operator) } : {}) };
        });
        // exclude_keys is the protos' boolean (true drops the group's keys, as python-core's `_id: 0`); a list of
        // names to drop is Switchboard's older form, still taken.
        const excludeKeys = body.exclude_keys;
        if (excludeKeys !== undefined && excludeKeys !== null && typeof excludeKeys !== 'boolean' && !Array.isArray(excludeKeys)) throw invalidQuery(`aggregate[${i}].project.exclude_keys must be true or false`);
        const exclude = Array.isArray(excludeKeys) ? excludeKeys.map((k, j) => nameOf(k, `aggregate[${i}].project.exclude_keys[${j}]`)) : [];
        later.push({ project: { fields, exclude, keepKeys: excludeKeys !== true } });
        break;
      }
      default:
        throw invalidQuery(`aggregate[${i}]: unknown stage '${kind.slice(0, 40)}'`);
    }
  });
  return { sql: { filter, filterOr, keywords, unwind, group, distinct: undefined, rowLimit: STAT_ROW_LIMIT }, later, page };
}
