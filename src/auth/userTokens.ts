// Switchboard's own bearer tokens for a user of an account (what `POST /switchboard/v1/Tokens` with
// `Type=user` and `switchboard token user` mint): a JWT that authenticates on every face as that user of the
// account, with the account's rights. Guards see the user as `CurrentUser`, tasks record it as the user who
// created or updated them, Opsflow as `created_by`.
//
//   header  {alg: HS256, typ: JWT, kid: <the account's signing key SID>}
//   payload {iss: "urn:switchboard:user", sub: <user>, account_sid: <AC…>, iat, exp, jti}
//
// Signed with the account's token-signing API key (the key Access Tokens are signed with), so deleting that key
// revokes every token it signed. Only HS256; `exp` is required.
import { SignJWT, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Repository } from '../core/repository.ts';
import { isSid } from '../core/sid.ts';
import { invalid } from '../core/errors.ts';
import { signingKey } from './mint.ts';
import { refuse } from './tokens.ts';
import type { SecretBox } from './secretBox.ts';

export const USER_TOKEN_ISSUER = 'urn:switchboard:user';
/** What a user may be called: what fits in CurrentUser and a version stamp, printable, no spaces at the ends. */
export const USER_ID = /^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,254}[^\s\x00-\x1f\x7f])?$/;

export interface UserIdentity {
  accountSid: string;
  userId: string;
  expiresAt: number;
}


/** Checks the request against the store and returns what signs the token (synchronous: it runs in a store
 *  transaction, which may create the account's signing key; the signing happens after). */
export function prepareUserToken(repo: Repository, secrets: SecretBox, now: number, accountSid: string, userId: string, ttlSeconds = 3600): () => Promise<{ token: string; expiresAt: number }> {
  if (!USER_ID.test(userId)) throw invalid( 'Invalid parameter Identity: a user is 1-256 printable characters without spaces at either end');
  const { key, secret } = signingKey(repo, secrets, now, accountSid);
  return async () => {
    const iat = Math.floor(now / 1000);
    const exp = iat + ttlSeconds;
    const token = await new SignJWT({ account_sid: accountSid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.sid })
      .setIssuer(USER_TOKEN_ISSUER)
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(secret));
    return { token, expiresAt: exp * 1000 };
  };
}

/** Verifies a user token (its issuer is USER_TOKEN_ISSUER; the caller checked that). */
export async function verifyUserToken(repo: Repository, secrets: SecretBox, token: string, header: Record<string, unknown>, payload: Record<string, unknown>, nowMs: number): Promise<UserIdentity> {
  if (header.alg !== 'HS256') refuse(`algorithm ${String(header.alg)} is not accepted`);
  const accountSid = payload.account_sid;
  if (!isSid(accountSid, 'AC')) refuse('account_sid must be an account SID');
  const keySid = header.kid;
  const key = isSid(keySid, 'SK') ? repo.get('apiKey', keySid) : undefined;
  if (!key || key.accountSid !== accountSid) refuse('unknown signing key');
  const account = repo.get('account', accountSid);
  if (!account || account.status !== 'active') refuse('the account is not active');
  if (typeof payload.exp !== 'number') refuse('exp is required');
  let verified: Record<string, unknown>;
  try {
    verified = (await jwtVerify(token, new TextEncoder().encode(secrets.secretOf(key)), { algorithms: ['HS256'], issuer: USER_TOKEN_ISSUER, currentDate: new Date(nowMs), clockTolerance: 5 })).payload as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    refuse(code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'not valid yet' : 'signature does not verify');
  }
  if (typeof verified.sub !== 'string' || !USER_ID.test(verified.sub)) refuse('sub must name the user');
  return { accountSid, userId: verified.sub, expiresAt: (verified.exp as number) * 1000 };
}
