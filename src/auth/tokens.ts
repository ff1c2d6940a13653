// JWT authentication for workers and browsers (reference §16), alongside HTTP Basic:
// * Access Tokens (header `cty: twilio-fpa;v=1`), signed with an API key secret: `iss` is the key SID, `sub` the
//   account, `grants.task_router` {workspace_sid, worker_sid, role}. What they allow is `grantPolicies`.
// * Capability tokens (legacy taskrouter.js), signed with the account's auth token: `iss`/`account_sid` the
//   account, `workspace_sid`, `channel`, `worker_sid`, and explicit `policies`.
// Only HMAC algorithms are accepted (so `alg: none` and key-confusion tricks fail), the signature must verify
// with that account's own secret, and `exp` is required and checked against the injected clock.
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { ApiError } from '../core/errors.ts';
import type { Repository } from '../core/repository.ts';
import { isSid } from '../core/sid.ts';
import { type Policy, grantPolicies } from './policies.ts';
import type { SecretBox } from './secretBox.ts';

export interface TokenPrincipal {
  accountSid: string;
  workspaceSid: string;
  workerSid: string | undefined;
  /** 'worker' or 'admin' for access tokens; 'capability' for legacy tokens. */
  role: string;
  kind: 'access' | 'capability';
  identity: string | undefined;
  policies: Policy[];
  expiresAt: number;
}

const HMAC = ['HS256', 'HS384', 'HS512'];

export function refuse(reason: string): never {
  throw new ApiError('authenticationFailed', `Invalid token: ${reason}`);
}

/** What can be read without verifying: header and payload, to pick the key. Verification follows. */
export function peek(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  try {
    return { header: decodeProtectedHeader(token) as Record<string, unknown>, payload: decodeJwt(token) as Record<string, unknown> };
  } catch {
    refuse('not a JWT');
  }
}

export async function verifyToken(repo: Repository, secrets: SecretBox, token: string, nowMs: number): Promise<TokenPrincipal> {
  const { header, payload } = peek(token);
  if (typeof header.alg !== 'string' || !HMAC.includes(header.alg)) refuse(`algorithm ${String(header.alg)} is not accepted`);
  const isAccess = header.cty === 'twilio-fpa;v=1';
  let secret: string;
  let accountSid: string;
  if (isAccess) {
    const keySid = payload.iss;
    if (!isSid(keySid, 'SK')) refuse('iss must be an API key SID');
    const key = repo.get('apiKey', keySid);
    if (!key) refuse('unknown API key');
    if (payload.sub !== key.accountSid) refuse('sub is not the account that owns the API key');
    secret = secrets.secretOf(key);
    accountSid = key.accountSid;
  } else {
    const issuer = payload.iss;
    if (!isSid(issuer, 'AC')) refuse('iss must be an account SID');
    if (payload.account_sid !== undefined && payload.account_sid !== issuer) refuse('account_sid does not match iss');
    const account = repo.get('account', issuer);
    if (!account) refuse('unknown account');
    secret = secrets.authTokenOf(account);
    accountSid = account.sid;
  }
  const account = repo.get('account', accountSid);
  if (!account || account.status !== 'active') refuse('the account is not active');
  if (typeof payload.exp !== 'number') refuse('exp is required');
  let verified: Record<string, unknown>;
  try {
    const result = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: HMAC,
      currentDate: new Date(nowMs),
      clockTolerance: 5,
    });
    verified = result.payload as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    refuse(code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'not valid yet' : 'signature does not verify');
  }
  if (isAccess) {
    const grant = (verified.grants as Record<string, unknown> | undefined)?.task_router as Record<string, unknown> | undefined;
    if (!grant || !isSid(grant.workspace_sid, 'WS')) refuse('no task_router grant with a workspace_sid');
    const workerSid = grant.worker_sid === undefined || grant.worker_sid === '' ? undefined : grant.worker_sid;
    if (workerSid !== undefined && !isSid(workerSid, 'WK')) refuse('worker_sid is not a Worker SID');
    const role = typeof grant.role === 'string' ? grant.role : 'worker';
    if (role !== 'worker' && role !== 'admin') refuse(`role ${role} is not worker or admin`);
    const identity = (verified.grants as Record<string, unknown>).identity;
    return {
      accountSid,
      workspaceSid: grant.workspace_sid,
      workerSid,
      role,
      kind: 'access',
      identity: typeof identity === 'string' ? identity : undefined,
      policies: grantPolicies(grant.workspace_sid, workerSid, role),
      expiresAt: (verified.exp as number) * 1000,
    };
  }
  if (!isSid(verified.workspace_sid, 'WS')) refuse('workspace_sid is required');
  if (typeof verified.channel !== 'string') refuse('channel is required');
  const workerSid = isSid(verified.worker_sid, 'WK') ? verified.worker_sid : undefined;
  const policies = Array.isArray(verified.policies) ? (verified.policies as Policy[]).filter((p) => p && typeof p.url === 'string') : [];
  return {
    accountSid,
    workspaceSid: verified.workspace_sid,
    workerSid,
    role: 'capability',
    kind: 'capability',
    identity: typeof verified.friendly_name === 'string' ? verified.friendly_name : undefined,
    policies,
    expiresAt: (verified.exp as number) * 1000,
  };
}
