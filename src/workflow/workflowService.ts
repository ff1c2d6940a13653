// The Workflow face's engine entry point: every request of api/workflow becomes one call here, run in one
// store transaction (writes) or one read. After a write that queued actions the runner is woken; it runs them
// once the commit is durable.
import { z } from 'zod';
import { ApiError } from '../core/errors.ts';
import type { Repository, Store } from '../core/repository.ts';
import { type ResourceId, type WfDefinitionVersion, type WfTask, type WfWorker, workflowStream } from '../core/workflowEntities.ts';
import { newSid } from '../core/sid.ts';
import type { WorkflowActionRunner } from './actionRunner.ts';
import { type DefinitionLookups, decodeCreateDefinition, decodeUpdateDefinition, zodProblem } from './taskDefinition.ts';
import { type Actor, type TaskInput, bumpStamp, createTask, definitionVersionAt, deleteTask, newStamp, requireTask, taskNotFound, updateTask } from './taskCommands.ts';
import { type ChangeItem, taskAsAt, taskHistory, tasksAsAt } from './taskHistory.ts';
import { DEFAULT_LIMIT, type ListQuery, type ListView, compileFilter, filterSortPage, pageOffset, pageTokens, representationResolver, representationView, sortKeys } from './taskList.ts';
import { type RepresentationContext, type TaskRepresentation, cachedDefinitions, iso, representTask, taskPathResolver, versionInfo } from './taskRepresentation.ts';
import { decodeCreateWorker, decodeRunWorker, decodeUpdateWorker, workerConfigurationResponse, workerParameters, workerResultFields } from './workers.ts';
import { actionDetailsResponse } from './actionDetailsWire.ts';
import { recordResourceEvent, resourceAsAt, resourcesAsAt } from './resourceHistory.ts';

const taskInputShape = {
  correlationIds: z.array(z.string({ error: 'must be strings' })).max(100, { error: 'must have at most 100 entries' }).optional(),
  fields: z
    .array(z.object({ name: z.string({ error: 'must be a string' }).min(1).max(256), value: z.unknown() }, { error: 'must be {name, value} objects' }))
    .max(500)
    .optional(),
  stackingKey: z.string().max(1024).nullable().optional(),
};
export const createTaskSchema = z.object({ taskDefinitionId: z.object({ scope: z.string().min(1).max(64), code: z.string().min(1).max(64) }, { error: 'is required: {scope, code}' }), ...taskInputShape }, { error: 'must be a JSON object' });
export const updateTaskSchema = z.object(taskInputShape, { error: 'must be a JSON object' });
export const deleteTasksSchema = z.object({ taskIds: z.array(z.string().max(64)).min(1, { error: 'must list at least one id' }).max(1000) }, { error: 'must be a JSON object' });
export const batchSchema = z.object(
  {
    updateTasks: z
      .array(z.object({ taskId: z.string().max(64).optional(), taskInstanceId: z.string().max(64).optional(), triggerName: z.string().max(256).optional(), ...taskInputShape }))
      .min(1, { error: 'must list at least one update' })
      .max(1000),
  },
  { error: 'must be a JSON object' },
);

function decode<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw zodProblem('workflowValidation', r.error);
  return r.data;
}

/** A version's stamp carries the definition's creation (each version's stamp is its predecessor's, bumped).
 *  Actions are shown as LUSID's SDKs read them (RouteToWorkers as a RunWorker: actionDetailsWire.ts). */
export function definitionRepresentation(v: WfDefinitionVersion, origin: string) {
  return {
    id: { scope: v.scope, code: v.code },
    version: versionInfo(v.version),
    ...v.document,
    actions: v.document.actions.map((a) => ({ ...a, actionDetails: actionDetailsResponse(a.actionDetails) })),
    links: [{ relation: 'Self', href: `${origin}/api/taskdefinitions/${encodeURIComponent(v.scope)}/${encodeURIComponent(v.code)}`, method: 'GET' }],
  };
}

