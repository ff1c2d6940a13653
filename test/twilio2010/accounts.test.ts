// Subaccounts through the official twilio client (client.api pointed at the server): create, fetch, update,
// list with filters and paging, the visibility rules between a main account and its subaccounts, and the
// isolation of their TaskRouter data.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../../src/auth/accounts.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { assertPagesThrough, clientFor, eachAll, expectRestError, type TwilioClient } from '../support/twilioClient.ts';

describe('2010 Accounts with the twilio client', () => {
  let s: TestServer;
  let main: TwilioClient;
  before(async () => {
    s = await startServer();
    main = clientFor(s);
  });
  after(async () => s.close());

  it('creates a subaccount owned by the caller, with its own credentials', async () => {
    const sub = await main.api.v2010.accounts.create({ friendlyName: 'Team B' });
    assert.match(sub.sid, /^AC[0-9a-f]{32}$/);
    assert.notEqual(sub.sid, s.accountSid);
    assert.match(sub.authToken, /^[0-9a-f]{32}$/);
    assert.equal(sub.ownerAccountSid, s.accountSid);
    assert.equal(sub.friendlyName, 'Team B');
    assert.equal(sub.status, 'active');
    assert.equal(sub.type, 'Full');
    assert.equal(sub.uri, `/2010-04-01/Accounts/${sub.sid}.json`);
    assert.equal(sub.subresourceUris.keys, `/2010-04-01/Accounts/${sub.sid}/Keys.json`);
    // The client parses RFC 2822 dates; a date in any other format would come back as an Invalid Date.
    assert.ok(sub.dateCreated instanceof Date && !Number.isNaN(sub.dateCreated.getTime()));
    assert.ok(Math.abs(sub.dateCreated.getTime() - Date.now()) < 60_000);
    assert.equal(sub.dateUpdated.getTime(), sub.dateCreated.getTime());

    const subClient = clientFor(s, sub.sid, sub.authToken);
    assert.deepEqual((await subClient.taskrouter.v1.workspaces.list()).map((w) => w.sid), []);
  });

  it('names an unnamed subaccount as Twilio does: SubAccount Created at YYYY-MM-DD HH:MM am|pm', async () => {
    const sub = await main.api.v2010.accounts.create();
    assert.match(sub.friendlyName, /^SubAccount Created at \d{4}-\d{2}-\d{2} (0[1-9]|1[0-2]):[0-5]\d (am|pm)$/);
  });

  it('fetches and updates a subaccount; the main account fetches itself', async () => {
    const sub = await main.api.v2010.accounts.create({ friendlyName: 'Before' });
    const fetched = await main.api.v2010.accounts(sub.sid).fetch();
    assert.equal(fetched.friendlyName, 'Before');
    assert.equal(fetched.authToken, sub.authToken);
    const updated = await main.api.v2010.accounts(sub.sid).update({ friendlyName: 'After' });
    assert.equal(updated.friendlyName, 'After');
    assert.equal((await main.api.v2010.accounts(sub.sid).fetch()).friendlyName, 'After');
    // The client's default account context is the main account itself.
    const self = await main.api.v2010.account.fetch();
    assert.equal(self.sid, s.accountSid);
    assert.equal(self.ownerAccountSid, s.accountSid);
    // A main account may rename itself.
    const renamed = await main.api.v2010.accounts(s.accountSid).update({ friendlyName: 'Headquarters' });
    assert.equal(renamed.friendlyName, 'Headquarters');
    await main.api.v2010.accounts(s.accountSid).update({ friendlyName: 'Switchboard' });
  });

  it('a subaccount sees only itself: its parent and siblings are 404, and it cannot create subaccounts', async () => {
    const a = await main.api.v2010.accounts.create({ friendlyName: 'Sibling A' });
    const b = await main.api.v2010.accounts.create({ friendlyName: 'Sibling B' });
    const asA = clientFor(s, a.sid, a.authToken);
    assert.equal((await asA.api.v2010.accounts(a.sid).fetch()).sid, a.sid);
    assert.equal((await asA.api.v2010.account.fetch()).sid, a.sid);
    assert.deepEqual((await asA.api.v2010.accounts.list()).map((x) => x.sid), [a.sid]);
    await expectRestError(asA.api.v2010.accounts(s.accountSid).fetch(), 404, 20404);
    await expectRestError(asA.api.v2010.accounts(b.sid).fetch(), 404, 20404);
    await expectRestError(asA.api.v2010.accounts(s.accountSid).update({ friendlyName: 'pwned' }), 404, 20404);
    await expectRestError(asA.api.v2010.accounts(b.sid).update({ status: 'suspended' }), 404, 20404);
    // Twilio: only a main account creates subaccounts; we answer 403 with 20403.
    await expectRestError(asA.api.v2010.accounts.create({ friendlyName: 'nested' }), 403, 20403);
    // A subaccount may rename itself but not change its own status (its owner does that).
    assert.equal((await asA.api.v2010.accounts(a.sid).update({ friendlyName: 'Sibling A2' })).friendlyName, 'Sibling A2');
    await expectRestError(asA.api.v2010.accounts(a.sid).update({ status: 'closed' }), 400, 20001);
    // Nothing changed behind the errors.
    assert.equal((await main.api.v2010.accounts(s.accountSid).fetch()).friendlyName, 'Switchboard');
    assert.equal((await main.api.v2010.accounts(b.sid).fetch()).status, 'active');
    assert.equal((await main.api.v2010.accounts(a.sid).fetch()).status, 'active');
    assert.ok(!(await main.api.v2010.accounts.list()).some((x) => x.friendlyName === 'nested'));
  });

  it('TaskRouter data is isolated between a main account and its subaccount, both ways', async () => {
    const sub = await main.api.v2010.accounts.create({ friendlyName: 'Isolated' });
    const subClient = clientFor(s, sub.sid, sub.authToken);
    const mine = await main.taskrouter.v1.workspaces.create({ friendlyName: 'Main WS' });
    const theirs = await subClient.taskrouter.v1.workspaces.create({ friendlyName: 'Sub WS' });
    assert.equal(theirs.accountSid, sub.sid);
    assert.equal(mine.accountSid, s.accountSid);

    await expectRestError(subClient.taskrouter.v1.workspaces(mine.sid).fetch(), 404, 20404);
    await expectRestError(subClient.taskrouter.v1.workspaces(mine.sid).workers.list(), 404, 20404);
    await expectRestError(subClient.taskrouter.v1.workspaces(mine.sid).activities.create({ friendlyName: 'x' }), 404, 20404);
    await expectRestError(subClient.taskrouter.v1.workspaces(mine.sid).update({ friendlyName: 'pwned' }), 404, 20404);
    await expectRestError(subClient.taskrouter.v1.workspaces(mine.sid).remove(), 404, 20404);
    // The main account cannot reach its subaccount's workspace through TaskRouter either: v1 has no account
    // in the path, so the credentials decide.
    await expectRestError(main.taskrouter.v1.workspaces(theirs.sid).fetch(), 404, 20404);
    await expectRestError(main.taskrouter.v1.workspaces(theirs.sid).taskQueues.list(), 404, 20404);
    await expectRestError(main.taskrouter.v1.workspaces(theirs.sid).remove(), 404, 20404);

    assert.deepEqual((await subClient.taskrouter.v1.workspaces.list()).map((w) => w.sid), [theirs.sid]);
    assert.ok(!(await main.taskrouter.v1.workspaces.list()).some((w) => w.sid === theirs.sid));
    assert.equal((await main.taskrouter.v1.workspaces(mine.sid).fetch()).friendlyName, 'Main WS');
    assert.equal((await subClient.taskrouter.v1.workspaces(theirs.sid).fetch()).friendlyName, 'Sub WS');
    // Workspace names are per account: the subaccount may reuse the main account's name.
    await subClient.taskrouter.v1.workspaces.create({ friendlyName: 'Main WS' });
  });

  it('suspending stops the credentials and reactivating restores them; closing is final', async () => {
    const sub = await main.api.v2010.accounts.create({ friendlyName: 'Lifecycle' });
    const subClient = clientFor(s, sub.sid, sub.authToken);
    const key = await main.api.v2010.accounts(sub.sid).newKeys.create({ friendlyName: 'sub key' });
    const viaKey = clientFor(s, key.sid, key.secret, sub.sid);
    await subClient.taskrouter.v1.workspaces.list();
    await viaKey.taskrouter.v1.workspaces.list();

    const suspended = await main.api.v2010.accounts(sub.sid).update({ status: 'suspended' });
    assert.equal(suspended.status, 'suspended');
    assert.ok(suspended.dateUpdated.getTime() >= suspended.dateCreated.getTime());
    await expectRestError(subClient.taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(subClient.api.v2010.accounts(sub.sid).fetch(), 401, 20003);
    await expectRestError(viaKey.taskrouter.v1.workspaces.list(), 401, 20003);

    assert.equal((await main.api.v2010.accounts(sub.sid).update({ status: 'active' })).status, 'active');
    await subClient.taskrouter.v1.workspaces.list();
    await viaKey.taskrouter.v1.workspaces.list();

    assert.equal((await main.api.v2010.accounts(sub.sid).update({ status: 'closed' })).status, 'closed');
    await expectRestError(subClient.taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(viaKey.taskrouter.v1.workspaces.list(), 401, 20003);
    await expectRestError(main.api.v2010.accounts(sub.sid).update({ status: 'active' }), 400, 20001);
    await expectRestError(main.api.v2010.accounts(sub.sid).update({ status: 'suspended' }), 400, 20001);
    const closed = await main.api.v2010.accounts(sub.sid).fetch();
    assert.equal(closed.status, 'closed');
    // The owner still sees a closed subaccount and may rename it; closing again is a no-op.
    assert.equal((await main.api.v2010.accounts(sub.sid).update({ friendlyName: 'Gone' })).friendlyName, 'Gone');
    assert.equal((await main.api.v2010.accounts(sub.sid).update({ status: 'closed' })).status, 'closed');
  });

  it('a main account cannot change its own status', async () => {
    await expectRestError(main.api.v2010.accounts(s.accountSid).update({ status: 'suspended' }), 400, 20001);
    await expectRestError(main.api.v2010.accounts(s.accountSid).update({ status: 'closed' }), 400, 20001);
    assert.equal((await main.api.v2010.accounts(s.accountSid).fetch()).status, 'active');
    await main.taskrouter.v1.workspaces.list();
  });

  it('bad input is 20001 and changes nothing', async () => {
    const sub = await main.api.v2010.accounts.create({ friendlyName: 'Stable' });
    await expectRestError(main.api.v2010.accounts(sub.sid).update({ friendlyName: 'Renamed', status: 'gone' as any }), 400, 20001);
    await expectRestError(main.api.v2010.accounts(sub.sid).update({ friendlyName: 'x'.repeat(65) }), 400, 20001);
    await expectRestError(main.api.v2010.accounts(sub.sid).update({ friendlyName: '' }), 400, 20001);
    const after = await main.api.v2010.accounts(sub.sid).fetch();
    assert.equal(after.friendlyName, 'Stable');
    assert.equal(after.status, 'active');
    const before = (await main.api.v2010.accounts.list()).length;
    await expectRestError(main.api.v2010.accounts.create({ friendlyName: 'y'.repeat(65) }), 400, 20001);
    await expectRestError(main.api.v2010.accounts.list({ status: 'sleeping' as any }), 400, 20001);
    assert.equal((await main.api.v2010.accounts.list()).length, before);
    await expectRestError(main.api.v2010.accounts('AC' + '0'.repeat(32)).fetch(), 404, 20404);
    await expectRestError(main.api.v2010.accounts('not-a-sid').fetch(), 404, 20404);
    await expectRestError(main.api.v2010.accounts('AC' + '0'.repeat(32)).update({ friendlyName: 'z' }), 404, 20404);
  });
});

describe('2010 Accounts list: filters and paging', () => {
  let s: TestServer;
  let main: TwilioClient;
  const subs: string[] = [];
  before(async () => {
    s = await startServer();
    main = clientFor(s);
    for (const name of ['Red', 'Green', 'Blue', 'Green']) subs.push((await main.api.v2010.accounts.create({ friendlyName: name })).sid);
    await main.api.v2010.accounts(subs[2]!).update({ status: 'suspended' });
    // Another main account in the same database (as `switchboard accounts create` makes) and its subaccount:
    // neither is visible to the first main account.
    s.store.transaction((repo) => {
      const other = createAccount(repo, s.app.secrets, Date.now(), { friendlyName: 'Other tenant' }).account;
      createAccount(repo, s.app.secrets, Date.now(), { friendlyName: 'Green', ownerSid: other.sid });
    });
  });
  after(async () => s.close());

  it('lists the caller and its subaccounts, in creation order', async () => {
    const all = await main.api.v2010.accounts.list();
    assert.deepEqual(all.map((a) => a.sid), [s.accountSid, ...subs]);
    assert.ok(all.every((a) => a.ownerAccountSid === s.accountSid));
    assert.ok(all.every((a) => /^[0-9a-f]{32}$/.test(a.authToken)));
  });

  it('filters by FriendlyName and Status', async () => {
    assert.deepEqual((await main.api.v2010.accounts.list({ friendlyName: 'Green' })).map((a) => a.sid), [subs[1], subs[3]]);
    assert.deepEqual((await main.api.v2010.accounts.list({ status: 'suspended' })).map((a) => a.sid), [subs[2]]);
    assert.deepEqual((await main.api.v2010.accounts.list({ friendlyName: 'Green', status: 'active' })).map((a) => a.sid), [subs[1], subs[3]]);
    assert.deepEqual((await main.api.v2010.accounts.list({ friendlyName: 'Nobody' })), []);
    assert.deepEqual((await main.api.v2010.accounts.list({ status: 'closed' })), []);
  });

  it('pages with pageSize 1 through list and each, following next_page_uri', async () => {
    const expected = [s.accountSid, ...subs];
    assert.deepEqual((await main.api.v2010.accounts.list({ pageSize: 1 })).map((a) => a.sid), expected);
    assert.deepEqual((await eachAll(main.api.v2010.accounts, { pageSize: 1 })).map((a) => a.sid), expected);
    assert.deepEqual((await main.api.v2010.accounts.list({ pageSize: 1, limit: 2 })).map((a) => a.sid), expected.slice(0, 2));
    // Filters survive into the next-page links.
    assert.deepEqual((await main.api.v2010.accounts.list({ friendlyName: 'Green', pageSize: 1 })).map((a) => a.sid), [subs[1], subs[3]]);
    assert.deepEqual((await eachAll(main.api.v2010.accounts, { status: 'active', pageSize: 1 })).map((a) => a.sid), [s.accountSid, subs[0], subs[1], subs[3]]);
  });

  it('walks pages forwards and backwards with page()/nextPage()/previousPage()', async () => {
    await assertPagesThrough(main.api.v2010.accounts, {}, [s.accountSid, ...subs]);
  });
});
