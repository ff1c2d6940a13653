// The admin CLI writes straight into the database; a server started on that file accepts what it printed.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, switchboardArgs } from '../support/childServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => execFileSync(process.execPath, switchboardArgs(...args), { encoding: 'utf8', env: { ...process.env, SWITCHBOARD_DB: '' } });

it('accounts create / keys create print credentials that authenticate against a server on the same db', async () => {
  const db = join(dir, 'cli.db');
  const account = cli('accounts', 'create', '--friendly-name', 'Ops', '--db', db);
  const sid = /SWITCHBOARD_ACCOUNT_SID=(AC[0-9a-f]{32})/.exec(account)![1]!;
  const token = /SWITCHBOARD_AUTH_TOKEN=([0-9a-f]{32})/.exec(account)![1]!;
  const key = cli('keys', 'create', '--account', sid, '--db', db);
  const keySid = /API_KEY_SID=(SK[0-9a-f]{32})/.exec(key)![1]!;
  const secret = /API_KEY_SECRET=([0-9a-f]{32})/.exec(key)![1]!;
  assert.match(cli('accounts', 'list', '--db', db), new RegExp(`${sid}\\tactive\\tmain\\tOps`));
  assert.match(cli('keys', 'list', '--account', sid, '--db', db), new RegExp(keySid));
  assert.throws(() => cli('keys', 'create', '--account', 'AC' + '0'.repeat(32), '--db', db), /no account/);
  // A bearer token for a user of the account (every face but the 2010 account API takes it).
  const userToken = cli('token', 'user', '--account', sid, '--identity', 'dana@example.test', '--ttl', '600', '--db', db).trim();
  assert.throws(() => cli('token', 'user', '--account', sid, '--db', db), /usage/);

  const server = await startChild({ SWITCHBOARD_DB: db });
  try {
    // An account already exists, so the server generates none.
    assert.doesNotMatch(server.stdout(), /SWITCHBOARD_AUTH_TOKEN=/);
    for (const [user, pass] of [[sid, token], [keySid, secret]]) {
      const res = await fetch(`${server.origin}/v1/Workspaces`, { headers: { authorization: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') } });
      assert.equal(res.status, 200);
    }
    const asUser = await fetch(`${server.origin}/api/taskdefinitions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: { scope: 'cli', code: 'user' }, displayName: 'd', states: [{ name: 'A' }], initialState: { name: 'A' } }),
    });
    assert.equal(asUser.status, 201, await asUser.clone().text());
    assert.equal(((await asUser.json()) as { version: { userIdCreated: string } }).version.userIdCreated, 'dana@example.test');
  } finally {
    await server.kill();
  }
});
