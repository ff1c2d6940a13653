// SQL functions the Workflow face's task index uses in SQLite (migration 0017's triggers, and the list queries
// of store/workflowTaskQuery.ts): sb_wf_num(text) and sb_wf_ts(text) are the filter language's own rules for a
// number or an instant in text (workflow/filter/filterValues.ts), so SQL and the evaluator cannot disagree.
import type Database from 'better-sqlite3';
import { isoInstant, numericText } from '../../workflow/filter/filterValues.ts';

export function registerWorkflowFunctions(db: Database.Database): void {
  db.function('sb_wf_num', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? (numericText(v) ?? null) : null));
  db.function('sb_wf_ts', { deterministic: true, safeIntegers: false }, (v: unknown) => (typeof v === 'string' ? (isoInstant(v) ?? null) : null));
}
