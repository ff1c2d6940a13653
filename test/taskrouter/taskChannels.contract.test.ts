// TaskChannels: every operation against the OpenAPI document, addressing by SID or unique_name, the 15-channel
// limit, the WorkerChannels that follow a channel's life, events, and unchanged state after every rejection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { assertContract, assertRejectedUnchanged, assertTwilioError } from '../support/contract.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';

const TC = '/v1/Workspaces/{WorkspaceSid}/TaskChannels';
const TCI = `${TC}/{Sid}`;
const T0 = Date.parse('2026-04-01T08:00:00Z');

describe('TaskChannels: contract and behaviour', () => {
  let s: TestServer;
  let now = T0;
  let ws: string;
  let workers: string[];
  const base = () => `/v1/Workspaces/${ws}/TaskChannels`;

  before(async () => {
    s = await startServer({ clock: () => now });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Channels' } })).body.sid;
    workers = [];
    for (const name of ['Ann', 'Ben']) {
      workers.push((await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: name } })).body.sid);
    }
  });
  after(async () => s.close());

  const snapshot = () =>
    s.store.read((repo) => ({
      channels: repo.findAll('taskChannel', { workspaceSid: ws }),
      workerChannels: repo.findAll('workerChannel', { workspaceSid: ws }),
      events: repo.eventsFor(ws).length,
    }));
  const events = (type: string) => s.store.read((repo) => repo.eventsFor(ws).filter((e) => e.eventType === type));
  const workerChannelsOf = (tcSid: string) => s.store.read((repo) => repo.findAll('workerChannel', { workspaceSid: ws, taskChannelSid: tcSid }));

  const rejects = (attempts: Parameters<typeof assertRejectedUnchanged>[1]) => assertRejectedUnchanged(snapshot, attempts);

  it('lists the five default channels of a new workspace', async () => {
    const res = await s.request('GET', base());
    assertContract('get', TC, res, 200);
    assert.deepEqual(
      res.body.channels.map((c: any) => [c.unique_name, c.friendly_name, c.channel_optimized_routing]),
      [
        ['default', 'Default', false],
        ['voice', 'Voice', false],
        ['sms', 'SMS', false],
        ['chat', 'Chat', false],
        ['video', 'Video', false],
      ],
    );
    const c = res.body.channels[0];
    assert.equal(c.url, `${s.origin}/v1/Workspaces/${ws}/TaskChannels/${c.sid}`);
    assert.deepEqual(c.links, { workspace: `${s.origin}/v1/Workspaces/${ws}` });
    assert.equal(res.body.meta.key, 'channels');
  });

  it('pages the list over more than one page', async () => {
    const seen: string[] = [];
    let url: string | null = `${base()}?PageSize=2`;
    let pages = 0;
    while (url) {
      const res = await s.request('GET', url.replace(s.origin, ''));
      assertContract('get', TC, res, 200);
      seen.push(...res.body.channels.map((c: any) => c.unique_name));
      url = res.body.meta.next_page_url;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['default', 'voice', 'sms', 'chat', 'video']);
  });

  it('creates a channel, and every worker gets a WorkerChannel for it', async () => {
    const res = await s.request('POST', base(), { form: { FriendlyName: 'Outbound Voice', UniqueName: 'ovoice' } });
    assertContract('post', TC, res, 201);
    assert.equal(res.body.unique_name, 'ovoice');
    assert.equal(res.body.friendly_name, 'Outbound Voice');
    assert.equal(res.body.channel_optimized_routing, false);
    assert.equal(res.body.date_created, '2026-04-01T08:00:00Z');
    assert.equal(res.body.workspace_sid, ws);
    assert.equal(res.body.account_sid, s.accountSid);
    const wcs = workerChannelsOf(res.body.sid);
    assert.deepEqual(wcs.map((wc) => wc.workerSid).sort(), [...workers].sort());
    assert.ok(wcs.every((wc) => wc.capacity === 1 && wc.available));
    const optimized = await s.request('POST', base(), { form: { FriendlyName: 'Email', UniqueName: 'Email_2', ChannelOptimizedRouting: 'true' } });
    assertContract('post', TC, optimized, 201);
    assert.equal(optimized.body.channel_optimized_routing, true);
    const created = events('task-channel.created');
    assert.deepEqual(created.map((e) => e.eventData.task_channel_unique_name), ['ovoice', 'Email_2']);
    assert.equal(created[1]!.eventData.task_channel_optimized_routing, 'true');
    // A worker created afterwards gets the new channels too.
    const later = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'Cy' } })).body.sid;
    workers.push(later);
    assert.equal(s.store.read((repo) => repo.count('workerChannel', { workerSid: later })), 7);
  });

  it('fetches by SID, by unique_name and by unique_name in any case', async () => {
    const bySid = (await s.request('GET', `${base()}?PageSize=50`)).body.channels.find((c: any) => c.unique_name === 'ovoice');
    for (const key of [bySid.sid, 'ovoice', 'OVoice']) {
      const res = await s.request('GET', `${base()}/${key}`);
      assertContract('get', TCI, res, 200);
      assert.deepEqual(res.body, bySid);
    }
  });

  it('updates FriendlyName and ChannelOptimizedRouting, addressed by SID or unique_name', async () => {
    const sid = (await s.request('GET', `${base()}/ovoice`)).body.sid;
    now = T0 + 5000;
    const res = await s.request('POST', `${base()}/${sid}`, { form: { FriendlyName: 'Outbound', ChannelOptimizedRouting: 'true' } });
    assertContract('post', TCI, res, 200);
    assert.equal(res.body.friendly_name, 'Outbound');
    assert.equal(res.body.channel_optimized_routing, true);
    assert.equal(res.body.unique_name, 'ovoice');
    assert.equal(res.body.date_updated, '2026-04-01T08:00:05Z');
    assert.equal(res.body.date_created, '2026-04-01T08:00:00Z');
    const byName = await s.request('POST', `${base()}/OVOICE`, { form: { ChannelOptimizedRouting: 'false' } });
    assertContract('post', TCI, byName, 200);
    assert.equal(byName.body.friendly_name, 'Outbound');
    assert.equal(byName.body.channel_optimized_routing, false);
    assert.equal(events('task-channel.updated').length, 2);
    assertContract('get', TCI, await s.request('GET', `${base()}/${sid}`), 200);
  });

  it('deletes by unique_name or SID, removing the workers\' channels', async () => {
    const sid = (await s.request('GET', `${base()}/ovoice`)).body.sid;
    assertContract('delete', TCI, await s.request('DELETE', `${base()}/ovoice`), 204);
    assert.equal(workerChannelsOf(sid).length, 0);
    assertTwilioError(await s.request('GET', `${base()}/${sid}`), 404, 20404);
    assertTwilioError(await s.request('GET', `${base()}/ovoice`), 404, 20404);
    assertTwilioError(await s.request('GET', `/v1/Workspaces/${ws}/Workers/${workers[0]}/Channels/ovoice`), 404, 20404);
    const email = (await s.request('GET', `${base()}/email_2`)).body.sid;
    assertContract('delete', TCI, await s.request('DELETE', `${base()}/${email}`), 204);
    assert.equal(workerChannelsOf(email).length, 0);
    assert.deepEqual(events('task-channel.deleted').map((e) => e.resourceSid), [sid, email]);
    // The unique name can be used again.
    const again = await s.request('POST', base(), { form: { FriendlyName: 'Again', UniqueName: 'ovoice' } });
    assertContract('post', TC, again, 201);
    await s.request('DELETE', `${base()}/${again.body.sid}`);
  });

  it('a unique name shaped like a TC SID still works as a name', async () => {
    const name = 'TC' + 'ab'.repeat(16);
    const res = await s.request('POST', base(), { form: { FriendlyName: 'Odd', UniqueName: name } });
    assertContract('post', TC, res, 201);
    const fetched = await s.request('GET', `${base()}/${name}`);
    assertContract('get', TCI, fetched, 200);
    assert.equal(fetched.body.sid, res.body.sid);
    assertContract('delete', TCI, await s.request('DELETE', `${base()}/${name}`), 204);
  });

  it('rejects bad input with 20001 and changes nothing', async () => {
    const post = (form: Record<string, string>) => () => s.request('POST', base(), { form });
    await rejects([
      [post({}), 400, 20001],
      [post({ UniqueName: 'fax' }), 400, 20001],
      [post({ FriendlyName: 'Fax' }), 400, 20001],
      [post({ FriendlyName: '', UniqueName: 'fax' }), 400, 20001],
      [post({ FriendlyName: 'x'.repeat(65), UniqueName: 'fax' }), 400, 20001],
      [post({ FriendlyName: 'Fax', UniqueName: '' }), 400, 20001],
      [post({ FriendlyName: 'Fax', UniqueName: 'fax-in' }), 400, 20001],
      [post({ FriendlyName: 'Fax', UniqueName: 'fax in' }), 400, 20001],
      [post({ FriendlyName: 'Fax', UniqueName: 'fäx' }), 400, 20001],
      [post({ FriendlyName: 'Fax', UniqueName: 'x'.repeat(65) }), 400, 20001],
      [post({ FriendlyName: 'Voice 2', UniqueName: 'VOICE' }), 400, 20001],
      [() => s.request('POST', `${base()}/voice`, { form: { FriendlyName: '' } }), 400, 20001],
      [() => s.request('POST', `${base()}/voice`, { form: { FriendlyName: 'x'.repeat(65) } }), 400, 20001],
      [() => s.request('GET', `${base()}?PageSize=1001`), 400, 20001],
    ]);
    const dup = await s.request('POST', base(), { form: { FriendlyName: 'Voice 2', UniqueName: 'VOICE' } });
    assert.match(dup.body.message, /already exists/);
  });

  it('unknown channels and workspaces are 20404 and change nothing', async () => {
    await rejects([
      [() => s.request('GET', `${base()}/${newSid('TC')}`), 404, 20404],
      [() => s.request('GET', `${base()}/fax`), 404, 20404],
      [() => s.request('POST', `${base()}/${newSid('TC')}`, { form: { FriendlyName: 'x' } }), 404, 20404],
      [() => s.request('POST', `${base()}/fax`, { form: { FriendlyName: 'x' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/${newSid('TC')}`), 404, 20404],
      [() => s.request('DELETE', `${base()}/fax`), 404, 20404],
      [() => s.request('GET', `/v1/Workspaces/${newSid('WS')}/TaskChannels`), 404, 20404],
      [() => s.request('POST', `/v1/Workspaces/${newSid('WS')}/TaskChannels`, { form: { FriendlyName: 'F', UniqueName: 'f' } }), 404, 20404],
    ]);
    // Another workspace's channel is not reachable through this one, by SID or by name.
    const other = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'Other' } })).body.sid;
    const foreign = await s.request('POST', `/v1/Workspaces/${other}/TaskChannels`, { form: { FriendlyName: 'Fax', UniqueName: 'fax' } });
    await rejects([
      [() => s.request('GET', `${base()}/${foreign.body.sid}`), 404, 20404],
      [() => s.request('GET', `${base()}/fax`), 404, 20404],
      [() => s.request('DELETE', `${base()}/${foreign.body.sid}`), 404, 20404],
    ]);
  });

  it("another account's workspace is 404, never 403, and untouched", async () => {
    const acct = { sid: newSid('AC'), token: newSecret() };
    s.store.transaction((repo) =>
      repo.insert('account', { sid: acct.sid, ownerAccountSid: acct.sid, friendlyName: 'B', authTokenSealed: s.app.secrets.sealAuthToken(acct.sid, acct.token), status: 'active', dateCreated: 0, dateUpdated: 0 }),
    );
    const auth = { username: acct.sid, password: acct.token };
    await rejects([
      [() => s.request('GET', base(), { auth }), 404, 20404],
      [() => s.request('POST', base(), { auth, form: { FriendlyName: 'Fax', UniqueName: 'fax' } }), 404, 20404],
      [() => s.request('GET', `${base()}/voice`, { auth }), 404, 20404],
      [() => s.request('POST', `${base()}/voice`, { auth, form: { FriendlyName: 'Mine' } }), 404, 20404],
      [() => s.request('DELETE', `${base()}/voice`, { auth }), 404, 20404],
    ]);
  });

  it('allows at most 15 channels per workspace, the five defaults included', async () => {
    const start = s.store.read((repo) => repo.count('taskChannel', { workspaceSid: ws }));
    for (let i = start; i < 15; i++) {
      assertContract('post', TC, await s.request('POST', base(), { form: { FriendlyName: `C${i}`, UniqueName: `c${i}` } }), 201);
    }
    await rejects([[() => s.request('POST', base(), { form: { FriendlyName: 'C15', UniqueName: 'c15' } }), 400, 20001]]);
    const res = await s.request('POST', base(), { form: { FriendlyName: 'C15', UniqueName: 'c15' } });
    assert.match(res.body.message, /15/);
    // Deleting one makes room again.
    assertContract('delete', TCI, await s.request('DELETE', `${base()}/c14`), 204);
    assertContract('post', TC, await s.request('POST', base(), { form: { FriendlyName: 'C15', UniqueName: 'c15' } }), 201);
  });
});
