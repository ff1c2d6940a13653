// Webhook delivery. The durable event log is the outbox: for each workspace a cursor (stored in the same
// database) records the last event handled, and delivery tails the log from it, so a callback is owed exactly
// when its event was committed, survives any restart, and is sent at least once (a crash between sending and
// moving the cursor sends it again; the I-Twilio-Idempotency-Token header is the event SID for receivers to
// drop the repeat).
//   Event callbacks: every event of a workspace with an EventCallbackUrl (filtered by EventsFilter), in log
//   order, one at a time: a failure (network error, timeout, non-2xx) is retried with exponential backoff and
//   nothing after it is sent before it succeeds.
//   Assignment callbacks: each reservation.created whose reservation is still pending and whose workflow has an
//   AssignmentCallbackUrl; 5 s to answer, then the fallback URL; a JSON instruction in the answer is applied
//   as the REST API would apply it; no answer or no instruction leaves the reservation pending.
// Both are signed with X-Twilio-Signature (the account's auth token, opened from its sealed form just before
// sending). Routing never waits for a receiver.
import type { EventRecord } from '../core/entities.ts';
import type { Repository, Store } from '../core/repository.ts';
import type { Engine } from '../engine/engine.ts';
import type { SecretBox } from '../auth/secretBox.ts';
import { assignmentInstruction } from './assignmentInstruction.ts';
import { assignmentCallbackParams, eventCallbackParams } from './callbackParams.ts';
import { twilioSignature } from './signature.ts';
import { CallbackClient } from './callbackClient.ts';

export interface DispatcherOptions {
  clock?: () => number;
  /** First retry delay; doubles per failure up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  eventTimeoutMs?: number;
  assignmentTimeoutMs?: number;
  log?: (message: string) => void;
  /** Metrics: each webhook request's kind and outcome, and for a delivery the time since its event's commit. */
  observe?: (kind: 'event' | 'assignment', delivered: boolean, lagSeconds: number) => void;
}

type Kind = 'event' | 'assignment';

interface Loop {
  running: boolean;
  again: boolean;
  failures: number;
  retry: NodeJS.Timeout | undefined;
}

const BATCH = 100;
const MAX_ANSWER_BYTES = 64 * 1024;

export class WebhookDispatcher {
  private readonly loops = new Map<string, Loop>();
  /** Event-callback cursors known not to be stored, of existing workspaces without a receiver: most workspaces
   *  have none, and their loop runs after every commit; this spares it reading the cursor each time. Only this
   *  node (routing the workspace) writes the cursor; a workspace adopted from another node is read again. */
  private readonly noCursor = new Set<string>();
  private readonly clock: () => number;
  private readonly opts: Required<Omit<DispatcherOptions, 'clock'>>;
  private unsubscribe: (() => void) | undefined;
  private unadopt: (() => void) | undefined;
  private stopped = false;
  /** Sends the webhooks; closing it ends the requests in flight when the dispatcher stops (they are re-sent
   *  after a restart). */
  private readonly client = new CallbackClient(MAX_ANSWER_BYTES);
  private readonly inFlight = new Set<Promise<void>>();

  private readonly store: Store;
  private readonly engine: Engine;
  private readonly secrets: SecretBox;

  constructor(store: Store, engine: Engine, secrets: SecretBox, options: DispatcherOptions = {}) {
    this.store = store;
    this.engine = engine;
    this.secrets = secrets;
    this.clock = options.clock ?? Date.now;
    this.opts = {
      retryBaseMs: options.retryBaseMs ?? 1000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      eventTimeoutMs: options.eventTimeoutMs ?? 15_000,
      assignmentTimeoutMs: options.assignmentTimeoutMs ?? 5_000,
      log: options.log ?? (() => undefined),
      observe: options.observe ?? (() => undefined),
    };
  }

  start(): void {
    this.unsubscribe = this.store.onCommit((events) => {
      const workspaces = new Map<string, boolean>();
      for (const e of events) {
        // Other faces' log streams (workflow:AC...) have no TaskRouter callbacks.
        if (!e.workspaceSid.startsWith('WS')) continue;
        workspaces.set(e.workspaceSid, (workspaces.get(e.workspaceSid) ?? false) || e.eventType === 'reservation.created');
      }
      for (const [ws, reserved] of workspaces) {
        this.wake(ws, 'event');
        if (reserved) this.wake(ws, 'assignment');
      }
    });
    // Resume what a previous run left undelivered.
    void this.store
      .replaying(() =>
        this.store.read((repo) => ({
          withEvents: repo.findAll('workspace', {}).filter((w) => w.eventCallbackUrl),
          withAssignments: [...new Set(repo.findAll('workflow', {}).filter((w) => w.assignmentCallbackUrl || w.fallbackAssignmentCallbackUrl).map((w) => w.workspaceSid))],
        })),
      )
      .then(({ withEvents, withAssignments }) => {
        for (const ws of withEvents) this.wake(ws.sid, 'event');
        for (const ws of withAssignments) this.wake(ws, 'assignment');
      })
      .catch((err: Error) => this.opts.log(`resuming callbacks failed: ${err.message}`));
    // Several nodes: the node that takes a workspace over resumes its callbacks from the stored cursors.
    this.unadopt = this.engine.onAdopt((ws) => {
      this.noCursor.delete(`event-callback:${ws}`);
      this.wake(ws, 'event');
      this.wake(ws, 'assignment');
    });
  }

