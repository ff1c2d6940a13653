// Accounts and API keys through the official twilio client (client.api pointed at the server), and the
// isolation between accounts that TaskRouter promises.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { clientFor, expectRestError as rejects } from '../support/twilioClient.ts';

describe('accounts and keys with the twilio client', () => {
  let s: TestServer;
  let main: ReturnType<typeof twilio>;
  before(async () => {
    s = await startServer();
    main = clientFor(s, s.accountSid, s.authToken);
  });
  after(async () => s.close());

  it('creates, fetches, lists and updates subaccounts; they are isolated from the main account', async () => {
    const sub = await main.api.v2010.accounts.create({ friendlyName: 'Team B' });
    assert.match(sub.sid, /^AC[0-9a-f]{32}$/);
    assert.equal(sub.ownerAccountSid, s.accountSid);
    assert.equal(sub.status, 'active');
    assert.ok(sub.dateCreated instanceof Date && !Number.isNaN(sub.dateCreated.getTime()));
    const fetched = await main.api.v2010.accounts(sub.sid).fetch();
    assert.equal(fetched.friendlyName, 'Team B');
    const updated = await main.api.v2010.accounts(sub.sid).update({ friendlyName: 'Team Bee' });
    assert.equal(updated.friendlyName, 'Team Bee');
    await main.api.v2010.accounts.create({ friendlyName: 'Team C' });
    const all = await main.api.v2010.accounts.list({ pageSize: 1 });
    assert.deepEqual(all.map((a) => a.friendlyName).sort(), ['Switchboard', 'Team Bee', 'Team C']);

    const subClient = clientFor(s, sub.sid, sub.authToken);
    const mine = await main.taskrouter.v1.workspaces.create({ friendlyName: 'Main WS' });
    const theirs = await subClient.taskrouter.v1.workspaces.create({ friendlyName: 'Sub WS' });
    await rejects(subClient.taskrouter.v1.workspaces(mine.sid).fetch(), 404, 20404);
    await rejects(subClient.taskrouter.v1.workspaces(mine.sid).workers.list(), 404, 20404);
    await rejects(subClient.taskrouter.v1.workspaces(mine.sid).update({ friendlyName: 'pwned' }), 404, 20404);
    await rejects(subClient.taskrouter.v1.workspaces(mine.sid).remove(), 404, 20404);
    await rejects(main.taskrouter.v1.workspaces(theirs.sid).fetch(), 404, 20404);
    assert.deepEqual((await subClient.taskrouter.v1.workspaces.list()).map((w) => w.sid), [theirs.sid]);
    assert.equal((await main.taskrouter.v1.workspaces(mine.sid).fetch()).friendlyName, 'Main WS');
    // A subaccount sees itself only, and cannot create accounts or change its own status.
    await rejects(subClient.api.v2010.accounts(s.accountSid).fetch(), 404, 20404);
    assert.deepEqual((await subClient.api.v2010.accounts.list()).map((a) => a.sid), [sub.sid]);
    await rejects(subClient.api.v2010.accounts.create({ friendlyName: 'nested' }), 403, 20403);
    await rejects(subClient.api.v2010.accounts(sub.sid).update({ status: 'closed' }), 400, 20001);

    // Suspending a subaccount stops its credentials; closing is final.
    await main.api.v2010.accounts(sub.sid).update({ status: 'suspended' });
    await rejects(subClient.taskrouter.v1.workspaces.list(), 401, 20003);
    await main.api.v2010.accounts(sub.sid).update({ status: 'closed' });
    await rejects(main.api.v2010.accounts(sub.sid).update({ status: 'active' }), 400, 20001);
  });

  it('API keys: newKeys.create, authenticate with the key, list, fetch, update, delete revokes', async () => {
    const key = await main.newKeys.create({ friendlyName: 'ci' });
    assert.match(key.sid, /^SK[0-9a-f]{32}$/);
    assert.match(key.secret, /^[0-9a-f]{32}$/);
    const viaKey = clientFor(s, key.sid, key.secret, s.accountSid);
    const ws = await viaKey.taskrouter.v1.workspaces.create({ friendlyName: 'Made with a key' });
    assert.equal(ws.accountSid, s.accountSid);
    const second = await main.api.v2010.accounts(s.accountSid).keys.list();
    assert.ok(second.some((k) => k.sid === key.sid));
    assert.equal((second.find((k) => k.sid === key.sid) as any).secret, undefined);
    await main.api.v2010.accounts(s.accountSid).newKeys.create({ friendlyName: 'two' });
    const paged = await main.api.v2010.accounts(s.accountSid).keys.list({ pageSize: 1 });
    assert.equal(paged.length, 2);
    assert.equal((await main.api.v2010.accounts(s.accountSid).keys(key.sid).fetch()).friendlyName, 'ci');
    assert.equal((await main.api.v2010.accounts(s.accountSid).keys(key.sid).update({ friendlyName: 'ci-2' })).friendlyName, 'ci-2');
    await main.api.v2010.accounts(s.accountSid).keys(key.sid).remove();
    await rejects(viaKey.taskrouter.v1.workspaces.list(), 401, 20003);
    await rejects(main.api.v2010.accounts(s.accountSid).keys(key.sid).fetch(), 404, 20404);
  });

  it('wrong credentials are 401 with code 20003', async () => {
    await rejects(clientFor(s, s.accountSid, 'not-the-token').taskrouter.v1.workspaces.list(), 401, 20003);
    await rejects(clientFor(s, 'AC' + '0'.repeat(32), s.authToken).api.v2010.accounts.list(), 401, 20003);
  });
});
