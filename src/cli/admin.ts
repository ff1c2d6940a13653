// Admin subcommands that work on the database directly, with or without a running server:
//   switchboard accounts create [--friendly-name NAME] [--db PATH]   a new main account (sid + auth token)
//   switchboard accounts list [--db PATH]
//   switchboard keys create --account AC… [--friendly-name NAME] [--db PATH]   (sid + secret, shown once)
//   switchboard keys list --account AC… [--db PATH]
import { parseArgs } from 'node:util';
import { createAccount } from '../auth/accounts.ts';
import { createKey } from '../auth/apiKeys.ts';
import { resolveDbPath } from '../config.ts';
import { isSid } from '../core/sid.ts';
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';

function options(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { db: { type: 'string' }, 'friendly-name': { type: 'string' }, account: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
}

function withStore<T>(db: string | undefined, work: (store: SqliteStore) => T): T {
  const store = new SqliteStore(resolveDbPath(db, process.env));
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
