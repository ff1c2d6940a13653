// Workers of a dead node. Three nodes on one PostgreSQL database; workers hold WebSockets on every node. The node
// that routes the workspace, and holds sockets of several workers, is killed (SIGKILL). The node that takes the
// workspace over handles those workers as a disconnect is handled on one node, within the lease TTL and a second:
// the Worker SDK's default (setWorkerOfflineIfDisconnected) moves a worker to the workspace's default activity
// (Offline) and its pending reservation is offered to a worker on a live node, whose socket gets it; taskrouter.js's
// disconnectActivitySid names the activity; setWorkerOfflineIfDisconnected=false leaves the worker as it is; a
// worker that reconnected to another node in time is left alone. A socket closed on a live node that does not
// route the workspace is handled by the owner after the grace period, as on one node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import twilio from 'twilio';
import WebSocket from 'ws';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const TTL = 2000;
const GRACE = 5000; // the gateway's grace period (realtime/workerPresence.ts)
const ACCOUNT = newSid('AC');
const TOKEN = newSecret();
const AUTH = { authorization: 'Basic ' + Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64') };
const { AccessToken } = twilio.jwt;
const { TaskRouterCapability, util } = twilio.jwt.taskrouter;

async function call(origin: string, method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(origin + path, {
    method,
    headers: { ...AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

interface Socket {
  ws: WebSocket;
  frames: { event_type: string; payload: any }[];
}

async function open(url: string): Promise<Socket> {
  const ws = new WebSocket(url);
  const socket: Socket = { ws, frames: [] };
  ws.on('message', (data) => {
    const text = String(data);
    if (text.trim()) socket.frames.push(JSON.parse(text));
  });
  ws.on('error', () => undefined); // its node is killed mid-test
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`socket refused: ${res.statusCode}`)));
  });
  return socket;
}

