// REST resources as taskrouter.js v1 presents them: camelCase properties, `attributes`, `configuration` and
// `addons` parsed from JSON, `dateCreated`/`dateUpdated`/`dateStatusChanged` as Date, instance
// fetch/update/delete, and list resources whose fetch gives one page ({data, page, pageSize, hasNext,
// hasPrevious, next(), previous()}) as the v1.21 bundle does. Every method takes a node-style callback
// `(error, result)`, also returns a promise, and never throws: a failure (a refused request, a network error,
// arguments it cannot use) reaches the callback and rejects the promise.
import type { Channel, Params } from './channel.ts';

export type Callback<T> = (error: Error | null, result?: T) => void;

/** Properties taskrouter.js parses from the JSON text the REST API gives them in. */
const JSON_PROPERTIES = new Set(['attributes', 'configuration', 'addons']);
/** Properties taskrouter.js turns into Date (ISO-8601 text, or epoch seconds). */
const DATE_PROPERTIES = new Set(['date_created', 'date_updated', 'date_status_changed']);

/** `friendly_name` -> `friendlyName`, recursively, with the JSON and date properties above converted. */
export function camelize(value: unknown): any {
  if (Array.isArray(value)) return value.map(camelize);
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (JSON_PROPERTIES.has(key) && typeof v === 'string') {
      try {
        out[name] = JSON.parse(v);
        continue;
      } catch {
        // Not JSON: keep the string.
      }
    }
    if (DATE_PROPERTIES.has(key) && (typeof v === 'string' || typeof v === 'number')) {
      out[name] = new Date(typeof v === 'number' ? v * 1000 : v);
      continue;
    }
    out[name] = key === 'links' || key === 'url' ? v : camelize(v);
  }
  return out;
}

/** `friendlyName` or `FriendlyName` -> `FriendlyName`; objects (Attributes, Configuration) are sent as JSON. */
export function apiParams(params: unknown): Params {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw new TypeError('Twilio.TaskRouter: parameters must be an object');
  const out: Params = {};
  for (const [key, v] of Object.entries(params)) {
    if (v === undefined) continue;
    const value = v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v;
    out[key.charAt(0).toUpperCase() + key.slice(1)] = value;
  }
  return out;
}

/** The last argument when it is a function (taskrouter.js puts the callback last). */
export function lastCallback(args: readonly unknown[]): Callback<any> | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Callback<any>) : undefined;
}

/** Hands a result to the user's callback; an exception the callback throws is its own, reported as any
 *  uncaught error is (it must not turn into a rejection of the SDK's promise). */
function deliver<T>(callback: Callback<T>, error: Error | null, result?: T): void {
  try {
    if (error) callback(error);
    else callback(null, result);
  } catch (thrown) {
    setTimeout(() => {
      throw thrown;
    });
  }
}

/** Runs `work` (which may throw before its first await) and reports its outcome to the callback too.
 *  Never throws. With a callback the rejection counts as handled: the caller sees it there. */
export function settle<T>(work: () => Promise<T> | T, callback?: Callback<T>): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(work());
  } catch (err) {
    promise = Promise.reject(err);
  }
  if (typeof callback === 'function') {
    promise.then(
      (result) => deliver(callback, null, result),
      (error: unknown) => deliver(callback, error instanceof Error ? error : new Error(String(error))),
    );
    promise.catch(() => undefined);
  }
  return promise;
}

/** `(key, value, cb)` or `(params, cb)` -> params and callback (the shapes of taskrouter.js's update). */
export function updateArgs(args: unknown[]): [unknown, Callback<any> | undefined] {
  const callback = lastCallback(args);
  const rest = callback ? args.slice(0, -1) : args;
  if (typeof rest[0] === 'string') return [{ [rest[0]]: rest[1] }, callback];
  return [rest[0] ?? {}, callback];
}

/** Statistics of a resource (`Statistics`, `CumulativeStatistics`, `RealTimeStatistics`). */
export class StatisticsResource {
  private readonly channel: Channel;
  private readonly path: string;
  constructor(channel: Channel, path: string) {
    this.channel = channel;
    this.path = path;
  }