function workerRepresentation(w: WfWorker, origin: string) {
  return {
    id: { scope: w.scope, code: w.code },
    displayName: w.displayName,
    description: w.description,
    workerConfiguration: workerConfigurationResponse(w.workerConfiguration),
    version: versionInfo(w.version),
    parameters: workerParameters(w.workerConfiguration),
    resultFields: workerResultFields(w.workerConfiguration),
    links: [{ relation: 'Self', href: `${origin}/api/workers/${encodeURIComponent(w.scope)}/${encodeURIComponent(w.code)}`, method: 'GET' }],
  };
}

export function deletedEntity(href: string, asAt: number) {
  return { href, asAt: iso(asAt), links: [] as unknown[] };
}

export class WorkflowService {
  private readonly store: Store;
  private readonly runner: WorkflowActionRunner | undefined;

  constructor(store: Store, runner?: WorkflowActionRunner) {
    this.store = store;
    this.runner = runner;
  }

  private write<T>(work: (repo: Repository) => T): T {
    const result = this.store.transaction(work);
    this.runner?.wake();
    return result;
  }

  private lookups(repo: Repository, accountSid: string): DefinitionLookups {
    return {
      workerExists: (id) => repo.findByUniqueKey('wfWorker', { accountSid, scope: id.scope, code: id.code }) !== undefined,
      routingProblem: (wsSid, wwSid) => {
        const ws = repo.get('workspace', wsSid);
        if (!ws || ws.accountSid !== accountSid) return `workspace ${wsSid} was not found`;
        const wf = repo.get('workflow', wwSid);
        if (!wf || wf.workspaceSid !== wsSid) return `workflow ${wwSid} was not found in workspace ${wsSid}`;
        return null;
      },
    };
  }

  // ------------------------------------------------------------------ task definitions

  createDefinition(actor: Actor, body: unknown, origin: string) {
    return this.write((repo) => {
      const { id, document } = decodeCreateDefinition(body, this.lookups(repo, actor.accountSid));
      if (repo.findByUniqueKey('wfDefinition', { accountSid: actor.accountSid, scope: id.scope, code: id.code })) {
        throw new ApiError('workflowDefinitionExists', `A task definition ${id.scope}/${id.code} already exists`, [{ scope: id.scope, code: id.code }]);
      }
      const definitionSid = crypto.randomUUID();
      const version: WfDefinitionVersion = { sid: crypto.randomUUID(), accountSid: actor.accountSid, definitionSid, scope: id.scope, code: id.code, version: newStamp(actor), document };
      repo.insert('wfDefinitionVersion', version);
      repo.insert('wfDefinition', { sid: definitionSid, accountSid: actor.accountSid, scope: id.scope, code: id.code, currentVersionSid: version.sid, version: version.version });
      return definitionRepresentation(version, origin);
    });
  }

  updateDefinition(actor: Actor, id: ResourceId, body: unknown, origin: string) {
    return this.write((repo) => {
      const def = repo.findByUniqueKey('wfDefinition', { accountSid: actor.accountSid, scope: id.scope, code: id.code });
      if (!def) throw new ApiError('workflowDefinitionNotFound', `Task definition ${id.scope}/${id.code} was not found`, [{ scope: id.scope, code: id.code }]);
      const document = decodeUpdateDefinition(body, this.lookups(repo, actor.accountSid));
      const stamp = bumpStamp(def.version, actor);
      // A new version; tasks made with earlier ones keep them (they point at their version's row).
      const version: WfDefinitionVersion = { sid: crypto.randomUUID(), accountSid: actor.accountSid, definitionSid: def.sid, scope: id.scope, code: id.code, version: stamp, document };
      repo.insert('wfDefinitionVersion', version);
      repo.update('wfDefinition', { ...def, currentVersionSid: version.sid, version: stamp });
      return definitionRepresentation(version, origin);
    });
  }

