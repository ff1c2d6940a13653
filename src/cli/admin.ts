// Admin subcommands that work on the database directly, with or without a running server:
//   switchboard accounts create [--friendly-name NAME] [--db PATH]   a new main account (sid + auth token)
//   switchboard accounts list [--db PATH]
//   switchboard keys create --account AC… [--friendly-name NAME] [--db PATH]   (sid + secret, shown once)
//   switchboard keys list --account AC… [--db PATH]
//   switchboard token worker --workspace WS… --worker WK… [--type access|capability] [--ttl S] [--db PATH]
//   switchboard token admin --workspace WS… [--type access|capability] [--ttl S] [--db PATH]
//   switchboard token user --account AC… --identity NAME [--ttl S] [--db PATH]   a bearer token for that user
//   switchboard backup FILE [--db PATH]   an online, consistent copy of the database (the server may be running)
import { parseArgs } from 'node:util';
import { createAccount } from '../auth/accounts.ts';
import { createKey } from '../auth/apiKeys.ts';
import { prepareMint } from '../auth/mint.ts';
import { prepareUserToken } from '../auth/userTokens.ts';
import { resolveDbPath } from '../config.ts';
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
    },
    strict: true,
    allowPositionals: true,
  });
}

function withStore<T>(db: string | undefined, work: (store: SqliteStore) => T): T {
  const store = new SqliteStore(resolveDbPath(db, process.env), { routes: false });
  try {
    return work(store);
  } finally {
    store.close();
  }
}

export async function accountsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = options(argv);
  const action = positionals[0];
  if (action === 'create') {
    const a = withStore(values.db, (store) => store.transaction((repo) => createAccount(repo, Date.now(), { friendlyName: values['friendly-name'] })));
    process.stdout.write(`SWITCHBOARD_ACCOUNT_SID=${a.sid}\nSWITCHBOARD_AUTH_TOKEN=${a.authToken}\n`);
  } else if (action === 'list') {
    const all = withStore(values.db, (store) => store.read((repo) => repo.findAll('account', {})));
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
  withStore(values.db, (store) => {
    if (!store.read((repo) => repo.get('account', accountSid))) throw new Error(`no account ${accountSid} in this database`);
    if (action === 'create') {
      const key = store.transaction((repo) => createKey(repo, Date.now(), accountSid, values['friendly-name']));
      process.stdout.write(`API_KEY_SID=${key.sid}\nAPI_KEY_SECRET=${key.secret}\n`);
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
    const signUser = withStore(values.db, (store) =>
      store.transaction((repo) => {
        if (!repo.get('account', accountSid)) throw new Error(`no account ${accountSid} in this database`);
        return prepareUserToken(repo, Date.now(), accountSid, identity, ttl);
      }),
    );
    process.stdout.write(`${(await signUser()).token}\n`);
    return;
  }
  if ((role !== 'worker' && role !== 'admin') || !isSid(values.workspace, 'WS')) throw new Error(usage);
  if (values.type !== undefined && values.type !== 'access' && values.type !== 'capability') throw new Error(usage);
  const workspaceSid = values.workspace;
  const sign = withStore(values.db, (store) =>
    store.transaction((repo) => {
      const ws = repo.get('workspace', workspaceSid);
      if (!ws) throw new Error(`no workspace ${workspaceSid} in this database`);
      return prepareMint(repo, Date.now(), {
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
  const store = new SqliteStore(resolveDbPath(values.db, process.env), { routes: false });
  try {
    const started = Date.now();
    await store.backup(target);
    process.stdout.write(`backed up ${resolveDbPath(values.db, process.env)} to ${target} in ${Date.now() - started} ms\n`);
  } finally {
    store.close();
  }
}
