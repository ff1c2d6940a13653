// The console's only way to the server: the public APIs with the signed-in credentials, kept in sessionStorage
// for this tab only. A supervisor signs in with account credentials or an API key (HTTP Basic, every face); an
// agent with the worker token a supervisor issued (TaskRouter face and browser SDK only, and only what a
// worker's token may do there: the server checks every request against the token's policies); a supervisor may
// also sign in with a bearer token (a user token the server minted, or one of the organisation's identity
// provider), which every face takes as it takes the account's credentials.
export type Credentials =
  | { kind: 'account'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'worker'; token: string; workspaceSid: string; workerSid: string; expiresAt?: number };

const KEY = 'switchboard.console.credentials';

export function savedCredentials(): Credentials | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  const c = JSON.parse(raw) as Credentials | { username: string; password: string };
  return 'kind' in c ? c : { kind: 'account', ...c };
}

export function saveCredentials(c: Credentials | undefined): void {
  if (c) sessionStorage.setItem(KEY, JSON.stringify(c));
  else sessionStorage.removeItem(KEY);
}

/** Signed in with a worker token: the console is that worker's desk and nothing else. */
export function workerSignIn(): Extract<Credentials, { kind: 'worker' }> | undefined {
  const c = savedCredentials();
  return c?.kind === 'worker' ? c : undefined;
}

/** What a worker token says about itself (not verified here; the server verifies it on every request). */
export function readWorkerToken(token: string): { workspaceSid: string; workerSid: string; expiresAt?: number } | undefined {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
    const grant = claims.grants?.task_router;
    const workspaceSid = grant?.workspace_sid ?? claims.workspace_sid;
    const workerSid = grant?.worker_sid ?? claims.worker_sid;
    if (typeof workspaceSid !== 'string' || typeof workerSid !== 'string') return undefined;
    return { workspaceSid, workerSid, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined };
  } catch {
    return undefined;
  }
}

/** An error as the API said it (Twilio's body: code, message). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: number | undefined;
  constructor(status: number, message: string, code?: number) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export type Form = Record<string, string | number | boolean | undefined>;

/** The signed-in credentials as headers. X-Requested-With: a refused request comes back without a Basic
 *  challenge (no browser password dialog). */
function authHeaders(): Record<string, string> {
  const c = savedCredentials();
  if (!c) throw new ApiProblem(401, 'Not signed in');
  const auth: Record<string, string> =
    c.kind === 'worker' ? { 'x-twilio-token': c.token } : c.kind === 'bearer' ? { authorization: `Bearer ${c.token}` } : { authorization: 'Basic ' + btoa(`${c.username}:${c.password}`) };
  return { ...auth, 'x-requested-with': 'XMLHttpRequest' };
}

/** A list page URL as the API gives it (absolute, on the server's own origin) made relative to this page's. */
export function pathOf(url: string): string {
  const u = new URL(url, location.origin);
  return u.pathname + u.search;
}

export async function api<T = any>(method: string, path: string, form?: Form): Promise<T> {
  const headers = authHeaders();
  let body: string | undefined;
  if (form) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v !== undefined && v !== '') q.append(k, String(v));
    body = q.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(path, { method, headers, body });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiProblem(res.status, json?.message ?? `${res.status} ${res.statusText}`, json?.code);
  return json as T;
}

/** A call to the Workflow face (LUSID's JSON; errors as problem details with `title` and `detail`). */
export async function workflowApi<T = any>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers = authHeaders();
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api${path}`, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiProblem(res.status, json?.detail ?? json?.title ?? `${res.status} ${res.statusText}`);
  return json as T;
}

/** A call to the Opsflow face (every verb a POST with a JSON body; errors as SpaceONE's {detail: {code, message}}). */
export async function opsflow<T = any>(verb: string, body: unknown): Promise<T> {
  const res = await fetch(`/opsflow/v1/${verb}`, {
    method: 'POST',
    headers: { ...authHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiProblem(res.status, json?.detail?.message ?? `${res.status} ${res.statusText}`);
  return json as T;
}

/** Every result of an Opsflow list in `sort` order, page by page (its total_count says when all are in). */
export async function opsflowAll(verb: string, body: Record<string, unknown>, sort?: { key: string; desc?: boolean }[]): Promise<any[]> {
  const all: any[] = [];
  for (;;) {
    const r = await opsflow(verb, { ...body, query: { ...(sort ? { sort } : {}), page: { start: all.length + 1, limit: 100 } } });
    all.push(...r.results);
    if (r.results.length === 0 || all.length >= r.total_count) return all;
  }
}

/** A token for the browser SDK: `admin` (a supervisor's workspace channel) or a worker's own. Signed in as a
 *  worker, the console uses the worker's own token and mints nothing. */
export async function mintToken(workspaceSid: string, workerSid?: string): Promise<string> {
  const worker = workerSignIn();
  if (worker) return worker.token;
  const minted = await api<{ token: string }>('POST', '/switchboard/v1/Tokens', {
    WorkspaceSid: workspaceSid,
    WorkerSid: workerSid,
    Role: workerSid ? 'worker' : 'admin',
    Type: 'capability',
    Ttl: 3600,
  });
  return minted.token;
}

/** Seconds as "1h 02m" / "3m 05s" / "12s". */
export function age(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}
