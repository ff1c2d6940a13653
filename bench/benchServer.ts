// The Switchboard server process a benchmark drives (the compiled `switchboard serve` on the given database, its own account,
// no rate limit), and the two ways benchmarks call it: form-encoded (TaskRouter) and JSON (Workflow, Opsflow).
// A call that is not a success throws with the method, path, status and body.
import { type ChildServer, startChild } from '../test/support/childServer.ts';
import { compiledMain } from '../scripts/compiledServer.mjs';

export interface BenchServer {
  server: ChildServer;
  /** The account's Basic authorization header value. */
  auth: string;
  form(method: string, path: string, form?: Record<string, string>): Promise<any>;
  json(method: string, path: string, body?: unknown): Promise<any>;
}

/** What every benchmark's server is told: no rate limit, and finished tasks removed after 2 s instead of
 *  TaskRouter's 5 minutes, so that a window of a few seconds holds the removals a server makes under a steady
 *  load (one per finished task: its reservations and itself deleted). Until 2026-12-07 no benchmark ran long
 *  enough to reach them, and two costs only a steady load has went unseen by every figure (the README,
 *  "Performance", session of 2026-12-07 21:40). */
export const BENCH_SERVER_ENV = { SWITCHBOARD_RATE_LIMIT: '1000000', SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS: '2' } as const;

/** `main`: the compiled entry point to run (another build's, for bench/compare.ts); this checkout's by default. */
export async function startBenchServer(db: string, account: { sid: string; token: string }, env: Record<string, string> = {}, main = compiledMain()): Promise<BenchServer> {
  const server = await startChild({ SWITCHBOARD_DB: db, SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, ...BENCH_SERVER_ENV, ...env }, [], main);
  return { server, ...benchCalls(server.origin, account) };
}

/** The account's calls to a server already running (a node of a cluster, say). */
export function benchCalls(origin: string, account: { sid: string; token: string }): Omit<BenchServer, 'server'> {
  const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.token}`).toString('base64');
  const call = async (method: string, path: string, contentType: string | undefined, body: string | undefined) => {
    const res = await fetch(origin + path, { method, headers: { authorization: auth, ...(contentType ? { 'content-type': contentType } : {}) }, body });
    const parsed = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  return {
    auth,
    form: (method, path, form) => call(method, path, form ? 'application/x-www-form-urlencoded' : undefined, form ? new URLSearchParams(form).toString() : undefined),
    json: (method, path, body) => call(method, path, body === undefined ? undefined : 'application/json', body === undefined ? undefined : JSON.stringify(body)),
  };
}

/** A fresh TaskRouter workspace (FIFO template) for the HTTP loads; with `workers` available workers and their tokens. */
export async function loadWorkspace(bench: BenchServer, workers: number): Promise<{ ws: string; workers: { sid: string; token: string }[] }> {
  const call = bench.form;
  const ws = (await call('POST', '/v1/Workspaces', { FriendlyName: `bench-${Math.random()}`.slice(0, 30), Template: 'FIFO' })).sid;
  const available = (await call('GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).activities[0].sid;
  const list: { sid: string; token: string }[] = [];
  for (let i = 0; i < workers; i++) {
    const sid = (await call('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `agent-${i}`, ActivitySid: available, Attributes: '{"skills":["en"]}' })).sid;
    list.push({ sid, token: (await call('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: sid })).token });
  }
  return { ws, workers: list };
}
