// The Opsflow face's engine entry point: categories, task types, tasks, comments and events, each request one
// store transaction (writes) or one read. Every task change and comment is also an opsflow event (stream
// `opsflow:<AccountSid>` of the shared log) with the before/after status and the updated fields. Status moves and
// their SLA fields are in statuses.ts; request decoding in requests.ts; wire shapes in render.ts.
import { ApiError } from '../core/errors.ts';
import type { EventRecord } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';
import { newSid } from '../core/sid.ts';
import {
  type OpsCategory,
  type OpsCollection,
  type OpsComment,
  type OpsCondition,
  type OpsPriority,
  type OpsScope,
  type OpsTask,
  type OpsTaskType,
  STATUS_TYPES,
  opsflowStream,
} from '../core/opsflowEntities.ts';
import type { Engine } from '../engine/engine.ts';
import { startCursorAtEnd } from '../engine/eventTail.ts';
import { newId } from './ids.ts';
import { decodeSearch, decodeStat, invalidQuery } from './queryDecode.ts';
import { iso, pick, renderCategory, renderComment, renderEvent, renderStatRow, renderTask, renderType } from './render.ts';
import { S, decode, mentionsOf, notFound } from './requests.ts';
import { defaultStatus, moveToStatus, normaliseStatuses, statusInfo, statusTypeOf } from './statuses.ts';
import { applyStages } from './statStages.ts';
import { checkTaskData, normaliseFields } from './taskFields.ts';

/** Who acts, in which workspace, when. `userId` is the bearer token's user or the credential's SID. A workspace-scoped caller
 *  (`workspaceId` set) sees only that workspace's tasks, comments and events, and reads (never writes) the
 *  domain's categories and task types, as SpaceONE's workspace roles; a domain-wide one (null) sees all and
 *  creates tasks in the default workspace. */
export interface OpsActor {
  accountSid: string;
  userId: string;
  workspaceId: string | null;
  now: number;
}

export const DEFAULT_WORKSPACE = 'workspace-default';

