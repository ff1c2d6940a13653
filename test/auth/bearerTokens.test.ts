// Bearer tokens on every face: user tokens the server mints (POST /switchboard/v1/Tokens Type=user, and the
// CLI) and tokens of an OpenID Connect identity provider, here a JWKS server on a loopback port. A valid token
// works on the TaskRouter REST API, the Workflow face, the Opsflow face and the console's calls (its token
// minting), as its user; expired, wrong issuer, wrong audience, unknown key, `alg: none`, HS/RS confusion and
// malformed tokens are refused with 401 in each face's own error body and change nothing. Key rotation: a token
// signed with a key the provider published after the last fetch works (jose fetches the JWKS again).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { startServer, type TestServer } from '../support/server.ts';
import { simpleDefinition } from '../support/workflowFace.ts';

const ISSUER = 'https://idp.example.test/realms/ops';
const AUDIENCE = 'switchboard';

interface Jwks {
  origin: string;
  keys: JWK[];
  fetches: number;
  server: Server;
}

async function startJwks(): Promise<Jwks> {
  const jwks: Jwks = { origin: '', keys: [], fetches: 0, server: undefined as unknown as Server };
  jwks.server = createServer((req, res) => {
    jwks.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks.keys }));
  });
  await new Promise<void>((r) => jwks.server.listen(0, '127.0.0.1', r));
  jwks.origin = `http://127.0.0.1:${(jwks.server.address() as { port: number }).port}`;
  return jwks;
}

