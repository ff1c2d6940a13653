// The console's only way to the server: the public REST API with the signed-in credentials (HTTP Basic, or a
// bearer token: a user token the server minted or one of the organisation's identity provider; kept in
// sessionStorage for this tab only) and the tokens that POST /switchboard/v1/Tokens mints for the browser SDK.
export type Credentials = { username: string; password: string } | { token: string };

const KEY = 'switchboard.console.credentials';

export function savedCredentials(): Credentials | undefined {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Credentials) : undefined;
}

export function saveCredentials(c: Credentials | undefined): void {
  if (c) sessionStorage.setItem(KEY, JSON.stringify(c));
  else sessionStorage.removeItem(KEY);
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
  const authorization = 'token' in c ? `Bearer ${c.token}` : 'Basic ' + btoa(`${c.username}:${c.password}`);
  return { authorization, 'x-requested-with': 'XMLHttpRequest' };
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

/** A GET on the Workflow face (LUSID's JSON; errors as problem details with `title` and `detail`). */
export async function workflowApi<T = any>(path: string): Promise<T> {
  const res = await fetch(`/api${path}`, { headers: authHeaders() });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiProblem(res.status, json?.detail ?? json?.title ?? `${res.status} ${res.statusText}`);
  return json as T;
}

/** A call to the Opsflow face (every verb a POST with a JSON body; errors as {error: {code, message}}). */
export async function opsflow<T = any>(verb: string, body: unknown): Promise<T> {
  const res = await fetch(`/opsflow/v1/${verb}`, {
    method: 'POST',
    headers: { ...authHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiProblem(res.status, json?.error?.message ?? `${res.status} ${res.statusText}`);
  return json as T;
}

/** A token for the browser SDK: `admin` (a supervisor's workspace channel) or a worker's own. */
export async function mintToken(workspaceSid: string, workerSid?: string): Promise<string> {
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
