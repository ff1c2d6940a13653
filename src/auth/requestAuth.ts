// Authenticates a request and decides whether it may proceed. Account credentials (Basic) may do anything in
// their account. Bearer JWTs (`Authorization: Bearer`, or `X-Twilio-Token`) are told apart by their issuer:
//   TaskRouter Access Tokens and capability tokens   the TaskRouter face only; each request must be allowed by
//                                                    the token's policies, and a worker's token acts on a task
//                                                    only while that worker holds a reservation of it
//   user tokens the server mints (userTokens.ts)     every face but the 2010 account API, as that user with the
//   tokens of the OpenID Connect provider (oidc.ts)  account's rights
// The 2010 account API (accounts and API keys: credentials) takes account credentials only.
import { ApiError } from '../core/errors.ts';
import type { Repository } from '../core/repository.ts';
import { type Principal, authenticate } from './basicAuth.ts';
import type { OidcVerifier } from './oidc.ts';
import { isAllowed } from './policies.ts';
import { peek, refuse, verifyToken } from './tokens.ts';
import { USER_TOKEN_ISSUER, verifyUserToken } from './userTokens.ts';

/** Which tokens a path takes: TaskRouter's (and user tokens), user tokens only, or none (credentials). */
export type TokenScope = 'taskrouter' | 'user' | 'none';
import type { SecretBox } from './secretBox.ts';

export interface IncomingAuth {
  authorization: string | undefined;
  token: string | undefined;
  tokens: TokenScope;
}

export function tokenScopeOf(url: string): TokenScope {
  if (url.startsWith('/v1/')) return 'taskrouter';
  if (url.startsWith('/2010-04-01/')) return 'none';
  return 'user';
}

/** A TaskRouter token: an Access Token (cty twilio-fpa) or a capability token (issued by an account). */
function isTaskRouterToken(header: Record<string, unknown>, payload: Record<string, unknown>): boolean {
  return header.cty === 'twilio-fpa;v=1' || (typeof payload.iss === 'string' && payload.iss.startsWith('AC'));
}

export function tokenOf(authorization: string | undefined, xTwilioToken: string | undefined): string | undefined {
  if (xTwilioToken) return xTwilioToken.trim();
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

/** `read` is for the reads made before any await; `readLater` for a read after one (its own replay). */
export async function authenticateRequest(
  read: <T>(work: (repo: Repository) => T) => T,
  readLater: <T>(work: (repo: Repository) => T) => Promise<T>,
  secrets: SecretBox,
  auth: IncomingAuth,
  now: number,
  oidc?: OidcVerifier,
): Promise<Principal> {
  if (auth.token === undefined) return read((repo) => authenticate(repo, secrets, auth.authorization));
  if (auth.tokens === 'none') throw new ApiError('authenticationFailed', 'This API takes account credentials (HTTP Basic), not tokens');
  const token = auth.token;
  const { header, payload } = peek(token);
  if (isTaskRouterToken(header, payload)) {
    if (auth.tokens !== 'taskrouter') refuse('a TaskRouter token is for the TaskRouter API (/v1); use a user token or one of your identity provider');
    // jose verifies asynchronously; the key lookup is a plain read.
    const principal = await read((repo) => verifyToken(repo, secrets, token, now));
    return { accountSid: principal.accountSid, credential: { kind: 'token', token: principal } };
  }
  if (payload.iss === USER_TOKEN_ISSUER) {
    const user = await read((repo) => verifyUserToken(repo, secrets, token, header, payload, now));
    return { accountSid: user.accountSid, credential: { kind: 'user', userId: user.userId, issuer: USER_TOKEN_ISSUER } };
  }
  if (oidc && payload.iss === oidc.issuer) {
    const user = await oidc.verify(readLater, token, now);
    return { accountSid: user.accountSid, credential: { kind: 'user', userId: user.userId, issuer: oidc.issuer } };
  }
  refuse(`unknown issuer ${JSON.stringify(String(payload.iss ?? '')).slice(0, 200)}`);
}

/** For a token principal: the request must match an allowing policy, and a worker acts only on its own tasks. */
export function authorize(
  repo: Repository,
  principal: Principal,
  request: { method: string; path: string; query: Record<string, string | string[]>; body: Record<string, string | string[]> },
): void {
  if (principal.credential.kind !== 'token') return;
  const token = principal.credential.token;
  if (!isAllowed(token.policies, request)) {
    throw new ApiError('forbidden', `The token does not allow ${request.method} ${request.path}`);
  }
  const m = /^\/v1\/Workspaces\/([^/]+)\/Tasks\/([^/]+)(?:\/Reservations\/([^/]+))?$/.exec(request.path);
  if (token.kind === 'access' && token.role === 'worker' && request.method !== 'GET' && m) {
    const [, , taskSid, reservationSid] = m;
    const mine = reservationSid
      ? repo.get('reservation', reservationSid)?.workerSid === token.workerSid
      : repo.findOne('reservation', { taskSid, workerSid: token.workerSid, reservationStatus: { in: ['pending', 'accepted', 'wrapping'] } }) !== undefined;
    if (!mine) throw new ApiError('forbidden', `Worker ${token.workerSid} holds no reservation of this task`);
  }
}