  deleteDefinition(actor: Actor, id: ResourceId, href: string) {
    return this.write((repo) => {
      const def = repo.findByUniqueKey('wfDefinition', { accountSid: actor.accountSid, scope: id.scope, code: id.code });
      if (!def) throw new ApiError('workflowDefinitionNotFound', `Task definition ${id.scope}/${id.code} was not found`, [{ scope: id.scope, code: id.code }]);
      repo.delete('wfDefinition', def.sid);
      return deletedEntity(href, actor.now);
    });
  }

  getDefinition(accountSid: string, id: ResourceId, asAt: number | undefined, origin: string) {
    return this.store.read((repo) => {
      return definitionRepresentation(definitionVersionAt(repo, accountSid, id, asAt), origin);
    });
  }

  listDefinitions(accountSid: string, q: ListQuery, origin: string, currentUser: string) {
    return this.store.read((repo) => {
      const all = repo.findAll('wfDefinition', { accountSid }).map((d) => {
        return definitionRepresentation(definitionVersionAt(repo, accountSid, d, q.asAt), origin);
      });
      return filterSortPage(all, q, representationView(currentUser));
    });
  }

  definitionTasks(accountSid: string, id: ResourceId, q: ListQuery, origin: string, currentUser: string, now: number) {
    return this.store.read((repo) => {
      definitionVersionAt(repo, accountSid, id, q.asAt);
      if (q.asAt === undefined) return this.queryTasks(repo, accountSid, id, q, now, origin, currentUser);
      const tasks = tasksAsAt(repo, accountSid, q.asAt).filter((t) => t.scope === id.scope && t.code === id.code);
      return filterSortPage(tasks, q, this.taskView(repo, accountSid, tasks, q.asAt, now, origin, currentUser));
    });
  }

  /** A list of the current tasks: filtered, sorted and paged in SQL by the store; what SQL cannot express
   *  (a path only the representation has) is finished in memory on the candidates it narrowed down. */
  private queryTasks(repo: Repository, accountSid: string, definition: ResourceId | undefined, q: ListQuery, now: number, origin: string, currentUser: string) {
    const offset = pageOffset(q);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const page = repo.wfQueryTasks({
      accountSid,
      ...(definition ? { definition } : {}),
      ...(q.filter ? { filter: compileFilter(q.filter) } : {}),
      sort: sortKeys(q.sortBy ?? []),
      offset,
      limit,
      currentUser,
    });
    if (!page.complete) return filterSortPage(page.tasks, q, this.taskView(repo, accountSid, page.tasks, undefined, now, origin, currentUser));
    return { values: this.represent(repo, accountSid, page.tasks, undefined, now, origin), ...pageTokens(q, offset, page.hasMore) };
  }

  // ------------------------------------------------------------------ tasks

  private context(repo: Repository, accountSid: string, tasks: WfTask[], asAt: number | undefined, now: number, origin: string): RepresentationContext {
    const byId = new Map(tasks.map((t) => [t.sid, t]));
    const load = (id: string) => byId.get(id) ?? (asAt === undefined ? repo.get('wfTask', id) : taskAsAt(repo, accountSid, id, asAt));
    return { load, definition: cachedDefinitions(repo), now: asAt ?? now, origin };
  }

  private represent(repo: Repository, accountSid: string, tasks: WfTask[], asAt: number | undefined, now: number, origin: string): TaskRepresentation[] {
    const ctx = this.context(repo, accountSid, tasks, asAt, now, origin);
    return tasks.map((t) => representTask(t, ctx));
  }

  /** Lists of tasks filter and sort on the stored tasks and render only the page. */
  private taskView(repo: Repository, accountSid: string, tasks: WfTask[], asAt: number | undefined, now: number, origin: string, currentUser: string): ListView<WfTask, TaskRepresentation> {
    const ctx = this.context(repo, accountSid, tasks, asAt, now, origin);
    return {
      resolver: (t) => {
        let full: ((segments: string[]) => unknown) | undefined;
        return taskPathResolver(t, currentUser, (segments) => (full ??= representationResolver(representTask(t, ctx) as never, currentUser))(segments));
      },
      render: (t) => representTask(t, ctx),
    };
  }

