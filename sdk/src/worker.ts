// Twilio.TaskRouter.Worker(token, debug, connectActivitySid, disconnectActivitySid, closeExistingSessions,
// region, maxRetries, apiBaseUrl, eventBridgeBaseUrl): an agent's connection. Emits ready, activity.update,
// attributes.update, capacity.update, reservation.{created, accepted, rejected, timeout, canceled, rescinded,
// completed, wrapup}, task.* for tasks it holds, token.expired, connected, disconnected, error.
// Reservation events arrive as a task with `reservation_sid`; the reservation is fetched and handed to the
// listener with its `task`, in the order the events were committed.
import type { Channel, Params } from './channel.ts';
import { ChannelClient } from './client.ts';
import { apiParams, camelize, ListPage, ListResource, Resource, settle, type Callback } from './resources.ts';

/** A task as the worker sees it, with complete/wrapUp (callback first, as taskrouter.js has them). */
export class Task extends Resource {
  complete(callback?: Callback<Task>, reason?: string): Promise<this> {
    return this.update({ AssignmentStatus: 'completed', ...(reason ? { Reason: reason } : {}) }, typeof callback === 'function' ? callback : undefined);
  }

  wrapUp(callback?: Callback<Task>, reason?: string): Promise<this> {
    return this.update({ AssignmentStatus: 'wrapping', ...(reason ? { Reason: reason } : {}) }, typeof callback === 'function' ? callback : undefined);
  }
}

/** Splits `(a, b, …, cb, options?)` into named parameters and the callback. */
function positional(args: unknown[], names: string[]): [Params, Callback<any> | undefined] {
  const params: Params = {};
  let callback: Callback<any> | undefined;
  let i = 0;
  for (const value of args) {
    if (typeof value === 'function') callback = value as Callback<any>;
    else if (callback && value && typeof value === 'object') Object.assign(params, value); // trailing options
    else if (i < names.length) params[names[i++]!] = value ?? undefined;
  }
  return [params, callback];
}

/** A worker's reservations: each item is a Reservation with its task (fetched, as taskrouter.js does). */
class ReservationList extends ListResource {
  private readonly reservation: (sid: string) => Promise<Reservation>;
  constructor(channel: Channel, path: string, reservation: (sid: string) => Promise<Reservation>) {
    super(channel, path);
    this.reservation = reservation;
  }

  protected async items(payload: { meta?: { key?: string }; [key: string]: unknown }): Promise<unknown[]> {
    const rows = (Array.isArray(payload.reservations) ? payload.reservations : []) as { sid: string }[];
    const out: Reservation[] = [];
    for (const row of rows) out.push(await this.reservation(row.sid));
    return out;
  }
}

export class Reservation extends Resource {
  declare task: Task;

  constructor(channel: Channel, path: string, payload: unknown, task: Task) {
    super(channel, path, payload);
    this.task = task;
  }

  private instruct(params: Params, callback?: Callback<Reservation>): Promise<this> {
    return this.update(params, callback);
  }

  accept(callback?: Callback<Reservation>): Promise<this> {
    return this.instruct({ ReservationStatus: 'accepted' }, callback);
  }

  reject(...args: unknown[]): Promise<this> {
    const [params, callback] = positional(args, ['WorkerActivitySid']);
    return this.instruct({ ReservationStatus: 'rejected', ...params }, callback);
  }

  /** dequeue(from, postWorkActivitySid, record, timeout, statusCallbackUrl, statusCallbackEvents, to, cb) */
  dequeue(...args: unknown[]): Promise<this> {
    const [params, callback] = positional(args, ['DequeueFrom', 'DequeuePostWorkActivitySid', 'DequeueRecord', 'DequeueTimeout', 'DequeueStatusCallbackUrl', 'DequeueStatusCallbackEvent', 'DequeueTo']);
    return this.instruct({ Instruction: 'dequeue', ...params }, callback);
  }

  /** call(from, url, statusCallbackUrl, accept, record, to, cb) */
  call(...args: unknown[]): Promise<this> {
    const [params, callback] = positional(args, ['CallFrom', 'CallUrl', 'CallStatusCallbackUrl', 'CallAccept', 'CallRecord', 'CallTo']);
    return this.instruct({ Instruction: 'call', ...params }, callback);
  }

  /** redirect(callSid, url, accept, cb) */
  redirect(...args: unknown[]): Promise<this> {
    const [params, callback] = positional(args, ['RedirectCallSid', 'RedirectUrl', 'RedirectAccept']);
    return this.instruct({ Instruction: 'redirect', ...params }, callback);
  }

  /** conference(from, postWorkActivitySid, timeout, to, cb, options) */
  conference(...args: unknown[]): Promise<this> {
    const [params, callback] = positional(args, ['From', 'PostWorkActivitySid', 'Timeout', 'To']);
    return this.instruct({ Instruction: 'conference', ...params }, callback);
  }
}

export class Worker extends ChannelClient {
  declare readonly activities: ListResource;
  /** Reservation events are handled one after another so listeners see them in commit order. */
  private declare pending: Promise<void>;
  /** Reservations offered (reservation.created) since the socket last opened: a task created while the worker
   *  connects arrives both as a push and in the pending list fetched after `ready`, and is offered once. */
  private declare offered: Set<string>;
  private declare readonly connectActivitySid: string | null | undefined;

