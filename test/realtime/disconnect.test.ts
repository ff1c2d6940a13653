// A worker whose last socket is gone, on one node: after the grace period it moves to its disconnect activity
// (the workspace's default one with the Worker SDK's setWorkerOfflineIfDisconnected, the one named by
// taskrouter.js's disconnectActivitySid), and its pending reservations are offered to other workers at once.
// A reconnect within the grace period, or setWorkerOfflineIfDisconnected=false, leaves the worker as it is.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import WebSocket from 'ws';
import { startServer, type TestServer } from '../support/server.ts';

const GRACE = 300;

describe('workers that lose their socket (one node)', () => {
  let s: TestServer;
  let ws: string;
  let activities: Record<string, string>;
  let key: { sid: string; secret: string };
  before(async () => {
    s = await startServer({ sockets: { offlineGraceMs: GRACE } });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'desks', Template: 'FIFO' } })).body.sid;
    activities = Object.fromEntries((await s.request('GET', `/v1/Workspaces/${ws}/Activities`)).body.activities.map((a: any) => [a.friendly_name, a.sid]));
    key = (await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`)).body;
  });
  after(async () => s.close());

  const worker = async (name: string, activity: string) => (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: name, ActivitySid: activities[activity]! } })).body.sid as string;
  const activityOf = async (sid: string) => (await s.request('GET', `/v1/Workspaces/${ws}/Workers/${sid}`)).body.activity_name as string;
  const connect = async (workerSid: string, query = '') => {
    const token = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: workerSid, ttl: 600 });
    token.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid, role: 'worker' }));
    const socket = new WebSocket(`${s.origin.replace('http', 'ws')}/v1/wschannels?token=${token.toJwt()}${query}`);
    await new Promise((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
    });
    return socket;
  };
  const close = (socket: WebSocket) => new Promise((resolve) => {
    socket.once('close', resolve);
    socket.close();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('moves the worker to the default activity after the grace period and offers its pending reservation to another worker', async () => {
    const alice = await worker('alice', 'Available');
    const socket = await connect(alice);
    const task = (await s.request('POST', `/v1/Workspaces/${ws}/Tasks`, { form: { Attributes: '{}' } })).body.sid;
    const offered = (await s.request('GET', `/v1/Workspaces/${ws}/Tasks/${task}/Reservations`)).body.reservations;
    assert.deepEqual(offered.map((r: any) => [r.worker_sid, r.reservation_status]), [[alice, 'pending']]);
    const bob = await worker('bob', 'Available');
    await close(socket);
    await sleep(GRACE / 2);
    assert.equal(await activityOf(alice), 'Available', 'not before the grace period');
    await sleep(GRACE);
    assert.equal(await activityOf(alice), 'Offline', 'the default activity of the FIFO template');
    const after = (await s.request('GET', `/v1/Workspaces/${ws}/Tasks/${task}/Reservations`)).body.reservations;
    const status = Object.fromEntries(after.map((r: any) => [r.worker_sid, r.reservation_status]));
    assert.deepEqual(status, { [alice]: 'rejected', [bob]: 'pending' }, 'the task went to another worker at once');
    await s.request('POST', `/v1/Workspaces/${ws}/Workers/${bob}`, { form: { ActivitySid: activities.Offline!, RejectPendingReservations: 'true' } });
    await s.request('POST', `/v1/Workspaces/${ws}/Tasks/${task}`, { form: { AssignmentStatus: 'canceled' } });
  });

  it('leaves the worker as it is when it reconnects within the grace period, or asked not to be moved', async () => {
    const carol = await worker('carol', 'Available');
    const first = await connect(carol);
    await close(first);
    const second = await connect(carol);
    await sleep(GRACE * 2);
    assert.equal(await activityOf(carol), 'Available', 'reconnected in time');
    await close(second);
    const dave = await worker('dave', 'Available');
    await close(await connect(dave, '&setWorkerOfflineIfDisconnected=false'));
    await sleep(GRACE * 2);
    assert.equal(await activityOf(dave), 'Available', 'setWorkerOfflineIfDisconnected=false');
    await sleep(GRACE);
    assert.equal(await activityOf(carol), 'Offline', 'carol, gone for good, is moved');
  });
});
