// `/api/eventhandlers` (EventHandlersApi): create, get (asAt), list (asAt, filter, paging), update, delete.
// Handlers are versioned like workers (resourceHistory.ts). Creating one starts the account's event cursors at
// the end of its logs, in the same transaction, so it handles what happens from then on; a schedule's first
// time is computed and stored (nextRunAt). The runner (eventHandlerRunner.ts) does the rest.
import { ApiError } from '../core/errors.ts';
import type { Repository, Store } from '../core/repository.ts';
import type { ResourceId, WfEventHandler } from '../core/workflowEntities.ts';
import { type EventHandlerInput, decodeCreateEventHandler, decodeUpdateEventHandler, eventHandlerRepresentation } from './eventHandlers.ts';
import { startHandlerCursors } from './eventHandlerRunner.ts';
import { recordResourceEvent, resourceAsAt, resourcesAsAt } from './resourceHistory.ts';
import { nextOccurrence } from './schedules.ts';
import { type Actor, bumpStamp, definitionVersionAt, newStamp } from './taskCommands.ts';
import { type ListQuery, filterSortPage, representationView } from './taskList.ts';
import { iso } from './taskRepresentation.ts';
import { deletedEntity } from './workflowService.ts';

function notFound(id: ResourceId, asAt?: number): ApiError {
  return new ApiError('workflowEventHandlerNotFound', `Event handler ${id.scope}/${id.code} was not found${asAt !== undefined ? ` as at ${iso(asAt)}` : ''}`, [{ scope: id.scope, code: id.code }]);
}

export class EventHandlerService {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** The task definition must exist (as at taskDefinitionAsAt); a schedule gets its first time. */
  private prepare(repo: Repository, actor: Actor, input: EventHandlerInput, previous: WfEventHandler | undefined) {
    try {
      definitionVersionAt(repo, actor.accountSid, input.taskDefinitionId, input.taskDefinitionAsAt ?? undefined);
    } catch (err) {
      if (err instanceof ApiError) throw new ApiError('workflowEventHandlerInvalid', `taskDefinitionId: ${err.message}`, [{ path: 'taskDefinitionId' }]);
      throw err;
    }
    const nextRunAt = input.status === 'Active' && input.scheduleMatchingPattern ? nextOccurrence(input.scheduleMatchingPattern, actor.now) : null;
    const activeSince = input.status === 'Active' && previous?.status !== 'Active' ? actor.now : (previous?.activeSince ?? actor.now);
    startHandlerCursors(repo, actor.accountSid);
    return { nextRunAt, activeSince };
  }

  create(actor: Actor, body: unknown, origin: string) {
    const { id, ...input } = decodeCreateEventHandler(body);
    return this.store.transaction((repo) => {
      if (repo.findByUniqueKey('wfEventHandler', { accountSid: actor.accountSid, scope: id.scope, code: id.code })) {
        throw new ApiError('workflowEventHandlerExists', `An event handler ${id.scope}/${id.code} already exists`, [{ scope: id.scope, code: id.code }]);
      }
      const h: WfEventHandler = { sid: crypto.randomUUID(), accountSid: actor.accountSid, scope: id.scope, code: id.code, ...input, version: newStamp(actor), ...this.prepare(repo, actor, input, undefined) };
      repo.insert('wfEventHandler', h);
      recordResourceEvent(repo, actor, 'eventHandler', 'created', h);
      return eventHandlerRepresentation(h, origin);
    });
  }

  update(actor: Actor, id: ResourceId, body: unknown, origin: string) {
    const input = decodeUpdateEventHandler(body);
    return this.store.transaction((repo) => {
      const current = repo.findByUniqueKey('wfEventHandler', { accountSid: actor.accountSid, scope: id.scope, code: id.code });
      if (!current) throw notFound(id);
      const h: WfEventHandler = { ...current, ...input, version: bumpStamp(current.version, actor), ...this.prepare(repo, actor, input, current) };
      repo.update('wfEventHandler', h);
      recordResourceEvent(repo, actor, 'eventHandler', 'updated', h);
      return eventHandlerRepresentation(h, origin);
    });
  }

  delete(actor: Actor, id: ResourceId, href: string) {
    return this.store.transaction((repo) => {
      const h = repo.findByUniqueKey('wfEventHandler', { accountSid: actor.accountSid, scope: id.scope, code: id.code });
      if (!h) throw notFound(id);
      repo.delete('wfEventHandler', h.sid);
      recordResourceEvent(repo, actor, 'eventHandler', 'deleted', { ...h, version: bumpStamp(h.version, actor) });
      return deletedEntity(href, actor.now);
    });
  }

  get(accountSid: string, id: ResourceId, asAt: number | undefined, origin: string) {
    return this.store.read((repo) => {
      const current = repo.findByUniqueKey('wfEventHandler', { accountSid, scope: id.scope, code: id.code });
      const h = asAt === undefined ? current : resourceAsAt(repo, accountSid, 'eventHandler', id, asAt, current);
      if (!h) throw notFound(id, asAt);
      return eventHandlerRepresentation(h, origin);
    });
  }

  list(accountSid: string, q: ListQuery, origin: string, currentUser: string) {
    return this.store.read((repo) => {
      const current = repo.findAll('wfEventHandler', { accountSid });
      const all = q.asAt === undefined ? current : resourcesAsAt(repo, accountSid, 'eventHandler', q.asAt, current);
      return filterSortPage(all.map((h) => eventHandlerRepresentation(h, origin)), q, representationView(currentUser));
    });
  }
}
