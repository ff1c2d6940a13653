// The accounts/keys CLI writes straight into the SQLite file, with or without a server running on it; what it
// prints authenticates with the real twilio client against a server on the same file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { accountsCommand, keysCommand } from '../../src/cli/admin.ts';
import { openStoredSecrets } from '../../src/auth/storedSecrets.ts';
import { resolveKeySource } from '../../src/config.ts';
import { buildServer } from '../../src/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { startChild, switchboardArgs } from '../support/childServer.ts';
import { expectRestError } from '../support/twilioClient.ts';

const run = promisify(execFile);

/** Runs `switchboard <args>`; SWITCHBOARD_DB is cleared unless given, so only --db or `env` picks the file. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, switchboardArgs(...args), {
      encoding: 'utf8',
      env: { ...process.env, SWITCHBOARD_DB: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

function credentials(out: string): { sid: string; token: string } {
  const sid = /^SWITCHBOARD_ACCOUNT_SID=(AC[0-9a-f]{32})$/m.exec(out)?.[1];
  const token = /^SWITCHBOARD_AUTH_TOKEN=([0-9a-f]{32})$/m.exec(out)?.[1];
  assert.ok(sid && token, `no credentials in: ${out}`);
  return { sid, token };
}

function keyOf(out: string): { sid: string; secret: string } {
  const sid = /^API_KEY_SID=(SK[0-9a-f]{32})$/m.exec(out)?.[1];
  const secret = /^API_KEY_SECRET=([0-9a-f]{32})$/m.exec(out)?.[1];
  assert.ok(sid && secret, `no key in: ${out}`);
  return { sid, secret };
}

/** A server in this process on an existing database file. */
async function serveOn(db: string): Promise<{ origin: string; close(): Promise<void> }> {
  const store = new SqliteStore(db);
  // The key file beside the database, which the CLI used too.
  const secrets = await openStoredSecrets(store, resolveKeySource(undefined, {}, db), () => undefined);
  const app: FastifyInstance = await buildServer({ store, secrets });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      store.close();
    },
  };
}

function client(origin: string, username: string, password: string, accountSid?: string) {
  const c = twilio(username, password, accountSid ? { accountSid } : {});
  c.api.baseUrl = origin;
  c.taskrouter.baseUrl = origin;
  return c;
}