  createTask(actor: Actor, body: unknown, trigger: string | undefined, origin: string) {
    const input = decode(createTaskSchema, body);
    return this.write((repo) => {
      const task = createTask(repo, actor, input.taskDefinitionId, input, trigger !== undefined ? { trigger } : {});
      return this.represent(repo, actor.accountSid, [task], undefined, actor.now, origin)[0]!;
    });
  }

  updateTask(actor: Actor, id: string, body: unknown, trigger: string | undefined, origin: string) {
    const input = decode(updateTaskSchema, body);
    return this.write((repo) => {
      const task = updateTask(repo, actor, id, input, trigger);
      return this.represent(repo, actor.accountSid, [task], undefined, actor.now, origin)[0]!;
    });
  }

  deleteTask(actor: Actor, id: string, href: string) {
    return this.write((repo) => {
      deleteTask(repo, actor, id);
      return deletedEntity(href, actor.now);
    });
  }

  /** `POST /api/tasks/$delete`: all or nothing — an unknown id refuses the whole request. */
  deleteTasks(actor: Actor, body: unknown, href: string) {
    const { taskIds } = decode(deleteTasksSchema, body);
    return this.write((repo) => {
      for (const id of new Set(taskIds)) deleteTask(repo, actor, id);
      return deletedEntity(href, actor.now);
    });
  }

  /** `PATCH /api/tasks/$update`: each item applied on its own; refusals are listed in `failed`. */
  batchUpdate(actor: Actor, body: unknown, origin: string) {
    const { updateTasks } = decode(batchSchema, body);
    return this.write((repo) => {
      const values: TaskRepresentation[] = [];
      const failed: { id: string; type: string; detail: string; errorDetails: Record<string, string>[] }[] = [];
      for (const item of updateTasks) {
        const id = item.taskId ?? item.taskInstanceId ?? '';
        const input: TaskInput = {
          ...(item.fields !== undefined ? { fields: item.fields } : {}),
          ...(item.correlationIds !== undefined ? { correlationIds: item.correlationIds } : {}),
          ...(item.stackingKey !== undefined ? { stackingKey: item.stackingKey } : {}),
        };
        try {
          if (!id) throw new ApiError('workflowValidation', 'Each update needs a taskId');
          // Validation happens before any write of the item, so a refused item leaves nothing behind.
          const task = updateTask(repo, actor, id, input, item.triggerName);
          values.push(this.represent(repo, actor.accountSid, [task], undefined, actor.now, origin)[0]!);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          failed.push({ id, type: (err as ApiError & { kind: string }).kind, detail: err.message, errorDetails: err.details });
        }
      }
      return { values, failed };
    });
  }

  getTask(accountSid: string, id: string, asAt: number | undefined, now: number, origin: string) {
    return this.store.read((repo) => {
      const task = asAt === undefined ? requireTask(repo, accountSid, id) : taskAsAt(repo, accountSid, id, asAt);
      if (!task) throw taskNotFound(id);
      return this.represent(repo, accountSid, [task], asAt, now, origin)[0]!;
    });
  }

  listTasks(accountSid: string, q: ListQuery, now: number, origin: string, currentUser: string) {
    if (q.filter) compileFilter(q.filter);
    return this.store.read((repo) => {
      if (q.asAt === undefined) return this.queryTasks(repo, accountSid, undefined, q, now, origin, currentUser);
      const tasks = tasksAsAt(repo, accountSid, q.asAt);
      return filterSortPage(tasks, q, this.taskView(repo, accountSid, tasks, q.asAt, now, origin, currentUser));
    });
  }

