// The bootstrap account. With SWITCHBOARD_ACCOUNT_SID/SWITCHBOARD_AUTH_TOKEN set, that account exists with
// that token (created or re-keyed at start). Without them, the first start generates one, stores it and
// returns it so the caller prints it once; later starts find it and print nothing.
import type { Account } from '../core/entities.ts';
import type { Store } from '../core/repository.ts';
import { isSid, newSecret, newSid } from '../core/sid.ts';

export interface BootstrapResult {
  account: Account;
  /** True when this start created the account (its credentials should be shown once). */
  created: boolean;
}

export function ensureBootstrapAccount(
  store: Store,
  given: { accountSid?: string; authToken?: string },
  now: number,
): BootstrapResult | undefined {
  if (given.accountSid !== undefined || given.authToken !== undefined) {
    const { accountSid, authToken } = given;
    if (!isSid(accountSid, 'AC')) throw new Error('SWITCHBOARD_ACCOUNT_SID must be AC followed by 32 hex digits');
    if (!authToken || authToken.length < 8) throw new Error('SWITCHBOARD_AUTH_TOKEN must be set (at least 8 characters)');
    return store.transaction((repo) => {
      const existing = repo.get('account', accountSid);
      if (existing) {
        if (existing.authToken !== authToken) {
          const rekeyed = { ...existing, authToken, dateUpdated: now };
          repo.update('account', rekeyed);
          return { account: rekeyed, created: false };
        }
        return { account: existing, created: false };
      }
      const account = mainAccount(accountSid, authToken, now);
      repo.insert('account', account);
      return { account, created: true };
    });
  }
  return store.transaction((repo) => {
    const anyMain = repo.findAll('account', {}).find((a) => a.ownerAccountSid === a.sid);
    if (anyMain) return undefined;
    const account = mainAccount(newSid('AC'), newSecret(), now);
    repo.insert('account', account);
    return { account, created: true };
  });
}

function mainAccount(sid: string, authToken: string, now: number): Account {
  return { sid, ownerAccountSid: sid, friendlyName: 'Switchboard', authToken, status: 'active', dateCreated: now, dateUpdated: now };
}