describe('switchboard accounts / keys CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-cli2010-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accounts create makes a main account whose printed credentials work with the twilio client', async () => {
    const db = join(dir, 'create.db');
    const made = await cli(['accounts', 'create', '--friendly-name', 'Ops Team', '--db', db]);
    assert.equal(made.code, 0, made.stderr);
    const { sid, token } = credentials(made.stdout);

    const server = await serveOn(db);
    try {
      const c = client(server.origin, sid, token);
      const self = await c.api.v2010.account.fetch();
      assert.equal(self.sid, sid);
      assert.equal(self.ownerAccountSid, sid, 'a CLI account is a main account: it owns itself');
      assert.equal(self.friendlyName, 'Ops Team');
      assert.equal(self.status, 'active');
      const ws = await c.taskrouter.v1.workspaces.create({ friendlyName: 'From the CLI' });
      assert.equal(ws.accountSid, sid);
      // Being a main account, it can create subaccounts.
      const sub = await c.api.v2010.accounts.create({ friendlyName: 'Ops Sub' });
      assert.equal(sub.ownerAccountSid, sid);
      await expectRestError(client(server.origin, sid, 'f'.repeat(32)).taskrouter.v1.workspaces.list(), 401, 20003);
    } finally {
      await server.close();
    }

    const listed = await cli(['accounts', 'list', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${sid}\\tactive\\tmain\\tOps Team$`, 'm'));
    assert.match(listed.stdout, new RegExp(`^AC[0-9a-f]{32}\\tactive\\tsub of ${sid}\\tOps Sub$`, 'm'));
    assert.doesNotMatch(listed.stdout, new RegExp(token), 'list never prints auth tokens');
  });

  it('two main accounts on one database do not see each other', async () => {
    const db = join(dir, 'tenants.db');
    const a = credentials((await cli(['accounts', 'create', '--db', db])).stdout);
    const b = credentials((await cli(['accounts', 'create', '--db', db])).stdout);
    const server = await serveOn(db);
    try {
      const ca = client(server.origin, a.sid, a.token);
      const cb = client(server.origin, b.sid, b.token);
      assert.match((await ca.api.v2010.account.fetch()).friendlyName, /^Account Created at \d{4}-\d{2}-\d{2} \d{2}:\d{2} (am|pm)$/);
      assert.deepEqual((await ca.api.v2010.accounts.list()).map((x) => x.sid), [a.sid]);
      await expectRestError(ca.api.v2010.accounts(b.sid).fetch(), 404, 20404);
      const wsB = await cb.taskrouter.v1.workspaces.create({ friendlyName: 'B' });
      await expectRestError(ca.taskrouter.v1.workspaces(wsB.sid).fetch(), 404, 20404);
    } finally {
      await server.close();
    }
  });

  it('keys create while the server runs: the key works at once; keys list shows it without the secret', async () => {
    const db = join(dir, 'keys.db');
    const { sid } = credentials((await cli(['accounts', 'create', '--db', db])).stdout);
    const server = await serveOn(db);
    try {
      const made = await cli(['keys', 'create', '--account', sid, '--friendly-name', 'deploy bot', '--db', db]);
      assert.equal(made.code, 0, made.stderr);
      const key = keyOf(made.stdout);
      const viaKey = client(server.origin, key.sid, key.secret, sid);
      assert.deepEqual(await viaKey.taskrouter.v1.workspaces.list(), []);
      const listed = await viaKey.keys.list();
      assert.deepEqual(listed.map((k) => [k.sid, k.friendlyName]), [[key.sid, 'deploy bot']]);

      const printed = await cli(['keys', 'list', '--account', sid, '--db', db]);
      assert.equal(printed.code, 0, printed.stderr);
      assert.equal(printed.stdout, `${key.sid}\tdeploy bot\n`);
      assert.doesNotMatch(printed.stdout, new RegExp(key.secret));

      // Deleted over the API, it is gone for the CLI too.
      await viaKey.keys(key.sid).remove();
      assert.equal((await cli(['keys', 'list', '--account', sid, '--db', db])).stdout, '');
    } finally {
      await server.close();
    }
  });

  it('SWITCHBOARD_DB picks the file when --db is absent, and `serve` on that file accepts the credentials', async () => {
    const db = join(dir, 'env.db');
    const made = await cli(['accounts', 'create', '--friendly-name', 'Env'], { SWITCHBOARD_DB: db });
    assert.equal(made.code, 0, made.stderr);
    const { sid, token } = credentials(made.stdout);
    const key = keyOf((await cli(['keys', 'create', '--account', sid], { SWITCHBOARD_DB: db })).stdout);
    assert.match((await cli(['accounts', 'list', '--db', db])).stdout, new RegExp(`^${sid}\\t`, 'm'));

    const server = await startChild({ SWITCHBOARD_DB: db });
    try {
      // A main account already exists, so `serve` generates and prints none.
      assert.doesNotMatch(server.stdout(), /SWITCHBOARD_AUTH_TOKEN=/);
      assert.equal((await client(server.origin, sid, token).api.v2010.account.fetch()).friendlyName, 'Env');
      assert.deepEqual(await client(server.origin, key.sid, key.secret, sid).taskrouter.v1.workspaces.list(), []);
    } finally {
      await server.kill('SIGTERM');
    }
  });

  it('bad usage exits non-zero with a message on stderr and nothing on stdout', async () => {
    const db = join(dir, 'usage.db');
    for (const [args, message, code] of [
      [['frobnicate'], /unknown command: frobnicate/, 2],
      [['keys', 'create', '--db', db], /usage: switchboard keys/, 1],
      [['accounts', 'create', '--bogus', '--db', db], /bogus/, 1],
    ] as const) {
      const r = await cli([...args]);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });

  it('the command functions refuse bad arguments before writing anything', async () => {
    // In-process (each spawned CLI costs a second of start-up); main.ts prints these messages and exits 1.
    const db = join(dir, 'refuse.db');
    const { sid } = credentials((await cli(['accounts', 'create', '--friendly-name', 'Only', '--db', db])).stdout);
    const failures: [string, string[], RegExp][] = [
      ['accounts', [], /usage: switchboard accounts/],
      ['accounts', ['delete'], /usage: switchboard accounts/],
      ['accounts', ['create', '--friendly-name', 'x'.repeat(65)], /FriendlyName/],
      ['accounts', ['create', '--friendly-name', ''], /FriendlyName/],
      ['accounts', ['create', 'extra', '--nope'], /nope/],
      ['keys', ['create'], /usage: switchboard keys/],
      ['keys', ['list'], /usage: switchboard keys/],
      ['keys', ['create', '--account', 'ACnope'], /usage: switchboard keys/],
      ['keys', ['create', '--account', 'AC' + '0'.repeat(32)], /no account/],
      ['keys', ['create', '--account', sid, '--friendly-name', 'k'.repeat(65)], /FriendlyName/],
      ['keys', ['rotate', '--account', sid], /usage: switchboard keys/],
    ];
    for (const [command, args, message] of failures) {
      const fn = command === 'accounts' ? accountsCommand : keysCommand;
      await assert.rejects(fn([...args, '--db', db]), message, `${command} ${args.join(' ')}`);
    }
    const accounts = (await cli(['accounts', 'list', '--db', db])).stdout.trim().split('\n');
    assert.equal(accounts.length, 1);
    assert.equal((await cli(['keys', 'list', '--account', sid, '--db', db])).stdout, '');
  });
});
