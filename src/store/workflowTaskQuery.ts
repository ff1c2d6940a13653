// Translates a Workflow-face task list (a LUSID filter, sort keys, a page) into SQL for SQLite or PostgreSQL
// (the dialect: sqlite/workflowDialect.ts, postgres/workflowDialect.ts), over the task index of migration 0017:
// the fixed paths as generated columns of wf_tasks, field values and correlation ids as wf_task_values rows
// with the forms a comparison reads (JSON type, number, text, instant, boolean).
//
// The translation is exact: it follows the evaluator's rules (workflow/filter/filterEvaluate.ts) case by case,
// by the type of the literal, known when compiling:
//   number n      a number, or a string that is one (sb_wf_num), compares numerically
//   boolean b     a boolean, or the string 'true' / 'false'
//   string s      a string compares by code point, or as an instant when both are ISO 8601 (sb_wf_ts); a number
//                 compares numerically with s if s is a number; a boolean with s if s is 'true' / 'false'
//   null          eq: missing; neq: present
// A missing value matches no comparison but neq. `neq` is NOT eq (a list: no element eq); NOT keeps SQL's
// NULLs out of it with coalesce. Lists (correlationIds) match when any element does.
// The paths it knows are those the store indexes (id, state, taskDefinitionId.scope/code, fields['x'],
// correlationIds, stackingKey, version.*, UserCreated, UserUpdated; CurrentUser is the caller). A conjunct of
// the filter's top-level AND that uses anything else (terminalState, parentTask.id, ...) is left out, as is a
// sort key it does not know: the answer is then not complete, and the service finishes it in memory on the
// candidates (the full filter evaluated again, so the SQL part only narrows).
//
// Planning: SQLite decides join order by heuristics, not statistics, so the query says it: a top-level
// condition on a field (equality before ranges, every condition on that field merged) or on a correlation id
// drives: its index range of wf_task_values is read first (CROSS JOIN keeps that order) and the tasks it
// names are checked against the rest. Without one, the tasks are read through (account, state, created),
// (account, created) or (account, definition, created).
import type { CompareOp, FilterNode, Operand } from '../core/lusidFilter.ts';
import type { WfTask, WfTaskPage, WfTaskQuery } from '../core/workflowEntities.ts';
import { isoInstant, numericText } from '../workflow/filter/filterValues.ts';

/** What differs between SQLite and PostgreSQL here. */
export interface WfDialect {
  /** A text expression compared or sorted by code point. */
  text(expr: string): string;
  /** A condition that is never NULL (false when it would be). */
  definite(condition: string): string;
  /** The ISO 8601 text (`2026-01-02T03:04:05.678Z`) of an epoch-milliseconds expression. */
  isoText(ms: string): string;
  /** Whether `text` starts with the bound prefix (two parameters: the prefix twice). */
  startsWith(text: string): string;
  /** The placeholder of a number compared with a number expression (integer columns included). */
  numberParam: string;
  never: string;
}

/** A value as a comparison reads it: its JSON type and forms, and whether it is present. */
interface Forms {
  vtype: string;
  num: string;
  txt: string;
  ts: string;
  bool: string;
  present: string;
}

type Target = { kind: 'column'; forms: Forms; sort: string[] } | { kind: 'values'; rowKind: 'f' | 'c'; name: string };

const SQL_OP: Record<Exclude<CompareOp, 'startswith' | 'neq'>, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const FLIP: Record<CompareOp, CompareOp | undefined> = { eq: 'eq', neq: 'neq', gt: 'lt', gte: 'lte', lt: 'gt', lte: 'gte', startswith: undefined };

function stringColumn(d: WfDialect, col: string): Target {
  return {
    kind: 'column',
    forms: { vtype: `CASE WHEN ${col} IS NULL THEN NULL ELSE 's' END`, num: `sb_wf_num(${col})`, txt: col, ts: `sb_wf_ts(${col})`, bool: `CASE ${col} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`, present: `${col} IS NOT NULL` },
    sort: [`(${col} IS NULL)`, d.text(col)],
  };
}

