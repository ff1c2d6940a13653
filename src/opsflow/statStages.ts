// The stat stages that run after the SQL GROUP BY, on the (few) grouped rows: sort, limit, skip, count,
// project (rename, drop, size) and unwind of a pushed list. Pure.
import { compareMissingLast } from '../core/compareValues.ts';
import type { LaterStage } from './queryDecode.ts';

/** `groupKeys`: the names of the group's keys, which a project keeps unless told `exclude_keys: true`. */
export function applyStages(rows: Record<string, unknown>[], stages: LaterStage[], groupKeys: string[] = []): Record<string, unknown>[] {
  let out = rows;
  let keys = groupKeys;
  for (const stage of stages) {
    if ('sort' in stage) {
      const keys = stage.sort;
      out = [...out].sort((x, y) => {
        for (const k of keys) {
          const c = compareMissingLast(x[k.key], y[k.key]);
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
    } else if ('limit' in stage) out = out.slice(0, stage.limit);
    else if ('skip' in stage) out = out.slice(stage.skip);
    else if ('count' in stage) {
      out = [{ [stage.count.name]: out.length }];
      keys = [];
    }
    else if ('unwind' in stage) {
      const path = stage.unwind.path;
      out = out.flatMap((r) => (Array.isArray(r[path]) ? (r[path] as unknown[]).map((v) => ({ ...r, [path]: v })) : []));
    } else {
      const { fields, exclude, keepKeys } = stage.project;
      const kept = keepKeys ? keys : [];
      out = out.map((r) => {
        const next: Record<string, unknown> = fields.length ? Object.fromEntries(kept.filter((k) => k in r).map((k) => [k, r[k]])) : { ...r };
        for (const f of fields) next[f.name] = f.operator === 'size' ? (Array.isArray(r[f.key]) ? (r[f.key] as unknown[]).length : 0) : r[f.key];
        for (const k of exclude) delete next[k];
        return next;
      });
      keys = kept;
    }
  }
  return out;
}