  history(accountSid: string, id: string, asAt: number): ChangeItem[] {
    return this.store.read((repo) => {
      const items = taskHistory(repo, accountSid, id, asAt);
      if (!items) throw taskNotFound(id);
      return items;
    });
  }

  // ------------------------------------------------------------------ workers and action logs

  private requireWorker(repo: Repository, accountSid: string, id: ResourceId): WfWorker {
    const w = repo.findByUniqueKey('wfWorker', { accountSid, scope: id.scope, code: id.code });
    if (!w) throw new ApiError('workflowWorkerNotFound', `Worker ${id.scope}/${id.code} was not found`, [{ scope: id.scope, code: id.code }]);
    return w;
  }

  createWorker(actor: Actor, body: unknown, origin: string) {
    const input = decodeCreateWorker(body);
    return this.write((repo) => {
      if (repo.findByUniqueKey('wfWorker', { accountSid: actor.accountSid, scope: input.id.scope, code: input.id.code })) {
        throw new ApiError('workflowWorkerExists', `A worker ${input.id.scope}/${input.id.code} already exists`, [{ scope: input.id.scope, code: input.id.code }]);
      }
      const w: WfWorker = { sid: crypto.randomUUID(), accountSid: actor.accountSid, scope: input.id.scope, code: input.id.code, displayName: input.displayName, description: input.description, workerConfiguration: input.workerConfiguration, version: newStamp(actor) };
      repo.insert('wfWorker', w);
      recordResourceEvent(repo, actor, 'worker', 'created', w);
      return workerRepresentation(w, origin);
    });
  }

  updateWorker(actor: Actor, id: ResourceId, body: unknown, origin: string) {
    const input = decodeUpdateWorker(body);
    return this.write((repo) => {
      const w = { ...this.requireWorker(repo, actor.accountSid, id), ...input };
      w.version = bumpStamp(w.version, actor);
      repo.update('wfWorker', w);
      recordResourceEvent(repo, actor, 'worker', 'updated', w);
      return workerRepresentation(w, origin);
    });
  }

  deleteWorker(actor: Actor, id: ResourceId, href: string) {
    return this.write((repo) => {
      const w = this.requireWorker(repo, actor.accountSid, id);
      repo.delete('wfWorker', w.sid);
      recordResourceEvent(repo, actor, 'worker', 'deleted', { ...w, version: bumpStamp(w.version, actor) });
      return deletedEntity(href, actor.now);
    });
  }

  /** The worker now, or as it was at `asAt` (workers are versioned like task definitions). */
  private workerAt(repo: Repository, accountSid: string, id: ResourceId, asAt: number | undefined): WfWorker {
    if (asAt === undefined) return this.requireWorker(repo, accountSid, id);
    const w = resourceAsAt(repo, accountSid, 'worker', id, asAt, repo.findByUniqueKey('wfWorker', { accountSid, scope: id.scope, code: id.code }));
    if (!w) throw new ApiError('workflowWorkerNotFound', `Worker ${id.scope}/${id.code} was not found as at ${iso(asAt)}`, [{ scope: id.scope, code: id.code }]);
    return w;
  }

  getWorker(accountSid: string, id: ResourceId, asAt: number | undefined, origin: string) {
    return this.store.read((repo) => workerRepresentation(this.workerAt(repo, accountSid, id, asAt), origin));
  }

  listWorkers(accountSid: string, q: ListQuery, origin: string, currentUser: string) {
    return this.store.read((repo) => {
      const current = repo.findAll('wfWorker', { accountSid });
      const workers = q.asAt === undefined ? current : resourcesAsAt(repo, accountSid, 'worker', q.asAt, current);
      return filterSortPage(workers.map((w) => workerRepresentation(w, origin)), q, representationView(currentUser));
    });
  }

