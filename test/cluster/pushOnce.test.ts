// A worker's socket on a node that does not route its workspace hears each event once. That node builds a push
// from documents it reads from the database (a read memory cannot answer is fetched and the work run again:
// store/readReplay.ts); a push sent during an attempt that was then run again went out twice. A cluster soak
// (`npm run soak -- --nodes 3`) saw 2 to 3% of the offers arrive twice, and a worker accepting each offer it
// hears had its second accept refused.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { WebSocket } from 'ws';
import { benchCalls } from '../../bench/benchServer.ts';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';
import { eventually } from '../support/workflowFace.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';

const ACCOUNT = 'AC' + 'c7'.repeat(16);
const TOKEN = 'push-once-token';
const WORKERS = 20;

let server: Awaited<ReturnType<typeof startPostgres>>;
let db: pg.Client;
const nodes: ChildServer[] = [];

before(async () => {
  if (skipWithoutPostgres) return;
  server = await startPostgres();
  const url = await freshDatabase('pushonce', server.url);
  const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()), SWITCHBOARD_RATE_LIMIT: '1000000' };
  nodes.push(await startChild(env));
  nodes.push(await startChild(env));
  db = new pg.Client({ connectionString: url });
  await db.connect();
});

after(async () => {
  await db?.end();
  for (const n of nodes) await n.kill('SIGKILL');
  await server?.stop();
});

/** The account's form calls to a node. */
const call = (node: ChildServer, method: string, path: string, form?: Record<string, string>) => benchCalls(node.origin, { sid: ACCOUNT, token: TOKEN }).form(method, path, form);

it('a socket on a node that does not route the workspace hears every reservation event exactly once', { skip: skipWithoutPostgres }, async () => {
  const ws = (await call(nodes[0]!, 'POST', '/v1/Workspaces', { FriendlyName: 'push-once', Template: 'FIFO' })).sid as string;
  const holder = await eventually(async () => (await db.query(`SELECT node_id FROM workspace_leases WHERE workspace_sid = $1 AND expires_at > now()`, [ws])).rows[0]?.node_id as string | undefined, 'a lease holder', 30_000);
  const owner = nodes.find((n) => holder.includes(`-${n.process.pid}-`))!;
  const other = nodes.find((n) => n !== owner)!;
  const available = (await call(owner, 'GET', `/v1/Workspaces/${ws}/Activities?FriendlyName=Available`)).activities[0].sid as string;

  // Every worker's socket on the node that does not route the workspace; each frame counted by type and reservation.
  const frames = new Map<string, number>();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const sid = (await call(owner, 'POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: `w${i}`, ActivitySid: available })).sid as string;
    const { token } = await call(owner, 'POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: sid });
    const socket = new WebSocket(`${other.origin.replace('http', 'ws')}/v1/wschannels?token=${token}&setWorkerOfflineIfDisconnected=false`);
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const text = data.toString();
        if (!text.trim()) return;
        const msg = JSON.parse(text);
        if (msg.event_type === 'init') return resolve();
        if (msg.event_type.startsWith('reservation.')) frames.set(`${msg.event_type} ${msg.payload.sid}`, (frames.get(`${msg.event_type} ${msg.payload.sid}`) ?? 0) + 1);
      });
      socket.once('error', reject);
    });
    sockets.push(socket);
  }
  try {
    // Tasks created together, then every reservation accepted together and its task completed: the other node
    // reads the owner's commits from the log several at a time, events about tasks beside the reservations'.
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => call(owner, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: JSON.stringify({ i }) })));
    const created = await eventually(async () => {
      const keys = [...frames.keys()].filter((k) => k.startsWith('reservation.created '));
      return keys.length === WORKERS ? keys.map((k) => k.split(' ')[1]!) : undefined;
    }, 'every offer on a socket', 30_000);
    const reservations = (await db.query(`SELECT sid, worker_sid, task_sid FROM reservations WHERE workspace_sid = $1`, [ws])).rows as { sid: string; worker_sid: string; task_sid: string }[];
    assert.deepEqual(new Set(created), new Set(reservations.map((r) => r.sid)));
    await Promise.all(reservations.map((r) => call(owner, 'POST', `/v1/Workspaces/${ws}/Tasks/${r.task_sid}/Reservations/${r.sid}`, { ReservationStatus: 'accepted' })));
    await Promise.all(reservations.map((r) => call(owner, 'POST', `/v1/Workspaces/${ws}/Tasks/${r.task_sid}`, { AssignmentStatus: 'completed', Reason: 'done' })));
    await eventually(async () => ([...frames.keys()].filter((k) => k.startsWith('reservation.completed ')).length === WORKERS ? true : undefined), 'every completion on a socket', 30_000);
    // Whatever is still on its way arrives (a duplicate would come right behind the first).
    await new Promise((r) => setTimeout(r, 500));
    const twice = [...frames].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], `frames heard more than once: ${twice.map(([k, n]) => `${k} x${n}`).join(', ')}`);
    for (const type of ['created', 'accepted', 'completed']) assert.equal([...frames.keys()].filter((k) => k.startsWith(`reservation.${type} `)).length, WORKERS, `reservation.${type}`);
  } finally {
    for (const s of sockets) s.terminate();
  }
});
