// API keys through the official twilio client: client.newKeys / accounts(AC).newKeys create (the secret is
// shown once), client.keys / accounts(AC).keys list, fetch, update and remove; a key authenticates as its
// account until it is deleted; each account reaches only its own keys.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { assertPagesThrough, clientFor, eachAll, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

describe('2010 Keys with the twilio client', () => {
  let s: TestServer;
  let main: TwilioClient;
  before(async () => {
    s = await startServer();
    main = clientFor(s);
  });
  after(async () => s.close());

  it('newKeys.create returns the secret once; the key works as twilio(SK, secret, {accountSid})', async () => {
    const key = await main.newKeys.create({ friendlyName: 'ci' });
    assert.match(key.sid, /^SK[0-9a-f]{32}$/);
    assert.match(key.secret, /^[0-9a-f]{32}$/);
    assert.equal(key.friendlyName, 'ci');
    assert.ok(key.dateCreated instanceof Date && !Number.isNaN(key.dateCreated.getTime()));
    assert.ok(key.dateUpdated instanceof Date && !Number.isNaN(key.dateUpdated.getTime()));

    const viaKey = twilio(key.sid, key.secret, { accountSid: s.accountSid });
    viaKey.taskrouter.baseUrl = s.origin;
    viaKey.api.baseUrl = s.origin;
    const ws = await viaKey.taskrouter.v1.workspaces.create({ friendlyName: 'Made with a key' });
    assert.equal(ws.accountSid, s.accountSid);
    assert.ok((await viaKey.taskrouter.v1.workspaces.list()).some((w) => w.sid === ws.sid));
    // The key acts for its account on the 2010 API too.
    assert.equal((await viaKey.api.v2010.account.fetch()).sid, s.accountSid);

    const fetched = await main.api.v2010.accounts(s.accountSid).keys(key.sid).fetch();
    assert.equal(fetched.sid, key.sid);
    assert.equal(fetched.friendlyName, 'ci');
    assert.equal((fetched as any).secret, undefined);
    const listed = await main.keys.list();
    assert.ok(listed.some((k) => k.sid === key.sid));
    assert.ok(listed.every((k) => (k as any).secret === undefined));
  });

  it('an unnamed key can be created through accounts(AC).newKeys and renamed', async () => {
    const key = await main.api.v2010.accounts(s.accountSid).newKeys.create();
    assert.match(key.sid, /^SK[0-9a-f]{32}$/);
    assert.equal(key.friendlyName, '');
    const renamed = await main.api.v2010.accounts(s.accountSid).keys(key.sid).update({ friendlyName: 'renamed' });
    assert.equal(renamed.friendlyName, 'renamed');
    assert.equal((await main.keys(key.sid).fetch()).friendlyName, 'renamed');
    assert.ok(renamed.dateUpdated.getTime() >= renamed.dateCreated.getTime());
  });

  it('deleting a key makes it unusable at once: the next call is 401 / 20003', async () => {
    const key = await main.newKeys.create({ friendlyName: 'short-lived' });
    const viaKey = clientFor(s, key.sid, key.secret, s.accountSid);
    await viaKey.taskrouter.v1.workspaces.list();
    assert.equal(await main.api.v2010.accounts(s.accountSid).keys(key.sid).remove(), true);
    await expectRestError(viaKey.taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(viaKey.api.v2010.account.fetch(), 401, 20003);
    await expectRestError(main.keys(key.sid).fetch(), 404, 20404);
    await expectRestError(main.keys(key.sid).remove(), 404, 20404);
    await expectRestError(main.keys(key.sid).update({ friendlyName: 'back' }), 404, 20404);
    assert.ok(!(await main.keys.list()).some((k) => k.sid === key.sid));
  });

  it('a key may delete itself; the request that does it succeeds and the next one fails', async () => {
    const key = await main.newKeys.create({ friendlyName: 'self-destruct' });
    const viaKey = clientFor(s, key.sid, key.secret, s.accountSid);
    assert.equal(await viaKey.keys(key.sid).remove(), true);
    await expectRestError(viaKey.keys.list(), 401, 20003);
  });

  it('wrong credentials are 401 / 20003: bad secret, unknown key, bad token, unknown account', async () => {
    const key = await main.newKeys.create({ friendlyName: 'real' });
    await expectRestError(clientFor(s, key.sid, 'f'.repeat(32), s.accountSid).taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(clientFor(s, key.sid, key.secret.slice(1), s.accountSid).taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(clientFor(s, 'SK' + '0'.repeat(32), key.secret, s.accountSid).taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(clientFor(s, s.accountSid, 'not-the-token').taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(clientFor(s, s.accountSid, 'not-the-token').api.v2010.accounts.list(), 401, 20003);
    await expectRestError(clientFor(s, 'AC' + '0'.repeat(32), s.authToken).api.v2010.accounts.list(), 401, 20003);
    // A key secret is not an auth token, and an auth token is not a key secret.
    await expectRestError(clientFor(s, s.accountSid, key.secret).taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(clientFor(s, key.sid, s.authToken, s.accountSid).taskrouter.v1.workspaces.list(), 401, 20003);
  });

  it('each account reaches only its own keys; a main account manages its subaccounts\' keys', async () => {
    const a = await main.api.v2010.accounts.create({ friendlyName: 'Key owner A' });
    const b = await main.api.v2010.accounts.create({ friendlyName: 'Key owner B' });
    const asA = clientFor(s, a.sid, a.authToken);
    const asB = clientFor(s, b.sid, b.authToken);
    const mainKey = await main.newKeys.create({ friendlyName: 'main' });

    // A subaccount makes keys for itself with client.newKeys (its own account context).
    const aKey = await asA.newKeys.create({ friendlyName: 'a' });
    assert.deepEqual((await asA.keys.list()).map((k) => k.sid), [aKey.sid]);
    const viaAKey = clientFor(s, aKey.sid, aKey.secret, a.sid);
    const aWs = await viaAKey.taskrouter.v1.workspaces.create({ friendlyName: 'A via key' });
    assert.equal(aWs.accountSid, a.sid);
    await expectRestError(main.taskrouter.v1.workspaces(aWs.sid).fetch(), 404, 20404);

    // Not the parent's, nor a sibling's.
    await expectRestError(asA.api.v2010.accounts(s.accountSid).keys.list(), 404, 20404);
    await expectRestError(asA.api.v2010.accounts(s.accountSid).keys(mainKey.sid).fetch(), 404, 20404);
    await expectRestError(asA.api.v2010.accounts(s.accountSid).keys(mainKey.sid).remove(), 404, 20404);
    await expectRestError(asA.api.v2010.accounts(s.accountSid).newKeys.create({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(asB.api.v2010.accounts(a.sid).keys.list(), 404, 20404);
    await expectRestError(asB.api.v2010.accounts(a.sid).keys(aKey.sid).update({ friendlyName: 'pwned' }), 404, 20404);
    // A key is addressed under its own account only: A's key is not found under B, even by B.
    await expectRestError(asB.api.v2010.accounts(b.sid).keys(aKey.sid).fetch(), 404, 20404);
    await expectRestError(asB.keys(aKey.sid).remove(), 404, 20404);
    await expectRestError(main.keys(aKey.sid).fetch(), 404, 20404);

    // The main account reaches the subaccount's keys under the subaccount's path, and can make one there
    // that authenticates as the subaccount.
    assert.deepEqual((await main.api.v2010.accounts(a.sid).keys.list()).map((k) => k.sid), [aKey.sid]);
    const forB = await main.api.v2010.accounts(b.sid).newKeys.create({ friendlyName: 'made by main' });
    const viaBKey = clientFor(s, forB.sid, forB.secret, b.sid);
    assert.equal((await viaBKey.api.v2010.account.fetch()).sid, b.sid);
    assert.deepEqual((await asB.keys.list()).map((k) => k.sid), [forB.sid]);

    // Nothing changed behind the 404s.
    assert.equal((await asA.keys(aKey.sid).fetch()).friendlyName, 'a');
    await viaAKey.taskrouter.v1.workspaces.list();
    assert.ok((await main.keys.list()).some((k) => k.sid === mainKey.sid));
  });

  it('bad input is 20001 and changes nothing', async () => {
    const key = await main.newKeys.create({ friendlyName: 'steady' });
    const count = (await main.keys.list()).length;
    await expectRestError(main.newKeys.create({ friendlyName: 'k'.repeat(65) }), 400, 20001);
    await expectRestError(main.keys(key.sid).update({ friendlyName: 'k'.repeat(65) }), 400, 20001);
    assert.equal((await main.keys.list()).length, count);
    assert.equal((await main.keys(key.sid).fetch()).friendlyName, 'steady');
    await expectRestError(main.keys('SK' + '0'.repeat(32)).fetch(), 404, 20404);
    await expectRestError(main.keys('not-a-key').fetch(), 404, 20404);
    await expectRestError(main.api.v2010.accounts('AC' + '0'.repeat(32)).keys.list(), 404, 20404);
  });
});

describe('2010 Keys list paging', () => {
  let s: TestServer;
  let main: TwilioClient;
  const sids: string[] = [];
  before(async () => {
    s = await startServer();
    main = clientFor(s);
    for (const name of ['one', 'two', 'three', 'four', 'five']) sids.push((await main.newKeys.create({ friendlyName: name })).sid);
  });
  after(async () => s.close());

  it('lists keys in creation order with pageSize 1 through list and each', async () => {
    assert.deepEqual((await main.keys.list()).map((k) => k.sid), sids);
    assert.deepEqual((await main.keys.list({ pageSize: 1 })).map((k) => k.sid), sids);
    assert.deepEqual((await main.api.v2010.accounts(s.accountSid).keys.list({ pageSize: 1 })).map((k) => k.friendlyName), ['one', 'two', 'three', 'four', 'five']);
    assert.deepEqual((await eachAll(main.keys, { pageSize: 1 })).map((k) => k.sid), sids);
    assert.deepEqual((await main.keys.list({ pageSize: 1, limit: 3 })).map((k) => k.sid), sids.slice(0, 3));
  });

  it('walks pages forwards and backwards with page()/nextPage()/previousPage()', async () => {
    await assertPagesThrough(main.keys, {}, sids);
  });

  it('a key deleted between pages does not break the walk', async () => {
    const first = await main.keys.page({ pageSize: 2 });
    assert.deepEqual(first.instances.map((k: any) => k.sid), sids.slice(0, 2));
    await main.keys(sids[2]!).remove();
    const second = await first.nextPage();
    assert.ok(second, 'there is a next page');
    assert.deepEqual(second.instances.map((k: any) => k.sid), sids.slice(3, 5));
  });
});
