// Accounts and API keys another process writes to a running server's SQLite file (the command-line tools:
// `accounts create`, `keys create`, `secrets rotate`), as the server's store sees them (sqliteStore.ts,
// externalChanges): a credential memory lacks is read from the file at once, lists see every change at once,
// and a changed credential memory holds is read again within EXTERNAL_LOOK_MS (100 ms).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { Account, ApiKey } from '../../src/core/entities.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

const ACCOUNT = 'AC' + 'e1'.repeat(16);

function account(sealed: string): Account {
  return { sid: ACCOUNT, ownerAccountSid: ACCOUNT, friendlyName: 'main', authTokenSealed: sealed, status: 'active', dateCreated: 1, dateUpdated: 1 };
}

function key(sid: string, name: string): ApiKey {
  return { sid, accountSid: ACCOUNT, friendlyName: name, secretSealed: 'sealed-secret', dateCreated: 1, dateUpdated: 1 };
}

test("another process's accounts and keys: new ones at once, lists at once, changed ones within 100 ms", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-external-'));
  const path = join(dir, 'db.sqlite');
  const server = new SqliteStore(path);
  const tool = new SqliteStore(path, { routes: false });
  try {
    server.transaction((repo) => repo.insert('account', account('seal-1')));
    await server.durable();
    assert.equal(server.read((repo) => repo.get('account', ACCOUNT))?.authTokenSealed, 'seal-1');

    // A key the tool creates authenticates at once: memory lacks it, so the server reads the file.
    const first = 'SK' + 'f1'.repeat(16);
    tool.transaction((repo) => repo.insert('apiKey', key(first, 'from the tool')));
    await tool.durable();
    assert.equal(server.read((repo) => repo.get('apiKey', first))?.friendlyName, 'from the tool');
    // A list looks at once.
    assert.deepEqual(server.read((repo) => repo.findAll('apiKey', { accountSid: ACCOUNT }).map((k) => k.sid)), [first]);

    // The tool re-seals the account's token (`secrets rotate`): within 100 ms the server holds the new seal.
    await sleep(150);
    tool.transaction((repo) => repo.update('account', account('seal-2')));
    await tool.durable();
    const deadline = Date.now() + 100 + 50;
    let seen = server.read((repo) => repo.get('account', ACCOUNT))?.authTokenSealed;
    while (seen !== 'seal-2' && Date.now() < deadline) {
      await sleep(5);
      seen = server.read((repo) => repo.get('account', ACCOUNT))?.authTokenSealed;
    }
    assert.equal(seen, 'seal-2', 'the re-sealed account was not read again within 100 ms');

    // The server's own writes are in memory at once, whatever the looks.
    server.transaction((repo) => repo.update('apiKey', key(first, 'renamed by the server')));
    assert.equal(server.read((repo) => repo.get('apiKey', first))?.friendlyName, 'renamed by the server');
  } finally {
    tool.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
