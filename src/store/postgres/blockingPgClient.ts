// A PostgreSQL client with a synchronous face. The store port is synchronous (the engine changes its
// in-memory routers inside a store transaction), pg 8 is asynchronous, so the connections live in a worker
// thread (blockingWorker.ts) and this side blocks in Atomics.wait until the answer it needs has arrived.
// Three ways to ask:
//   query()      blocks until the rows are back (reads, and writes whose result is used);
//   send()       posts a write and goes on; a failure surfaces at the next blocking call (drain()), which is
//                still inside the same store transaction, so it rolls back as if the write had thrown;
//   queryAsync() a promise, for work outside the request path (commits, leases, the log tail).
// Requests on one connection run in order, so a read after a send() sees that write.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export type Connection = 'main' | 'aux';
export type WriteCheck = 'one' | 'present' | 'updated';

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
  command: string;
}

interface Response {
  id?: number;
  fatal?: string;
  notification?: { channel: string; payload: string };
  rows?: Record<string, unknown>[];
  rowCount?: number;
  command?: string;
  error?: { message: string; code?: string };
}

export class DatabaseError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/** How long a blocking call waits for the database before giving up (the event loop is stopped meanwhile). */
const BLOCKING_TIMEOUT_MS = 30_000;

export class BlockingPgClient {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  /** Handlers of the requests not answered yet, by id. */
  private readonly waiting = new Map<number, (res: Response) => void>();
  /** Requests posted by send() on the main connection that have not been answered. */
  private unansweredSends = 0;
  /** The first failure among send()s since the last drain(). */
  private sendFailure: DatabaseError | undefined;
  private closed = false;
  private readonly notificationListeners = new Set<(channel: string, payload: string) => void>();
  private readonly fatalListeners = new Set<(message: string) => void>();

  /** `settings`: session parameters for both connections (the cluster's timeouts, sessionTimeouts.ts). */
  constructor(url: string, settings: Record<string, number> = {}) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(new URL('./blockingWorker.mjs', import.meta.url), {
      workerData: { port: channel.port2, signal: this.signal, url, settings },
      transferList: [channel.port2],
    });
    this.worker.unref();
    this.port.on('message', (res: Response) => this.deliver(res));
    this.port.unref();
  }

  private deliver(res: Response): void {
    if (res.fatal !== undefined) {
      const message = res.fatal;
      queueMicrotask(() => {
        for (const listener of this.fatalListeners) listener(message);
      });
      return;
    }
    if (res.notification) {
      const { channel, payload } = res.notification;
      // Outside a blocking call: listeners may do anything, including blocking queries.
      queueMicrotask(() => {
        for (const listener of this.notificationListeners) listener(channel, payload);
      });
      return;
    }
    if (res.id === undefined) return;
    const handler = this.waiting.get(res.id);
    if (!handler) return;
    this.waiting.delete(res.id);
    handler(res);
  }

  private post(conn: Connection, sql: string, params: readonly unknown[], check: WriteCheck | undefined, handler: (res: Response) => void): number {
    if (this.closed) throw new Error('the database client is closed');
    const id = this.nextId++;
    this.waiting.set(id, handler);
    this.port.postMessage({ id, conn, sql, params, check });
    return id;
  }

  /** Takes answers off the port without the event loop until `done()` holds. */
  private block(done: () => boolean): void {
    const deadline = Date.now() + BLOCKING_TIMEOUT_MS;
    while (!done()) {
      const seen = Atomics.load(this.signal, 0);
      const message = receiveMessageOnPort(this.port);
      if (message) {
        this.deliver(message.message as Response);
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new DatabaseError('the database did not answer in time', 'SB_TIMEOUT');
      Atomics.wait(this.signal, 0, seen, left);
    }
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], conn: Connection = 'main'): QueryResult<R> {
    let answer: Response | undefined;
    this.post(conn, sql, params, undefined, (res) => {
      answer = res;
    });
    this.block(() => answer !== undefined);
    if (conn === 'main') this.throwSendFailure();
    if (answer!.error) throw new DatabaseError(answer!.error.message, answer!.error.code);
    return answer as unknown as QueryResult<R>;
  }

  send(sql: string, params: readonly unknown[] = [], check?: WriteCheck): void {
    this.unansweredSends++;
    this.post('main', sql, params, check, (res) => {
      this.unansweredSends--;
      if (res.error && !this.sendFailure) this.sendFailure = new DatabaseError(res.error.message, res.error.code);
    });
  }

  /** Waits for every send() so far; throws the first of their failures. */
  drain(): void {
    this.block(() => this.unansweredSends === 0);
    this.throwSendFailure();
  }

  /** Forgets the failures of earlier send()s (their transaction was rolled back). */
  clearSendFailure(): void {
    this.sendFailure = undefined;
  }

  private throwSendFailure(): void {
    const failure = this.sendFailure;
    if (!failure) return;
    this.sendFailure = undefined;
    throw failure;
  }

  queryAsync<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], conn: Connection = 'aux'): Promise<QueryResult<R>> {
    return new Promise((resolve, reject) => {
      try {
        this.post(conn, sql, params, undefined, (res) => {
          if (res.error) reject(new DatabaseError(res.error.message, res.error.code));
          else resolve(res as unknown as QueryResult<R>);
        });
        // An awaited answer must keep the process alive until it arrives.
        this.port.ref();
      } catch (err) {
        reject(err as Error);
      }
    }).finally(() => {
      if (!this.waiting.size && !this.notificationListeners.size) this.port.unref();
    }) as Promise<QueryResult<R>>;
  }

  /** Called once if a connection is lost: every later query fails. */
  onConnectionLost(listener: (message: string) => void): void {
    this.fatalListeners.add(listener);
    this.port.ref();
  }

  /** LISTENs on `channel` (on the aux connection); `listener` gets every notification of the listened channels. */
  async listen(channel: string, listener: (channel: string, payload: string) => void): Promise<() => void> {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
    this.notificationListeners.add(listener);
    await this.queryAsync(`LISTEN ${channel}`);
    // A listening connection must be read even when nothing else is awaited.
    this.port.ref();
    return () => this.notificationListeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.notificationListeners.clear();
    this.port.unref();
    this.port.postMessage({ close: true });
    setTimeout(() => void this.worker.terminate(), 1000).unref();
  }
}