  /** Stops tailing and waits for the deliveries in flight (their cursors are saved). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.client.close();
    this.unsubscribe?.();
    this.unadopt?.();
    for (const loop of this.loops.values()) clearTimeout(loop.retry);
    await Promise.allSettled([...this.inFlight]);
  }

  private wake(workspaceSid: string, kind: Kind): void {
    // Only the node routing a workspace delivers its callbacks (once, from its cursors).
    if (this.stopped || !this.engine.owns(workspaceSid)) return;
    const key = `${kind}-callback:${workspaceSid}`;
    let loop = this.loops.get(key);
    if (!loop) {
      loop = { running: false, again: false, failures: 0, retry: undefined };
      this.loops.set(key, loop);
    }
    if (loop.retry) return; // backing off: the retry timer resumes it
    if (loop.running) {
      loop.again = true;
      return;
    }
    loop.running = true;
    const run = (kind === 'event' ? this.deliverEvents(workspaceSid, key, loop) : this.deliverAssignments(workspaceSid, key, loop))
      .catch((err: Error) => this.opts.log(`callback loop ${key} failed: ${err.message}`))
      .finally(() => {
        this.inFlight.delete(run);
        loop.running = false;
        if (loop.again && !loop.retry) {
          loop.again = false;
          this.wake(workspaceSid, kind);
        } else if (!loop.retry && loop.failures === 0 && this.loops.get(key) === loop) {
          // Idle and owing nothing: forget it (the cursor is in the store), so this map holds only the loops
          // running or backing off, not every workspace this node ever delivered for.
          this.loops.delete(key);
        }
      });
    this.inFlight.add(run);
  }

  private async saveCursor(key: string, position: number): Promise<void> {
    this.noCursor.delete(key);
    await this.store.replaying(() => this.store.transaction((repo) => repo.setCursor(key, position)));
  }

  private backOff(workspaceSid: string, kind: Kind, loop: Loop): void {
    const delay = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** loop.failures);
    loop.failures++;
    loop.retry = setTimeout(() => {
      loop.retry = undefined;
      this.wake(workspaceSid, kind);
    }, delay);
    loop.retry.unref();
  }

  private async deliverEvents(workspaceSid: string, key: string, loop: Loop): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const job = await this.store.replaying(() => this.store.read((repo) => {
        const ws = repo.get('workspace', workspaceSid);
        if (!ws?.eventCallbackUrl) return { url: null, exists: ws !== undefined, hasCursor: !this.noCursor.has(key) && repo.getCursor(key) !== undefined };
        // The first time: deliver from the change that configured the callback on.
        const cursor = repo.getCursor(key) ?? Math.max(0, repo.lastEventPosition(ws.sid, ['workspace.created', 'workspace.updated']) - 1);
        const authToken = this.authToken(repo, ws.accountSid);
        const filter = ws.eventsFilter ? new Set(ws.eventsFilter.split(',').map((t) => t.trim()).filter(Boolean)) : null;
        return { url: ws.eventCallbackUrl, cursor, batch: repo.eventsAfter(ws.sid, cursor, BATCH), authToken, filter };
      }));
      // The read may include writes of the commit group still open: send nothing before they are durable.
      await this.store.durable();
      if (job.url === null) {
        // No receiver (or no workspace): nothing is owed for these events, now or later. Forgetting the cursor
        // makes a receiver configured later start from the change that configures it.
        if (job.hasCursor) await this.store.replaying(() => this.store.transaction((repo) => repo.deleteCursor(key)));
        if (job.exists) this.noCursor.add(key);
        else this.noCursor.delete(key);
        return;
      }
      let cursor = job.cursor;
      for (const { position, event } of job.batch) {
        if (!job.filter || job.filter.has(event.eventType)) {
          const ok = await this.post(job.url, eventCallbackParams(event), job.authToken, this.opts.eventTimeoutMs, event.sid);
          if (!this.stopped) this.opts.observe('event', ok.delivered, (this.clock() - event.dateMs) / 1000);
          if (!ok.delivered) {
            if (this.stopped) return;
            await this.saveCursor(key, cursor);
            this.opts.log(`event callback ${event.eventType} ${event.sid} to ${job.url} failed (${ok.error}); retrying`);
            this.backOff(workspaceSid, 'event', loop);
            return;
          }
        }
        cursor = position;
      }
      loop.failures = 0;
      await this.saveCursor(key, cursor);
      if (job.batch.length < BATCH) return;
    }
  }

  private async deliverAssignments(workspaceSid: string, key: string, loop: Loop): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const batch = await this.store.replaying(() => this.store.read((repo) => {
        // Most workspaces have no assignment callback: then nothing is read and nothing is written per event.
        if (!repo.findAll('workflow', { workspaceSid }).some((w) => w.assignmentCallbackUrl || w.fallbackAssignmentCallbackUrl)) return undefined;
        const cursor = repo.getCursor(key) ?? 0;
        return { cursor, items: repo.eventsAfter(workspaceSid, cursor, BATCH, ['reservation.created']) };
      }));
      if (!batch) return;
      await this.store.durable();
      let saved = batch.cursor;
      for (const { position, event } of batch.items) {
        // Saved after each callback made (a crash re-sends only the one in flight, if still pending); events
        // that owed nothing only move the cursor once, at the end of the batch.
        const called = await this.assign(event);
        if (this.stopped) return;
        if (called) {
          await this.saveCursor(key, position);
          saved = position;
        }
      }
      const last = batch.items.at(-1)?.position;
      if (last !== undefined && last !== saved) await this.saveCursor(key, last);
      loop.failures = 0;
      if (batch.items.length < BATCH) return;
    }
  }

  /** The key callbacks to this account are signed with (an account deleted meanwhile: nothing to sign with). */
  private authToken(repo: Repository, accountSid: string): string {
    const account = repo.get('account', accountSid);
    return account ? this.secrets.authTokenOf(account) : '';
  }

