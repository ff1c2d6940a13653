// REST resources as taskrouter.js presents them: camelCase properties, `attributes` parsed from JSON, instance
// update/delete, and list resources with fetch/create/update/delete. Every method takes a node-style callback
// `(error, result)` as its last argument and also returns a promise.
import type { Channel, Params } from './channel.ts';

export type Callback<T> = (error: Error | null, result?: T) => void;

/** `friendly_name` -> `friendlyName`, recursively; `attributes` JSON strings become objects. */
export function camelize(value: unknown): any {
  if (Array.isArray(value)) return value.map(camelize);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (key === 'attributes' && typeof v === 'string') {
      try {
        out[name] = JSON.parse(v);
        continue;
      } catch {
        // Not JSON: keep the string.
      }
    }
    out[name] = key === 'links' || key === 'url' ? v : camelize(v);
  }
  return out;
}

/** `friendlyName` or `FriendlyName` -> `FriendlyName`; objects (Attributes) are sent as JSON. */
export function apiParams(params: Params | undefined): Params {
  const out: Params = {};
  for (const [key, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    out[key.charAt(0).toUpperCase() + key.slice(1)] = v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v;
  }
  return out;
}

/** Runs a promise and reports it to an optional callback too. */
export function settle<T>(promise: Promise<T>, callback?: Callback<T>): Promise<T> {
  if (callback) promise.then((result) => callback(null, result), (error: Error) => callback(error));
  // With a callback the caller handles errors there; the promise must not also count as unhandled.
  if (callback) promise.catch(() => undefined);
  return promise;
}

/** `(key, value, cb)` or `(params, cb)` -> params and callback (the shapes of taskrouter.js's update). */
export function updateArgs(args: unknown[]): [Params, Callback<any> | undefined] {
  const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<any>) : undefined;
  if (typeof args[0] === 'string') return [{ [args[0]]: args[1] }, callback];
  return [(args[0] as Params) ?? {}, callback];
}

/** Statistics of a resource (`Statistics`, `CumulativeStatistics`, `RealTimeStatistics`). */
export class StatisticsResource {
  private readonly channel: Channel;
  private readonly path: string;
  constructor(channel: Channel, path: string) {
    this.channel = channel;
    this.path = path;
  }

  fetch(...args: unknown[]): Promise<any> {
    const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<any>) : undefined;
    const params = apiParams(args[0] as Params | undefined);
    return settle(this.channel.request('GET', this.path, params).then(camelize), callback);
  }
}

/** One REST object with its properties camelCased; `update` and `delete` act on it and refresh it. */
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

  update(...args: unknown[]): Promise<this> {
    const [params, callback] = updateArgs(args);
    const done = this.channel.request('POST', this.path, apiParams(params)).then((payload) => {
      Object.assign(this, camelize(payload));
      return this;
    });
    return settle(done, callback);
  }

  delete(callback?: Callback<null>): Promise<null> {
    return settle(this.channel.request('DELETE', this.path).then(() => null), callback);
  }
}

/** The statistics each kind of instance offers, by its collection name. */
const STATISTICS: Record<string, Record<string, string>> = {
  Workflows: { statistics: 'Statistics', cumulativeStats: 'CumulativeStatistics', realtimeStats: 'RealTimeStatistics' },
  TaskQueues: { statistics: 'Statistics', cumulativeStats: 'CumulativeStatistics', realtimeStats: 'RealTimeStatistics' },
  Workers: { statistics: 'Statistics' },
};

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

  /** fetch(cb) | fetch(params, cb) | fetch(sid, cb) | fetch(sid, params, cb). A list resolves to `{data}`, every
   *  page followed (the server pages by next_page_url through the same channel). */
  fetch(...args: unknown[]): Promise<any> {
    const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<any>) : undefined;
    if (typeof args[0] === 'string') {
      const sid = args[0];
      return settle(this.channel.request('GET', `${this.path}/${sid}`, apiParams(args[1] as Params)).then((p) => this.wrap(sid, p)), callback);
    }
    const load = async () => {
      const data: Resource[] = [];
      let page = await this.channel.request('GET', this.path, apiParams(args[0] as Params));
      for (;;) {
        const key = page?.meta?.key;
        for (const item of (key && page[key]) || []) data.push(this.wrap(item.sid, item));
        const next = page?.meta?.next_page_url;
        if (!next) break;
        page = await this.channel.request('GET', next);
      }
      return { data };
    };
    return settle(load(), callback);
  }

  create(params: Params, callback?: Callback<Resource>): Promise<Resource> {
    return settle(this.channel.request('POST', this.path, apiParams(params)).then((p) => this.wrap(p.sid, p)), callback);
  }

  update(sid: string, ...args: unknown[]): Promise<Resource> {
    const [params, callback] = updateArgs(args);
    return settle(this.channel.request('POST', `${this.path}/${sid}`, apiParams(params)).then((p) => this.wrap(sid, p)), callback);
  }

  delete(sid: string, callback?: Callback<null>): Promise<null> {
    return settle(this.channel.request('DELETE', `${this.path}/${sid}`).then(() => null), callback);
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
