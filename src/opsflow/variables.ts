// The Opsflow face's variables (opsflow v1 Variable: create, update, delete, get, list, stat): named string values
// of a workspace, isolated as tasks are. A workspace-scoped caller creates, reads and changes only its own
// workspace's variables; a domain-wide caller sees every workspace's, and names one by `workspace_id` (the
// create request's field, taken as well by get/update/delete), else `workspace-default` as for tasks. A name is
// unique within its workspace (ERROR_NOT_UNIQUE, 409, as python-core's for a duplicate unique key).
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import type { OpsCondition, OpsVariable } from '../core/opsflowEntities.ts';
import type { Repository, Store } from '../core/repository.ts';
import { newId } from './ids.ts';
import { listQuery, shortcutConditions, statQuery } from './queries.ts';
import { iso } from './render.ts';
import { decode, notFound } from './requests.ts';
import { DEFAULT_WORKSPACE, type OpsActor, workspaceConditions } from './scope.ts';

const name = () => z.string().regex(/^[A-Za-z0-9_.\-]{1,128}$/, { error: 'must be 1-128 letters, digits, _ . or -' });
const value = () => z.string().max(65_536);
const workspaceId = () => z.string().regex(/^[A-Za-z0-9_\-]{1,64}$/, { error: 'must be 1-64 letters, digits, _ or -' });
const tags = () => z.record(z.string(), z.unknown());

/** The request messages of the variable verbs (their documents show them too). */
export const VARIABLE_REQUESTS = {
  create: z.object({ name: name(), value: value(), tags: tags().optional(), workspace_id: workspaceId().optional() }),
  update: z.object({ name: name(), value: value().optional(), tags: tags().optional(), workspace_id: workspaceId().optional() }),
  ref: z.object({ name: name(), workspace_id: workspaceId().optional() }),
  list: z.object({ query: z.unknown().optional(), name: z.string().max(128).optional(), workspace_id: z.string().max(64).optional() }),
};

export const VARIABLE_INFO = z.object({
  name: z.string(), value: z.string(), tags: z.unknown().describe('tags'), domain_id: z.string(), workspace_id: z.string(),
  created_at: z.string().nullable(), updated_at: z.string().nullable(),
});

export function renderVariable(v: OpsVariable): z.output<typeof VARIABLE_INFO> {
  return { name: v.name, value: v.value, tags: v.tags, domain_id: v.accountSid, workspace_id: v.workspace_id, created_at: iso(v.created_at), updated_at: iso(v.updated_at) };
}

export class OpsflowVariables {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** The workspace a request names: the caller's own when it is scoped (another one is refused as `refuse` says),
   *  else the request's `workspace_id` or the default workspace. */
  private workspaceOf(actor: OpsActor, given: string | undefined, refuse: () => ApiError): string {
    if (actor.workspaceId === null) return given ?? DEFAULT_WORKSPACE;
    if (given !== undefined && given !== actor.workspaceId) throw refuse();
    return actor.workspaceId;
  }

  /** The variable `name` of a workspace; another workspace's is answered as a missing one. */
  private variable(repo: Repository, actor: OpsActor, variableName: string, given: string | undefined): OpsVariable {
    const missing = () => notFound('name', variableName);
    const probe = { accountSid: actor.accountSid, workspace_id: this.workspaceOf(actor, given, missing), name: variableName };
    const v = repo.findByUniqueKey('opsVariable', probe);
    if (!v) throw missing();
    return v;
  }

  create(actor: OpsActor, body: unknown) {
    const input = decode(VARIABLE_REQUESTS.create, body);
    const workspace = this.workspaceOf(actor, input.workspace_id, () => new ApiError('opsPermissionDenied', `Permission denied: a workspace-scoped caller creates variables only in its own workspace (${actor.workspaceId})`, [{ key: 'workspace_id' }]));
    return this.store.transaction((repo) => {
      const v: OpsVariable = { sid: newId('var'), accountSid: actor.accountSid, workspace_id: workspace, name: input.name, value: input.value, tags: input.tags ?? {}, created_at: actor.now, updated_at: actor.now };
      if (repo.findByUniqueKey('opsVariable', v)) throw new ApiError('opsNotUnique', `Tried to save duplicate unique key. (name = ${input.name})`, [{ key: 'name', value: input.name }]);
      repo.insert('opsVariable', v);
      return renderVariable(v);
    });
  }

  update(actor: OpsActor, body: unknown) {
    const input = decode(VARIABLE_REQUESTS.update, body);
    return this.store.transaction((repo) => {
      const v = this.variable(repo, actor, input.name, input.workspace_id);
      if (input.value !== undefined) v.value = input.value;
      if (input.tags !== undefined) v.tags = input.tags;
      v.updated_at = actor.now;
      repo.update('opsVariable', v);
      return renderVariable(v);
    });
  }

  delete(actor: OpsActor, body: unknown) {
    const input = decode(VARIABLE_REQUESTS.ref, body);
    return this.store.transaction((repo) => {
      repo.delete('opsVariable', this.variable(repo, actor, input.name, input.workspace_id).sid);
      return {};
    });
  }

  get(actor: OpsActor, body: unknown) {
    const input = decode(VARIABLE_REQUESTS.ref, body);
    return this.store.read((repo) => renderVariable(this.variable(repo, actor, input.name, input.workspace_id)));
  }

  list(actor: OpsActor, body: unknown) {
    const input = decode(VARIABLE_REQUESTS.list, body);
    const conditions: OpsCondition[] = [...workspaceConditions(actor, 'variable'), ...shortcutConditions(input, ['name', 'workspace_id'])];
    return listQuery(this.store, 'variable', actor, conditions, input.query, (v) => renderVariable(v as OpsVariable));
  }

  stat(actor: OpsActor, body: unknown) {
    return statQuery(this.store, 'variable', actor, body);
  }
}