  /** One assignment callback: still owed only while the reservation is pending. */
  private async assign(event: EventRecord): Promise<boolean> {
    const now = this.clock();
    const job = await this.store.replaying(() => this.store.read((repo: Repository) => {
      const r = repo.get('reservation', event.resourceSid);
      if (!r || r.reservationStatus !== 'pending') return undefined;
      const task = repo.get('task', r.taskSid);
      const wf = task?.workflowSid ? repo.get('workflow', task.workflowSid) : undefined;
      if (!task || !wf || (!wf.assignmentCallbackUrl && !wf.fallbackAssignmentCallbackUrl)) return undefined;
      return {
        reservation: r,
        urls: [wf.assignmentCallbackUrl, wf.fallbackAssignmentCallbackUrl].filter((u): u is string => !!u),
        params: assignmentCallbackParams(r, task, repo.get('worker', r.workerSid), now),
        authToken: this.authToken(repo, r.accountSid),
      };
    }));
    if (!job) return false;
    for (const url of job.urls) {
      const answer = await this.post(url, job.params, job.authToken, this.opts.assignmentTimeoutMs, event.sid);
      if (!this.stopped) this.opts.observe('assignment', answer.delivered, (this.clock() - event.dateMs) / 1000);
      if (!answer.delivered) {
        if (this.stopped) return false; // aborted by stop(): owed again after the restart
        this.opts.log(`assignment callback for ${job.reservation.sid} to ${url} failed (${answer.error})`);
        continue;
      }
      const input = assignmentInstruction(answer.body);
      if (input) {
        try {
          await this.store.replaying(() =>
            this.engine.run({ accountSid: job.reservation.accountSid, now: this.clock() }, job.reservation.workspaceSid, (repo, router) => {
              const current = repo.get('reservation', job.reservation.sid);
              if (current) router.updateReservation(current, input, this.clock());
            }),
          );
        } catch (err) {
          this.opts.log(`assignment instruction for ${job.reservation.sid} not applied: ${(err as Error).message}`);
        }
      }
      return true;
    }
    return true;
  }

  private async post(
    url: string,
    params: Record<string, string>,
    authToken: string,
    timeoutMs: number,
    idempotencyToken: string,
  ): Promise<{ delivered: true; body: string } | { delivered: false; error: string }> {
    const answer = await this.client.post(
      url,
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(authToken, url, params),
        'i-twilio-idempotency-token': idempotencyToken,
        'user-agent': 'Switchboard/1.0 (TaskRouter callbacks)',
      },
      new URLSearchParams(params).toString(),
      timeoutMs,
    );
    if (!answer.ok) return { delivered: false as const, error: answer.error };
    if (answer.status < 200 || answer.status >= 300) return { delivered: false as const, error: `HTTP ${answer.status}` };
    return { delivered: true as const, body: answer.body };
  }
}
