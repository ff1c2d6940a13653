// Account commands (Twilio 2010 Accounts). A main account owns itself; a subaccount is owned by the main
// account that created it. A main account sees itself and its subaccounts; a subaccount sees only itself.
// Anything else is 20404, indistinguishable from a missing account.
import { ApiError, invalid, notFound } from '../core/errors.ts';
import type { Account } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';
import { isSid, newSecret, newSid } from '../core/sid.ts';
import type { SecretBox } from './secretBox.ts';

export type AccountStatus = Account['status'];

export function isMainAccount(a: Account): boolean {
  return a.ownerAccountSid === a.sid;
}

/** The accounts a caller may see: itself, plus its subaccounts when it is a main account. */
export function visibleAccount(repo: Repository, callerSid: string, sid: string): Account {
  const account = isSid(sid, 'AC') ? repo.get('account', sid) : undefined;
  if (!account || (account.sid !== callerSid && account.ownerAccountSid !== callerSid)) {
    throw notFound(`/2010-04-01/Accounts/${sid}.json`);
  }
  return account;
}

/** The API checks this at the edge too; here it also guards the CLI, which calls these commands directly. */
function checkFriendlyName(name: string | undefined): void {
  if (name !== undefined && (name.length < 1 || name.length > 64)) {
    throw invalid('Invalid parameter FriendlyName: FriendlyName must be 1-64 characters');
  }
}

/** Twilio's default, `SubAccount Created at {YYYY-MM-DD HH:MM meridian}` (UTC here: the server has no account time
 *  zone), e.g. `SubAccount Created at 2015-07-30 08:00 pm`. A main account made by the CLI gets `Account Created at …`. */
export function defaultFriendlyName(now: number, kind: 'SubAccount' | 'Account' = 'SubAccount'): string {
  const d = new Date(now);
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = d.getUTCHours();
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${kind} Created at ${date} ${pad(h % 12 === 0 ? 12 : h % 12)}:${pad(d.getUTCMinutes())} ${h < 12 ? 'am' : 'pm'}`;
}

/** Creates a main account (CLI, bootstrap) when `ownerSid` is undefined, else a subaccount of `ownerSid`. Its
 *  auth token is stored sealed; the caller gets it in clear to show once. */
export function createAccount(
  repo: Repository,
  secrets: SecretBox,
  now: number,
  input: { friendlyName?: string; ownerSid?: string },
): { account: Account; authToken: string } {
  checkFriendlyName(input.friendlyName);
  if (input.ownerSid !== undefined) {
    const owner = repo.get('account', input.ownerSid);
    if (!owner) throw notFound(`/2010-04-01/Accounts/${input.ownerSid}.json`);
    if (!isMainAccount(owner)) throw new ApiError('forbidden', 'Subaccounts cannot create subaccounts');
  }
  const sid = newSid('AC');
  const authToken = newSecret();
  const account: Account = {
    sid,
    ownerAccountSid: input.ownerSid ?? sid,
    friendlyName: input.friendlyName ?? defaultFriendlyName(now, input.ownerSid === undefined ? 'Account' : 'SubAccount'),
    authTokenSealed: secrets.sealAuthToken(sid, authToken),
    status: 'active',
    dateCreated: now,
    dateUpdated: now,
  };
  repo.insert('account', account);
  return { account, authToken };
}

export function updateAccount(
  repo: Repository,
  now: number,
  callerSid: string,
  sid: string,
  input: { friendlyName?: string; status?: AccountStatus },
): Account {
  const account = visibleAccount(repo, callerSid, sid);
  checkFriendlyName(input.friendlyName);
  if (input.status !== undefined && input.status !== account.status) {
    if (account.sid === callerSid) {
      throw invalid('Invalid parameter Status: an account cannot change its own status; its owner can');
    }
    if (account.status === 'closed') throw invalid('Invalid parameter Status: a closed account cannot be reopened');
  }
  const updated: Account = {
    ...account,
    friendlyName: input.friendlyName ?? account.friendlyName,
    status: input.status ?? account.status,
    dateUpdated: now,
  };
  repo.update('account', updated);
  return updated;
}
