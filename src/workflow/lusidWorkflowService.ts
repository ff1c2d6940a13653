// LUSID Workflows (`/api/workflows`, WorkflowsApi): a named root task definition. Its structure is the graph of
// task definitions its actions create: nodes are the definitions reachable from the root through
// CreateChildTasks and RunWorker child task configurations, edges the parent/child pairs (each child with the
// taskDefinitionAsAt its configuration pins, null for "the current version"). The structure is computed when the
// workflow is read (now, or as at asAt), so it follows the definitions as they change. Workflows are versioned
// like workers (resourceHistory.ts).
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import type { Repository, Store } from '../core/repository.ts';
import type { ResourceId, WfDefinitionVersion, WfWorkflow } from '../core/workflowEntities.ts';
import { recordResourceEvent, resourceAsAt, resourcesAsAt } from './resourceHistory.ts';
import { type Actor, bumpStamp, definitionVersionAt, newStamp } from './taskCommands.ts';
import { resourceIdSchema, zodProblem } from './taskDefinition.ts';
import { type ListQuery, filterSortPage, representationView } from './taskList.ts';
import { iso, versionInfo } from './taskRepresentation.ts';
import { definitionRepresentation, deletedEntity } from './workflowService.ts';

const body = {
  displayName: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(256),
  description: z.string().max(1024).nullable().optional(),
  rootTaskDefinitionId: resourceIdSchema,
};
export const createSchema = z.object({ id: resourceIdSchema, ...body }, { error: 'must be a JSON object' });
export const updateSchema = z.object(body, { error: 'must be a JSON object' });

function notFound(id: ResourceId, asAt?: number): ApiError {
  return new ApiError('workflowWorkflowNotFound', `Workflow ${id.scope}/${id.code} was not found${asAt !== undefined ? ` as at ${iso(asAt)}` : ''}`, [{ scope: id.scope, code: id.code }]);
}

/** The child definitions one definition's actions create, with the version each configuration pins. */
function children(v: WfDefinitionVersion): { id: ResourceId; asAt: string | null }[] {
  const out: { id: ResourceId; asAt: string | null }[] = [];
  for (const a of v.document.actions) {
    const d = a.actionDetails;
    const configs = d.type === 'CreateChildTasks' || d.type === 'RunWorker' ? (d.childTaskConfigurations ?? []) : [];
    for (const c of configs) out.push({ id: { scope: c.taskDefinitionId.scope, code: c.taskDefinitionId.code }, asAt: c.taskDefinitionAsAt ?? null });
  }
  return out;
}

export class LusidWorkflowService {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  private rootExists(repo: Repository, accountSid: string, id: ResourceId): void {
    if (!repo.findByUniqueKey('wfDefinition', { accountSid, scope: id.scope, code: id.code })) {
      throw new ApiError('workflowValidation', `rootTaskDefinitionId: task definition ${id.scope}/${id.code} was not found`, [{ path: 'rootTaskDefinitionId' }]);
    }
  }

  private workflowAt(repo: Repository, accountSid: string, id: ResourceId, asAt: number | undefined): WfWorkflow {
    const current = repo.findByUniqueKey('wfWorkflow', { accountSid, scope: id.scope, code: id.code });
    const w = asAt === undefined ? current : resourceAsAt(repo, accountSid, 'workflow', id, asAt, current);
    if (!w) throw notFound(id, asAt);
    return w;
  }

