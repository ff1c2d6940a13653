// Secrets at rest. Accounts' auth tokens and API keys' secrets are stored sealed with AES-256-GCM under the
// operator's master key (masterKey.ts says where keys come from), so a copied database file or backup hands
// out no credential. A sealed value is
//
//   sb1:<key id>:<iv>:<ciphertext + tag>       iv (12 bytes) and ciphertext base64url, key id 16 hex digits
//
// The key id names the key without revealing it (an HMAC of a constant under the key), so a keyring of
// several keys opens whatever any of them sealed: the FIRST key seals, the others only open (rotation: the
// new key first, the old one after it, until everything is sealed again under the new one).
// Each value is bound to the row and field it lives in (GCM's additional data, e.g. "account:AC…:authToken"):
// a sealed value copied into another row does not open there, so someone who can write the database but does
// not hold the key cannot move a secret they know onto another account.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Account, ApiKey } from '../core/entities.ts';

const PREFIX = 'sb1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a keyring's keys come from, when they can change while the process runs (a key file rewritten by
 *  `switchboard secrets rotate`): `stamp()` changes when `read()` would return other keys. */
export interface KeyringSource {
  read(): Buffer[];
  stamp(): string;
  describe(): string;
}

export class SecretUnavailableError extends Error {}

/** The id of a key: 16 hex digits of HMAC-SHA256(key, a constant). */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('switchboard secret key id').digest('hex').slice(0, 16);
}

/** The key id a sealed value names, or undefined for anything that is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split(':');
  return parts.length === 4 && parts[0] === PREFIX && /^[0-9a-f]{16}$/.test(parts[1]!) ? parts[1] : undefined;
}

export function newMasterKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A key as written in SWITCHBOARD_SECRET_KEY or a key file: 64 hex digits, or base64 / base64url of 32 bytes. */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  if (!key || key.length !== KEY_BYTES) throw new Error('a secret key must be 32 bytes: 64 hex digits or 44 base64 characters (`switchboard secrets new-key` prints one)');
  return key;
}

export function formatMasterKey(key: Buffer): string {
  return key.toString('base64');
}

const context = {
  authToken: (accountSid: string) => `account:${accountSid}:authToken`,
  keySecret: (keySid: string) => `apiKey:${keySid}:secret`,
};

/** Opened secrets kept at most (accounts and API keys in use); past it the cache starts again. */
const OPENED_CACHE_LIMIT = 10_000;
/** Where-labels of values sealed for one use (cluster/requestForwarding.ts seals forwarded credentials so). */
const ONE_USE_PREFIX = 'forwarded request:';

export class SecretBox {
  private keys = new Map<string, Buffer>();
  private current = '';
  private readonly source: KeyringSource | undefined;
  private stamp = '';
  private reloadedAt = 0;
  /** Secrets opened so far, by row and sealed text. */
  private readonly opened = new Map<string, string>();

  /** `keys[0]` seals; every key opens. With a `source`, the keyring follows it (see seal() and open()). */
  constructor(keys: readonly Buffer[], source?: KeyringSource) {
    this.source = source;
    this.use(keys);
    if (source) this.stamp = source.stamp();
  }

  private use(keys: readonly Buffer[]): void {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    this.keys = new Map(keys.map((k) => [keyIdOf(k), k]));
    this.current = keyIdOf(keys[0]!);
  }

  /** The id of the key that seals. */
  get currentKeyId(): string {
    return this.current;
  }

  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Reads the source again if it changed (or, with `force`, at most once a second). */
  private refresh(force: boolean): void {
    if (!this.source) return;
    const stamp = this.source.stamp();
    if (stamp === this.stamp && !(force && Date.now() - this.reloadedAt > 1000)) return;
    this.reloadedAt = Date.now();
    try {
      this.use(this.source.read());
      this.stamp = stamp;
    } catch {
      // Missing or half-edited: keep the keys this process has; the next change is read again.
    }
  }

  seal(plain: string, where: string): string {
    // A key file rotated while this process runs: seal under its new first key at once, not the old one.
    this.refresh(false);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.current)!, iv);
    cipher.setAAD(Buffer.from(where, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}:${this.current}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  open(sealed: string, where: string): string {
    const keyId = sealedKeyId(sealed);
    if (keyId === undefined) throw new SecretUnavailableError(`the stored secret of ${where} is not a sealed value`);
    // Sealed under a key this process has not seen: the key file may have been rotated meanwhile.
    if (!this.keys.has(keyId)) this.refresh(true);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretUnavailableError(`the stored secret of ${where} is sealed with key ${keyId}, which this server's keyring (${this.keyIds().join(', ')}) does not hold`);
    }
    // Every request with account or key credentials opens its secret: remember what opened (the sealed text
    // and its row bind the answer; a key dropped from the keyring still refuses, checked above).
    const cacheKey = `${where}\n${sealed}`;
    const known = this.opened.get(cacheKey);
    if (known !== undefined) return known;
    const [, , iv, body] = sealed.split(':') as [string, string, string, string];
    const data = Buffer.from(body, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(where, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      // A value sealed for one use (a forwarded request's credentials, sealed afresh each time) is opened
      // once: remembering it would only push the accounts' secrets out of the cache.
      if (!where.startsWith(ONE_USE_PREFIX)) {
        if (this.opened.size >= OPENED_CACHE_LIMIT) this.opened.clear();
        this.opened.set(cacheKey, plain);
      }
      return plain;
    } catch {
      throw new SecretUnavailableError(`the stored secret of ${where} does not open with key ${keyId} (altered, or moved from another row)`);
    }
  }

  // The two stored secrets, each bound to its row.
  sealAuthToken(accountSid: string, authToken: string): string {
    return this.seal(authToken, context.authToken(accountSid));
  }

  authTokenOf(account: Pick<Account, 'sid' | 'authTokenSealed'>): string {
    return this.open(account.authTokenSealed, context.authToken(account.sid));
  }

  sealKeySecret(keySid: string, secret: string): string {
    return this.seal(secret, context.keySecret(keySid));
  }

  secretOf(key: Pick<ApiKey, 'sid' | 'secretSealed'>): string {
    return this.open(key.secretSealed, context.keySecret(key.sid));
  }
}