describe('workers of a dead node', { skip: skipWithoutPostgres }, () => {
  let server: Awaited<ReturnType<typeof startPostgres>>;
  let db: pg.Client;
  const nodes: ChildServer[] = [];
  const sockets: Socket[] = [];
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    for (const n of nodes) await n.kill();
    await db?.end();
    await server?.stop();
  });

  it('are handled by the new owner as disconnects within the lease TTL and a second, their pending reservations offered to live workers', async (t) => {
    const url = await freshDatabase('deadnode', server.url);
    const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_LEASE_TTL_MS: String(TTL), SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) };
    for (let i = 0; i < 3; i++) nodes.push(await startChild(env));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    const holder = async (ws: string) => (await db.query(`SELECT node_id FROM workspace_leases WHERE workspace_sid = $1 AND expires_at > now()`, [ws])).rows[0]?.node_id as string | undefined;
    const nodeOf = (id: string | undefined) => nodes.find((n) => id?.includes(`-${n.process.pid}-`));

    const ws = (await call(nodes[0]!.origin, 'POST', '/v1/Workspaces', { FriendlyName: 'desks', Template: 'FIFO' })).body.sid;
    const victim = await eventually('an owner', async () => nodeOf(await holder(ws)));
    const [live, other] = nodes.filter((n) => n !== victim) as [ChildServer, ChildServer];
    const path = `/v1/Workspaces/${ws}`;
    const activities: Record<string, string> = Object.fromEntries((await call(victim.origin, 'GET', `${path}/Activities`)).body.activities.map((a: any) => [a.friendly_name, a.sid]));
    const key = (await call(victim.origin, 'POST', `/2010-04-01/Accounts/${ACCOUNT}/Keys.json`)).body;
    const worker = async (name: string, activity: string) => (await call(victim.origin, 'POST', `${path}/Workers`, { FriendlyName: name, ActivitySid: activities[activity]! })).body.sid as string;
    const sdkSocket = async (node: ChildServer, workerSid: string, query = '') => {
      const token = new AccessToken(ACCOUNT, key.sid, key.secret, { identity: workerSid, ttl: 600 });
      token.addGrant(new AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid, role: 'worker' }));
      const s = await open(`${node.origin.replace('http', 'ws')}/v1/wschannels?token=${token.toJwt()}${query}`);
      sockets.push(s);
      return s;
    };
    const activityOf = async (sid: string) => (await db.query(`SELECT a.data->>'friendlyName' AS name FROM workers w JOIN activities a ON a.sid = w.data->>'activitySid' WHERE w.sid = $1`, [sid])).rows[0]?.name as string;

    // On the node about to die: alice (the SDK's default), her pending offer; dave (setWorkerOfflineIfDisconnected
    // false); erin (taskrouter.js, disconnectActivitySid Offline); frank, who will reconnect elsewhere in time.
    const alice = await worker('alice', 'Available');
    await sdkSocket(victim, alice);
    const task = (await call(victim.origin, 'POST', `${path}/Tasks`, { Attributes: '{"n":1}' })).body.sid;
    const reservation = await eventually('the offer to alice', async () => (await call(victim.origin, 'GET', `${path}/Tasks/${task}/Reservations`)).body.reservations[0]);
    assert.equal(reservation.worker_sid, alice);
    const dave = await worker('dave', 'Unavailable');
    await sdkSocket(victim, dave, '&setWorkerOfflineIfDisconnected=false');
    const erin = await worker('erin', 'Unavailable');
    const capability = new TaskRouterCapability({ accountSid: ACCOUNT, authToken: TOKEN, workspaceSid: ws, channelId: erin });
    for (const p of [...util.defaultWorkerPolicies('v1', ws, erin), ...util.defaultEventBridgePolicies(ACCOUNT, erin)]) capability.addPolicy(p);
    sockets.push(await open(`${victim.origin.replace('http', 'ws')}/v1/wschannels/${ACCOUNT}/${erin}?token=${capability.toJwt()}&disconnectActivitySid=${activities.Offline}`));
    const frank = await worker('frank', 'Unavailable');
    await sdkSocket(victim, frank);
    // On live nodes: bob, who takes alice's offer; carol, whose desk closes on a node that does not route.
    const bob = await worker('bob', 'Available');
    const bobSocket = await sdkSocket(live, bob);
    const carol = await worker('carol', 'Unavailable');
    const carolSocket = await sdkSocket(other, carol);
    await eventually('the sockets recorded', async () => ((await db.query('SELECT count(*)::int AS n FROM worker_sockets')).rows[0].n === 6 ? true : undefined));

    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    carolSocket.ws.close();
    await sdkSocket(other, frank); // frank's SDK reconnected through the load balancer

    const offered = await eventually('alice\'s task offered to bob on his socket', async () =>
      bobSocket.frames.find((f) => f.event_type === 'reservation.created' && f.payload.task_sid === task), 20_000, 20);
    const offeredAfter = Date.now() - killedAt;
    t.diagnostic(`alice's task offered to bob ${offeredAfter} ms after the kill (TTL ${TTL} ms)`);
    assert.ok(offeredAfter <= TTL + 1000, `re-offered ${offeredAfter} ms after the kill`);
    assert.equal(offered.payload.worker_sid, bob);
    const heir = nodeOf(await holder(ws));
    assert.ok(heir && heir !== victim, 'another node routes the workspace');
    assert.equal(await activityOf(alice), 'Offline', 'alice: the default activity');
    const rejected = (await db.query(`SELECT data->>'reservationStatus' AS s FROM reservations WHERE sid = $1`, [reservation.sid])).rows[0].s;
    assert.equal(rejected, 'rejected', 'alice\'s pending reservation was given up');
    // The new owner handles the dead node's workers one after another: erin may come after alice's offer, but
    // within the same bound.
    await eventually('erin moved to her disconnectActivitySid (Offline)', async () => ((await activityOf(erin)) === 'Offline' ? true : undefined), TTL + 1000 + killedAt - Date.now(), 20);
    assert.ok(Date.now() - killedAt <= TTL + 1000, `erin handled ${Date.now() - killedAt} ms after the kill`);
    assert.equal(await activityOf(dave), 'Unavailable', 'dave asked to be left as he is');
    assert.equal(await activityOf(frank), 'Unavailable', 'frank reconnected to another node in time');
    assert.equal(await activityOf(carol), 'Unavailable', 'carol\'s grace period is not over');
    // The dead node's rows are handled and gone (frank's, whose live row decides now, too).
    await eventually('the dead node\'s rows gone', async () =>
      (await db.query(`SELECT count(*)::int AS n FROM worker_sockets WHERE node_id LIKE $1`, [`%-${victim.process.pid}-%`])).rows[0].n === 0 ? true : undefined, 2000);

    // Carol's socket closed on a live node that does not route the workspace: the owner moves her after the grace.
    await eventually('carol moved after the grace period', async () => ((await activityOf(carol)) === 'Offline' ? true : undefined), GRACE + 5000);
    const carolAfter = Date.now() - killedAt;
    assert.ok(carolAfter >= GRACE, `not before the grace period (${carolAfter} ms)`);
    assert.equal(await activityOf(frank), 'Unavailable', 'frank is still connected');
    assert.equal(await activityOf(dave), 'Unavailable');
  });
});