  /** The workflow with its structure, the definitions read as at `asAt` (now when absent). */
  private represent(repo: Repository, w: WfWorkflow, asAt: number | undefined, origin: string) {
    const nodes: ReturnType<typeof definitionRepresentation>[] = [];
    const edges: { parent: { taskDefinitionId: ResourceId; taskDefinitionAsAt: string | null }; child: { taskDefinitionId: ResourceId; taskDefinitionAsAt: string | null } }[] = [];
    const seen = new Set<string>();
    const visit = (id: ResourceId, pinned: string | null): void => {
      const key = `${id.scope}/${id.code}@${pinned ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      let v: WfDefinitionVersion;
      try {
        const at = pinned !== null && !Number.isNaN(Date.parse(pinned)) ? Date.parse(pinned) : asAt;
        v = definitionVersionAt(repo, w.accountSid, id, at);
      } catch (err) {
        if (err instanceof ApiError) return; // a child definition not (yet) made: an edge without a node
        throw err;
      }
      nodes.push(definitionRepresentation(v, origin));
      for (const c of children(v)) {
        edges.push({ parent: { taskDefinitionId: id, taskDefinitionAsAt: pinned }, child: { taskDefinitionId: c.id, taskDefinitionAsAt: c.asAt } });
        visit(c.id, c.asAt);
      }
    };
    visit(w.rootTaskDefinitionId, null);
    return {
      id: { scope: w.scope, code: w.code },
      version: versionInfo(w.version),
      displayName: w.displayName,
      description: w.description,
      rootTaskDefinitionId: w.rootTaskDefinitionId,
      workflowStructure: { nodes: { taskDefinitions: nodes }, edges: { childTaskDefinitions: edges } },
      links: [{ relation: 'Self', href: `${origin}/api/workflows/${encodeURIComponent(w.scope)}/${encodeURIComponent(w.code)}`, method: 'GET' }],
    };
  }

  create(actor: Actor, input: unknown, origin: string) {
    const r = createSchema.safeParse(input);
    if (!r.success) throw zodProblem('workflowValidation', r.error);
    const { id } = r.data;
    return this.store.transaction((repo) => {
      if (repo.findByUniqueKey('wfWorkflow', { accountSid: actor.accountSid, scope: id.scope, code: id.code })) {
        throw new ApiError('workflowWorkflowExists', `A workflow ${id.scope}/${id.code} already exists`, [{ scope: id.scope, code: id.code }]);
      }
      this.rootExists(repo, actor.accountSid, r.data.rootTaskDefinitionId);
      const w: WfWorkflow = {
        sid: crypto.randomUUID(),
        accountSid: actor.accountSid,
        scope: id.scope,
        code: id.code,
        displayName: r.data.displayName,
        description: r.data.description ?? null,
        rootTaskDefinitionId: r.data.rootTaskDefinitionId,
        version: newStamp(actor),
      };
      repo.insert('wfWorkflow', w);
      recordResourceEvent(repo, actor, 'workflow', 'created', w);
      return this.represent(repo, w, undefined, origin);
    });
  }

  update(actor: Actor, id: ResourceId, input: unknown, origin: string) {
    const r = updateSchema.safeParse(input);
    if (!r.success) throw zodProblem('workflowValidation', r.error);
    return this.store.transaction((repo) => {
      const current = this.workflowAt(repo, actor.accountSid, id, undefined);
      this.rootExists(repo, actor.accountSid, r.data.rootTaskDefinitionId);
      const w: WfWorkflow = { ...current, displayName: r.data.displayName, description: r.data.description ?? null, rootTaskDefinitionId: r.data.rootTaskDefinitionId, version: bumpStamp(current.version, actor) };
      repo.update('wfWorkflow', w);
      recordResourceEvent(repo, actor, 'workflow', 'updated', w);
      return this.represent(repo, w, undefined, origin);
    });
  }

  delete(actor: Actor, id: ResourceId, href: string) {
    return this.store.transaction((repo) => {
      const w = this.workflowAt(repo, actor.accountSid, id, undefined);
      repo.delete('wfWorkflow', w.sid);
      recordResourceEvent(repo, actor, 'workflow', 'deleted', { ...w, version: bumpStamp(w.version, actor) });
      return deletedEntity(href, actor.now);
    });
  }

  get(accountSid: string, id: ResourceId, asAt: number | undefined, origin: string) {
    return this.store.read((repo) => this.represent(repo, this.workflowAt(repo, accountSid, id, asAt), asAt, origin));
  }

  list(accountSid: string, q: ListQuery, origin: string, currentUser: string) {
    return this.store.read((repo) => {
      const current = repo.findAll('wfWorkflow', { accountSid });
      const all = q.asAt === undefined ? current : resourcesAsAt(repo, accountSid, 'workflow', q.asAt, current);
      return filterSortPage(all.map((w) => this.represent(repo, w, q.asAt, origin)), q, representationView(currentUser));
    });
  }
}
