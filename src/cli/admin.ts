// Admin subcommands that work on the database directly, with or without a running server:
//   switchboard accounts create [--friendly-name NAME] [--db PATH]   a new main account (sid + auth token)
//   switchboard accounts list [--db PATH]
//   switchboard keys create --account AC… [--friendly-name NAME] [--db PATH]   (sid + secret, shown once)
//   switchboard keys list --account AC… [--db PATH]
//   switchboard token worker --workspace WS… --worker WK… [--type access|capability] [--ttl S] [--db PATH]
//   switchboard token admin --workspace WS… [--type access|capability] [--ttl S] [--db PATH]
//   switchboard token user --account AC… --identity NAME [--ttl S] [--db PATH]   a bearer token for that user
//   switchboard backup FILE [--db PATH]   an online, consistent copy of the database (the server may be running)
//   switchboard secrets status|rotate|retire|new-key [--db PATH|URL] [--secret-key-file PATH]   the master key
//     of the stored secrets (docs/operations.md, "Secrets at rest")
// --db also takes a postgres:// URL (except backup: use pg_dump there). Every command opens the stored secrets'
// keyring as `serve` does (SWITCHBOARD_SECRET_KEY, or the key file), so what it writes the server can read.
import { parseArgs } from 'node:util';
import { createAccount } from '../auth/accounts.ts';
import { createKey } from '../auth/apiKeys.ts';
import { KeyFile, openSecretBox } from '../auth/masterKey.ts';
import { prepareMint } from '../auth/mint.ts';
import { prepareUserToken } from '../auth/userTokens.ts';
import { formatMasterKey, newMasterKey, SecretBox } from '../auth/secretBox.ts';
import { openStoredSecrets, sealStoredSecrets, storedSecretCensus } from '../auth/storedSecrets.ts';
import { resolveDbPath, resolveKeySource } from '../config.ts';
import type { Store } from '../core/repository.ts';
import { isSid } from '../core/sid.ts';
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';

function options(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      'friendly-name': { type: 'string' },
      account: { type: 'string' },
      workspace: { type: 'string' },
      worker: { type: 'string' },
      type: { type: 'string' },
      ttl: { type: 'string' },
      identity: { type: 'string' },
      'secret-key-file': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
}

type Options = ReturnType<typeof options>['values'];
const isPostgresUrl = (db: string) => /^postgres(ql)?:\/\//.test(db);
const note = (message: string) => process.stderr.write(`switchboard: ${message}\n`);

async function openStore(db: string): Promise<Store> {
  if (!isPostgresUrl(db)) return new SqliteStore(db, { routes: false });
  const { PostgresStore } = await import('../store/postgres/postgresStore.ts');
  return PostgresStore.open(db);
}

/** Opens the database and its stored secrets' keyring (as `serve` does), runs `work`, commits and closes. */
async function withStore<T>(values: Options, work: (store: Store, secrets: SecretBox) => T | Promise<T>): Promise<T> {
  const db = resolveDbPath(values.db, process.env);
  const store = await openStore(db);
  try {
    const secrets = await openStoredSecrets(store, resolveKeySource(values['secret-key-file'], process.env, db), note);
    // PostgreSQL reads through the store's replay (a command's work reads, then writes: it replays whole).
    const result = await store.replaying(() => work(store, secrets), { acrossAwaits: true });
    await store.durable();
    return result;
  } finally {
    store.close();
  }
}

export async function accountsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = options(argv);
  const action = positionals[0];
  if (action === 'create') {
    const a = await withStore(values, (store, secrets) => store.transaction((repo) => createAccount(repo, secrets, Date.now(), { friendlyName: values['friendly-name'] })));
    process.stdout.write(`SWITCHBOARD_ACCOUNT_SID=${a.account.sid}\nSWITCHBOARD_AUTH_TOKEN=${a.authToken}\n`);
  } else if (action === 'list') {
    const all = await withStore(values, (store) => store.read((repo) => repo.findAll('account', {})));
    for (const a of all) {
      const kind = a.ownerAccountSid === a.sid ? 'main' : `sub of ${a.ownerAccountSid}`;
      process.stdout.write(`${a.sid}\t${a.status}\t${kind}\t${a.friendlyName}\n`);
    }
  } else {
    throw new Error('usage: switchboard accounts create|list [--friendly-name NAME] [--db PATH]');
  }
}

export async function keysCommand(argv: string[]): Promise<void> {
  const { values, positionals } = options(argv);
  const action = positionals[0];
  const accountSid = values.account;
  if (!isSid(accountSid, 'AC') || (action !== 'create' && action !== 'list')) {
    throw new Error('usage: switchboard keys create|list --account AC… [--friendly-name NAME] [--db PATH]');
  }
  await withStore(values, (store, secrets) => {
    if (!store.read((repo) => repo.get('account', accountSid))) throw new Error(`no account ${accountSid} in this database`);
    if (action === 'create') {
      const { key, secret } = store.transaction((repo) => createKey(repo, secrets, Date.now(), accountSid, values['friendly-name']));
      process.stdout.write(`API_KEY_SID=${key.sid}\nAPI_KEY_SECRET=${secret}\n`);
    } else {
      for (const k of store.read((repo) => repo.findAll('apiKey', { accountSid }))) process.stdout.write(`${k.sid}\t${k.friendlyName}\n`);
    }
  });
}