export const ROUTE_CURSOR = (workspaceSid: string) => `ops-routes:${workspaceSid}`;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class OpsflowService {
  private readonly store: Store;
  private readonly engine: Engine;
  private readonly onRouted: (workspaceSid: string) => void;

  constructor(store: Store, engine: Engine, onRouted: (workspaceSid: string) => void = () => undefined) {
    this.store = store;
    this.engine = engine;
    this.onRouted = onRouted;
  }

  // ---------------------------------------------------------------- lookups

  private category(repo: Repository, actor: { accountSid: string }, categoryId: string, live = true): OpsCategory {
    const c = repo.get('opsCategory', categoryId);
    if (!c || c.accountSid !== actor.accountSid || (live && c.state === 'DELETED')) throw notFound('category_id', categoryId);
    return c;
  }

  private taskType(repo: Repository, actor: { accountSid: string }, typeId: string): OpsTaskType {
    const t = repo.get('opsTaskType', typeId);
    if (!t || t.accountSid !== actor.accountSid) throw notFound('task_type_id', typeId);
    return t;
  }

  private task(repo: Repository, actor: OpsActor, taskId: string): OpsTask {
    const t = repo.opsGetTask(taskId);
    if (!t || t.domain_id !== actor.accountSid || !this.inScope(actor, t.workspace_id)) throw notFound('task_id', taskId);
    return t;
  }

  /** Whether an object of `workspaceId` is visible to the caller: another workspace's is answered exactly as a
   *  missing one (404), so a scoped caller learns nothing of it. */
  private inScope(actor: OpsActor, workspaceId: string | null | undefined): boolean {
    return actor.workspaceId === null || workspaceId === actor.workspaceId;
  }

  /** The conditions a workspace-scoped caller is held to, on every collection whose rows belong to a workspace
   *  (tasks, comments, events). Categories and task types belong to the domain (their Info has no workspace). */
  private workspaceConditions(actor: OpsActor, collection: OpsCollection = 'task'): OpsCondition[] {
    if (actor.workspaceId === null || collection === 'category' || collection === 'taskType') return [];
    return [{ key: 'workspace_id', operator: 'eq', value: actor.workspaceId }];
  }

  /** Categories and task types are the domain's: SpaceONE lets only domain admins change them. */
  private domainWrite(actor: OpsActor, what: string): void {
    if (actor.workspaceId !== null) throw new ApiError('opsPermissionDenied', `Permission denied: ${what} belong to the domain; change them without X-Workspace-Id (a domain-wide credential)`);
  }

  private record(repo: Repository, actor: OpsActor, task: OpsTask, type: string, description: string, additional: Record<string, unknown>): void {
    repo.appendEvent({
      sid: newSid('EV', actor.now),
      accountSid: actor.accountSid,
      workspaceSid: opsflowStream(actor.accountSid),
      eventType: `opsflow.${type.toLowerCase()}`,
      actorType: 'user',
      actorSid: actor.userId,
      resourceType: 'task',
      resourceSid: task.task_id,
      description,
      eventData: {
        event_id: newId('event'),
        event_type: type,
        name: task.name,
        created_type: actor.userId.startsWith('system:') ? 'SYSTEM' : 'USER',
        created_by: actor.userId,
        task_sid: task.task_id,
        workspace_id: task.workspace_id,
        project_id: task.project_id,
        additional_info: JSON.stringify({ ...additional, changed_by: actor.userId, changed_at: iso(actor.now) }),
      },
      dateMs: actor.now,
    });
  }

  // ---------------------------------------------------------------- categories

  createCategory(actor: OpsActor, body: unknown) {
    const input = decode(S.categoryCreate, body);
    this.domainWrite(actor, 'task categories');
    return this.store.transaction((repo) => {
      const c: OpsCategory = {
        sid: newId('tc'), accountSid: actor.accountSid, name: input.name, description: input.description ?? '', status_options: normaliseStatuses(input.status_options),
        fields: normaliseFields(input.fields ?? [], 'fields'), state: 'ENABLED', vars: input.vars ?? {}, tags: input.tags ?? {}, package_id: input.package_id ?? null,
        created_at: actor.now, updated_at: actor.now, deleted_at: null,
      };
      repo.insert('opsCategory', c);
      return renderCategory(c);
    });
  }

  /** Status ids still used by tasks of the category. */
  private usedStatuses(repo: Repository, actor: OpsActor, categoryId: string): Set<string> {
    const rows = repo.opsStat('task', { domainId: actor.accountSid, conditions: [{ key: 'category_id', operator: 'eq', value: categoryId }] }, { filter: [], filterOr: [], unwind: undefined, group: undefined, distinct: 'status_id', rowLimit: 10_000 });
    return new Set(rows.map((r) => String(r.value)));
  }

  updateCategory(actor: OpsActor, body: unknown) {
    const input = decode(S.categoryUpdate, body);
    this.domainWrite(actor, 'task categories');
    return this.store.transaction((repo) => {
      const c = this.category(repo, actor, input.category_id);
      if (input.status_options) {
        const next = normaliseStatuses(input.status_options);
        const kept = new Set(STATUS_TYPES.flatMap((t) => next[t].map((s) => s.status_id)));
        const used = this.usedStatuses(repo, actor, c.sid);
        const dropped = [...used].filter((s) => !kept.has(s));
        if (dropped.length && !input.force) throw new ApiError('opsResourceExists', `Tasks use the statuses ${dropped.join(', ')}, which the new status_options drop; pass force: true to drop them anyway`, [{ key: 'status_options' }]);
        for (const t of STATUS_TYPES) {
          for (const s of next[t]) {
            const was = statusTypeOf(c, s.status_id);
            if (was && was !== t && used.has(s.status_id)) throw new ApiError('opsInvalidParameter', `Status ${s.status_id} is in use and cannot move from ${was} to ${t}`, [{ key: 'status_options' }]);
          }
        }
        c.status_options = next;
      }
      if (input.name !== undefined) c.name = input.name;
      if (input.description !== undefined) c.description = input.description;
      if (input.vars !== undefined) c.vars = input.vars;
      if (input.tags !== undefined) c.tags = input.tags;
      if (input.package_id !== undefined) c.package_id = input.package_id;
      c.updated_at = actor.now;
      repo.update('opsCategory', c);
      return renderCategory(c);
    });
  }

  updateCategoryFields(actor: OpsActor, body: unknown) {
    const input = decode(S.categoryFields, body);
    this.domainWrite(actor, 'task categories');
    return this.store.transaction((repo) => {
      const c = this.category(repo, actor, input.category_id);
      c.fields = normaliseFields(input.fields, 'fields');
      c.updated_at = actor.now;
      repo.update('opsCategory', c);
      return renderCategory(c);
    });
  }

  /** Soft delete, as SpaceONE's: the category stays readable (state DELETED) and takes no new types or tasks. */
  deleteCategory(actor: OpsActor, body: unknown) {
    const input = decode(S.categoryRef, body);
    this.domainWrite(actor, 'task categories');
    return this.store.transaction((repo) => {
      const c = this.category(repo, actor, input.category_id);
      c.state = 'DELETED';
      c.deleted_at = actor.now;
      c.updated_at = actor.now;
      repo.update('opsCategory', c);
      return renderCategory(c);
    });
  }

  getCategory(actor: OpsActor, body: unknown) {
    const input = decode(S.categoryRef, body);
    return this.store.read((repo) => renderCategory(this.category(repo, actor, input.category_id, false)));
  }

  listCategories(actor: OpsActor, body: unknown) {
    const input = decode(S.categoryList, body);
    const conditions: OpsCondition[] = [];
    if (input.category_id) conditions.push({ key: 'category_id', operator: 'eq', value: input.category_id });
    if (input.name) conditions.push({ key: 'name', operator: 'eq', value: input.name });
    if (!input.include_deleted) conditions.push({ key: 'state', operator: 'eq', value: 'ENABLED' });
    return this.search('category', actor, conditions, input.query, (c) => renderCategory(c as OpsCategory));
  }

  // ---------------------------------------------------------------- task types

  private checkRouting(repo: Repository, actor: OpsActor, routing: OpsTaskType['routing']): void {
    if (!routing) return;
    const ws = repo.get('workspace', routing.workspace_sid);
    if (!ws || ws.accountSid !== actor.accountSid) throw notFound('routing.workspace_sid', routing.workspace_sid);
    const wf = repo.get('workflow', routing.workflow_sid);
    if (!wf || wf.workspaceSid !== ws.sid) throw notFound('routing.workflow_sid', routing.workflow_sid);
  }

  createTaskType(actor: OpsActor, body: unknown) {
    const input = decode(S.typeCreate, body);
    this.domainWrite(actor, 'task types');
    return this.store.transaction((repo) => {
      const category = this.category(repo, actor, input.category_id);
      const fields = normaliseFields(input.fields ?? [], 'fields');
      const clash = fields.find((f) => category.fields.some((c) => c.field_id === f.field_id));
      if (clash) throw new ApiError('opsInvalidParameter', `fields: field_id '${clash.field_id}' is already a field of the category`, [{ key: 'fields' }]);
      const routing = input.routing ?? null;
      this.checkRouting(repo, actor, routing);
      const t: OpsTaskType = {
        sid: newId('tt'), accountSid: actor.accountSid, category_id: category.sid, name: input.name, description: input.description ?? '', fields,
        assignee_pool: input.assignee_pool ?? [], require_project: input.require_project ?? false, routing, vars: input.vars ?? {}, tags: input.tags ?? {},
        created_at: actor.now, updated_at: actor.now,
      };
      repo.insert('opsTaskType', t);
      return renderType(t);
    });
  }

  updateTaskType(actor: OpsActor, body: unknown) {
    const input = decode(S.typeUpdate, body);
    this.domainWrite(actor, 'task types');
    return this.store.transaction((repo) => {
      const t = this.taskType(repo, actor, input.task_type_id);
      if (input.routing !== undefined) {
        this.checkRouting(repo, actor, input.routing);
        t.routing = input.routing;
      }
      if (input.name !== undefined) t.name = input.name;
      if (input.description !== undefined) t.description = input.description;
      if (input.assignee_pool !== undefined) t.assignee_pool = input.assignee_pool;
      if (input.require_project !== undefined) t.require_project = input.require_project;
      if (input.vars !== undefined) t.vars = input.vars;
      if (input.tags !== undefined) t.tags = input.tags;
      t.updated_at = actor.now;
      repo.update('opsTaskType', t);
      return renderType(t);
    });
  }

  updateTaskTypeFields(actor: OpsActor, body: unknown) {
    const input = decode(S.typeFields, body);
    this.domainWrite(actor, 'task types');
    return this.store.transaction((repo) => {
      const t = this.taskType(repo, actor, input.task_type_id);
      t.fields = normaliseFields(input.fields, 'fields');
      t.updated_at = actor.now;
      repo.update('opsTaskType', t);
      return renderType(t);
    });
  }

  /** Refused while tasks use the type, unless they move to `new_task_type_id` (of the same category). */
  deleteTaskType(actor: OpsActor, body: unknown) {
    const input = decode(S.typeDelete, body);
    this.domainWrite(actor, 'task types');
    return this.store.transaction((repo) => {
      const t = this.taskType(repo, actor, input.task_type_id);
      const scope: OpsScope = { domainId: actor.accountSid, conditions: [{ key: 'task_type_id', operator: 'eq', value: t.sid }] };
      const { results, total } = repo.opsSearch('task', scope, { filter: [], filterOr: [], sort: [], offset: 0, limit: undefined, keyword: undefined, countOnly: input.new_task_type_id === undefined });
      if (total > 0) {
        if (!input.new_task_type_id) throw new ApiError('opsResourceExists', `${total} task(s) use task type ${t.sid}; give new_task_type_id to move them`, [{ key: 'task_type_id' }]);
        const target = this.taskType(repo, actor, input.new_task_type_id);
        if (target.category_id !== t.category_id || target.sid === t.sid) throw new ApiError('opsInvalidParameter', 'new_task_type_id must be another task type of the same category', [{ key: 'new_task_type_id' }]);
        for (const task of results as OpsTask[]) repo.opsUpdateTask({ ...task, task_type_id: target.sid, updated_at: actor.now });
      }
      repo.delete('opsTaskType', t.sid);
      return {};
    });
  }

  getTaskType(actor: OpsActor, body: unknown) {
    const input = decode(S.typeGet, body);
    return this.store.read((repo) => {
      const t = this.taskType(repo, actor, input.task_type_id);
      return renderType(t, input.include_category_fields ? this.category(repo, actor, t.category_id, false).fields : undefined);
    });
  }

  listTaskTypes(actor: OpsActor, body: unknown) {
    const input = decode(S.typeList, body);
    const conditions: OpsCondition[] = [];
    if (input.task_type_id) conditions.push({ key: 'task_type_id', operator: 'eq', value: input.task_type_id });
    if (input.name) conditions.push({ key: 'name', operator: 'eq', value: input.name });
    if (input.category_id) conditions.push({ key: 'category_id', operator: 'eq', value: input.category_id });
    return this.search('taskType', actor, conditions, input.query, (t) => renderType(t as OpsTaskType));
  }

  // ---------------------------------------------------------------- tasks

  private checkAssignee(type: OpsTaskType, assignee: string | undefined): void {
    if (assignee !== undefined && type.assignee_pool.length && !type.assignee_pool.includes(assignee)) {
      throw new ApiError('opsInvalidParameter', `assignee '${assignee}' is not in the task type's assignee_pool (${type.assignee_pool.join(', ')})`, [{ key: 'assignee' }]);
    }
  }

  createTask(actor: OpsActor, body: unknown) {
    const input = decode(S.taskCreate, body);
    const taskId = newId('task');
    /** The task as it will be stored, checked against its type and category as they are in `repo`. */
    const build = (repo: Repository) => {
      const type = this.taskType(repo, actor, input.task_type_id);
      const category = this.category(repo, actor, type.category_id);
      if (type.require_project && !input.project_id) throw new ApiError('opsRequiredParameter', `Required parameter. (key = project_id): task type ${type.sid} requires a project`, [{ key: 'project_id' }]);
      this.checkAssignee(type, input.assignee);
      const data = input.data ?? {};
      checkTaskData([...category.fields, ...type.fields], data, true);
      const task: OpsTask = {
        task_id: taskId, domain_id: actor.accountSid, workspace_id: actor.workspaceId ?? DEFAULT_WORKSPACE, project_id: input.project_id ?? null, category_id: category.sid, task_type_id: type.sid,
        name: input.name, status_id: input.status_id, status_type: 'TODO', priority: (input.priority ?? 'MEDIUM') as OpsPriority, description: input.description ?? null,
        assignee: input.assignee ?? null, created_by: actor.userId, reference_id: input.reference_id ?? null, data, files: input.files ?? [], mentions: mentionsOf(input.mentions),
        created_at: actor.now, updated_at: actor.now, started_at: null, completed_at: null, started_duration: null, in_progress_duration: null, completed_duration: null,
      };
      moveToStatus(task, category, input.status_id, actor.now);
      return { task, category };
    };
    const write = (repo: Repository) => {
      const { task, category } = build(repo);
      repo.opsInsertTask(task);
      this.record(repo, actor, task, 'CREATED', `Task ${task.name} created`, { after_status: statusInfo(category, task.status_id) });
      return task;
    };
    // A type that routes through TaskRouter: the task and its TaskRouter task are created in one transaction
    // (or, on a node that does not route the workspace, the task and the request for it: Engine.createTaskFor).
    const routing = this.store.read((repo) => repo.get('opsTaskType', input.task_type_id));
    if (routing?.accountSid === actor.accountSid && routing.routing && input.assignee === undefined) {
      const r = routing.routing;
      const planned = this.store.read((repo) => build(repo).task);
      const attributes = { opsflow_task_id: planned.task_id, name: planned.name, priority: planned.priority, category_id: planned.category_id, task_type_id: planned.task_type_id, project_id: planned.project_id, ...planned.data };
      const created = this.engine.createTaskFor(
        { accountSid: actor.accountSid, now: actor.now },
        r.workspace_sid,
        { attributes: JSON.stringify(attributes), workflowSid: r.workflow_sid, ...(r.task_channel ? { taskChannel: r.task_channel } : {}) },
        (repo, trSid) => {
          const task = write(repo);
          startCursorAtEnd(repo, r.workspace_sid, ROUTE_CURSOR(r.workspace_sid));
          repo.insert('opsRoute', { sid: trSid, accountSid: actor.accountSid, workspaceSid: r.workspace_sid, task_id: task.task_id });
          return task;
        },
      );
      this.onRouted(r.workspace_sid);
      return renderTask(created);
    }
    return renderTask(this.store.transaction((repo) => write(repo)));
  }

  private updateWith(actor: OpsActor, taskId: string, change: (repo: Repository, task: OpsTask, category: OpsCategory, type: OpsTaskType) => { updated: { field: string; content: unknown }[]; type?: string; extra?: Record<string, unknown> }) {
    return this.store.transaction((repo) => {
      const task = this.task(repo, actor, taskId);
      const type = this.taskType(repo, actor, task.task_type_id);
      const category = this.category(repo, actor, task.category_id, false);
      const before = statusInfo(category, task.status_id);
      const { updated, type: eventType, extra } = change(repo, task, category, type);
      task.updated_at = actor.now;
      repo.opsUpdateTask(task);
      this.record(repo, actor, task, eventType ?? 'UPDATED', `Task ${task.name} ${eventType === 'CHANGE_STATUS' ? 'status changed' : 'updated'}`, {
        updated_data: updated.map((u) => ({ updated_field: u.field, updated_content: u.content })),
        ...(eventType === 'CHANGE_STATUS' ? { before_status: before, after_status: statusInfo(category, task.status_id) } : {}),
        ...extra,
      });
      return renderTask(task);
    });
  }

  updateTask(actor: OpsActor, body: unknown) {
    const input = decode(S.taskUpdate, body);
    return this.updateWith(actor, input.task_id, (_repo, task, category, type) => {
      const updated: { field: string; content: unknown }[] = [];
      if (input.name !== undefined) {
        task.name = input.name;
        updated.push({ field: 'name', content: input.name });
      }
      if (input.priority !== undefined) {
        task.priority = input.priority;
        updated.push({ field: 'priority', content: input.priority });
      }
      if (input.project_id !== undefined) {
        task.project_id = input.project_id;
        updated.push({ field: 'project_id', content: input.project_id });
      }
      if (input.data !== undefined) {
        const fields = [...category.fields, ...type.fields];
        checkTaskData(fields, input.data, false);
        task.data = Object.fromEntries(Object.entries({ ...task.data, ...input.data }).filter(([, v]) => v !== null));
        // Removing a value (null) must not leave a required field empty.
        checkTaskData(fields, task.data, true);
        for (const [k, v] of Object.entries(input.data)) updated.push({ field: `data.${k}`, content: v });
      }
      return { updated };
    });
  }

  updateDescription(actor: OpsActor, body: unknown) {
    const input = decode(S.taskDescription, body);
    return this.updateWith(actor, input.task_id, (_repo, task) => {
      task.description = input.description;
      if (input.files) task.files = input.files;
      if (input.mentions) task.mentions = mentionsOf(input.mentions);
      return { updated: [{ field: 'description', content: input.description }] };
    });
  }

  changeAssignee(actor: OpsActor, body: unknown) {
    const input = decode(S.taskAssignee, body);
    return this.updateWith(actor, input.task_id, (_repo, task, _category, type) => {
      this.checkAssignee(type, input.assignee);
      task.assignee = input.assignee;
      return { updated: [{ field: 'assignee', content: input.assignee }] };
    });
  }

  changeStatus(actor: OpsActor, body: unknown) {
    const input = decode(S.taskStatus, body);
    return this.updateWith(actor, input.task_id, (_repo, task, category, type) => {
      if (input.assignee !== undefined) {
        this.checkAssignee(type, input.assignee);
        task.assignee = input.assignee;
      }
      moveToStatus(task, category, input.status_id, actor.now);
      return { updated: [{ field: 'status_id', content: input.status_id }, ...(input.assignee !== undefined ? [{ field: 'assignee', content: input.assignee }] : [])], type: 'CHANGE_STATUS' };
    });
  }

  /** Applies what a routed TaskRouter task did: a worker accepted it (assignee, default IN_PROGRESS status) or it
   *  was completed (default COMPLETED status). Runs in the follower's transaction. */
  routedTaskEvent(repo: Repository, route: { accountSid: string; task_id: string }, what: { acceptedBy?: string; completed?: boolean }, now: number): void {
    const task = repo.opsGetTask(route.task_id);
    if (!task) return;
    const category = repo.get('opsCategory', task.category_id);
    if (!category) return;
    const actor: OpsActor = { accountSid: route.accountSid, userId: 'system:taskrouter', workspaceId: task.workspace_id, now };
    const before = statusInfo(category, task.status_id);
    const updated: { updated_field: string; updated_content: unknown }[] = [];
    if (what.acceptedBy) {
      task.assignee = what.acceptedBy;
      updated.push({ updated_field: 'assignee', updated_content: what.acceptedBy });
      if (task.status_type === 'TODO') moveToStatus(task, category, defaultStatus(category, 'IN_PROGRESS'), now);
    }
    if (what.completed && task.status_type !== 'COMPLETED') moveToStatus(task, category, defaultStatus(category, 'COMPLETED'), now);
    task.updated_at = now;
    repo.opsUpdateTask(task);
    const statusChanged = before.status_id !== task.status_id;
    if (statusChanged) updated.push({ updated_field: 'status_id', updated_content: task.status_id });
    this.record(repo, actor, task, statusChanged ? 'CHANGE_STATUS' : 'UPDATED', what.completed ? `Task ${task.name} completed in TaskRouter` : `Task ${task.name} accepted by ${what.acceptedBy}`, {
      updated_data: updated,
      ...(statusChanged ? { before_status: before, after_status: statusInfo(category, task.status_id) } : {}),
    });
  }

  deleteTask(actor: OpsActor, body: unknown) {
    const input = decode(S.taskRef, body);
    return this.store.transaction((repo) => {
      const task = this.task(repo, actor, input.task_id);
      repo.opsDeleteTask(task.task_id);
      repo.deleteWhere('opsComment', { task_id: task.task_id });
      this.record(repo, actor, task, 'DELETED', `Task ${task.name} deleted`, {});
      return {};
    });
  }

  getTask(actor: OpsActor, body: unknown) {
    const input = decode(S.taskRef, body);
    return this.store.read((repo) => renderTask(this.task(repo, actor, input.task_id)));
  }

  listTasks(actor: OpsActor, body: unknown) {
    const input = decode(S.taskList, body);
    const conditions: OpsCondition[] = this.workspaceConditions(actor);
    for (const key of ['task_id', 'name', 'status_id', 'status_type', 'priority', 'assignee', 'workspace_id', 'project_id', 'category_id', 'task_type_id'] as const) {
      const v = input[key];
      if (v !== undefined) conditions.push({ key, operator: 'eq', value: v });
    }
    return this.search('task', actor, conditions, input.query, (t) => renderTask(t as OpsTask));
  }

  // ---------------------------------------------------------------- comments and events

  createComment(actor: OpsActor, body: unknown) {
    const input = decode(S.commentCreate, body);
    return this.store.transaction((repo) => {
      const task = this.task(repo, actor, input.task_id);
      const c: OpsComment = { sid: newId('comment'), accountSid: actor.accountSid, task_id: task.task_id, workspace_id: task.workspace_id, project_id: task.project_id, comment: input.comment, comment_type: input.comment_type ?? 'COMMENT', is_edited: false, mentions: mentionsOf(input.mentions), created_by: actor.userId, created_at: actor.now, updated_at: actor.now };
      repo.insert('opsComment', c);
      this.record(repo, actor, task, 'COMMENTED', `Comment on ${task.name}`, { comment_id: c.sid, mentions: c.mentions });
      return renderComment(c);
    });
  }

  private comment(repo: Repository, actor: OpsActor, commentId: string): OpsComment {
    const c = repo.get('opsComment', commentId);
    if (!c || c.accountSid !== actor.accountSid || !this.inScope(actor, c.workspace_id)) throw notFound('comment_id', commentId);
    return c;
  }

  updateComment(actor: OpsActor, body: unknown) {
    const input = decode(S.commentUpdate, body);
    return this.store.transaction((repo) => {
      const c = this.comment(repo, actor, input.comment_id);
      c.comment = input.comment;
      if (input.mentions) c.mentions = mentionsOf(input.mentions);
      c.is_edited = true;
      c.updated_at = actor.now;
      repo.update('opsComment', c);
      return renderComment(c);
    });
  }

  deleteComment(actor: OpsActor, body: unknown) {
    const input = decode(S.commentRef, body);
    return this.store.transaction((repo) => {
      repo.delete('opsComment', this.comment(repo, actor, input.comment_id).sid);
      return {};
    });
  }

  getComment(actor: OpsActor, body: unknown) {
    const input = decode(S.commentRef, body);
    return this.store.read((repo) => renderComment(this.comment(repo, actor, input.comment_id)));
  }

  listComments(actor: OpsActor, body: unknown) {
    const input = decode(S.commentList, body);
    const conditions: OpsCondition[] = this.workspaceConditions(actor, 'comment');
    if (input.task_id) conditions.push({ key: 'task_id', operator: 'eq', value: input.task_id });
    if (input.comment_type) conditions.push({ key: 'comment_type', operator: 'eq', value: input.comment_type });
    if (input.user_id) conditions.push({ key: 'created_by', operator: 'eq', value: input.user_id });
    return this.search('comment', actor, conditions, input.query, (c) => renderComment(c as OpsComment));
  }

  listEvents(actor: OpsActor, body: unknown) {
    const input = decode(S.eventList, body);
    const conditions: OpsCondition[] = this.workspaceConditions(actor, 'event');
    if (input.task_id) conditions.push({ key: 'task_id', operator: 'eq', value: input.task_id });
    if (input.event_type) conditions.push({ key: 'event_type', operator: 'eq', value: input.event_type });
    return this.search('event', actor, conditions, input.query, (e) => renderEvent(e as EventRecord));
  }

  // ---------------------------------------------------------------- list and stat

  private search(collection: OpsCollection, actor: OpsActor, conditions: OpsCondition[], rawQuery: unknown, render: (doc: unknown) => Record<string, unknown>) {
    const q = decodeSearch(collection, rawQuery, actor.now);
    const { results, total } = this.store.read((repo) => repo.opsSearch(collection, { domainId: actor.accountSid, conditions }, q));
    if (q.countOnly) return { results: [], total_count: total };
    return { results: results.map((r) => pick(render(r), q.only)), total_count: total };
  }

  stat(collection: OpsCollection, actor: OpsActor, body: unknown) {
    const input = decode(S.stat, body);
    if (!isObject(input.query)) throw invalidQuery('query is required');
    const q = decodeStat(collection, input.query, actor.now);
    const rows = this.store.read((repo) => repo.opsStat(collection, { domainId: actor.accountSid, conditions: this.workspaceConditions(actor, collection) }, q.sql));
    if (q.sql.distinct) {
      const values = rows.map((r) => r.value);
      const page = q.page.limit === undefined ? values.slice(q.page.offset) : values.slice(q.page.offset, q.page.offset + q.page.limit);
      return { results: page, total_count: values.length };
    }
    const dateKeys = new Set(q.sql.group ? q.sql.group.keys.filter((k) => !k.dateFormat && k.key.endsWith('_at')).map((k) => k.name) : ['created_at', 'updated_at', 'started_at', 'completed_at', 'deleted_at']);
    const staged = applyStages(rows.map((r) => renderStatRow(r, dateKeys)), q.later);
    const page = q.page.limit === undefined ? staged.slice(q.page.offset) : staged.slice(q.page.offset, q.page.offset + q.page.limit);
    return { results: page, total_count: staged.length };
  }
}