  /** fetch(cb) | fetch(params, cb) */
  fetch(...args: unknown[]): Promise<any> {
    const callback = lastCallback(args);
    const params = callback === args[0] ? undefined : args[0];
    return settle(async () => camelize(await this.channel.request('GET', this.path, apiParams(params))), callback);
  }
}

/** One REST object with its properties camelCased; `fetch`, `update` and `delete` act on it and refresh it. */
export class Resource {
  [property: string]: any;
  protected declare readonly channel: Channel;
  declare readonly path: string;

  constructor(channel: Channel, path: string, payload: unknown) {
    // Not enumerable, so a resource's own keys are its TaskRouter properties only.
    Object.defineProperty(this, 'channel', { enumerable: false, value: channel });
    Object.defineProperty(this, 'path', { enumerable: false, value: path });
    Object.assign(this, camelize(payload));
    const statistics = STATISTICS[path.split('/').at(-2) ?? ''];
    if (statistics) {
      for (const [name, suffix] of Object.entries(statistics)) {
        Object.defineProperty(this, name, { enumerable: false, value: new StatisticsResource(channel, `${path}/${suffix}`) });
      }
    }
  }

  fetch(callback?: Callback<this>): Promise<this> {
    return settle(async () => {
      Object.assign(this, camelize(await this.channel.request('GET', this.path)));
      return this;
    }, callback);
  }

  update(...args: unknown[]): Promise<this> {
    const [params, callback] = updateArgs(args);
    return settle(async () => {
      Object.assign(this, camelize(await this.channel.request('POST', this.path, apiParams(params))));
      return this;
    }, callback);
  }

  delete(callback?: Callback<null>): Promise<null> {
    return settle(async () => {
      await this.channel.request('DELETE', this.path);
      return null;
    }, callback);
  }
}

/** The statistics each kind of instance offers, by its collection name. */
const STATISTICS: Record<string, Record<string, string>> = {
  Workflows: { statistics: 'Statistics', cumulativeStats: 'CumulativeStatistics', realtimeStats: 'RealTimeStatistics' },
  TaskQueues: { statistics: 'Statistics', cumulativeStats: 'CumulativeStatistics', realtimeStats: 'RealTimeStatistics' },
  Workers: { statistics: 'Statistics' },
};

interface ListPayload {
  meta?: { key?: string; page?: number; page_size?: number; next_page_url?: string | null; previous_page_url?: string | null };
  [key: string]: unknown;
}

/** One page of a list, as taskrouter.js v1.21 gives it: `data` (the page's items), `page`, `pageSize`,
 *  `hasNext`, `hasPrevious`, and `next(cb)` / `previous(cb)` for the neighbouring pages (a callback error, and a
 *  rejected promise, when there is none). Like the bundle's list objects it is also its list: `fetch`,
 *  `create`, `update` and `delete` act on the list resource. */
export class ListPage<T = Resource> {
  declare readonly data: T[];
  declare readonly page: number;
  declare readonly pageSize: number;
  declare readonly hasNext: boolean;
  declare readonly hasPrevious: boolean;
  private declare readonly list: ListResource;
  private declare readonly nextUrl: string | null;
  private declare readonly previousUrl: string | null;

  constructor(list: ListResource, payload: ListPayload, data: T[]) {
    const meta = payload.meta ?? {};
    const values: Record<string, unknown> = {
      data,
      page: meta.page ?? 0,
      pageSize: meta.page_size ?? data.length,
      hasNext: !!meta.next_page_url,
      hasPrevious: !!meta.previous_page_url,
    };
    for (const [name, value] of Object.entries(values)) Object.defineProperty(this, name, { enumerable: true, value });
    const hidden = { list, nextUrl: meta.next_page_url ?? null, previousUrl: meta.previous_page_url ?? null };
    for (const [name, value] of Object.entries(hidden)) Object.defineProperty(this, name, { enumerable: false, value });
  }

  next(callback?: Callback<ListPage<T>>): Promise<ListPage<T>> {
    return settle(() => this.list.pageAt(this.nextUrl, 'next') as Promise<ListPage<T>>, callback);
  }