export async function tokenCommand(argv: string[]): Promise<void> {
  const { values, positionals } = options(argv);
  const role = positionals[0];
  const usage =
    'usage: switchboard token worker --workspace WS… --worker WK… | token admin --workspace WS… [--type access|capability] | token user --account AC… --identity NAME   [--ttl S] [--db PATH]';
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > 86400)) throw new Error('--ttl must be 60-86400 seconds');
  if (role === 'user') {
    const accountSid = values.account;
    const identity = values.identity;
    if (!isSid(accountSid, 'AC') || !identity) throw new Error(usage);
    const signUser = await withStore(values, (store, secrets) =>
      store.transaction((repo) => {
        if (!repo.get('account', accountSid)) throw new Error(`no account ${accountSid} in this database`);
        return prepareUserToken(repo, secrets, Date.now(), accountSid, identity, ttl);
      }),
    );
    process.stdout.write(`${(await signUser()).token}\n`);
    return;
  }
  if ((role !== 'worker' && role !== 'admin') || !isSid(values.workspace, 'WS')) throw new Error(usage);
  if (values.type !== undefined && values.type !== 'access' && values.type !== 'capability') throw new Error(usage);
  const workspaceSid = values.workspace;
  const sign = await withStore(values, (store, secrets) =>
    store.transaction((repo) => {
      const ws = repo.get('workspace', workspaceSid);
      if (!ws) throw new Error(`no workspace ${workspaceSid} in this database`);
      return prepareMint(repo, secrets, Date.now(), {
        accountSid: ws.accountSid,
        workspaceSid,
        workerSid: role === 'worker' ? values.worker : undefined,
        role,
        type: values.type as 'access' | 'capability' | undefined,
        ttlSeconds: ttl,
      });
    }),
  );
  const { token } = await sign();
  process.stdout.write(`${token}\n`);
}

export async function backupCommand(argv: string[]): Promise<void> {
  const { values, positionals } = options(argv);
  const target = positionals[0];
  if (!target || positionals.length !== 1) throw new Error('usage: switchboard backup FILE [--db PATH]');
  if (isPostgresUrl(resolveDbPath(values.db, process.env))) throw new Error('backup copies a SQLite file; back PostgreSQL up with pg_dump (docs/operations.md)');
  const store = new SqliteStore(resolveDbPath(values.db, process.env), { routes: false });
  try {
    const started = Date.now();
    await store.backup(target);
    process.stdout.write(`backed up ${resolveDbPath(values.db, process.env)} to ${target} in ${Date.now() - started} ms\n`);
  } finally {
    store.close();
  }
}

/**
 * The master key of the stored secrets (docs/operations.md, "Secrets at rest"):
 *   new-key  prints a fresh key (for SWITCHBOARD_SECRET_KEY);
 *   status   the keyring's keys (the first seals) and how many stored secrets each key seals;
 *   rotate   key file: writes a new key first in the file, the old ones kept after it (a running server reads
 *            the file again and opens both), then seals every stored secret under the new key.
 *            SWITCHBOARD_SECRET_KEY: seals every stored secret under its first key (put the new key first);
 *   retire   key file: removes every key but the first, once no stored secret is sealed under another.
 */
export async function secretsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = options(argv);
  const action = positionals[0];
  const usage = 'usage: switchboard secrets status|rotate|retire|new-key [--db PATH|URL] [--secret-key-file PATH]';
  if (action === 'new-key') {
    process.stdout.write(`${formatMasterKey(newMasterKey())}\n`);
    return;
  }
  if (action !== 'status' && action !== 'rotate' && action !== 'retire') throw new Error(usage);
  const db = resolveDbPath(values.db, process.env);
  const source = resolveKeySource(values['secret-key-file'], process.env, db);
  const fromEnv = source.keys !== undefined;
  const store = await openStore(db);
  try {
    // The keyring as the server would open it (a missing key file is generated only for an empty database).
    const census = await storedSecretCensus(store);
    let secrets = openSecretBox(source, new Set(census.byKey.keys()), note);
    if (action === 'rotate' && !fromEnv) {
      // The file first: were the process to stop after sealing but before writing it, nothing could open them.
      const file = new KeyFile(source.file!);
      const keys = [newMasterKey(), ...file.read()];
      file.write(keys);
      secrets = new SecretBox(keys);
    }
    if (action === 'rotate' || action === 'retire') {
      const { sealed, resealed } = await sealStoredSecrets(store, secrets);
      await store.durable();
      process.stdout.write(`sealed ${resealed + sealed} stored secrets under key ${secrets.currentKeyId}\n`);
    }
    if (action === 'retire') {
      if (fromEnv) throw new Error('the keys come from SWITCHBOARD_SECRET_KEY: remove the old ones from it there');
      const still = [...(await storedSecretCensus(store)).byKey.keys()].filter((id) => id !== secrets.currentKeyId);
      if (still.length > 0) throw new Error(`stored secrets are still sealed under ${still.join(', ')}; run rotate again`);
      const file = new KeyFile(source.file!);
      const [current] = file.read();
      file.write([current!]);
      process.stdout.write(`${source.file} now holds key ${secrets.currentKeyId} only\n`);
    }
    const after = await storedSecretCensus(store);
    process.stdout.write(`keys (${fromEnv ? 'SWITCHBOARD_SECRET_KEY' : source.file ?? 'in memory'}): ${secrets.keyIds().map((id) => (id === secrets.currentKeyId ? `${id} (seals)` : id)).join(', ')}\n`);
    for (const [id, n] of after.byKey) process.stdout.write(`${n} stored secrets sealed under ${id}\n`);
    if (after.plain > 0) process.stdout.write(`${after.plain} stored secrets in clear (a server start seals them)\n`);
  } finally {
    store.close();
  }
}
