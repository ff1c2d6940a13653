// The `list` and `stat` verbs of every Opsflow resource: the request's query decoded (queryDecode.ts), run in the
// store under the caller's scope, and answered as SpaceONE's `{results, total_count}`.
import type { OpsCollection, OpsCondition } from '../core/opsflowEntities.ts';
import type { Store } from '../core/repository.ts';
import { decodeSearch, decodeStat, invalidQuery } from './queryDecode.ts';
import { pick, renderStatRow } from './render.ts';
import { S, decode } from './requests.ts';
import { type OpsActor, workspaceConditions } from './scope.ts';
import { applyStages } from './statStages.ts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A search message's request shortcuts (`task_id`, `status_type`, ...) as `eq` conditions, for those given. */
export function shortcutConditions<K extends string>(input: Partial<Record<K, unknown>>, keys: readonly K[]): OpsCondition[] {
  return keys.filter((key) => input[key] !== undefined).map((key) => ({ key, operator: 'eq', value: input[key] }));
}

/** A list: `conditions` are the caller's scope and the request's shortcuts (`task_id`, `status_type`, ...). */
export function listQuery(store: Store, collection: OpsCollection, actor: OpsActor, conditions: OpsCondition[], rawQuery: unknown, render: (doc: unknown) => Record<string, unknown>) {
  const q = decodeSearch(collection, rawQuery, actor.now);
  const { results, total } = store.read((repo) => repo.opsSearch(collection, { domainId: actor.accountSid, conditions }, q));
  if (q.countOnly) return { results: [], total_count: total };
  return { results: results.map((r) => pick(render(r), q.only)), total_count: total };
}

export function statQuery(store: Store, collection: OpsCollection, actor: OpsActor, body: unknown) {
  const input = decode(S.stat, body);
  if (!isObject(input.query)) throw invalidQuery('query is required');
  const q = decodeStat(collection, input.query, actor.now);
  const rows = store.read((repo) => repo.opsStat(collection, { domainId: actor.accountSid, conditions: workspaceConditions(actor, collection) }, q.sql));
  if (q.sql.distinct) {
    const values = rows.map((r) => r.value);
    const page = q.page.limit === undefined ? values.slice(q.page.offset) : values.slice(q.page.offset, q.page.offset + q.page.limit);
    return { results: page, total_count: values.length };
  }
  const dateKeys = new Set(q.sql.group ? q.sql.group.keys.filter((k) => !k.dateFormat && k.key.endsWith('_at')).map((k) => k.name) : ['created_at', 'updated_at', 'started_at', 'completed_at', 'deleted_at']);
  const staged = applyStages(rows.map((r) => renderStatRow(r, dateKeys)), q.later, q.sql.group?.keys.map((k) => k.name));
  const page = q.page.limit === undefined ? staged.slice(q.page.offset) : staged.slice(q.page.offset, q.page.offset + q.page.limit);
  return { results: page, total_count: staged.length };
}