  previous(callback?: Callback<ListPage<T>>): Promise<ListPage<T>> {
    return settle(() => this.list.pageAt(this.previousUrl, 'previous') as Promise<ListPage<T>>, callback);
  }

  fetch(...args: unknown[]): Promise<any> {
    return this.list.fetch(...args);
  }

  create(params: Params, callback?: Callback<Resource>): Promise<Resource> {
    return this.list.create(params, callback);
  }

  update(sid: string, ...args: unknown[]): Promise<Resource> {
    return this.list.update(sid, ...args);
  }

  delete(sid: string, callback?: Callback<null>): Promise<null> {
    return this.list.delete(sid, callback);
  }
}

/** A list resource (`workspace.workers`): fetch(sid?|params?, cb), create, update, delete. */
export class ListResource {
  protected readonly channel: Channel;
  readonly path: string;
  constructor(channel: Channel, path: string) {
    this.channel = channel;
    this.path = path;
  }

  protected wrap(sid: string, payload: unknown): Resource {
    return new Resource(this.channel, `${this.path}/${sid}`, payload);
  }

  /** The items of one REST list page, as this list's resources. */
  protected async items(payload: ListPayload): Promise<unknown[]> {
    const key = payload.meta?.key;
    const rows = (key && Array.isArray(payload[key]) ? payload[key] : []) as { sid: string }[];
    return rows.map((item) => this.wrap(item.sid, item));
  }

  private async toPage(payload: ListPayload): Promise<ListPage<any>> {
    return new ListPage(this, payload, await this.items(payload));
  }

  /** The page at a paging URL of an earlier page (its next_page_url), through the same channel. */
  pageAt(url: string | null, which: string): Promise<ListPage<any>> {
    return settle(async () => {
      if (!url) throw new Error(`Twilio.TaskRouter: this is the ${which === 'next' ? 'last' : 'first'} page; there is no ${which} page`);
      return this.toPage(await this.channel.request('GET', url));
    });
  }

  /** fetch(cb) | fetch(params, cb) | fetch(sid, cb) | fetch(sid, params, cb). A list resolves to one page. */
  fetch(...args: unknown[]): Promise<any> {
    const callback = lastCallback(args);
    const rest = callback ? args.slice(0, -1) : args;
    return settle(async () => {
      if (typeof rest[0] === 'string') {
        const sid = rest[0];
        return this.wrap(sid, await this.channel.request('GET', `${this.path}/${sid}`, apiParams(rest[1])));
      }
      return this.toPage(await this.channel.request('GET', this.path, apiParams(rest[0])));
    }, callback);
  }

  create(params: Params, callback?: Callback<Resource>): Promise<Resource> {
    return settle(async () => {
      const payload = await this.channel.request('POST', this.path, apiParams(params));
      return this.wrap(payload.sid, payload);
    }, callback);
  }

  update(sid: string, ...args: unknown[]): Promise<Resource> {
    const [params, callback] = updateArgs(args);
    return settle(async () => this.wrap(sid, await this.channel.request('POST', `${this.path}/${sid}`, apiParams(params))), callback);
  }

  delete(sid: string, callback?: Callback<null>): Promise<null> {
    return settle(async () => {
      await this.channel.request('DELETE', `${this.path}/${sid}`);
      return null;
    }, callback);
  }
}

/** A list resource with statistics of its own (`workspace.workers.statistics`, `workspace.taskqueues.statistics`). */
export class ListResourceWithStatistics extends ListResource {
  readonly statistics: StatisticsResource;
  readonly cumulativeStats: StatisticsResource;
  readonly realtimeStats: StatisticsResource;
  constructor(channel: Channel, path: string) {
    super(channel, path);
    this.statistics = new StatisticsResource(channel, `${path}/Statistics`);
    this.cumulativeStats = new StatisticsResource(channel, `${path}/CumulativeStatistics`);
    this.realtimeStats = new StatisticsResource(channel, `${path}/RealTimeStatistics`);
  }
}
