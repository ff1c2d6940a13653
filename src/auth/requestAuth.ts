// Authenticates a request and decides whether it may proceed. Account credentials (Basic) may do anything in
// their account. A JWT (Access Token or capability token, sent as `X-Twilio-Token` or `Authorization: Bearer`)
// is accepted on the TaskRouter face only, and each request must be allowed by the token's policies; a worker's
// token may act on a task only while that worker holds a reservation of it.
import { ApiError } from '../core/errors.ts';
import type { Repository } from '../core/repository.ts';
import { type Principal, authenticate } from './basicAuth.ts';
import { isAllowed } from './policies.ts';
import type { SecretBox } from './secretBox.ts';
import { verifyToken } from './tokens.ts';

export interface IncomingAuth {
  authorization: string | undefined;
  token: string | undefined;
  /** Only the TaskRouter face takes tokens; the 2010 account API needs account credentials. */
  tokensAccepted: boolean;
}

export function tokenOf(authorization: string | undefined, xTwilioToken: string | undefined): string | undefined {
  if (xTwilioToken) return xTwilioToken.trim();
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

export async function authenticateRequest(
  read: <T>(work: (repo: Repository) => T) => T,
  secrets: SecretBox,
  auth: IncomingAuth,
  now: number,
): Promise<Principal> {
  if (auth.token !== undefined) {
    if (!auth.tokensAccepted) throw new ApiError('authenticationFailed', 'This API takes account credentials (HTTP Basic), not tokens');
    // jose verifies asynchronously; the key lookup is a plain read.
    const token = auth.token;
    const principal = await read((repo) => verifyToken(repo, secrets, token, now));
    return { accountSid: principal.accountSid, credential: { kind: 'token', token: principal } };
  }
  return read((repo) => authenticate(repo, secrets, auth.authorization));
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
