// Minting worker and supervisor tokens, in the same formats Twilio's helpers produce (reference §16), so the
// twilio-taskrouter SDK and taskrouter.js accept them. `signAccessToken` and `signCapabilityToken` need only
// the secrets: an app server can import them (package export `switchboard/tokens`) and mint without calling
// the server. `mintToken` is what the CLI and the HTTP endpoint use: it signs access tokens with a signing key
// it keeps for the account.
import { SignJWT } from 'jose';
import { invalid, notFound } from '../core/errors.ts';
import type { ApiKey } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';
import { isSid } from '../core/sid.ts';
import { createKey } from './apiKeys.ts';
import type { Policy } from './policies.ts';
import type { SecretBox } from './secretBox.ts';

export interface AccessTokenInput {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  workspaceSid: string;
  workerSid?: string;
  role?: 'worker' | 'admin';
  identity?: string;
  ttlSeconds?: number;
  nowMs?: number;
}

export async function signAccessToken(input: AccessTokenInput): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const exp = iat + (input.ttlSeconds ?? 3600);
  const grant: Record<string, string> = { workspace_sid: input.workspaceSid, role: input.role ?? 'worker' };
  if (input.workerSid) grant.worker_sid = input.workerSid;
  const token = await new SignJWT({ grants: { identity: input.identity ?? input.workerSid ?? 'supervisor', task_router: grant } })
    .setProtectedHeader({ typ: 'JWT', alg: 'HS256', cty: 'twilio-fpa;v=1' })
    .setJti(`${input.apiKeySid}-${iat}`)
    .setIssuer(input.apiKeySid)
    .setSubject(input.accountSid)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(input.apiKeySecret));
  return { token, expiresAt: exp * 1000 };
}

const TR = 'https://taskrouter.twilio.com/v1/Workspaces';
const EB = 'https://event-bridge.twilio.com/v1/wschannels';

/** The policies Twilio's helpers give a worker's capability token: read activities, tasks, its reservations and
 *  itself; change its activity; answer its reservations; and use its event-bridge channel. */
export function defaultWorkerPolicies(accountSid: string, workspaceSid: string, workerSid: string): Policy[] {
  const ws = `${TR}/${workspaceSid}`;
  const wk = `${ws}/Workers/${workerSid}`;
  const allow = (url: string, method: string, extra: Partial<Policy> = {}): Policy => ({ url, method, query_filter: {}, post_filter: {}, allow: true, ...extra });
  return [
    allow(`${ws}/Activities`, 'GET'),
    allow(`${ws}/Tasks/**`, 'GET'),
    allow(`${wk}/Reservations/**`, 'GET'),
    allow(wk, 'GET'),
    allow(wk, 'POST', { post_filter: { ActivitySid: { required: true } } }),
    allow(`${ws}/Tasks/**`, 'POST'),
    allow(`${wk}/Reservations/**`, 'POST'),
    allow(`${EB}/${accountSid}/${workerSid}`, 'GET'),
    allow(`${EB}/${accountSid}/${workerSid}`, 'POST'),
  ];
}

export interface CapabilityTokenInput {
  accountSid: string;
  authToken: string;
  workspaceSid: string;
  channel: string; // WK…, WQ… or WS…
  policies: Policy[];
  friendlyName?: string;
  ttlSeconds?: number;
  nowMs?: number;
}

export async function signCapabilityToken(input: CapabilityTokenInput): Promise<{ token: string; expiresAt: number }> {
  const exp = Math.floor((input.nowMs ?? Date.now()) / 1000) + (input.ttlSeconds ?? 3600);
  const payload: Record<string, unknown> = {
    version: 'v1',
    friendly_name: input.friendlyName ?? input.channel,
    account_sid: input.accountSid,
    channel: input.channel,
    workspace_sid: input.workspaceSid,
    policies: input.policies,
  };
  if (input.channel.startsWith('WK')) payload.worker_sid = input.channel;
  if (input.channel.startsWith('WQ')) payload.taskqueue_sid = input.channel;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
    .setIssuer(input.accountSid)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(input.authToken));
  return { token, expiresAt: exp * 1000 };
}

export interface MintRequest {
  accountSid: string;
  workspaceSid: string;
  workerSid?: string;
  role?: 'worker' | 'admin';
  type?: 'access' | 'capability';
  identity?: string;
  ttlSeconds?: number;
}

const SIGNING_KEY_NAME = 'switchboard token signing';

/** The API key the server signs an account's tokens with (Access Tokens, user tokens), and its secret opened;
 *  made on first use. */
export function signingKey(repo: Repository, secrets: SecretBox, now: number, accountSid: string): { key: ApiKey; secret: string } {
  const existing = repo.findOne('apiKey', { accountSid, friendlyName: SIGNING_KEY_NAME });
  return existing ? { key: existing, secret: secrets.secretOf(existing) } : createKey(repo, secrets, now, accountSid, SIGNING_KEY_NAME);
}

/** Checks the request against the store (workspace and worker of this account) and returns what to sign
 *  with. Synchronous, so it runs inside a store transaction; signing happens after. */
export function prepareMint(repo: Repository, secrets: SecretBox, now: number, req: MintRequest): () => Promise<{ token: string; expiresAt: number }> {
  const ws = isSid(req.workspaceSid, 'WS') ? repo.get('workspace', req.workspaceSid) : undefined;
  if (!ws || ws.accountSid !== req.accountSid) throw notFound(`/v1/Workspaces/${req.workspaceSid}`);
  if (req.workerSid !== undefined) {
    const w = isSid(req.workerSid, 'WK') ? repo.get('worker', req.workerSid) : undefined;
    if (!w || w.workspaceSid !== ws.sid) throw notFound(`/v1/Workspaces/${ws.sid}/Workers/${req.workerSid}`);
  }
  const role = req.role ?? 'worker';
  if (role === 'worker' && req.workerSid === undefined) throw invalid('Invalid parameter WorkerSid: a worker token needs WorkerSid (or use Role=admin)');
  const ttlSeconds = req.ttlSeconds ?? 3600;
  if (req.type === 'capability') {
    const account = repo.get('account', req.accountSid)!;
    const channel = req.workerSid ?? ws.sid;
    const policies = req.workerSid
      ? defaultWorkerPolicies(account.sid, ws.sid, req.workerSid)
      : ['GET', 'POST', 'DELETE'].flatMap((method) => [
          { url: `${TR}/${ws.sid}`, method, allow: true },
          { url: `${TR}/${ws.sid}/**`, method, allow: true },
        ]);
    return () => signCapabilityToken({ accountSid: account.sid, authToken: secrets.authTokenOf(account), workspaceSid: ws.sid, channel, policies, friendlyName: req.identity, ttlSeconds, nowMs: now });
  }
  const { key, secret } = signingKey(repo, secrets, now, req.accountSid);
  return () =>
    signAccessToken({ accountSid: req.accountSid, apiKeySid: key.sid, apiKeySecret: secret, workspaceSid: ws.sid, workerSid: req.workerSid, role, identity: req.identity, ttlSeconds, nowMs: now });
}
