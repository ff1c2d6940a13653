// The bootstrap account. With SWITCHBOARD_ACCOUNT_SID/SWITCHBOARD_AUTH_TOKEN set, that account exists with
// that token (created or re-keyed at start). Without them, the first start generates one, stores it and
// returns it so the caller prints it once; later starts find it and print nothing. The token is stored sealed
// (secrets stored in clear by older versions are sealed before this runs: auth/storedSecrets.ts).
import type { Account } from '../core/entities.ts';
import type { Store } from '../core/repository.ts';
import { isSid, newSecret, newSid } from '../core/sid.ts';
import type { SecretBox } from './secretBox.ts';

export interface BootstrapResult {
  account: Account;
  /** The account's auth token in clear. */
  authToken: string;
  /** True when this start created the account (its credentials should be shown once). */
  created: boolean;
}

export function ensureBootstrapAccount(
  store: Store,
  secrets: SecretBox,
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
        if (secrets.authTokenOf(existing) !== authToken) {
          const rekeyed = { ...existing, authTokenSealed: secrets.sealAuthToken(accountSid, authToken), dateUpdated: now };
          repo.update('account', rekeyed);
          return { account: rekeyed, authToken, created: false };
        }
        return { account: existing, authToken, created: false };
      }
      const account = mainAccount(secrets, accountSid, authToken, now);
      repo.insert('account', account);
      return { account, authToken, created: true };
    });
  }
  return store.transaction((repo) => {
    const anyMain = repo.findAll('account', {}).find((a) => a.ownerAccountSid === a.sid);
    if (anyMain) return undefined;
    const authToken = newSecret();
    const account = mainAccount(secrets, newSid('AC'), authToken, now);
    repo.insert('account', account);
    return { account, authToken, created: true };
  });
}

function mainAccount(secrets: SecretBox, sid: string, authToken: string, now: number): Account {
  return { sid, ownerAccountSid: sid, friendlyName: 'Switchboard', authTokenSealed: secrets.sealAuthToken(sid, authToken), status: 'active', dateCreated: now, dateUpdated: now };
}
