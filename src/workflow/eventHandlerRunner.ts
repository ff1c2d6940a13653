// Runs the Workflow face's event handlers (eventHandlers.ts describes what they see).
//
// Events: for every account with an active handler, the runner follows its logs (every TaskRouter workspace,
// `workflow:<AC>`, `opsflow:<AC>`) from a durable cursor per log (`wf-handlers:<log>`, engine/eventTail.ts).
// Each batch is handled in the transaction that moves the cursor past it, so whatever a handler does for an
// event (the task it creates, the tasks it triggers, its action log) is committed with the cursor: exactly
// once, also across restarts and crashes. A handler sees the events from when it became Active on; cursors of
// an account start at the end of its logs when its first handler is made, and a workspace made later is
// followed from its first event.
//
// Schedules: a handler with a schedule stores its next time (nextRunAt). The runner arms one timer for the
// earliest; when it is due, in one transaction, the handler acts once and nextRunAt moves to the next time
// after now. Missed runs: times that passed while the server was down (or the runner was behind) are not
// replayed one by one: the handler acts once, for the latest of them (its scheduled time is that time), then
// keeps its schedule. After a restart a due schedule acts at once; the others fire at their time.
//
// Each firing writes an action log (actionType `EventHandler`): what matched, the tasks created or triggered,
// or why it failed (a task definition gone, a guard not met). A refusal changes nothing else.
import type { EventRecord } from '../core/entities.ts';
import { ApiError } from '../core/errors.ts';
import type { Repository, Store } from '../core/repository.ts';
import { opsflowStream } from '../core/opsflowEntities.ts';
import { type WfEventHandler, type WfTask, WORKFLOW_STREAM_PREFIX, workflowStream } from '../core/workflowEntities.ts';
import { startCursorAtEnd, tailEvents } from '../engine/eventTail.ts';
import { CoalescedRun } from '../core/coalescedRun.ts';
import type { LogInterestPart } from '../core/logInterest.ts';
import { eventView } from './eventHandlers.ts';
import { evaluateFilter } from './filter/filterEvaluate.ts';
import { type FilterNode, parseFilter } from './filter/filterParser.ts';
import { nextOccurrence, occurrencesBetween, scheduledFieldValue } from './schedules.ts';
import { type Actor, appendLog, createTask, pinnedDefinition, updateTask } from './taskCommands.ts';
import { isTerminal } from './taskDefinition.ts';
import { representationResolver } from './taskList.ts';
import { cachedDefinitions, iso, representTask, taskPathResolver } from './taskRepresentation.ts';

export interface EventHandlerRunnerOptions {
  clock?: () => number;
  log?: (message: string) => void;
  /** Several nodes: whether this node runs the account-wide loops now. */
  active?: () => boolean;
}

const cursorOf = (stream: string) => `wf-handlers:${stream}`;
/** The request id of changes made by a handler; their events do not fire handlers. */
const HANDLER_REQUEST = 'eventhandler:';

/** The logs a handler of this account follows. */
function streamsOf(repo: Repository, accountSid: string): string[] {
  return [workflowStream(accountSid), opsflowStream(accountSid), ...repo.findAll('workspace', { accountSid }).map((w) => w.sid)];
}

/** Starts the account's cursors at the end of its logs (those without one); call when a handler is written. */
export function startHandlerCursors(repo: Repository, accountSid: string): void {
  for (const stream of streamsOf(repo, accountSid)) startCursorAtEnd(repo, stream, cursorOf(stream));
}

/** A path given as text (`body.task_sid`, `body.fields['amount']`) as segments. */
function segmentsOf(path: string): string[] {
  const node = parseFilter(`${path} exists`);
  return node.kind === 'exists' && node.operand.kind === 'path' ? node.operand.segments : [path];
}

export class EventHandlerRunner {
  private readonly store: Store;
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  private readonly active: () => boolean;
  private accounts = new Set<string>();
  /** Logs with events since the last pass (all logs on the first pass after a start or a handler change). */
  private dirty = new Set<string>();
  private everything = true;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly loop: CoalescedRun;
  private stopped = false;

  constructor(store: Store, options: EventHandlerRunnerOptions = {}) {
    this.store = store;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.active = options.active ?? (() => true);
    this.loop = new CoalescedRun(() => this.runDue(), (err) => this.log(`event handlers: ${err.message}`));
  }

  start(): void {
    this.refresh();
    this.unsubscribe = this.store.onCommit((events) => {
      let wake = false;
      for (const e of events) {
        if (e.eventType.startsWith('workflow.eventHandler.')) {
          this.refresh();
          this.everything = true;
          wake = true;
        } else if (this.accounts.has(e.accountSid)) {
          this.dirty.add(e.workspaceSid);
          wake = true;
        }
      }
      if (wake) this.wake();
    });
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.loop.idle();
  }

