// Where the master key of the stored secrets comes from (secretBox.ts seals with it), checked against the
// database before the server starts:
//  1. SWITCHBOARD_SECRET_KEY: one key, or several separated by commas (the first seals, the others only open);
//  2. else a key file (SWITCHBOARD_SECRET_KEY_FILE or --secret-key-file; by default `secret.key` beside the
//     SQLite file, and ./data/secret.key for PostgreSQL): one key per line, the first sealing, `#` comments.
//     It is generated on first start when absent (mode 0600, its directory created 0700), unless the
//     database already holds secrets sealed under some key: then the server stops and says which key it needs.
// The database never holds the key, so a copy of the database file or of a backup (`switchboard backup`,
// pg_dump) opens nothing by itself.
import { existsSync, fsyncSync, linkSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatMasterKey, type KeyringSource, newMasterKey, parseMasterKey, SecretBox } from './secretBox.ts';

export interface KeySource {
  /** The text of SWITCHBOARD_SECRET_KEY, if set. */
  keys?: string;
  /** The key file (undefined for an in-memory database: the key lives as long as the process). */
  file?: string;
}

const HEADER = [
  '# Switchboard secret key: it seals the auth tokens and API key secrets stored in the database.',
  '# Keep it apart from the database and its backups; without it the stored credentials cannot be read.',
  '# The first key seals; keys after it only open what they sealed (rotation: `switchboard secrets rotate`).',
];

export function parseKeyList(text: string, where: string): Buffer[] {
  // `#` starts a comment (base64 and hex never hold one); keys are separated by lines or commas.
  const lines = text
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').split(','))
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) throw new Error(`${where} holds no key`);
  return lines.map((l, i) => {
    try {
      return parseMasterKey(l);
    } catch (err) {
      throw new Error(`${where}, key ${i + 1}: ${(err as Error).message}`);
    }
  });
}

/** A key file as a keyring source: read again when it changes (a rotation by another process). */
export class KeyFile implements KeyringSource {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  read(): Buffer[] {
    return parseKeyList(readFileSync(this.path, 'utf8'), `the key file ${this.path}`);
  }

  stamp(): string {
    try {
      const s = statSync(this.path);
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return 'missing';
    }
  }

  describe(): string {
    return `the key file ${this.path}`;
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  /** Group- or world-readable key files are worth a warning (as ssh warns about private keys). */
  looseMode(): number | undefined {
    const mode = statSync(this.path).mode & 0o777;
    return mode & 0o077 ? mode : undefined;
  }

  /** Writes the keys (the first seals) in place of the file: a whole file or none (temporary file, fsync,
   *  rename), mode 0600. With `exclusive`, only if there is no file yet (two nodes starting together). */
  write(keys: readonly Buffer[], exclusive = false): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, [...HEADER, ...keys.map(formatMasterKey), ''].join('\n'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      if (exclusive) linkSync(temp, this.path); // fails if another process wrote one first
      else renameSync(temp, this.path);
    } finally {
      if (exclusive) unlinkSync(temp);
    }
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}

/**
 * The server's keyring. `inUse` are the key ids the database's sealed secrets name: every one must be in the
 * keyring, or the server would start unable to authenticate those accounts. `log` hears what an operator
 * should know (a generated key, a loose file mode).
 */
export function openSecretBox(source: KeySource, inUse: ReadonlySet<string>, log: (message: string) => void): SecretBox {
  let box: SecretBox;
  let from: string;
  if (source.keys !== undefined && source.keys.trim() !== '') {
    box = new SecretBox(parseKeyList(source.keys, 'SWITCHBOARD_SECRET_KEY'));
    from = 'SWITCHBOARD_SECRET_KEY';
  } else if (source.file !== undefined) {
    const file = new KeyFile(source.file);
    from = file.describe();
    if (!file.exists()) {
      if (inUse.size > 0) {
        throw new Error(
          `the database holds secrets sealed with key ${[...inUse].join(', ')}, and there is no key file at ${source.file}: ` +
            'give the key that sealed them (SWITCHBOARD_SECRET_KEY, or SWITCHBOARD_SECRET_KEY_FILE naming its file)',
        );
      }
      try {
        file.write([newMasterKey()], true);
        log(`generated a secret key in ${source.file} (mode 0600): keep it apart from the database and its backups; every node of a cluster needs the same key`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // Another process generated it at the same moment: use that one.
      }
    }
    const loose = file.looseMode();
    if (loose !== undefined) log(`warning: the key file ${source.file} is readable by others (mode ${loose.toString(8)}); chmod 600 it`);
    box = new SecretBox(file.read(), file);
  } else {
    box = new SecretBox([newMasterKey()]);
    from = 'a key for this process only (in-memory database)';
  }
  const missing = [...inUse].filter((id) => !box.knows(id));
  if (missing.length > 0) {
    throw new Error(
      `the database holds secrets sealed with key ${missing.join(', ')}, which ${from} does not hold (it holds ${box.keyIds().join(', ')}): ` +
        'give this server the key the other nodes use (SWITCHBOARD_SECRET_KEY or SWITCHBOARD_SECRET_KEY_FILE)',
    );
  }
  return box;
}
