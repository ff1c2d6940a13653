// HTTP Basic authentication with AccountSid:AuthToken or ApiKeySid:ApiKeySecret, as Twilio accepts both.
// The stored secrets are opened (secretBox.ts) and compared in constant time. The principal is always an account: an API key acts for the account
// that owns it.
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../core/errors.ts';
import type { Repository } from '../core/repository.ts';
import { isSid } from '../core/sid.ts';
import type { SecretBox } from './secretBox.ts';
import type { TokenPrincipal } from './tokens.ts';

export interface Principal {
  accountSid: string;
  /** Which credential was used: the account's auth token, an API key (its SID), a TaskRouter token, or a bearer
   *  token naming a user of the account (minted by this server, or from the OpenID Connect provider). */
  credential:
    | { kind: 'authToken' }
    | { kind: 'apiKey'; keySid: string }
    | { kind: 'token'; token: TokenPrincipal }
    | { kind: 'user'; userId: string; issuer: string };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function authenticate(repo: Repository, secrets: SecretBox, header: string | undefined): Principal {
  const creds = parseBasic(header);
  if (!creds) throw new ApiError('authenticationFailed');
  if (isSid(creds.username, 'AC')) {
    const account = repo.get('account', creds.username);
    if (account && account.status === 'active' && sameSecret(creds.password, secrets.authTokenOf(account))) {
      return { accountSid: account.sid, credential: { kind: 'authToken' } };
    }
  } else if (isSid(creds.username, 'SK')) {
    const key = repo.get('apiKey', creds.username);
    const account = key && repo.get('account', key.accountSid);
    if (key && account && account.status === 'active' && sameSecret(creds.password, secrets.secretOf(key))) {
      return { accountSid: account.sid, credential: { kind: 'apiKey', keySid: key.sid } };
    }
  }
  throw new ApiError('authenticationFailed');
}
