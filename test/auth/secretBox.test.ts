// The sealing of stored secrets (src/auth/secretBox.ts) and where its keys come from (src/auth/masterKey.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFile, openSecretBox, parseKeyList } from '../../src/auth/masterKey.ts';
import { formatMasterKey, keyIdOf, newMasterKey, parseMasterKey, SecretBox, sealedKeyId } from '../../src/auth/secretBox.ts';

describe('sealed secrets', () => {
  it('open only in the row they were sealed for, and not once altered', () => {
    const box = new SecretBox([newMasterKey()]);
    const sealed = box.sealAuthToken('AC1', 'token-of-ac1');
    assert.match(sealed, /^sb1:[0-9a-f]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes('token-of-ac1'));
    assert.notEqual(box.sealAuthToken('AC1', 'token-of-ac1'), sealed, 'a fresh IV each time');
    assert.equal(box.authTokenOf({ sid: 'AC1', authTokenSealed: sealed }), 'token-of-ac1');
    // Moved onto another account, or used as an API key's secret: refused.
    assert.throws(() => box.authTokenOf({ sid: 'AC2', authTokenSealed: sealed }), /does not open/);
    assert.throws(() => box.secretOf({ sid: 'AC1', secretSealed: sealed }), /does not open/);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    assert.throws(() => box.authTokenOf({ sid: 'AC1', authTokenSealed: [...parts.slice(0, 3), body.toString('base64url')].join(':') }), /does not open/);
    assert.throws(() => box.authTokenOf({ sid: 'AC1', authTokenSealed: 'in clear' }), /not a sealed value/);
  });

  it('a keyring seals with its first key and opens with any; another key cannot open', () => {
    const [oldKey, newKey] = [newMasterKey(), newMasterKey()];
    const before = new SecretBox([oldKey]).sealKeySecret('SK1', 's3cret');
    const rotated = new SecretBox([newKey, oldKey]);
    assert.equal(rotated.secretOf({ sid: 'SK1', secretSealed: before }), 's3cret');
    const after = rotated.sealKeySecret('SK1', 's3cret');
    assert.equal(sealedKeyId(after), keyIdOf(newKey));
    assert.equal(sealedKeyId(before), keyIdOf(oldKey));
    assert.throws(() => new SecretBox([newKey]).secretOf({ sid: 'SK1', secretSealed: before }), new RegExp(`sealed with key ${keyIdOf(oldKey)}, which this server's keyring`));
  });

  it('reads keys as base64 or hex, and says what is wrong with a bad one', () => {
    const key = newMasterKey();
    assert.deepEqual(parseMasterKey(formatMasterKey(key)), key);
    assert.deepEqual(parseMasterKey(key.toString('hex')), key);
    assert.deepEqual(parseMasterKey(key.toString('base64url')), key);
    for (const bad of ['', 'short', 'a'.repeat(63), Buffer.alloc(16).toString('base64')]) assert.throws(() => parseMasterKey(bad), /32 bytes/);
    assert.throws(() => parseKeyList(`${formatMasterKey(key)}, nope`, 'SWITCHBOARD_SECRET_KEY'), /SWITCHBOARD_SECRET_KEY, key 2: a secret key must be 32 bytes/);
    assert.throws(() => parseKeyList('# only a comment\n', 'the key file x'), /holds no key/);
    assert.equal(parseKeyList(`# a comment, with a comma\n${formatMasterKey(key)}  # the current one\n`, 'f').length, 1);
  });

  it('generates a private key file once, follows it when it is rotated, and refuses a database sealed under another key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-keys-'));
    try {
      const file = join(dir, 'keys', 'secret.key');
      const messages: string[] = [];
      const box = openSecretBox({ file }, new Set(), (m) => messages.push(m));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
      assert.match(messages.join('\n'), /generated a secret key/);
      const sealed = box.sealAuthToken('AC1', 'token');
      // Opened again: the same key, no new file.
      const again = openSecretBox({ file }, new Set([sealedKeyId(sealed)!]), () => undefined);
      assert.equal(again.authTokenOf({ sid: 'AC1', authTokenSealed: sealed }), 'token');
      // Rotated by another process: the running box seals with the new key and opens both.
      const next = newMasterKey();
      new KeyFile(file).write([next, ...new KeyFile(file).read()]);
      assert.equal(sealedKeyId(box.sealAuthToken('AC1', 'token')), keyIdOf(next));
      assert.equal(box.authTokenOf({ sid: 'AC1', authTokenSealed: sealed }), 'token');
      // A database whose secrets another key sealed: refused, naming the key.
      const foreign = keyIdOf(newMasterKey());
      assert.throws(() => openSecretBox({ file }, new Set([foreign]), () => undefined), new RegExp(`sealed with key ${foreign}, which the key file .* does not hold`));
      assert.throws(() => openSecretBox({ file: join(dir, 'missing.key') }, new Set([foreign]), () => undefined), /there is no key file at/);
      writeFileSync(join(dir, 'loose.key'), formatMasterKey(newMasterKey()), { mode: 0o644 });
      const warnings: string[] = [];
      openSecretBox({ file: join(dir, 'loose.key') }, new Set(), (m) => warnings.push(m));
      assert.match(warnings.join('\n'), /readable by others \(mode 644\); chmod 600 it/);
      assert.ok(readFileSync(file, 'utf8').startsWith('# Switchboard secret key'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