/** The index target of a path of the Task representation, or undefined if the store does not index it. */
function targetOf(d: WfDialect, segments: string[]): Target | undefined {
  const [a, b] = segments.map((x) => x.toLowerCase());
  if (segments.length === 1) {
    const columns: Record<string, string> = { id: 't.sid', state: 't.wf_state', stackingkey: 't.wf_stacking_key', usercreated: 't.wf_user_created', userupdated: 't.wf_user_modified' };
    if (columns[a!]) return stringColumn(d, columns[a!]!);
    if (a === 'correlationids') return { kind: 'values', rowKind: 'c', name: '' };
    return undefined;
  }
  if (segments.length !== 2) return undefined;
  if (a === 'fields') return { kind: 'values', rowKind: 'f', name: segments[1]! };
  if (a === 'taskdefinitionid' && (b === 'scope' || b === 'code')) return stringColumn(d, b === 'scope' ? 't.wf_scope' : 't.wf_code');
  if (a !== 'version') return undefined;
  const text: Record<string, string> = { useridcreated: 't.wf_user_created', useridmodified: 't.wf_user_modified', requestidcreated: 't.wf_request_created', requestidmodified: 't.wf_request_modified' };
  if (text[b!]) return stringColumn(d, text[b!]!);
  const instants: Record<string, string> = { asatcreated: 't.wf_created_ms', asatmodified: 't.wf_modified_ms' };
  if (instants[b!]) {
    const ms = instants[b!]!;
    // Shown as ISO 8601 text, which compares as an instant with an ISO literal and by code point otherwise.
    return { kind: 'column', forms: { vtype: `'s'`, num: 'NULL', txt: d.isoText(ms), ts: ms, bool: 'NULL', present: `${ms} IS NOT NULL` }, sort: [ms] };
  }
  if (b === 'asatversionnumber') return { kind: 'column', forms: { vtype: `'n'`, num: 't.wf_version_number', txt: 'NULL', ts: 'NULL', bool: 'NULL', present: 't.wf_version_number IS NOT NULL' }, sort: ['t.wf_version_number'] };
  return undefined;
}

/** One comparison of a present value with a non-null literal (the evaluator's compareOne), for op in
 *  eq/gt/gte/lt/lte/startswith; NULL counts as false. */
