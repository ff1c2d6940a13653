// Account commands (Twilio 2010 Accounts). A main account owns itself; a subaccount is owned by the main
// account that created it. A main account sees itself and its subaccounts; a subaccount sees only itself.
// Anything else is 20404, indistinguishable from a missing account.
import { ApiError, invalid, notFound } from '../core/errors.ts';
import type { Account } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';
import { isSid, newSecret, newSid } from '../core/sid.ts';

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

/** Creates a main account (CLI, bootstrap) when `ownerSid` is undefined, else a subaccount of `ownerSid`. */
export function createAccount(repo: Repository, now: number, input: { friendlyName?: string; ownerSid?: string }): Account {
  if (input.ownerSid !== undefined) {
    const owner = repo.get('account', input.ownerSid);
    if (!owner) throw notFound(`/2010-04-01/Accounts/${input.ownerSid}.json`);
    if (!isMainAccount(owner)) throw new ApiError('forbidden', 'Subaccounts cannot create subaccounts');
  }
  const sid = newSid('AC');
  const account: Account = {
    sid,
    ownerAccountSid: input.ownerSid ?? sid,
    friendlyName: input.friendlyName ?? `SubAccount Created at ${new Date(now).toUTCString()}`,
    authToken: newSecret(),
    status: 'active',
    dateCreated: now,
    dateUpdated: now,
  };
  repo.insert('account', account);
  return account;
}

export function updateAccount(
  repo: Repository,
  now: number,
  callerSid: string,
  sid: string,
  input: { friendlyName?: string; status?: AccountStatus },
): Account {
  const account = visibleAccount(repo, callerSid, sid);
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
