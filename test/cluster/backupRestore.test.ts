// Backup and restore on PostgreSQL, as docs/operations.md tells an operator to do it: `pg_dump` taken while two
// nodes serve a steady load (creates, and updates of what was created), restored with `pg_restore` into a new
// database on ANOTHER PostgreSQL server, then served by a new node. Every write whose response the clients had
// received before the dump started is there; the restored node routes, pushes to a worker's WebSocket, and
// holds no event of the old server's numbering that its log reader would later push again, and never runs a
// request that was being forwarded when the dump was taken.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import twilio from 'twilio';
import WebSocket from 'ws';
import { formatMasterKey, newMasterKey, parseMasterKey, SecretBox } from '../../src/auth/secretBox.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { postgresBinDir, startPostgres } from '../../scripts/postgres.mjs';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const run = promisify(execFile);
const ACCOUNT = newSid('AC');
const TOKEN = newSecret();
const AUTH = { authorization: 'Basic ' + Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64') };

async function call(origin: string, method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(origin + path, {
    method,
    headers: { ...AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

interface Ack {
  taskSid: string;
  /** The status the acknowledged write left the task in. */
  status: 'pending' | 'canceled';
  /** When the client had the response (ms). */
  at: number;
}

describe('backup and restore on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let source: Awaited<ReturnType<typeof startPostgres>>;
  let target: Awaited<ReturnType<typeof startPostgres>>;
  const nodes: ChildServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
  before(async () => {
    source = await startPostgres();
    target = await startPostgres();
  });
  after(async () => {
    for (const n of nodes) await n.kill();
    await source?.stop();
    await target?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pg_dump taken while two nodes serve, restored on another server, is served by a new node with every write acknowledged before the dump began', async () => {
    const url = await freshDatabase('backup', source.url);
    // The restored database's secrets are sealed under this key: the new node needs it too.
    const env = { SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_LEASE_TTL_MS: '1500', SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()) };
    nodes.push(await startChild({ ...env, SWITCHBOARD_DB: url }));
    nodes.push(await startChild({ ...env, SWITCHBOARD_DB: url }));
    const workspaces: string[] = [];
    for (const node of nodes) workspaces.push((await call(node.origin, 'POST', '/v1/Workspaces', { FriendlyName: `ws ${workspaces.length}`, Template: 'FIFO' })).body.sid);

    // The load: clients on both nodes create tasks and cancel every other one, recording what was acknowledged.
    const acks: Ack[] = [];
    let running = true;
    const client = async (i: number) => {
      const node = nodes[i % nodes.length]!;
      const ws = workspaces[i % workspaces.length]!;
      for (let n = 0; running; n++) {
        const created = await call(node.origin, 'POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: JSON.stringify({ client: i, n }) });
        if (created.status !== 201) continue; // a 503 while a workspace moves: not acknowledged
        acks.push({ taskSid: created.body.sid, status: 'pending', at: Date.now() });
        if (n % 2 === 1) {
          const canceled = await call(node.origin, 'POST', `/v1/Workspaces/${ws}/Tasks/${created.body.sid}`, { AssignmentStatus: 'canceled', Reason: 'load' });
          if (canceled.status === 200) acks.push({ taskSid: created.body.sid, status: 'canceled', at: Date.now() });
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, i) => client(i)));
    await waitFor('writes acknowledged', () => acks.length >= 60, 30_000);

    // The backup, while the load goes on: one consistent snapshot, taken without stopping writers.
    const dumpFile = join(dir, 'switchboard.dump');
    const dumpStarted = Date.now();
    const before = acks.filter((a) => a.at < dumpStarted);
    await run(join(postgresBinDir()!, 'pg_dump'), ['--format=custom', `--file=${dumpFile}`, url]);
    const dumpEnded = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await load;
    assert.ok(before.length >= 50, `writes acknowledged before the dump (${before.length})`);
    assert.ok(acks.some((a) => a.at > dumpStarted && a.at < dumpEnded), 'the nodes kept acknowledging writes while the dump ran');
    assert.ok(statSync(dumpFile).size > 0);

    // The restore: a new database on another server.
    const restored = await freshDatabase('restored', target.url);
    await run(join(postgresBinDir()!, 'pg_restore'), ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${restored}`, dumpFile]);
    const db = new pg.Client({ connectionString: restored });
    await db.connect();
    try {
      const ahead = async () => Number((await db.query(`SELECT count(*) AS n FROM events WHERE tx_id > pg_current_xact_id()`)).rows[0].n);
      assert.ok((await ahead()) > 0, 'the restored events carry the old server\'s transaction ids, ahead of this one\'s');

      // A request another node was forwarding when the dump was taken (its client got no answer, or a 503): it
      // must never run on the restored database.
      const forwardedBy = new SecretBox([parseMasterKey(env.SWITCHBOARD_SECRET_KEY)]);
      const stale = {
        method: 'POST',
        url: `/v1/Workspaces/${workspaces[0]}/Tasks`,
        headers: { authorization: forwardedBy.seal(AUTH.authorization, 'forwarded request:authorization'), 'content-type': 'application/x-www-form-urlencoded', host: 'old-node' },
        body: new URLSearchParams({ Attributes: '{"stale":true}' }).toString(),
      };
      const staleId = (await db.query(`INSERT INTO forwarded_requests (workspace_sid, request, created_at) VALUES ($1, $2, now() - interval '1 minute') RETURNING id`, [workspaces[0], JSON.stringify(stale)])).rows[0].id;

      const node = await startChild({ ...env, SWITCHBOARD_DB: restored });
      nodes.push(node);
      assert.equal(await ahead(), 0, 'the node renumbered them below every transaction of the new server');

      // Every write acknowledged before the dump started is there, as acknowledged (or later).
      const last = new Map<string, Ack>();
      for (const a of before) last.set(a.taskSid, a);
      for (const [taskSid, ack] of last) {
        const where = (await db.query(`SELECT workspace_sid FROM tasks WHERE sid = $1`, [taskSid])).rows[0]?.workspace_sid;
        assert.ok(where, `task ${taskSid} (acknowledged before the dump) is in the restored database`);
        const task = await call(node.origin, 'GET', `/v1/Workspaces/${where}/Tasks/${taskSid}`);
        assert.equal(task.status, 200, `task ${taskSid}`);
        if (ack.status === 'canceled') assert.equal(task.body.assignment_status, 'canceled', `task ${taskSid} was canceled before the dump`);
      }

      // The restored node serves: it routes the waiting tasks to a worker that becomes available, and pushes
      // the offer to the worker's WebSocket (the shared log reader follows the new server's transactions).
      const home = workspaces[0]!;
      const key = (await call(node.origin, 'POST', `/2010-04-01/Accounts/${ACCOUNT}/Keys.json`)).body;
      const available = (await call(node.origin, 'GET', `/v1/Workspaces/${home}/Activities?FriendlyName=Available`)).body.activities[0].sid;
      const worker = (await call(node.origin, 'POST', `/v1/Workspaces/${home}/Workers`, { FriendlyName: 'after restore' })).body.sid;
      const token = new twilio.jwt.AccessToken(ACCOUNT, key.sid, key.secret, { identity: worker, ttl: 600 });
      token.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: home, workerSid: worker, role: 'worker' }));
      const socket = new WebSocket(`${node.origin.replace('http', 'ws')}/v1/wschannels?token=${token.toJwt()}`);
      const frames: { event_type: string; payload: any }[] = [];
      socket.on('message', (data) => {
        const text = String(data);
        if (text.trim()) frames.push(JSON.parse(text));
      });
      try {
        await waitFor('the socket opened', () => frames.some((f) => f.event_type === 'init'));
        assert.equal((await call(node.origin, 'POST', `/v1/Workspaces/${home}/Workers/${worker}`, { ActivitySid: available })).status, 200);
        await waitFor('reservation.created pushed', () => frames.some((f) => f.event_type === 'reservation.created'), 20_000);
        const offered = frames.find((f) => f.event_type === 'reservation.created')!.payload;
        assert.equal(offered.worker_sid, worker);
        const task = (await db.query(`SELECT data->>'assignmentStatus' AS s FROM tasks WHERE sid = $1`, [offered.task_sid])).rows[0];
        assert.equal(task?.s, 'reserved', 'a task restored as pending was offered');
      } finally {
        socket.close();
      }
      assert.equal((await db.query(`SELECT count(*)::int AS n FROM tasks WHERE data->>'attributes' LIKE '%stale%'`)).rows[0].n, 0, 'the stale forwarded request did not run');
      assert.equal((await db.query(`SELECT executed_by FROM forwarded_requests WHERE id = $1`, [staleId])).rows[0].executed_by, null, 'nobody took it');
    } finally {
      await db.end();
    }
  });
});

async function waitFor(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
