// Test harness: a real Switchboard server on a free loopback port with its own SQLite file, plus a tiny
// form-encoding HTTP client. Every suite gets a fresh database, so tests never see each other's state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { Store } from '../../src/core/repository.ts';
import { ensureBootstrapAccount } from '../../src/auth/bootstrap.ts';
import { openStoredSecrets } from '../../src/auth/storedSecrets.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { DispatcherOptions } from '../../src/callbacks/webhookDispatcher.ts';
import type { ActionRunnerOptions } from '../../src/workflow/actionRunner.ts';
import type { CorsOrigins } from '../../src/api/common/crossOrigin.ts';
import type { OidcConfig } from '../../src/auth/oidc.ts';
import type { WorkerSocketOptions } from '../../src/realtime/workerSockets.ts';

export interface TestServer {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  origin: string;
  accountSid: string;
  authToken: string;
  dir: string;
  /** The PostgreSQL database of a cluster node under test (clusterServer.ts); unset on SQLite (its file is in `dir`). */
  databaseUrl?: string;
  /** Requests with the bootstrap account's credentials unless `auth` is given (null = no credentials). */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  form?: Record<string, string | number | boolean | (string | number)[]>;
  /** A JSON body (the Workflow face). */
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  auth?: { username: string; password: string } | null;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export function formEncode(form: NonNullable<RequestOptions['form']>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
  }
  return q.toString();
}

/** `clock` replaces Date.now for the whole server; with `manualTimers` timers fire only when the test calls
 *  `engine.fireDue()` (after moving its clock), never by themselves. */
export interface TestServerOptions {
  clock?: () => number;
  rateLimit?: number;
  manualTimers?: boolean;
  callbacks?: DispatcherOptions;
  workflowActions?: ActionRunnerOptions;
  /** WebSocket gateway settings (the disconnect grace period). */
  sockets?: WorkerSocketOptions;
  /** Reuse this directory's database (a restart); close() then leaves the directory in place. */
  dir?: string;
  /** SWITCHBOARD_CORS_ORIGINS (default any). */
  corsOrigins?: CorsOrigins;
  /** GET /metrics requires this bearer token. */
  metricsToken?: string;
  /** An OpenID Connect identity provider whose tokens the server accepts. */
  oidc?: OidcConfig;
  /** Whether the account-wide loops (Workflow actions and event handlers, Opsflow routes) run (default: yes). */
  runsBackground?: () => boolean;
}

export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  // SWITCHBOARD_TEST_CLUSTER=1 (npm test sets it for the real-client suites' second run): the server is one
  // node of a 3-node cluster on PostgreSQL instead (test/support/clusterServer.ts).
  if (process.env.SWITCHBOARD_TEST_CLUSTER && !options.dir) return (await import('./clusterServer.ts')).startClusterServer(options);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const store = new SqliteStore(join(dir, 'test.db'));
  // The key file beside the database, as `serve` keeps it (generated on the first start).
  const secrets = await openStoredSecrets(store, { file: join(dir, 'secret.key') }, () => undefined);
  // On a restart the account exists already: use it.
  const boot = ensureBootstrapAccount(store, secrets, {}, Date.now()) ?? (() => {
    const account = store.read((repo) => repo.findAll('account', {}).find((a) => a.ownerAccountSid === a.sid)!);
    return { account, authToken: secrets.authTokenOf(account) };
  })();
  const engine = new Engine(store, { clock: options.clock, autoTimers: !options.manualTimers });
  await engine.start();
  const app = await buildServer({ store, secrets, engine, clock: options.clock, rateLimit: options.rateLimit, callbacks: options.callbacks, workflowActions: options.workflowActions, corsOrigins: options.corsOrigins, metricsToken: options.metricsToken, checkResponses: true, oidc: options.oidc, runsBackground: options.runsBackground, sockets: options.sockets });
  return listenForTest({ app, store, engine, accountSid: boot.account.sid, authToken: boot.authToken, dir }, () => {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  });
}

/** Listens on a free loopback port and describes the server; close() stops it, then runs `cleanUp`. */
export async function listenForTest(parts: Omit<TestServer, 'origin' | 'request' | 'close'>, cleanUp: () => void | Promise<void>): Promise<TestServer> {
  const { app, engine, store, accountSid, authToken } = parts;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  return {
    ...parts,
    origin,
    request: requester(origin, accountSid, authToken),
    async close() {
      await app.close();
      engine.close();
      store.close();
      await cleanUp();
    },
  };
}

/** The TestServer's request(): the bootstrap account's credentials unless others (or none) are given. */
export function requester(origin: string, accountSid: string, authToken: string): TestServer['request'] {
  return async (method, path, opts = {}) => {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const auth = opts.auth === undefined ? { username: accountSid, password: authToken } : opts.auth;
      if (auth) headers.authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      let body: string | undefined = opts.body;
      if (opts.form) {
        body = formEncode(opts.form);
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
      }
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(origin + path, { method, headers, body });
      const text = await res.text();
      let parsed: any = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
  };
}
