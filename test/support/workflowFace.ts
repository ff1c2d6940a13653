// Helpers for Workflow-face tests: JSON requests that must succeed, definitions, and a second user (an API key)
// for guards on CurrentUser.
import assert from 'node:assert/strict';
import type { TestServer } from './server.ts';

export type Auth = { username: string; password: string };

export async function ok(s: TestServer, method: string, path: string, json?: unknown, auth?: Auth): Promise<any> {
  const res = await s.request(method, path, { ...(json !== undefined ? { json } : {}), ...(auth ? { auth } : {}) });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} -> ${res.status} ${res.text}`);
  return res.body;
}

/** Asserts a LUSID problem-details error with this status and name; returns the body. */
export async function fails(s: TestServer, method: string, path: string, json: unknown, status: number, name: string, auth?: Auth): Promise<any> {
  const res = await s.request(method, path, { ...(json !== undefined ? { json } : {}), ...(auth ? { auth } : {}) });
  assert.equal(res.status, status, `${method} ${path} -> ${res.status} ${res.text}`);
  assert.equal(res.body?.name, name, res.text);
  for (const k of ['name', 'errorDetails', 'code', 'type', 'title', 'status', 'detail', 'instance']) assert.ok(k in res.body, `error body lacks ${k}: ${res.text}`);
  assert.equal(res.body.status, status);
  return res.body;
}

export async function apiKeyUser(s: TestServer): Promise<Auth> {
  const res = await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, { form: { FriendlyName: 'second user' } });
  assert.equal(res.status, 201, res.text);
  return { username: res.body.sid, password: res.body.secret };
}

export function simpleDefinition(scope: string, code: string, extra: Record<string, unknown> = {}) {
  return {
    id: { scope, code },
    displayName: `${scope}/${code}`,
    states: [{ name: 'Pending' }, { name: 'InProgress' }, { name: 'Done' }],
    fieldSchema: [
      { name: 'clientId', type: 'String' },
      { name: 'test', type: 'String' },
    ],
    initialState: { name: 'Pending', requiredFields: ['clientId'] },
    triggers: [{ name: 'start', trigger: { type: 'External' } }, { name: 'finish', trigger: { type: 'External' } }],
    transitions: [
      { fromState: 'Pending', toState: 'InProgress', trigger: 'start' },
      { fromState: 'InProgress', toState: 'Done', trigger: 'finish' },
    ],
    ...extra,
  };
}

/** Waits until `check` returns a value (polling; the action runner works asynchronously). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
