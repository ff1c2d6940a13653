// Reads the claims the SDK needs from a token, without verifying it (the server does): the account, the
// workspace, the channel to listen on (worker, workspace or task queue) and the expiry. Both kinds are read:
// legacy capability tokens (account_sid, workspace_sid, channel) and Access Tokens with a TaskRouter grant.
export interface TokenInfo {
  accountSid: string;
  workspaceSid: string;
  channel: string;
  workerSid?: string;
  /** Epoch milliseconds; undefined when the token has no exp. */
  expiresAt?: number;
}

function decodePart(part: string): any {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const text = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function readToken(token: string): TokenInfo {
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error('Twilio.TaskRouter: the token is not a JWT');
  let claims: any;
  try {
    claims = decodePart(token.split('.')[1]!);
  } catch {
    throw new Error('Twilio.TaskRouter: the token payload is not JSON');
  }
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const grant = claims.grants?.task_router;
  if (grant) {
    const accountSid = claims.sub;
    if (!accountSid || !grant.workspace_sid) throw new Error('Twilio.TaskRouter: the Access Token has no account (sub) or workspace_sid');
    return { accountSid, workspaceSid: grant.workspace_sid, channel: grant.worker_sid ?? grant.workspace_sid, workerSid: grant.worker_sid, expiresAt };
  }
  if (!claims.account_sid || !claims.workspace_sid || !claims.channel) {
    throw new Error('Twilio.TaskRouter: the token must carry account_sid, workspace_sid and channel');
  }
  return {
    accountSid: claims.account_sid,
    workspaceSid: claims.workspace_sid,
    channel: claims.channel,
    workerSid: claims.worker_sid ?? (String(claims.channel).startsWith('WK') ? claims.channel : undefined),
    expiresAt,
  };
}
