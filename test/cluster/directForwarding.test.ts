// A request for a workspace another node routes is sent straight to that node at the URL it advertises
// (cluster/directForwarding.ts), and through the database when that cannot be done safely: a request with no
// body that is not a read, an owner whose URL refuses connections, and a URL that reaches another node (which
// answers 421 and runs nothing). Each is answered as a local request would be, and runs once.
// (The frozen owner, whose kernel still accepts the connection: test/cluster/frozenNode.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import pg from 'pg';
import { WebSocket } from 'ws';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';
import { scrapeMetrics } from '../support/metricsScrape.ts';
import { eventually } from '../support/workflowFace.ts';

const ACCOUNT = 'AC' + 'd1'.repeat(16);
const TOKEN = 'direct-forwarding-token';
const AUTH = 'Basic ' + Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64');

let server: Awaited<ReturnType<typeof startPostgres>>;
const nodes: ChildServer[] = [];
const clients: pg.Client[] = [];

before(async () => {
  if (!skipWithoutPostgres) server = await startPostgres();
});

after(async () => {
  for (const c of clients) await c.end();
  for (const n of nodes) await n.kill('SIGKILL');
  await server?.stop();
});

async function call(node: ChildServer, method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(node.origin + path, {
    method,
    headers: { authorization: AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** The node's forwarded requests by direction and way ("sent direct": 2), from its /metrics. */
async function forwarded(node: ChildServer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const s of (await scrapeMetrics(node.origin)).samples('switchboard_forwarded_requests_total')) counts[`${s.labels.direction} ${s.labels.via}`] = s.value;
  return counts;
}

/** The node's open WebSockets, from its /metrics. */
async function socketsOn(node: ChildServer): Promise<number> {
  return (await scrapeMetrics(node.origin)).sum('switchboard_websocket_connections');
}

/** A worker (available) and a WebSocket of it opened on `node`, with the event types it hears. */
async function workerSocket(owner: ChildServer, node: ChildServer, ws: string) {
  const available = (await call(owner, 'GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).body.activities[0].sid;
  const worker = (await call(owner, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'agent', ActivitySid: available })).body.sid as string;
  const { token } = (await call(owner, 'POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: worker })).body;
  const heard: string[] = [];
  const socket = new WebSocket(`${node.origin.replace('http', 'ws')}/v1/wschannels?token=${token}`);
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const text = data.toString();
      if (!text.trim()) return;
      const msg = JSON.parse(text);
      heard.push(msg.event_type);
      if (msg.event_type === 'init') resolve();
    });
    socket.once('error', reject);
  });
  return { socket, heard, token: token as string };
}

/** A node's environment on a database. */
const envOn = (url: string) => ({ SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()), SWITCHBOARD_LEASE_TTL_MS: '2000' });

/** A cluster on a fresh database: `owner` routes the workspaces (with `ownerEnv` added), `sender` routes none
 *  (with `senderEnv`). */
async function cluster(label: string, ownerEnv: Record<string, string> = {}, senderEnv: Record<string, string> = {}) {
  const url = await freshDatabase(label, server.url);
  const base = envOn(url);
  const owner = await startChild({ ...base, ...ownerEnv });
  nodes.push(owner);
  const sender = await startChild({ ...base, SWITCHBOARD_ROUTES_WORKSPACES: 'false', ...senderEnv });
  nodes.push(sender);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  clients.push(db);
  const ws = (await call(owner, 'POST', '/v1/Workspaces', { FriendlyName: label, Template: 'FIFO' })).body.sid as string;
  // The sender sends directly once it sees the owner's lease and URL (the owner publishes its URL with its next
  // heartbeat after it starts listening), and the owner serves it once its lease keeper has seen the lease its
  // first commit took (until then it answers 421, and the request goes through the database).
  const advertises = ownerEnv.SWITCHBOARD_NODE_URL !== 'off';
  await eventually(async () => ((await db.query(`SELECT 1 FROM workspace_leases l JOIN cluster_nodes n USING (node_id) WHERE l.workspace_sid = $1 AND (n.address IS NOT NULL) = $2`, [ws, advertises])).rowCount ? true : undefined), 'the owner registered', 30_000);
  await eventually(async () => ((await scrapeMetrics(owner.origin)).sum('switchboard_leases_held') === 1 ? true : undefined), 'the owner routes the workspace', 30_000);
  return { owner, sender, db, ws, base };
}

describe('requests sent straight to the node that routes their workspace', { skip: skipWithoutPostgres }, () => {
  it('goes straight to the owner for reads and writes with a body; a DELETE goes through the database; each runs once', async () => {
    const { owner, sender, db, ws } = await cluster('direct');
    const created = await call(sender, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'w1', Attributes: '{"skills":["en"]}' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Absolute URLs in the answer name the node the client called, as a local answer's do.
    assert.ok(String(created.body.url).startsWith(sender.origin), created.body.url);
    const listed = await call(sender, 'GET', `/v1/Workspaces/${ws}/Workers`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.workers.map((w: { friendly_name: string }) => w.friendly_name), ['w1']);
    // Bad input is refused by the owner, in TaskRouter's format, and changes nothing.
    const refused = await call(sender, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'w2', Attributes: '{not json' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 20001);
    const task = await call(sender, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: '{"n":1}' });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    const deleted = await call(sender, 'DELETE', `/v1/Workspaces/${ws}/Tasks/${task.body.sid}`);
    assert.equal(deleted.status, 204);
    assert.equal((await call(sender, 'GET', `/v1/Workspaces/${ws}/Tasks/${task.body.sid}`)).status, 404);

    const sent = await forwarded(sender);
    assert.equal(sent['sent direct'], 5, JSON.stringify(sent)); // three POSTs (one refused), two GETs
    assert.equal(sent['sent database'], 1, JSON.stringify(sent)); // the DELETE
    const executed = await forwarded(owner);
    assert.equal(executed['executed direct'], 5, JSON.stringify(executed));
    assert.equal(executed['executed database'], 1, JSON.stringify(executed));
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM workers WHERE workspace_sid = $1`, [ws]);
    assert.equal(rows[0].n, 1, 'one worker: created once, the refused one not at all');
  });

  it('a forwarded request counts against the rate limit once, on the node that serves it', async () => {
    const LIMIT = 4;
    const { sender, ws } = await cluster('rate', { SWITCHBOARD_RATE_LIMIT: String(LIMIT) }, { SWITCHBOARD_RATE_LIMIT: String(LIMIT) });
    const get = async (path: string) => {
      const { status, headers } = await call(sender, 'GET', path);
      return { status, remaining: headers.get('x-rate-limit-remaining') };
    };
    // Within one second (the limiter's window): as many requests as the limit, all forwarded to the owner, then
    // one the sender serves itself (the account's workspaces: not forwarded).
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    const forwardedAnswers = [];
    for (let i = 0; i < LIMIT; i++) forwardedAnswers.push(await get(`/v1/Workspaces/${ws}/Workers`));
    const own = await get('/v1/Workspaces');
    // The answers carry the owner's count, which saw each forwarded request once.
    assert.deepEqual(forwardedAnswers.map((a) => a.status), Array(LIMIT).fill(200));
    assert.deepEqual(forwardedAnswers.map((a) => a.remaining), ['3', '2', '1', '0']);
    // Counted on the sender too, the forwarded ones would have used its whole second: 429.
    assert.equal(own.status, 200, 'the sender counted only what it served');
    assert.equal(own.remaining, String(LIMIT - 1));
  });

  it('an owner URL that reaches another node: that node answers 421 and runs nothing, and the request goes through the database', async () => {
    // The owner advertises the URL of a node of another cluster (a configuration copied by mistake).
    const stranger = await startChild({ ...envOn(await freshDatabase('stranger', server.url)), SWITCHBOARD_ROUTES_WORKSPACES: 'false' });
    nodes.push(stranger);
    const { sender, db, ws } = await cluster('misdirected', { SWITCHBOARD_NODE_URL: stranger.origin });
    const created = await call(sender, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'w1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await forwarded(sender);
    assert.equal(sent['sent direct'] ?? 0, 0, JSON.stringify(sent));
    assert.equal(sent['sent database'], 1, JSON.stringify(sent));
    assert.equal((await forwarded(stranger))['executed direct'] ?? 0, 0);
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM workers WHERE workspace_sid = $1`, [ws])).rows[0].n, 1);
    // A client that names a node in the header gets the same 421, in TaskRouter's format.
    const misdirected = await call(sender, 'GET', `/v1/Workspaces/${ws}/Workers`, undefined, { 'x-switchboard-forwarded-to': 'some-other-node' });
    assert.equal(misdirected.status, 421);
    assert.equal(misdirected.body.code, 20421);
  });

  it('an owner URL that refuses connections: the request goes through the database', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const { sender, db, ws } = await cluster('unreachable', { SWITCHBOARD_NODE_URL: `http://127.0.0.1:${closed}` });
    const created = await call(sender, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'w1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sent = await forwarded(sender);
    assert.equal(sent['sent direct'] ?? 0, 0, JSON.stringify(sent));
    assert.equal(sent['sent database'], 1, JSON.stringify(sent));
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM workers WHERE workspace_sid = $1`, [ws])).rows[0].n, 1);
  });

  it('SWITCHBOARD_NODE_URL=off: the owner publishes no URL; requests go through the database, and sockets are served where they land even where relaying is on', async () => {
    const { owner, sender, db, ws } = await cluster('off', { SWITCHBOARD_NODE_URL: 'off' }, { SWITCHBOARD_RELAY_SOCKETS: 'on' });
    // The owner (the node that routes workspaces) publishes none; the sender publishes its own, which is not used.
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM cluster_nodes WHERE routes_workspaces AND address IS NOT NULL`)).rows[0].n, 0);
    assert.equal((await call(sender, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'w1' })).status, 201);
    assert.equal((await forwarded(sender))['sent database'], 1);
    const { socket, heard } = await workerSocket(owner, sender, ws);
    try {
      assert.equal(await socketsOn(sender), 1);
      assert.equal(await socketsOn(owner), 0);
      await call(owner, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: '{}' });
      await eventually(async () => (heard.includes('reservation.created') ? true : undefined), 'the offer, through the shared log', 30_000);
    } finally {
      socket.terminate();
    }
  });

  it("SWITCHBOARD_RELAY_SOCKETS=on: a worker's socket on another node is relayed to the owner, which holds it and pushes to it", async () => {
    const { owner, sender, ws } = await cluster('relay', {}, { SWITCHBOARD_RELAY_SOCKETS: 'on' });
    const { socket, heard, token } = await workerSocket(owner, sender, ws);
    try {
      assert.equal(await socketsOn(owner), 1, 'the owner holds the socket');
      assert.equal(await socketsOn(sender), 0, 'the node it landed on only relays it');
      await call(sender, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: '{}' });
      await eventually(async () => (heard.includes('reservation.created') ? true : undefined), 'the offer, through the relay', 30_000);
      assert.deepEqual(heard.filter((t) => t === 'reservation.created'), ['reservation.created']);
    } finally {
      socket.close();
    }
    await eventually(async () => ((await socketsOn(owner)) === 0 ? true : undefined), 'the owner saw the socket close', 10_000);
    // A relayed upgrade that names another node is refused (421, in Twilio's format), and nothing is opened.
    const refused = await new Promise<{ status: number; body: string }>((resolve) => {
      const s = new WebSocket(`${owner.origin.replace('http', 'ws')}/v1/wschannels?token=${token}`, { headers: { 'x-switchboard-forwarded-to': 'another-node' } });
      s.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      s.on('error', () => undefined);
    });
    assert.equal(refused.status, 421);
    assert.equal(JSON.parse(refused.body).code, 20421);
    assert.equal(await socketsOn(owner), 0);
  });

  it('a write sent to another node while the owner stops is served by the next owner, not refused by the stopping one', async () => {
    const { owner, sender, db, ws, base } = await cluster('rolling');
    const heir = await startChild(base);
    nodes.push(heir);
    // The owner's stop is held open by a request whose body is still arriving (a stop lets requests in flight
    // finish), as any busy node's stop is for a moment.
    const { port, hostname } = new URL(owner.origin);
    const held = connect(Number(port), hostname);
    await new Promise((resolve) => held.once('connect', resolve));
    let heldAnswer = '';
    held.on('data', (d) => (heldAnswer += d.toString()));
    held.on('error', () => undefined);
    const body = new URLSearchParams({ FriendlyName: 'held' }).toString();
    held.write(`POST /v1/Workspaces/${ws}/Workers HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`);
    await new Promise((r) => setTimeout(r, 200));
    owner.process.kill('SIGTERM');
    // Stopping: it takes no new connection.
    await eventually(async () => ((await fetch(`${owner.origin}/healthz`).then(() => false, () => true)) ? true : undefined), 'the owner stopped listening', 10_000);
    const during = call(sender, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: 'during' });
    await new Promise((r) => setTimeout(r, 500));
    held.write(body.slice(3));
    await eventually(async () => (heldAnswer.includes('\r\n\r\n') ? true : undefined), 'the held request answered', 10_000);
    assert.match(heldAnswer, /^HTTP\/1.1 201/);
    const answered = await during;
    assert.equal(answered.status, 201, JSON.stringify(answered.body));
    held.destroy();
    const names = (await db.query(`SELECT data->>'friendlyName' AS name FROM workers WHERE workspace_sid = $1 ORDER BY name`, [ws])).rows.map((r) => r.name);
    assert.deepEqual(names, ['during', 'held']);
    const holder = (await db.query(`SELECT node_id FROM workspace_leases WHERE workspace_sid = $1`, [ws])).rows[0]?.node_id as string;
    assert.ok(holder.includes(`-${heir.process.pid}-`), `the heir routes the workspace (${holder})`);
    assert.equal((await forwarded(sender))['sent database'], 1, 'through the database, the owner refusing connections');
  });
});