  private refresh(): void {
    void this.store
      .replaying(() => this.store.read((repo) => repo.findAll('wfEventHandler', { status: 'Active' })))
      .then((handlers) => {
        this.accounts = new Set(handlers.map((h) => h.accountSid));
      })
      .catch(() => undefined);
  }

  /** What this runner needs to hear of other nodes' commits (core/logInterest.ts): every event of the accounts
   *  with active handlers, and the Workflow streams, where handlers are created and changed. */
  logInterest(): LogInterestPart {
    return { streamPrefixes: [WORKFLOW_STREAM_PREFIX], accounts: this.accounts };
  }

  /** This node has just taken the account-wide loops over: look at every log again. */
  resume(): void {
    this.everything = true;
    this.refresh();
    this.wake();
  }

  /** Handles what is due now (after the commits so far are durable); coalesces calls made while running. */
  wake(): void {
    if (!this.stopped && this.active()) this.loop.wake();
  }

  /** Resolves once nothing is due or running (tests wait on it). */
  async idle(): Promise<void> {
    await this.loop.idle();
  }

  private async runDue(): Promise<void> {
    await this.store.durable();
    const everything = this.everything;
    const dirty = this.dirty;
    this.everything = false;
    this.dirty = new Set();
    const handlers = await this.store.replaying(() => this.store.read((repo) => repo.findAll('wfEventHandler', { status: 'Active' })));
    const byAccount = new Map<string, WfEventHandler[]>();
    for (const h of handlers) byAccount.set(h.accountSid, [...(byAccount.get(h.accountSid) ?? []), h]);
    for (const [accountSid, mine] of byAccount) {
      const listening = mine.filter((h) => h.eventMatchingPattern);
      if (!listening.length) continue;
      const filters = new Map<string, FilterNode | undefined>(listening.map((h) => [h.sid, h.eventMatchingPattern!.filter ? parseFilter(h.eventMatchingPattern!.filter) : undefined]));
      for (const stream of await this.store.replaying(() => this.store.read((repo) => streamsOf(repo, accountSid)))) {
        if (this.stopped) return;
        if (!everything && !dirty.has(stream)) continue;
        await tailEvents(this.store, stream, cursorOf(stream), [], (repo, e) => this.onEvent(repo, e, listening, filters));
      }
    }
    const now = this.clock();
    for (const h of handlers) if (h.nextRunAt !== null && h.nextRunAt <= now) await this.store.replaying(() => this.onSchedule(h.sid, now));
    await this.store.durable();
    await this.armTimer();
  }

