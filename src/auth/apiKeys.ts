// API key commands (Twilio 2010 Keys). A key authenticates as the account that owns it; its secret is stored
// sealed and shown only in the create response. Deleting a key revokes it at once (authentication reads the
// store).
import { invalid, notFound } from '../core/errors.ts';
import type { ApiKey } from '../core/entities.ts';
import type { Repository } from '../core/repository.ts';
import { isSid, newSecret, newSid } from '../core/sid.ts';
import type { SecretBox } from './secretBox.ts';

export function requireKey(repo: Repository, accountSid: string, sid: string): ApiKey {
  const key = isSid(sid, 'SK') ? repo.get('apiKey', sid) : undefined;
  if (!key || key.accountSid !== accountSid) throw notFound(`/2010-04-01/Accounts/${accountSid}/Keys/${sid}.json`);
  return key;
}

/** The API checks this at the edge too; here it also guards the CLI, which calls these commands directly. */
function checkFriendlyName(name: string | undefined): void {
  if (name !== undefined && name.length > 64) throw invalid('Invalid parameter FriendlyName: FriendlyName must be at most 64 characters');
}

/** The new key, and its secret in clear for the caller to show once. */
export function createKey(repo: Repository, secrets: SecretBox, now: number, accountSid: string, friendlyName?: string): { key: ApiKey; secret: string } {
  checkFriendlyName(friendlyName);
  const sid = newSid('SK');
  const secret = newSecret();
  const key: ApiKey = { sid, accountSid, friendlyName: friendlyName ?? '', secretSealed: secrets.sealKeySecret(sid, secret), dateCreated: now, dateUpdated: now };
  repo.insert('apiKey', key);
  return { key, secret };
}

export function updateKey(repo: Repository, now: number, accountSid: string, sid: string, friendlyName?: string): ApiKey {
  const key = requireKey(repo, accountSid, sid);
  checkFriendlyName(friendlyName);
  const updated = { ...key, friendlyName: friendlyName ?? key.friendlyName, dateUpdated: now };
  repo.update('apiKey', updated);
  return updated;
}

export function deleteKey(repo: Repository, accountSid: string, sid: string): void {
  repo.delete('apiKey', requireKey(repo, accountSid, sid).sid);
}