  constructor(
    token: string,
    debug?: boolean | null,
    connectActivitySid?: string | null,
    disconnectActivitySid?: string | null,
    closeExistingSessions?: boolean | null,
    region?: string | null,
    maxRetries?: number | null,
    apiBaseUrl?: string | null,
    eventBridgeBaseUrl?: string | null,
  ) {
    super({ token, debug, region, maxRetries, apiBaseUrl, eventBridgeBaseUrl, closeExistingSessions: !!closeExistingSessions, disconnectActivitySid }, (channel) => {
      if (!channel.info.channel.startsWith('WK')) throw new Error('Twilio.TaskRouter.Worker: the token channel must be a worker SID (WK…)');
      return `Workspaces/${channel.info.workspaceSid}/Workers/${channel.info.channel}`;
    });
    const hidden = (name: string, value: unknown) => Object.defineProperty(this, name, { enumerable: false, writable: true, value });
    hidden('activities', new ListResource(this.channel, `Workspaces/${this.workspaceSid}/Activities`));
    hidden('pending', Promise.resolve());
    hidden('offered', new Set<string>());
    hidden('connectActivitySid', connectActivitySid);
    this.sid = this.channel.info.channel;
    this.channel.connect();
  }

  private task(payload: { sid: string }): Task {
    return new Task(this.channel, `Workspaces/${this.workspaceSid}/Tasks/${payload.sid}`, payload);
  }

  private async reservation(reservationSid: string, taskPayload?: { sid: string }): Promise<Reservation> {
    const path = `${this.resourcePath}/Reservations/${reservationSid}`;
    const payload = await this.channel.request('GET', path);
    const task = taskPayload ?? (await this.channel.request('GET', `Workspaces/${this.workspaceSid}/Tasks/${payload.task_sid}`));
    return new Reservation(this.channel, path, payload, this.task(task));
  }

  /** Every (re)connect offers the pending reservations again (an offer may have come while it was away). */
  protected onOpen(): void {
    this.offered.clear();
    super.onOpen();
  }

  /** Emits reservation.created once per reservation since the socket opened. */
  private offer(reservation: Reservation): void {
    if (this.offered.has(reservation.sid)) return;
    this.offered.add(reservation.sid);
    this.emit('reservation.created', reservation);
  }

  /** Pending reservations are offered again after every (re)connect (every page); then connectActivitySid. */
  protected async afterReady(): Promise<void> {
    let page = await this.fetchReservations(undefined, { ReservationStatus: 'pending' });
    let offered = 0;
    for (;;) {
      for (const r of page.data) this.offer(r);
      offered += page.data.length;
      if (!page.hasNext) break;
      page = await page.next();
    }
    if (offered === 0 && this.connectActivitySid && this.activitySid !== this.connectActivitySid) {
      await this.update({ ActivitySid: this.connectActivitySid });
    }
  }

  protected onEvent(eventType: string, payload: any): void {
    const name = eventType.startsWith('worker.') ? eventType.slice('worker.'.length) : eventType;
    if (name.startsWith('reservation.') && payload?.reservation_sid) {
      const { reservation_sid: sid, reservation_status: _status, worker_sid: _worker, ...task } = payload;
      this.pending = this.pending
        .then(() => this.reservation(sid, task))
        .then((r) => void (name === 'reservation.created' ? this.offer(r) : this.emit(name, r)))
        .catch((err: Error) => void this.emit('error', err));
      return;
    }
    if (name === 'activity.update' || name === 'attributes.update' || name === 'created') {
      this.assign(payload);
      this.emit(name, this);
      return;
    }
    this.emit(name, name.startsWith('task.') && payload?.sid ? this.task(payload) : camelize(payload));
  }

  /** fetchReservations(cb, params): a page of the worker's reservations, each with its task. */
  fetchReservations(callback?: Callback<ListPage<Reservation>>, params?: Params): Promise<ListPage<Reservation>> {
    const list = new ReservationList(this.channel, `${this.resourcePath}/Reservations`, (sid) => this.reservation(sid));
    return list.fetch(params ?? {}, ...(typeof callback === 'function' ? [callback] : [])) as Promise<ListPage<Reservation>>;
  }

  /** fetchChannels(cb): a page of the worker's channels. */
  fetchChannels(callback?: Callback<ListPage>): Promise<ListPage> {
    return new ListResource(this.channel, `${this.resourcePath}/Channels`).fetch(...(typeof callback === 'function' ? [callback] : []));
  }

  updateTask(taskSid: string, params: Params, callback?: Callback<Task>): Promise<Task> {
    return settle(async () => this.task(await this.channel.request('POST', `Workspaces/${this.workspaceSid}/Tasks/${taskSid}`, apiParams(params))), callback);
  }

  completeTask(taskSid: string, callback?: Callback<Task>, reason?: string): Promise<Task> {
    return this.updateTask(taskSid, { AssignmentStatus: 'completed', ...(reason ? { Reason: reason } : {}) }, typeof callback === 'function' ? callback : undefined);
  }
}