function comparison(d: WfDialect, f: Forms, op: Exclude<CompareOp, 'neq'>, literal: string | number | boolean, params: unknown[]): string {
  if (op === 'startswith') {
    if (typeof literal !== 'string') return d.never;
    params.push(literal, literal);
    return `(${f.vtype} = 's' AND ${d.startsWith(f.txt)})`;
  }
  const sqlOp = SQL_OP[op];
  if (typeof literal === 'number') {
    params.push(literal);
    return `${f.num} ${sqlOp} ${d.numberParam}`;
  }
  if (typeof literal === 'boolean') {
    params.push(literal ? 1 : 0);
    return `${f.bool} ${sqlOp} ?`;
  }
  const parts: string[] = [];
  const asNumber = numericText(literal);
  if (asNumber !== undefined && f.num !== 'NULL') {
    parts.push(`(${f.vtype} = 'n' AND ${f.num} ${sqlOp} ${d.numberParam})`);
    params.push(asNumber);
  }
  const asBool = literal === 'true' ? 1 : literal === 'false' ? 0 : undefined;
  if (asBool !== undefined && f.bool !== 'NULL') {
    parts.push(`(${f.vtype} = 'b' AND ${f.bool} ${sqlOp} ?)`);
    params.push(asBool);
  }
  const instant = isoInstant(literal);
  if (f.txt !== 'NULL') {
    if (instant !== undefined) {
      parts.push(`(${f.vtype} = 's' AND CASE WHEN ${f.ts} IS NOT NULL THEN ${f.ts} ${sqlOp} ? ELSE ${d.text(f.txt)} ${sqlOp} ? END)`);
      params.push(instant, literal);
    } else {
      parts.push(`(${f.vtype} = 's' AND ${d.text(f.txt)} ${sqlOp} ?)`);
      params.push(literal);
    }
  }
  return parts.length ? (parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`) : d.never;
}

const VALUE_FORMS = (alias: string): Forms => ({ vtype: `${alias}.vtype`, num: `${alias}.num`, txt: `${alias}.txt`, ts: `${alias}.ts`, bool: `${alias}.bool`, present: 'TRUE' });

/** A value row of the task exists for which `condition` holds (on alias v). */
function anyValue(t: Extract<Target, { kind: 'values' }>, condition: string, params: unknown[], conditionParams: unknown[]): string {
  params.push(t.rowKind, t.name, ...conditionParams);
  return `EXISTS (SELECT 1 FROM wf_task_values v WHERE v.task_sid = t.sid AND v.kind = ? AND v.name = ?${condition ? ` AND ${condition}` : ''})`;
}

class Compiler {
  private readonly d: WfDialect;
  private readonly currentUser: string;
  constructor(d: WfDialect, currentUser: string) {
    this.d = d;
    this.currentUser = currentUser;
  }

  /** CurrentUser is a constant; other paths stay paths. */
  private operand(o: Operand): Operand {
    if (o.kind === 'path' && o.segments.length === 1 && o.segments[0]!.toLowerCase() === 'currentuser') return { kind: 'literal', value: this.currentUser };
    return o;
  }

  /** `path op literal` (or undefined when it cannot be expressed). */
  private compare(path: Operand, op: CompareOp, literal: Operand, params: unknown[]): string | undefined {
    if (path.kind !== 'path' || literal.kind !== 'literal') return undefined;
    const t = targetOf(this.d, path.segments);
    if (!t) return undefined;
    const value = literal.value;
    if (op === 'neq') {
      const eq = this.compare(path, 'eq', literal, params);
      return eq === undefined ? undefined : `NOT ${this.d.definite(eq)}`;
    }
    if (value === null) {
      // eq null: missing; neq was handled above; the others never hold.
      if (op !== 'eq') return this.d.never;
      if (t.kind === 'column') return `NOT (${t.forms.present})`;
      // A list is never "null": any element compares, and elements are present.
      if (t.rowKind === 'c') return this.d.never;
      return `NOT ${anyValue(t, '', params, [])}`;
    }
    if (t.kind === 'column') return comparison(this.d, t.forms, op, value, params);
    const conditionParams: unknown[] = [];
    const condition = comparison(this.d, VALUE_FORMS('v'), op, value, conditionParams);
    return anyValue(t, condition, params, conditionParams);
  }

  /** The filter as SQL, or undefined if any part cannot be expressed exactly. */
  node(n: FilterNode, params: unknown[]): string | undefined {
    const local: unknown[] = [];
    const sql = this.build(n, local);
    if (sql !== undefined) params.push(...local);
    return sql;
  }

  private build(n: FilterNode, params: unknown[]): string | undefined {
    switch (n.kind) {
      case 'and':
      case 'or': {
        const l = this.build(n.left, params);
        const r = l === undefined ? undefined : this.build(n.right, params);
        return l === undefined || r === undefined ? undefined : `(${l} ${n.kind === 'and' ? 'AND' : 'OR'} ${r})`;
      }
      case 'not': {
        const inner = this.build(n.operand, params);
        return inner === undefined ? undefined : `NOT ${this.d.definite(inner)}`;
      }
      case 'exists': {
        const o = this.operand(n.operand);
        if (o.kind === 'literal') return (o.value !== null) !== n.negated ? 'TRUE' : this.d.never;
        const t = targetOf(this.d, o.segments);
        if (!t) return undefined;
        const present = t.kind === 'column' ? `(${t.forms.present})` : anyValue(t, '', params, []);
        return n.negated ? `NOT ${this.d.definite(present)}` : present;
      }
      case 'compare': {
        let left = this.operand(n.left);
        let right = this.operand(n.right);
        let op: CompareOp | undefined = n.op;
        if (left.kind === 'literal' && right.kind === 'path') {
          // `'c1' eq correlationIds`: the evaluator compares the literal with the whole list (never equal).
          const t = targetOf(this.d, right.segments);
          if (t?.kind === 'values' && t.rowKind === 'c') return op === 'neq' ? 'TRUE' : this.d.never;
          op = FLIP[op];
          [left, right] = [right, left];
        }
        return op === undefined ? undefined : this.compare(left, op, right, params);
      }
      case 'in': {
        const left = this.operand(n.left);
        const values = n.values.map((v) => this.operand(v));
        if (left.kind !== 'path' || values.some((v) => v.kind !== 'literal')) return undefined;
        const parts: string[] = [];
        for (const v of values) {
          const p = this.compare(left, 'eq', v, params);
          if (p === undefined) return undefined;
          parts.push(p);
        }
        const any = `(${parts.join(' OR ')})`;
        return n.negated ? `NOT ${this.d.definite(any)}` : any;
      }
    }
  }

  /** A top-level conjunct that can drive the query: a comparison of a field (or a correlation id) with a
   *  literal, as a condition on wf_task_values v. */
  driver(n: FilterNode): { target: Extract<Target, { kind: 'values' }>; rank: number; condition: string; params: unknown[] } | undefined {
    let path: Operand | undefined;
    let literals: Operand[] = [];
    let op: CompareOp | undefined;
    if (n.kind === 'compare') {
      let [l, r] = [this.operand(n.left), this.operand(n.right)];
      op = n.op;
      if (l.kind === 'literal' && r.kind === 'path') {
        if (targetOf(this.d, r.segments)?.kind === 'values') return undefined;
        op = FLIP[op];
        [l, r] = [r, l];
      }
      path = l;
      literals = [r];
    } else if (n.kind === 'in' && !n.negated) {
      path = this.operand(n.left);
      literals = n.values.map((v) => this.operand(v));
      op = 'eq';
    }
    if (!path || path.kind !== 'path' || !op || op === 'neq' || op === 'startswith' || literals.some((x) => x.kind !== 'literal' || x.value === null)) return undefined;
    const t = targetOf(this.d, path.segments);
    if (!t || t.kind !== 'values') return undefined;
    const params: unknown[] = [];
    const condition = `(${literals.map((x) => comparison(this.d, VALUE_FORMS('v'), op, (x as { value: string | number | boolean }).value, params)).join(' OR ')})`;
    return { target: t, rank: op === 'eq' ? 0 : 1, condition, params };
  }

  /** ORDER BY terms of a sort key (its direction on every term), or undefined if it is not indexed. */
  sortTerms(path: string[], desc: boolean, index: number, joins: string[], joinParams: unknown[]): string[] | undefined {
    const t = targetOf(this.d, path);
    if (!t) return undefined;
    const dir = desc ? ' DESC' : '';
    if (t.kind === 'column') return t.sort.map((s) => `${s}${dir}`);
    if (t.rowKind !== 'f') return undefined; // a list sorts by its text form: in memory
    const a = `s${index}`;
    joins.push(`LEFT JOIN wf_task_values ${a} ON ${a}.task_sid = t.sid AND ${a}.kind = 'f' AND ${a}.name = ?`);
    joinParams.push(path[1]);
    // Missing last, numbers (by value) before everything else (by text), all reversed by DESC.
    return [`(${a}.vtype IS NULL)${dir}`, `(CASE WHEN ${a}.vtype = 'n' THEN 0 ELSE 1 END)${dir}`, `(CASE WHEN ${a}.vtype = 'n' THEN ${a}.num END)${dir}`, `${this.d.text(`${a}.txt`)}${dir}`];
  }
}

function conjuncts(n: FilterNode): FilterNode[] {
  return n.kind === 'and' ? [...conjuncts(n.left), ...conjuncts(n.right)] : [n];
}

export interface CompiledTaskQuery {
  sql: string;
  params: unknown[];
  /** Whether the SQL applies all of the filter, the sort and the page (LIMIT limit + 1: one more says more). */
  complete: boolean;
}

export function compileTaskQuery(d: WfDialect, q: WfTaskQuery): CompiledTaskQuery {
  const c = new Compiler(d, q.currentUser);
  const parts = q.filter ? conjuncts(q.filter) : [];
  // The driver: the best-ranked field (or correlation id) conjunct; the other conjuncts on the same field merge
  // into it (a field has one value per task, so they hold on the same row). Lists do not merge.
  const drivers = parts.map((p, i) => ({ i, d: c.driver(p) })).filter((x) => x.d !== undefined) as { i: number; d: NonNullable<ReturnType<Compiler['driver']>> }[];
  const best = drivers.sort((a, b) => a.d.rank - b.d.rank)[0];
  const merged = new Set<number>();
  let driverSql = '';
  const driverParams: unknown[] = [];
  if (best) {
    const same = best.d.target.rowKind === 'f' ? drivers.filter((x) => x.d.target.rowKind === 'f' && x.d.target.name === best.d.target.name) : [best];
    for (const x of same) merged.add(x.i);
    driverSql = `(SELECT DISTINCT v.task_sid FROM wf_task_values v WHERE v.account_sid = ? AND v.kind = ? AND v.name = ? AND ${same.map((x) => x.d.condition).join(' AND ')}) AS d CROSS JOIN wf_tasks AS t`;
    driverParams.push(q.accountSid, best.d.target.rowKind, best.d.target.name, ...same.flatMap((x) => x.d.params));
  }
  const where = ['t.account_sid = ?'];
  const whereParams: unknown[] = [q.accountSid];
  if (best) where.push('t.sid = d.task_sid');
  if (q.definition) {
    where.push('t.wf_scope = ?', 't.wf_code = ?');
    whereParams.push(q.definition.scope, q.definition.code);
  }
  let complete = true;
  parts.forEach((p, i) => {
    if (merged.has(i)) return;
    const sql = c.node(p, whereParams);
    if (sql === undefined) complete = false;
    else where.push(sql);
  });
  const joins: string[] = [];
  const joinParams: unknown[] = [];
  const order: string[] = [];
  for (const [i, k] of q.sort.entries()) {
    const terms = c.sortTerms(k.path, k.desc, i, joins, joinParams);
    if (!terms) {
      complete = false;
      break;
    }
    order.push(...terms);
  }
  const from = best ? driverSql : 'wf_tasks AS t';
  if (!complete) {
    // Candidates for the service to finish in memory: in creation order, every one of them.
    return { sql: `SELECT t.seq, t.data FROM ${from} WHERE ${where.join(' AND ')} ORDER BY t.seq`, params: [...driverParams, ...whereParams], complete: false };
  }
  order.push('t.seq');
  return {
    sql: `SELECT t.seq, t.data FROM ${from} ${joins.join(' ')} WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    params: [...driverParams, ...joinParams, ...whereParams, q.limit + 1, q.offset],
    complete: true,
  };
}

