// Secrets at rest: accounts' auth tokens and API keys' secrets are stored sealed under the operator's master key
// (src/auth/secretBox.ts). These tests read what an attacker holding a copy of the database would read (the
// SQLite file with its WAL, every PostgreSQL row through pg_dump) and look for every credential in clear; and
// they check that everything a credential does still works, on real servers, before and after a key rotation
// done while the servers run: HTTP Basic with the account token and with an API key, an Access Token signed
// with the key's secret, a capability token signed with the auth token, and webhooks signed with the auth token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import twilio from 'twilio';
import { formatMasterKey, keyIdOf, newMasterKey } from '../../src/auth/secretBox.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { postgresBinDir } from '../../scripts/postgres.mjs';
import { type ChildServer, startChild, switchboardArgs } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver.ts';

const run = promisify(execFile);
const { AccessToken } = twilio.jwt;
const { TaskRouterGrant } = AccessToken;
const { TaskRouterCapability, util } = twilio.jwt.taskrouter;

interface Credentials {
  accountSid: string;
  authToken: string;
  keySid: string;
  keySecret: string;
}

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

/** Runs `switchboard <args>` with `env` (and no inherited database or key settings). */
async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const clean = { ...process.env, SWITCHBOARD_DB: '', SWITCHBOARD_SECRET_KEY: '', SWITCHBOARD_SECRET_KEY_FILE: '' };
  const { stdout } = await run(process.execPath, switchboardArgs(...args), { encoding: 'utf8', env: { ...clean, ...env } });
  return stdout;
}