  /** `POST /api/workers/{scope}/{code}/$run`: runs the worker (as it was at asAt) outside any task. The run is
   *  a pending action like a task's RunWorker (durable; it survives a restart); its id is its action log's. */
  runWorker(actor: Actor, id: ResourceId, asAt: number | undefined, body: unknown) {
    const input = decodeRunWorker(body);
    return this.write((repo) => {
      const worker = this.workerAt(repo, actor.accountSid, id, asAt);
      const known = workerParameters(worker.workerConfiguration);
      for (const name of Object.keys(input.parameters)) {
        if (!known.some((k) => k.name === name)) {
          throw new ApiError('workflowValidation', `Worker ${id.scope}/${id.code} has no parameter '${name}'${known.length ? ` (parameters: ${known.map((k) => k.name).join(', ')})` : ''}`, [{ parameter: name }]);
        }
      }
      for (const k of known) {
        if (k.required && input.parameters[k.name] === undefined) throw new ApiError('workflowValidation', `Worker parameter '${k.name}' is required`, [{ parameter: k.name }]);
      }
      const runId = crypto.randomUUID();
      repo.insert('wfActionLog', {
        sid: runId,
        accountSid: actor.accountSid,
        taskId: '',
        requestId: actor.requestId,
        actionType: 'RunWorker',
        runAsUserId: null,
        loggedItems: [{ timestamp: actor.now, logType: 'Submitted', details: `Run of worker ${id.scope}/${id.code} submitted` }],
        run: { workerStatus: 'Running', results: [], statusDetail: null },
      });
      repo.insert('wfPendingAction', {
        sid: crypto.randomUUID(),
        accountSid: actor.accountSid,
        taskId: '',
        actionLogId: runId,
        details: { type: 'RunWorker', workerId: { scope: id.scope, code: id.code }, ...(asAt !== undefined ? { workerAsAt: iso(asAt) } : {}), ...(input.workerTimeout !== undefined ? { workerTimeout: input.workerTimeout } : {}) },
        userId: actor.userId,
        runAt: actor.now,
        phase: 'submitted',
        parameters: input.parameters,
        attempts: 0,
        standalone: true,
        workerConfiguration: worker.workerConfiguration,
      });
      // In the workflow log: the audit trail, and what wakes the runner on whichever node runs it.
      repo.appendEvent({
        sid: newSid('EV', actor.now),
        accountSid: actor.accountSid,
        workspaceSid: workflowStream(actor.accountSid),
        eventType: 'workflow.worker.run',
        actorType: 'user',
        actorSid: actor.userId,
        resourceType: 'workerRun',
        resourceSid: runId,
        description: `Run ${runId} of worker ${id.scope}/${id.code} submitted`,
        eventData: { task_sid: runId, user_id: actor.userId, request_id: actor.requestId },
        dateMs: actor.now,
      });
      return { runId, statusDetail: null };
    });
  }

  /** `GET /api/workers/{runId}/$result`: Running until the run ends, then its status and results. */
  workerResult(accountSid: string, runId: string) {
    return this.store.read((repo) => {
      const log = repo.get('wfActionLog', runId);
      if (!log || log.accountSid !== accountSid || !log.run) throw new ApiError('workflowWorkerRunNotFound', `Worker run ${runId} was not found`, [{ runId }]);
      return { workerStatus: log.run.workerStatus, results: log.run.results, statusDetail: log.run.statusDetail };
    });
  }

  getActionLog(accountSid: string, id: string) {
    return this.store.read((repo) => {
      const log = repo.get('wfActionLog', id);
      if (!log || log.accountSid !== accountSid) throw new ApiError('workflowActionLogNotFound', `Action log ${id} was not found`, [{ id }]);
      return {
        id: log.sid,
        origin: { taskId: log.taskId || null, requestId: log.requestId },
        actionType: log.actionType,
        runAsUserId: log.runAsUserId,
        loggedItems: log.loggedItems.map((i) => ({ timestamp: iso(i.timestamp), logType: i.logType, details: i.details })),
      };
    });
  }
}