/** Runs a compiled query with the store's `run` and shapes its rows as the port's answer. */
export function taskPage(c: CompiledTaskQuery, limit: number, run: (c: CompiledTaskQuery) => { data: string }[]): WfTaskPage {
  const found = run(c).map((r) => JSON.parse(String(r.data)) as WfTask);
  if (!c.complete) return { tasks: found, hasMore: false, complete: false };
  return { tasks: found.slice(0, limit), hasMore: found.length > limit, complete: true };
}

/** The columns of a wf_task_values row, in insert order. */
export const TASK_VALUE_COLUMNS = ['task_sid', 'account_sid', 'kind', 'name', 'vtype', 'num', 'txt', 'ts', 'bool'];

/** The wf_task_values rows of a task (its fields and correlation ids with the forms comparisons read), as
 *  migration 0017's PostgreSQL trigger computes them: the SQLite store writes these with the task. */
export function taskValueRows(t: WfTask): unknown[][] {
  const rows: unknown[][] = [];
  const text = (kind: 'f' | 'c', name: string, s: string) => [t.sid, t.accountSid, kind, name, 's', numericText(s) ?? null, s, isoInstant(s) ?? null, s === 'true' ? 1 : s === 'false' ? 0 : null];
  for (const [name, v] of Object.entries(t.fields)) {
    if (typeof v === 'string') rows.push(text('f', name, v));
    else if (typeof v === 'number') rows.push([t.sid, t.accountSid, 'f', name, 'n', v, null, null, null]);
    else if (typeof v === 'boolean') rows.push([t.sid, t.accountSid, 'f', name, 'b', null, String(v), null, v ? 1 : 0]);
  }
  for (const c of t.correlationIds) if (typeof c === 'string') rows.push(text('c', '', c));
  return rows;
}