  private async armTimer(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const next = (await this.store.replaying(() => this.store.read((repo) => repo.findAll('wfEventHandler', { status: 'Active' }))))
      .reduce<number | undefined>((m, h) => (h.nextRunAt !== null && (m === undefined || h.nextRunAt < m) ? h.nextRunAt : m), undefined);
    if (next === undefined) return;
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(0, next - this.clock()), 2 ** 31 - 1));
    this.timer.unref?.();
  }

  private onEvent(repo: Repository, e: EventRecord, handlers: WfEventHandler[], filters: Map<string, FilterNode | undefined>): void {
    if (typeof e.eventData.request_id === 'string' && e.eventData.request_id.startsWith(HANDLER_REQUEST)) return;
    const candidates = handlers.filter((h) => h.eventMatchingPattern!.eventType.toLowerCase() === e.eventType.toLowerCase() && h.activeSince <= e.dateMs);
    if (!candidates.length) return;
    const view = eventView(e);
    if (!view) return;
    for (const snapshot of candidates) {
      // The handler as stored now (it may have been changed or deleted since the pass began).
      const h = repo.get('wfEventHandler', snapshot.sid);
      if (!h || h.status !== 'Active' || !h.eventMatchingPattern) continue;
      const resolve = representationResolver(view, this.runAs(h, view));
      const filter = h.eventMatchingPattern.filter === snapshot.eventMatchingPattern?.filter ? filters.get(h.sid) : h.eventMatchingPattern.filter ? parseFilter(h.eventMatchingPattern.filter) : undefined;
      if (filter && !evaluateFilter(filter, resolve)) continue;
      this.act(repo, h, view, undefined, `Event ${e.sid} (${e.eventType}${view.workspaceSid ? ` in ${String(view.workspaceSid)}` : ''})`);
    }
  }

  /** A due schedule acts once (for the latest time that passed) and moves to its next time after now. */
  private onSchedule(sid: string, now: number): void {
    this.store.transaction((repo) => {
      const h = repo.get('wfEventHandler', sid);
      if (!h || h.status !== 'Active' || !h.scheduleMatchingPattern || h.nextRunAt === null || h.nextRunAt > now) return;
      const due = occurrencesBetween(h.scheduleMatchingPattern, h.nextRunAt, now);
      const at = due.at(-1) ?? h.nextRunAt;
      repo.update('wfEventHandler', { ...h, nextRunAt: nextOccurrence(h.scheduleMatchingPattern, now) });
      const view = { eventType: 'Schedule', eventId: `${h.scope}/${h.code}@${iso(at)}`, eventTime: iso(at), source: 'Schedule', body: { scheduledTime: iso(at), missedRuns: Math.max(0, due.length - 1) } };
      this.act(repo, h, view, at, `Schedule time ${iso(at)}${due.length > 1 ? ` (${due.length - 1} earlier missed time${due.length > 2 ? 's' : ''} not run)` : ''}`);
    });
  }

  private runAs(h: WfEventHandler, view: Record<string, unknown>): string {
    const from = h.runAsUserId.mapFrom !== undefined ? representationResolver(view, '')(segmentsOf(h.runAsUserId.mapFrom)) : h.runAsUserId.setTo;
    return typeof from === 'string' && from.length > 0 ? from : h.version.userIdCreated;
  }

  /** Does the handler's task activity for one event or schedule time, logging it; refusals are logged, and the
   *  writes of a refused step are not made (each command validates before it writes). */
  private act(repo: Repository, h: WfEventHandler, view: Record<string, unknown>, scheduledMs: number | undefined, what: string): void {
    const now = this.clock();
    const userId = this.runAs(h, view);
    const logId = crypto.randomUUID();
    const actor: Actor = { accountSid: h.accountSid, userId, requestId: `${HANDLER_REQUEST}${h.scope}/${h.code}:${logId}`, now };
    repo.insert('wfActionLog', {
      sid: logId,
      accountSid: h.accountSid,
      taskId: '',
      requestId: actor.requestId,
      actionType: 'EventHandler',
      runAsUserId: userId,
      loggedItems: [{ timestamp: now, logType: 'Matched', details: `Event handler ${h.scope}/${h.code}: ${what}` }],
    });
    const resolve = representationResolver(view, userId);
    const a = h.taskActivity;
    const fields: { name: string; value: unknown }[] = [];
    for (const [name, m] of Object.entries(a.taskFields ?? {})) {
      const v = m.mapFrom !== undefined ? resolve(segmentsOf(m.mapFrom)) : m.setTo;
      if (v !== undefined) fields.push({ name, value: v });
    }
    for (const [name, adj] of Object.entries(a.scheduleDependentTaskFields ?? {})) {
      if (scheduledMs !== undefined && h.scheduleMatchingPattern) fields.push({ name, value: scheduledFieldValue(adj, scheduledMs, h.scheduleMatchingPattern.context.timeZone) });
    }
    const correlationIds = (a.correlationIds ?? []).map((m) => (m.mapFrom !== undefined ? resolve(segmentsOf(m.mapFrom)) : m.setTo)).filter((v): v is string => typeof v === 'string' && v.length > 0).map(String);
    const outcome = (logType: string, details: string) => appendLog(repo, logId, now, logType, details);
    if (a.type === 'CreateNewTask') {
      try {
        const task = createTask(
          repo,
          actor,
          h.taskDefinitionId,
          { fields, ...(correlationIds.length ? { correlationIds } : {}) },
          { actionLogIdCreated: logId, ...(a.initialTrigger !== undefined ? { trigger: a.initialTrigger } : {}), ...(h.taskDefinitionAsAt !== null ? { definitionAsAt: h.taskDefinitionAsAt } : {}) },
        );
        outcome('TaskCreated', `Created task ${task.sid} in state '${task.state}'`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        outcome('Failed', `No task created: ${err.message}`);
      }
      return;
    }
    // UpdateMatchingTasks: the definition's open tasks that pass the filter (paths under `event.` read the
    // event) and, when correlation ids are mapped, share one of them.
    const filter = a.filter ? parseFilter(a.filter) : undefined;
    const ctx = { load: (id: string) => repo.get('wfTask', id), definition: cachedDefinitions(repo), now, origin: '' };
    const matches = (t: WfTask) => {
      if (isTerminal(pinnedDefinition(repo, t), t.state)) return false;
      if (correlationIds.length && !t.correlationIds.some((c) => correlationIds.includes(c))) return false;
      if (!filter) return true;
      let full: ((s: string[]) => unknown) | undefined;
      const task = taskPathResolver(t, userId, (s) => (full ??= representationResolver(representTask(t, ctx) as never, userId))(s));
      return evaluateFilter(filter, (s) => (s[0]?.toLowerCase() === 'event' ? resolve(s.slice(1)) : task(s)));
    };
    const tasks = repo.findAll('wfTask', { accountSid: h.accountSid, definitionKey: `${h.taskDefinitionId.scope}/${h.taskDefinitionId.code}` }).filter(matches);
    if (!tasks.length) outcome('NoMatchingTasks', `No open task of ${h.taskDefinitionId.scope}/${h.taskDefinitionId.code} matched`);
    for (const t of tasks) {
      try {
        const updated = updateTask(repo, actor, t.sid, { fields }, a.trigger, logId);
        outcome('TaskUpdated', `Trigger '${a.trigger}' moved task ${t.sid} to state '${updated.state}'`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        outcome('Failed', `Task ${t.sid}: ${err.message}`);
      }
    }
  }
}