async function call(origin: string, method: string, path: string, headers: Record<string, string>, form?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(origin + path, {
    method,
    headers: { ...headers, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** Everything the stored secrets are used for, against `origin`; `ws` has its event callback on `receiver`. */
async function exercise(label: string, origin: string, c: Credentials, ws: string, receiver: WebhookReceiver): Promise<void> {
  const account = { authorization: basic(c.accountSid, c.authToken) };
  assert.equal((await call(origin, 'GET', `/v1/Workspaces/${ws}`, account)).status, 200, `${label}: Basic with the auth token`);
  assert.equal((await call(origin, 'GET', `/v1/Workspaces/${ws}`, { authorization: basic(c.accountSid, `${c.authToken}x`) })).status, 401, `${label}: a wrong token`);
  assert.equal((await call(origin, 'GET', `/v1/Workspaces/${ws}/Activities`, { authorization: basic(c.keySid, c.keySecret) })).status, 200, `${label}: Basic with the API key`);
  assert.equal((await call(origin, 'GET', '/2010-04-01/Accounts.json', { authorization: basic(c.keySid, c.keySecret) })).status, 200, `${label}: the key on the 2010 API`);
  const fetched = await call(origin, 'GET', `/2010-04-01/Accounts/${c.accountSid}.json`, account);
  assert.equal(fetched.body?.auth_token, c.authToken, `${label}: the account resource shows its token, as Twilio's does`);

  const access = new AccessToken(c.accountSid, c.keySid, c.keySecret, { identity: 'supervisor', ttl: 600 });
  access.addGrant(new TaskRouterGrant({ workspaceSid: ws, role: 'admin' }));
  assert.equal((await call(origin, 'GET', `/v1/Workspaces/${ws}/Activities`, { 'x-twilio-token': access.toJwt() })).status, 200, `${label}: Access Token (API key secret)`);
  const forged = new AccessToken(c.accountSid, c.keySid, `${c.keySecret}x`, { identity: 'supervisor', ttl: 600 });
  forged.addGrant(new TaskRouterGrant({ workspaceSid: ws, role: 'admin' }));
  assert.equal((await call(origin, 'GET', `/v1/Workspaces/${ws}/Activities`, { 'x-twilio-token': forged.toJwt() })).status, 401, `${label}: a token signed with another secret`);
  const capability = new TaskRouterCapability({ accountSid: c.accountSid, authToken: c.authToken, workspaceSid: ws, channelId: ws });
  capability.addPolicy(new TaskRouterCapability.Policy({ url: util.activitiesUrl(ws), method: 'GET' }));
  assert.equal((await call(origin, 'GET', `/v1/Workspaces/${ws}/Activities`, { 'x-twilio-token': capability.toJwt() })).status, 200, `${label}: capability token (auth token)`);

  // A webhook for an event made now, signed with the auth token as Twilio signs.
  const marker = `${label}-${newSecret().slice(0, 8)}`;
  const task = await call(origin, 'POST', `/v1/Workspaces/${ws}/Tasks`, account, { Attributes: JSON.stringify({ marker }) });
  assert.equal(task.status, 201, `${label}: task created ${JSON.stringify(task.body)}`);
  await receiver.waitFor((all) => all.some((r) => r.params.TaskSid === task.body.sid && r.params.EventType === 'task.created'), 20_000);
  const hook = receiver.received.find((r) => r.params.TaskSid === task.body.sid && r.params.EventType === 'task.created')!;
  assert.ok(twilio.validateRequest(c.authToken, String(hook.headers['x-twilio-signature']), `${receiver.origin}/events`, hook.params), `${label}: webhook signature`);
}

/** Asserts that none of the secrets appears in any of the buffers, in clear or as a Basic header carries it. */
function assertAbsent(where: string, buffers: Buffer[], secrets: string[], c?: Credentials): void {
  const needles = [...secrets];
  if (c) needles.push(Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64'), Buffer.from(`${c.keySid}:${c.keySecret}`).toString('base64'));
  for (const needle of needles) {
    for (const b of buffers) assert.equal(b.includes(Buffer.from(needle)), false, `${where} holds ${needle} in clear`);
  }
}

function sqliteFiles(db: string): Buffer[] {
  return ['', '-wal', '-shm'].filter((s) => existsSync(db + s)).map((s) => readFileSync(db + s));
}

/** The rows older versions wrote: the secrets in clear under their old names. */
function legacyRows(c: Credentials) {
  const account = { sid: c.accountSid, ownerAccountSid: c.accountSid, friendlyName: 'Legacy', authToken: c.authToken, status: 'active', dateCreated: 1, dateUpdated: 1 };
  const key = { sid: c.keySid, accountSid: c.accountSid, friendlyName: 'old key', secret: c.keySecret, dateCreated: 1, dateUpdated: 1 };
  return { account: account as never, key: key as never };
}

const legacyCredentials = (): Credentials => ({ accountSid: newSid('AC'), authToken: `legacy-token-${newSecret()}`, keySid: newSid('SK'), keySecret: `legacy-secret-${newSecret()}` });

describe('secrets at rest on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-secrets-'));
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores no credential in clear, keeps its key apart (mode 0600), and works before and after a rotation made while serving', async () => {
    const db = join(dir, 'a', 'switchboard.db');
    const accountSid = newSid('AC');
    const env = { SWITCHBOARD_DB: db, SWITCHBOARD_ACCOUNT_SID: accountSid, SWITCHBOARD_AUTH_TOKEN: `bootstrap-${newSecret()}` };
    let server: ChildServer = await startChild(env);
    try {
      const keyFile = join(dir, 'a', 'secret.key');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the generated key file is private');
      assert.match(server.stdout(), /generated a secret key in .*secret\.key/);
      const admin = { authorization: basic(accountSid, env.SWITCHBOARD_AUTH_TOKEN) };
      const sub = (await call(server.origin, 'POST', '/2010-04-01/Accounts.json', admin, { FriendlyName: 'Team B' })).body;
      const key = (await call(server.origin, 'POST', `/2010-04-01/Accounts/${sub.sid}/Keys.json`, { authorization: basic(sub.sid, sub.auth_token) })).body;
      const c: Credentials = { accountSid: sub.sid, authToken: sub.auth_token, keySid: key.sid, keySecret: key.secret };
      const subAuth = { authorization: basic(c.accountSid, c.authToken) };
      const ws = (await call(server.origin, 'POST', '/v1/Workspaces', subAuth, { FriendlyName: 'Secrets', Template: 'FIFO', EventCallbackUrl: `${receiver.origin}/events` })).body.sid;
      // A token minted by the server signs with a key it creates and stores (sealed too).
      const minted = await call(server.origin, 'POST', '/switchboard/v1/Tokens', subAuth, { WorkspaceSid: ws, Role: 'admin' });
      assert.equal((await call(server.origin, 'GET', `/v1/Workspaces/${ws}`, { 'x-twilio-token': minted.body.token })).status, 200);

      await exercise('before rotation', server.origin, c, ws, receiver);
      const secrets = [env.SWITCHBOARD_AUTH_TOKEN, c.authToken, c.keySecret];
      assertAbsent('the database files', sqliteFiles(db), secrets, c);
      const keyText = readFileSync(keyFile, 'utf8');
      assertAbsent('the database files', sqliteFiles(db), keyText.split('\n').filter((l) => l && !l.startsWith('#')));
      const oldId = keyIdOf(Buffer.from(keyText.split('\n').find((l) => l && !l.startsWith('#'))!, 'base64'));

      // Rotation while the server runs: the file gets a new first key, every stored secret is sealed under it,
      // and the running server follows the file.
      const rotated = await cli(['secrets', 'rotate', '--db', db], {});
      const newId = /sealed \d+ stored secrets under key ([0-9a-f]{16})/.exec(rotated)?.[1];
      assert.ok(newId && newId !== oldId, rotated);
      assert.match(rotated, new RegExp(`^4 stored secrets sealed under ${newId}$`, 'm'), 'two accounts, the API key and the token signing key');
      assert.doesNotMatch(rotated, new RegExp(`sealed under ${oldId}`));
      await exercise('after rotation, same process', server.origin, c, ws, receiver);
      // A secret created now is sealed under the new key (the server read the rotated file).
      const later = (await call(server.origin, 'POST', `/2010-04-01/Accounts/${c.accountSid}/Keys.json`, subAuth)).body;
      assert.match(await cli(['secrets', 'status', '--db', db], {}), new RegExp(`^5 stored secrets sealed under ${newId}$`, 'm'));
      assert.equal((await call(server.origin, 'GET', `/v1/Workspaces/${ws}`, { authorization: basic(later.sid, later.secret) })).status, 200);

      const retired = await cli(['secrets', 'retire', '--db', db], {});
      assert.match(retired, new RegExp(`now holds key ${newId} only`));
      await server.kill('SIGTERM');
      server = await startChild(env);
      await exercise('after rotation, restarted', server.origin, c, ws, receiver);
      assertAbsent('the database files after rotation', sqliteFiles(db), [...secrets, later.secret], c);
      assertAbsent('the database files after rotation', sqliteFiles(db), readFileSync(keyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')));
    } finally {
      await server.kill();
    }
  });

  it('seals the secrets an older version stored in clear, at start, leaving no clear copy in the file; refuses to start without their key', async () => {
    const db = join(dir, 'legacy', 'switchboard.db');
    const c = legacyCredentials();
    const store = new SqliteStore(db);
    const rows = legacyRows(c);
    store.transaction((repo) => {
      repo.insert('account', rows.account);
      repo.insert('apiKey', rows.key);
    });
    store.close();
    assert.ok(sqliteFiles(db).some((b) => b.includes(c.authToken)), 'the old rows hold the token in clear (what this test must see go)');

    const env = { SWITCHBOARD_DB: db };
    let server = await startChild(env);
    try {
      assert.match(server.stdout(), /sealed 2 secrets an older version stored in clear/);
      assertAbsent('the migrated database files', sqliteFiles(db), [c.authToken, c.keySecret], c);
      const ws = (await call(server.origin, 'POST', '/v1/Workspaces', { authorization: basic(c.accountSid, c.authToken) }, { FriendlyName: 'Old', Template: 'FIFO', EventCallbackUrl: `${receiver.origin}/events` })).body.sid;
      await exercise('migrated', server.origin, c, ws, receiver);
      await server.kill('SIGTERM');

      // Without the key that sealed them the server does not start (it would fail every login): it says why.
      renameSync(join(dir, 'legacy', 'secret.key'), join(dir, 'legacy', 'moved.key'));
      await assert.rejects(startChild(env), /the database holds secrets sealed with key [0-9a-f]{16}, and there is no key file at .*secret\.key/);
      await assert.rejects(startChild({ ...env, SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) }), /sealed with key [0-9a-f]{16}, which SWITCHBOARD_SECRET_KEY does not hold/);
      server = await startChild({ ...env, SWITCHBOARD_SECRET_KEY_FILE: join(dir, 'legacy', 'moved.key') });
      await exercise('key file named', server.origin, c, ws, receiver);
    } finally {
      await server.kill();
    }
  });
});

describe('secrets at rest on PostgreSQL (two nodes)', { skip: skipWithoutPostgres }, () => {
  let receiver: WebhookReceiver;
  const nodes: ChildServer[] = [];
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    for (const n of nodes) {
      n.process.kill('SIGCONT');
      await n.kill();
    }
    await receiver.close();
  });

  /** Every row of the database, as pg_dump writes it (data only). */
  async function dump(url: string): Promise<Buffer> {
    const { stdout } = await run(join(postgresBinDir()!, 'pg_dump'), ['--data-only', '--no-owner', url], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    return stdout as unknown as Buffer;
  }

  it('seals clear secrets at start, stores none in any row (forwarded requests included), and works across a rotation done while serving', async () => {
    const url = await freshDatabase('secrets');
    const c = legacyCredentials();
    const store = await PostgresStore.open(url);
    const rows = legacyRows(c);
    store.transaction((repo) => {
      repo.insert('account', rows.account);
      repo.insert('apiKey', rows.key);
    });
    await store.durable();
    store.close();
    assert.ok((await dump(url)).includes(c.authToken), 'the old rows hold the token in clear (what this test must see go)');

    // Both nodes hold the old key (sealing) and the new one (opening only): the first step of a rotation
    // on a cluster (docs/operations.md).
    const oldKey = formatMasterKey(newMasterKey());
    const newKey = formatMasterKey(newMasterKey());
    // The owner advertises no URL: requests for its workspace are forwarded through the database, whose rows
    // this test reads.
    const env = { SWITCHBOARD_DB: url, SWITCHBOARD_LEASE_TTL_MS: '1500', SWITCHBOARD_SECRET_KEY: `${oldKey},${newKey}`, SWITCHBOARD_NODE_URL: 'off' };
    const owner = await startChild(env);
    nodes.push(owner);
    let other = await startChild({ ...env, SWITCHBOARD_ROUTES_WORKSPACES: 'false' });
    nodes.push(other);
    const auth = { authorization: basic(c.accountSid, c.authToken) };
    const ws = (await call(owner.origin, 'POST', '/v1/Workspaces', auth, { FriendlyName: 'Shared', Template: 'FIFO', EventCallbackUrl: `${receiver.origin}/events` })).body.sid;
    // The non-routing node forwards every request for the workspace through the database to its owner.
    await exercise('owner', owner.origin, c, ws, receiver);
    await exercise('forwarded', other.origin, c, ws, receiver);
    assertAbsent('the PostgreSQL rows', [await dump(url)], [c.authToken, c.keySecret, oldKey, newKey], c);

    // A forwarded request while it waits in the database: the owner is paused, so nobody takes it yet.
    owner.process.kill('SIGSTOP');
    let pending: Promise<{ status: number }>;
    try {
      pending = call(other.origin, 'GET', `/v1/Workspaces/${ws}/Workers`, auth);
      const probe = new (await import('pg')).default.Client({ connectionString: url });
      await probe.connect();
      try {
        for (let i = 0; i < 100 && (await probe.query('SELECT 1 FROM forwarded_requests')).rowCount === 0; i++) await new Promise((r) => setTimeout(r, 20));
        const waiting = await probe.query('SELECT request::text AS r FROM forwarded_requests');
        assert.equal(waiting.rowCount, 1, 'the request waits in the database');
        assert.match(waiting.rows[0].r, /"authorization":"sb1:/, 'its credentials are sealed');
      } finally {
        await probe.end();
      }
      assertAbsent('the PostgreSQL rows with a request in flight', [await dump(url)], [c.authToken, c.keySecret], c);
    } finally {
      owner.process.kill('SIGCONT');
    }
    assert.equal((await pending).status, 200, 'answered once the owner resumes');

    // Rotation: every stored secret sealed under the new key while both nodes serve (they open both keys).
    const rotated = await cli(['secrets', 'rotate', '--db', url], { SWITCHBOARD_SECRET_KEY: `${newKey},${oldKey}` });
    const newId = keyIdOf(Buffer.from(newKey, 'base64'));
    assert.match(rotated, new RegExp(`sealed \\d+ stored secrets under key ${newId}`));
    assert.doesNotMatch(rotated, new RegExp(`sealed under ${keyIdOf(Buffer.from(oldKey, 'base64'))}`));
    await exercise('owner after rotation', owner.origin, c, ws, receiver);
    await exercise('forwarded after rotation', other.origin, c, ws, receiver);
    // The last step: a node with the new key alone.
    await other.kill('SIGTERM');
    other = await startChild({ ...env, SWITCHBOARD_ROUTES_WORKSPACES: 'false', SWITCHBOARD_SECRET_KEY: newKey });
    nodes.push(other);
    await exercise('new key only', other.origin, c, ws, receiver);
    assertAbsent('the PostgreSQL rows after rotation', [await dump(url)], [c.authToken, c.keySecret, oldKey, newKey], c);
  });
});
