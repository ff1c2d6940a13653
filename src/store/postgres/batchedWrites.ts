// A commit group's writes of tasks and reservations, as a few multi-row statements instead of one per row.
//
// A lifecycle writes each of its task and reservation rows two or three times (insert, accept, complete), and
// on PostgreSQL every statement is built, sent, bound, executed and answered on its own: those rows were 6 of
// a lifecycle's ~8.4 statements. Within a group, the writes of these two kinds are gathered per row into their
// net effect and sent as one INSERT and one UPDATE per kind:
//
// * insert, then updates of the same row: one inserted row with the last document;
// * updates of the same row: one update with the last document, conditional on the version the first one
//   expected (each later one expected what the one before it wrote), and refused if a row that had to be
//   there is missing whenever any of them required it (`mode` 'updated'; 'present' lets a deleted row stay
//   deleted);
// * anything else (a delete, any other statement) is a barrier: what was gathered before it is sent first,
//   so the statements keep their order wherever it could matter.
//
// Only kinds without a unique key qualify (KEYED_KINDS): rows of one statement are checked against a unique
// index one by one, so two renames that swap names would fail together where one after the other they
// succeed. Tasks and reservations reference no other row and no row references them.
import { TABLE, updatedColumnsOfTable } from '../storeSchema.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** A write of a batched kind's row, staged instead of its statement. An update's `own` holds the values of
 *  its kind's UPDATED_COLUMNS (storeSchema.ts), in that order. */
export type DocumentWrite =
  | { op: 'insert'; table: string; sid: string; columns: readonly string[]; values: unknown[] }
  | { op: 'update'; table: string; sid: string; data: string; own: unknown[]; known: number | null; mode: 'present' | 'updated'; what: string };

export type Staged = Statement | DocumentWrite;

/** The tables whose rows are written in batches. */
export const BATCHED_TABLES: ReadonlySet<string> = new Set([TABLE.task, TABLE.reservation]);

/** Rows per multi-row statement (PostgreSQL binds at most 65,535 parameters). */
const ROWS_PER_STATEMENT = 500;

const isWrite = (s: Staged): s is DocumentWrite => 'op' in s;

/** The group's statements, with its batched kinds' writes gathered (see above). */
export function batchWrites(staged: readonly Staged[]): Statement[] {
  const out: Statement[] = [];
  /** Per table, per row: its net write, in the order rows were first written. */
  let gathered = new Map<string, Map<string, DocumentWrite>>();
  const flush = () => {
    for (const [table, rows] of gathered) {
      const writes = [...rows.values()];
      const inserts = writes.filter((w) => w.op === 'insert');
      const updates = writes.filter((w) => w.op === 'update');
      for (let i = 0; i < inserts.length; i += ROWS_PER_STATEMENT) out.push(insertRows(table, inserts.slice(i, i + ROWS_PER_STATEMENT)));
      for (let i = 0; i < updates.length; i += ROWS_PER_STATEMENT) out.push(updateRows(table, updates.slice(i, i + ROWS_PER_STATEMENT)));
    }
    gathered = new Map();
  };
  for (const s of staged) {
    if (!isWrite(s)) {
      flush();
      out.push(s);
      continue;
    }
    let rows = gathered.get(s.table);
    if (!rows) gathered.set(s.table, (rows = new Map()));
    const before = rows.get(s.sid);
    rows.set(s.sid, before ? merge(before, s) : s);
  }
  flush();
  return out;
}

/** Two writes of one row as one. */
function merge(first: DocumentWrite, then: DocumentWrite): DocumentWrite {
  if (then.op === 'insert') throw new Error(`${then.table} ${then.sid} inserted twice in one group`);
  if (first.op === 'insert') {
    const values = [...first.values];
    values[first.columns.indexOf('data')] = then.data;
    updatedColumnsOfTable(then.table).forEach((c, i) => (values[first.columns.indexOf(c.column)] = then.own[i]));
    return { ...first, values };
  }
  return { ...first, data: then.data, own: then.own, mode: first.mode === 'updated' || then.mode === 'updated' ? 'updated' : 'present' };
}

function insertRows(table: string, rows: Extract<DocumentWrite, { op: 'insert' }>[]): Statement {
  const columns = rows[0]!.columns;
  let n = 0;
  const tuples = rows.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`);
  return { text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values: rows.flatMap((r) => r.values) };
}

/** One UPDATE of every row, each conditional on its version; for a row it did not change, sb_check_write
 *  (migration 0032) tells a lost race (the row changed: 409) from a missing row. */
function updateRows(table: string, rows: Extract<DocumentWrite, { op: 'update' }>[]): Statement {
  const own = updatedColumnsOfTable(table);
  let n = 0;
  const tuples = rows.map((_, i) =>
    i === 0
      ? `($${++n}::text, $${++n}::json, $${++n}::bigint, $${++n}::text, $${++n}::text${own.map((c) => `, $${++n}::${c.pgType}`).join('')})`
      : `($${++n}, $${++n}, $${++n}, $${++n}, $${++n}${own.map(() => `, $${++n}`).join('')})`,
  );
  const names = ['sid', 'data', 'known', 'mode', 'what', ...own.map((c) => c.column)];
  return {
    text: `WITH v (${names.join(', ')}) AS (VALUES ${tuples.join(', ')}),
      u AS (UPDATE ${table} t SET data = v.data${own.map((c) => `, ${c.column} = v.${c.column}`).join('')} FROM v WHERE t.sid = v.sid AND (v.known IS NULL OR (t.data->>'version')::bigint = v.known) RETURNING t.sid)
      SELECT sb_check_write(0, EXISTS (SELECT 1 FROM ${table} x WHERE x.sid = v.sid), v.mode, v.what) FROM v WHERE v.sid NOT IN (SELECT sid FROM u)`,
    values: rows.flatMap((r) => [r.sid, r.data, r.known, r.mode, r.what, ...r.own]),
  };
}
