// The demo talks to the server as any application does: HTTP on its public faces, with the account's
// credentials (a supervisor's setup) or a worker's token (what an agent's desktop may do).
export type Body = Record<string, string | number | boolean | undefined>;

export class DemoClient {
  private readonly headers: Record<string, string>;
  readonly origin: string;

  constructor(origin: string, auth: { accountSid: string; authToken: string } | { token: string }) {
    this.origin = origin;
    this.headers = 'token' in auth ? { 'x-twilio-token': auth.token } : { authorization: 'Basic ' + Buffer.from(`${auth.accountSid}:${auth.authToken}`).toString('base64') };
  }

  /** A TaskRouter call with a form body; resolves to the JSON answer, rejects with the API's message. */
  async form<T = any>(method: string, path: string, body?: Body): Promise<T> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body ?? {})) if (v !== undefined) form.append(k, String(v));
    return this.send<T>(method, path, body ? form.toString() : undefined, 'application/x-www-form-urlencoded');
  }

  /** A Workflow or Opsflow call with a JSON body. */
  async json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
  }

  private async send<T>(method: string, path: string, body: string | undefined, type: string): Promise<T> {
    const res = await fetch(this.origin + path, { method, headers: { ...this.headers, ...(body !== undefined ? { 'content-type': type } : {}) }, body });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${parsed?.message ?? parsed?.detail?.message ?? parsed?.error?.message ?? text}`);
    return parsed as T;
  }
}
