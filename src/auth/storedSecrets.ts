// The stored secrets as a whole: which keys seal them, sealing those that older versions stored in clear
// (an account's `authToken`, an API key's `secret`), and sealing everything again under the keyring's
// current key (rotation). Both run through the Repository like any other write: the store knows nothing of
// sealing.
import type { Account, ApiKey, EntityKind } from '../core/entities.ts';
import type { Store } from '../core/repository.ts';
import { type KeySource, openSecretBox } from './masterKey.ts';
import { type SecretBox, sealedKeyId } from './secretBox.ts';

/** Rows as older versions stored them: the secret in clear, under its old name. */
type LegacyAccount = Account & { authToken?: string };
type LegacyKey = ApiKey & { secret?: string };

export interface StoredSecretCensus {
  /** How many secrets each key id seals. */
  byKey: Map<string, number>;
  /** Secrets still stored in clear (a database of an older version, not yet started with this one). */
  plain: number;
}

export async function storedSecretCensus(store: Store): Promise<StoredSecretCensus> {
  const byKey = new Map<string, number>();
  let plain = 0;
  const count = (sealed: string | undefined, clear: string | undefined) => {
    const id = sealed === undefined ? undefined : sealedKeyId(sealed);
    if (id !== undefined) byKey.set(id, (byKey.get(id) ?? 0) + 1);
    else if (clear !== undefined) plain++;
  };
  // Through the replay: a store opened for a command holds no documents in memory (its reads go to the database).
  const [accounts, keys] = await store.replaying(() => store.read((repo) => [repo.findAll('account', {}) as LegacyAccount[], repo.findAll('apiKey', {}) as LegacyKey[]] as const));
  for (const a of accounts) count(a.authTokenSealed, a.authToken);
  for (const k of keys) count(k.secretSealed, k.secret);
  return { byKey, plain };
}

/** Seals the secrets stored in clear and seals again those under another key than the current one, in one
 *  transaction. Returns how many of each it changed. */
export async function sealStoredSecrets(store: Store, secrets: SecretBox): Promise<{ sealed: number; resealed: number }> {
  const current = secrets.currentKeyId;
  let sealed = 0;
  let resealed = 0;
  await store.replaying(() => store.transaction((repo) => {
    sealed = 0;
    resealed = 0;
    for (const a of repo.findAll('account', {}) as LegacyAccount[]) {
      const { authToken: clear, ...rest } = a;
      if (a.authTokenSealed === undefined && clear !== undefined) {
        repo.update('account', { ...rest, authTokenSealed: secrets.sealAuthToken(a.sid, clear) });
        sealed++;
      } else if (a.authTokenSealed !== undefined && sealedKeyId(a.authTokenSealed) !== current) {
        repo.update('account', { ...rest, authTokenSealed: secrets.sealAuthToken(a.sid, secrets.authTokenOf(a)) });
        resealed++;
      }
    }
    for (const k of repo.findAll('apiKey', {}) as LegacyKey[]) {
      const { secret: clear, ...rest } = k;
      if (k.secretSealed === undefined && clear !== undefined) {
        repo.update('apiKey', { ...rest, secretSealed: secrets.sealKeySecret(k.sid, clear) });
        sealed++;
      } else if (k.secretSealed !== undefined && sealedKeyId(k.secretSealed) !== current) {
        repo.update('apiKey', { ...rest, secretSealed: secrets.sealKeySecret(k.sid, secrets.secretOf(k)) });
        resealed++;
      }
    }
  }));
  return { sealed, resealed };
}

/** A store that can rewrite tables so that nothing overwritten stays readable in its files (SqliteStore,
 *  PostgresStore: VACUUM). */
interface Compactable {
  compact(kinds: readonly EntityKind[]): Promise<void>;
}

/**
 * At start: the keyring (checked against the keys the stored secrets name), then every secret sealed under
 * its first key. Secrets an older version stored in clear are sealed, and the tables holding them rewritten,
 * so that the clear text does not linger in free space of the database files.
 */
export async function openStoredSecrets(store: Store, source: KeySource, log: (message: string) => void): Promise<SecretBox> {
  const census = await storedSecretCensus(store);
  const secrets = openSecretBox(source, new Set(census.byKey.keys()), log);
  const { sealed, resealed } = await sealStoredSecrets(store, secrets);
  await store.durable();
  if (resealed > 0) log(`sealed ${resealed} stored secrets again under key ${secrets.currentKeyId}`);
  if (sealed > 0) {
    if ('compact' in store) await (store as unknown as Compactable).compact(['account', 'apiKey']);
    log(`sealed ${sealed} secrets an older version stored in clear (backups taken before still hold them in clear)`);
  }
  return secrets;
}