async function rsaKey(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } as JWK };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('bearer tokens on every face', () => {
  let s: TestServer;
  let jwks: Jwks;
  let key: Awaited<ReturnType<typeof rsaKey>>;
  const nowS = () => Math.floor(Date.now() / 1000);

  const idpToken = async (claims: Record<string, unknown> = {}, options: { key?: typeof key; issuer?: string; audience?: string; exp?: number } = {}) =>
    new SignJWT({ preferred_username: 'alice@example.test', switchboard_account_sid: s.accountSid, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: (options.key ?? key).kid })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('user-123')
      .setIssuedAt(nowS() - 10)
      .setExpirationTime(options.exp ?? nowS() + 600)
      .sign((options.key ?? key).privateKey);

  const bearer = (token: string) => ({ auth: null, headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    jwks = await startJwks();
    key = await rsaKey('key-1');
    jwks.keys = [key.jwk];
    s = await startServer({ oidc: { issuer: ISSUER, jwksUrl: `${jwks.origin}/certs`, audience: AUDIENCE, userClaim: 'preferred_username', jwksCooldownMs: 0 } });
  });
  after(async () => {
    await s.close();
    jwks.server.close();
  });

  /** A write on every face with `token`; the answers, and whether the writes happened (checked with Basic). */
  async function everyFace(token: string, tag: string) {
    const opts = bearer(token);
    const answers = {
      taskrouter: await s.request('POST', '/v1/Workspaces', { ...opts, form: { FriendlyName: `ws-${tag}` } }),
      taskrouterRead: await s.request('GET', '/v1/Workspaces', opts),
      workflow: await s.request('POST', '/api/taskdefinitions', { ...opts, json: simpleDefinition('bearer', tag) }),
      opsflow: await s.request('POST', '/opsflow/v1/task-category/create', {
        ...opts,
        json: { name: `cat-${tag}`, status_options: { TODO: [{ name: 'a' }], IN_PROGRESS: [{ name: 'b' }], COMPLETED: [{ name: 'c' }] } },
      }),
      console: await s.request('POST', '/switchboard/v1/Tokens', { ...opts, form: { WorkspaceSid: 'WS' + '0'.repeat(32), Role: 'admin' } }),
    };
    const workspaces = (await s.request('GET', '/v1/Workspaces?PageSize=1000')).body.workspaces as { friendly_name: string }[];
    const written = {
      taskrouter: workspaces.some((w) => w.friendly_name === `ws-${tag}`),
      workflow: (await s.request('GET', `/api/taskdefinitions/bearer/${tag}`)).status === 200,
      opsflow: ((await s.request('POST', '/opsflow/v1/task-category/list', { json: {} })).body.results as { name: string }[]).some((c) => c.name === `cat-${tag}`),
    };
    return { answers, written };
  }

  test('an identity provider token works on every face, as the user its claims name', async () => {
    const token = await idpToken();
    const { answers, written } = await everyFace(token, 'valid');
    assert.equal(answers.taskrouter.status, 201, answers.taskrouter.text);
    assert.equal(answers.taskrouterRead.status, 200);
    assert.equal(answers.workflow.status, 201, answers.workflow.text);
    assert.equal(answers.opsflow.status, 200, answers.opsflow.text);
    // The console's token minting takes the bearer token too (here: a workspace that does not exist).
    assert.equal(answers.console.status, 404, answers.console.text);
    assert.deepEqual(written, { taskrouter: true, workflow: true, opsflow: true });
    // The user is the mapped claim: version stamps, CurrentUser, Opsflow's created_by.
    assert.equal(answers.workflow.body.version.userIdCreated, 'alice@example.test');
    const type = await s.request('POST', '/opsflow/v1/task-type/create', { ...bearer(token), json: { name: 'Outage', category_id: answers.opsflow.body.category_id } });
    assert.equal(type.status, 200, type.text);
    const opsTask = await s.request('POST', '/opsflow/v1/task/create', { ...bearer(token), json: { name: 'db down', status_id: answers.opsflow.body.status_options.TODO[0].status_id, project_id: '*', task_type_id: type.body.task_type_id } });
    assert.equal(opsTask.status, 200, opsTask.text);
    assert.equal(opsTask.body.created_by, 'alice@example.test');
    const ws = answers.taskrouter.body.sid;
    const minted = await s.request('POST', '/switchboard/v1/Tokens', { ...bearer(token), form: { WorkspaceSid: ws, Role: 'admin' } });
    assert.equal(minted.status, 201, minted.text);
    // A user token is minted with account credentials only: a bearer token cannot extend its own life.
    const self = await s.request('POST', '/switchboard/v1/Tokens', { ...bearer(token), form: { Type: 'user' } });
    assert.equal(self.status, 403, self.text);
    // The 2010 account API manages credentials: account credentials only.
    assert.equal((await s.request('GET', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`, bearer(token))).status, 401);
  });

  test('guards see the token user as CurrentUser; tasks record it', async () => {
    const alice = await idpToken();
    const bob = await idpToken({ preferred_username: 'bob@example.test' });
    await s.request('POST', '/api/taskdefinitions', {
      json: simpleDefinition('bearer', 'fourEyes', {
        transitions: [
          { fromState: 'Pending', toState: 'InProgress', trigger: 'start', guard: 'UserCreated neq CurrentUser' },
          { fromState: 'InProgress', toState: 'Done', trigger: 'finish' },
        ],
      }),
    });
    const created = await s.request('POST', '/api/tasks', { ...bearer(alice), json: { taskDefinitionId: { scope: 'bearer', code: 'fourEyes' }, fields: [{ name: 'clientId', value: 'c' }] } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.version.userIdCreated, 'alice@example.test');
    const own = await s.request('POST', `/api/tasks/${created.body.id}?trigger=start`, bearer(alice));
    assert.equal(own.status, 400, own.text);
    const other = await s.request('POST', `/api/tasks/${created.body.id}?trigger=start`, bearer(bob));
    assert.equal(other.status, 200, other.text);
    assert.equal(other.body.version.userIdModified, 'bob@example.test');
  });

  test('refused tokens: 401 in each face\'s error body, and nothing changes', async () => {
    const stranger = await rsaKey('key-1'); // same kid, another key: the signature does not verify
    const unknown = await rsaKey('key-unknown');
    const hsSecret = new TextEncoder().encode(await exportSPKI(key.publicKey));
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'mallory', preferred_username: 'mallory', switchboard_account_sid: s.accountSid, exp: nowS() + 600 };
    const cases: [string, string][] = [
      ['expired', await idpToken({}, { exp: nowS() - 3600 })],
      ['wrong issuer', await idpToken({}, { issuer: 'https://evil.example.test/' })],
      ['wrong audience', await idpToken({}, { audience: 'someone-else' })],
      ['unknown key', await idpToken({}, { key: unknown })],
      ['a forged signature', await idpToken({}, { key: stranger })],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`],
      ['HS/RS confusion', await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(hsSecret)],
      ['malformed', 'not-a.jwt'],
      ['an account that does not exist', await idpToken({ switchboard_account_sid: 'AC' + 'f'.repeat(32) })],
      ['no user', await idpToken({ preferred_username: undefined })],
    ];
    for (const [what, token] of cases) {
      const tag = what.replace(/\W+/g, '-');
      const { answers, written } = await everyFace(token, tag);
      for (const [face, res] of Object.entries(answers)) {
        assert.equal(res.status, 401, `${what} on ${face}: ${res.status} ${res.text}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /Bearer realm="Switchboard", error="invalid_token"/, `${what} on ${face}`);
      }
      // Each face's own body: Twilio's, LUSID's problem details, SpaceONE's.
      assert.equal(answers.taskrouter.body.code, 20003, what);
      assert.match(answers.taskrouter.body.message, /Invalid token|token/, what);
      assert.equal(answers.console.body.code, 20003, what);
      assert.equal(answers.workflow.body.name, 'AuthenticationFailed', what);
      assert.equal(answers.workflow.body.status, 401, what);
      assert.ok('instance' in answers.workflow.body && 'errorDetails' in answers.workflow.body, what);
      assert.equal(answers.opsflow.body.detail.code, 'ERROR_AUTHENTICATE_FAILURE', what);
      assert.deepEqual(written, { taskrouter: false, workflow: false, opsflow: false }, `${what} changed nothing`);
    }
  });

  test('key rotation: a token signed with a newly published key works; the key set is cached between fetches', async () => {
    const before = jwks.fetches;
    for (let i = 0; i < 3; i++) assert.equal((await s.request('GET', '/api/tasks', bearer(await idpToken()))).status, 200);
    assert.equal(jwks.fetches, before, 'known keys come from the cache');
    const next = await rsaKey('key-2');
    jwks.keys = [next.jwk];
    const res = await s.request('GET', '/api/tasks', bearer(await idpToken({}, { key: next })));
    assert.equal(res.status, 200, res.text);
    assert.equal(jwks.fetches, before + 1, 'an unknown kid fetches the set once');
    // The retired key is gone from the new set: its tokens are refused.
    assert.equal((await s.request('GET', '/api/tasks', bearer(await idpToken()))).status, 401);
    jwks.keys = [key.jwk, next.jwk];
  });

  test('user tokens the server mints: by the API with account credentials, and by the CLI', async () => {
    const minted = await s.request('POST', '/switchboard/v1/Tokens', { form: { Type: 'user', Identity: 'carol', Ttl: 600 } });
    assert.equal(minted.status, 201, minted.text);
    assert.equal(minted.body.identity, 'carol');
    const token = minted.body.token as string;
    const def = await s.request('POST', '/api/taskdefinitions', { ...bearer(token), json: simpleDefinition('bearer', 'minted') });
    assert.equal(def.status, 201, def.text);
    assert.equal(def.body.version.userIdCreated, 'carol');
    assert.equal((await s.request('GET', '/v1/Workspaces', bearer(token))).status, 200);
    assert.equal((await s.request('POST', '/opsflow/v1/task/list', { ...bearer(token), json: {} })).status, 200);
    // Tampered: the signature no longer verifies.
    const [h, p, sig] = token.split('.');
    const forged = `${h}.${b64({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'root' })}.${sig}`;
    assert.equal((await s.request('GET', '/api/tasks', bearer(forged))).status, 401);
    // Without Identity, the user is the caller's own (the account here).
    const mine = await s.request('POST', '/switchboard/v1/Tokens', { form: { Type: 'user' } });
    assert.equal(mine.body.identity, s.accountSid);
    const bad = await s.request('POST', '/switchboard/v1/Tokens', { form: { Type: 'user', Identity: ' spaced ' } });
    assert.equal(bad.status, 400, bad.text);
    // Deleting the account's signing key revokes the tokens it signed.
    const keys = (await s.request('GET', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`)).body.keys as { sid: string; friendly_name: string }[];
    const signing = keys.find((k) => k.friendly_name === 'switchboard token signing')!;
    assert.equal((await s.request('DELETE', `/2010-04-01/Accounts/${s.accountSid}/Keys/${signing.sid}.json`)).status, 204);
    const revoked = await s.request('GET', '/api/tasks', bearer(token));
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.detail, /unknown signing key/);
  });

  test('a TaskRouter Access Token stays a TaskRouter token: its policies on /v1, refused on the other faces', async () => {
    const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'tr-token' } })).body.sid;
    const minted = await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws, Role: 'admin' } });
    const token = minted.body.token as string;
    assert.equal((await s.request('GET', `/v1/Workspaces/${ws}/Workers`, bearer(token))).status, 200);
    // Its grant is this workspace: the list of workspaces is outside it.
    assert.equal((await s.request('GET', '/v1/Workspaces', bearer(token))).status, 403);
    const wf = await s.request('GET', '/api/tasks', bearer(token));
    assert.equal(wf.status, 401);
    assert.match(wf.body.detail, /TaskRouter token/);
  });
});
