// A frozen node must not stall the others. The node routing a workspace is stopped (SIGSTOP, as a VM freeze
// or a long GC pause would) in the middle of a transaction: after it wrote a `workers` row and took its lease
// row (the fence), before its COMMIT (a test-only hook in the PostgreSQL store places the pause there). It stays
// stopped for three lease TTLs. The database ends its transaction (the node's session timeouts,
// src/store/postgres/sessionTimeouts.ts), so another node takes the workspace and routes a new task within
// the TTL plus one second, and accepting and rejecting the reservations of the worker whose row the frozen
// transaction had locked answer as promptly. When the frozen node resumes, its late commit is refused: the
// write it held is not there and the node exits for its supervisor to restart it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const TTL = 2000;
const FREEZE_MARK = `freeze-${newSecret().slice(0, 12)}`;
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

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Whether the process is stopped (state T in /proc). */
function stopped(pid: number): boolean {
  return /^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

describe('a frozen node does not stall the others', { skip: skipWithoutPostgres }, () => {
  let server: Awaited<ReturnType<typeof startPostgres>>;
  let db: pg.Client;
  const nodes: ChildServer[] = [];
  before(async () => {
    // A server of its own: the frozen transaction holds back the shared log's horizon for every database on it.
    server = await startPostgres();
  });
  after(async () => {
    for (const n of nodes) {
      n.process.kill('SIGCONT');
      await n.kill();
    }
    await db?.end();
    await server?.stop();
  });

  it('the workspace moves and routes within TTL + 1 s of a freeze mid-transaction; the frozen commit is refused', async (t) => {
    const url = await freshDatabase('frozen', server.url);
    const env = {
      SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_LEASE_TTL_MS: String(TTL),
      SWITCHBOARD_SECRET_KEY: formatMasterKey(newMasterKey()), SWITCHBOARD_TEST_FREEZE_BEFORE_COMMIT: FREEZE_MARK,
    };
    for (let i = 0; i < 3; i++) nodes.push(await startChild(env));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    const holder = async (ws: string) => (await db.query(`SELECT node_id FROM workspace_leases WHERE workspace_sid = $1 AND expires_at > now()`, [ws])).rows[0]?.node_id as string | undefined;
    const nodeOf = (id: string | undefined) => nodes.find((n) => id?.includes(`-${n.process.pid}-`));

    const ws = (await call(nodes[0]!.origin, 'POST', '/v1/Workspaces', { FriendlyName: 'frozen', Template: 'FIFO' })).body.sid;
    const owner = await eventually('an owner', async () => nodeOf(await holder(ws)));
    const [b, c] = nodes.filter((n) => n !== owner) as [ChildServer, ChildServer];
    const path = `/v1/Workspaces/${ws}`;
    const available = (await call(owner.origin, 'GET', `${path}/Activities?FriendlyName=Available`)).body.activities[0].sid;
    // W1 takes two tasks at once: two pending reservations, both to be answered while W1's row is locked.
    const w1 = (await call(owner.origin, 'POST', `${path}/Workers`, { FriendlyName: 'w1' })).body.sid;
    const channel = (await call(owner.origin, 'GET', `${path}/Workers/${w1}/Channels`)).body.channels.find((ch: any) => ch.task_channel_unique_name === 'default');
    assert.equal((await call(owner.origin, 'POST', `${path}/Workers/${w1}/Channels/${channel.sid}`, { Capacity: '2' })).status, 200);
    assert.equal((await call(owner.origin, 'POST', `${path}/Workers/${w1}`, { ActivitySid: available })).status, 200);
    const t1 = (await call(owner.origin, 'POST', `${path}/Tasks`, { Attributes: '{"n":1}' })).body.sid;
    const t2 = (await call(owner.origin, 'POST', `${path}/Tasks`, { Attributes: '{"n":2}' })).body.sid;
    const reservationOf = async (task: string) => (await call(owner.origin, 'GET', `${path}/Tasks/${task}/Reservations`)).body.reservations[0];
    const r1 = await eventually('T1 offered to W1', () => reservationOf(t1));
    const r2 = await eventually('T2 offered to W1', () => reservationOf(t2));
    assert.deepEqual([r1.worker_sid, r2.worker_sid, r1.reservation_status, r2.reservation_status], [w1, w1, 'pending', 'pending']);
    // W2 waits for the task created during the freeze.
    const w2 = (await call(owner.origin, 'POST', `${path}/Workers`, { FriendlyName: 'w2', ActivitySid: available })).body.sid;
    assert.equal(nodeOf(await holder(ws)), owner, 'still the owner');

    // The freeze: the owner writes W1's row (an attributes update), takes its lease row, and stops before COMMIT.
    const frozenWrite = call(owner.origin, 'POST', `${path}/Workers/${w1}`, { Attributes: JSON.stringify({ mark: FREEZE_MARK }) }).then(
      (res) => ({ status: res.status }),
      (err: Error) => ({ status: 0, error: err.message }),
    );
    await eventually('the owner stopped', async () => (stopped(owner.process.pid!) ? true : undefined), 10_000, 5);
    const frozenAt = Date.now();

    // Through the other nodes: a new task (routed to W2), an accept and a reject of W1's contested reservations.
    const timed = async (what: Promise<{ status: number; body: any }>) => {
      const res = await what;
      return { ...res, after: Date.now() - frozenAt };
    };
    const [created, accepted, rejected] = await Promise.all([
      timed(call(c.origin, 'POST', `${path}/Tasks`, { Attributes: '{"n":3}' })),
      timed(call(b.origin, 'POST', `${path}/Tasks/${t1}/Reservations/${r1.sid}`, { ReservationStatus: 'accepted' })),
      timed(call(c.origin, 'POST', `${path}/Tasks/${t2}/Reservations/${r2.sid}`, { ReservationStatus: 'rejected' })),
    ]);
    t.diagnostic(`after the freeze: task created and routed ${created.after} ms, accept ${accepted.after} ms, reject ${rejected.after} ms (TTL ${TTL} ms)`);
    const newOwner = nodeOf(await holder(ws));
    assert.ok(newOwner && newOwner !== owner, 'another node took the workspace');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.assignment_status, 'reserved', 'the new task was routed at once');
    assert.ok(created.after <= TTL + 1000, `the new owner created and routed a task ${created.after} ms after the freeze (TTL ${TTL} ms)`);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.reservation_status, 'accepted');
    assert.ok(accepted.after <= TTL + 1000, `the accept answered ${accepted.after} ms after the freeze`);
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.equal(rejected.body.reservation_status, 'rejected');
    assert.ok(rejected.after <= TTL + 1000, `the reject answered ${rejected.after} ms after the freeze`);
    const routedTo = (await db.query(`SELECT data->>'workerSid' AS w FROM reservations WHERE data->>'taskSid' = $1`, [created.body.sid])).rows;
    assert.deepEqual(routedTo.map((r) => r.w), [w2]);
    // The database ended the frozen transaction: nothing of it waits, nothing holds its locks.
    const idle = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    assert.equal(idle.rows[0].n, 0);
    assert.ok(stopped(owner.process.pid!), 'the old owner is still frozen');

    // Resumed after three TTLs: its late COMMIT fails, nothing it held is acknowledged or stored, and it exits.
    await new Promise((r) => setTimeout(r, Math.max(0, frozenAt + 3 * TTL - Date.now())));
    const exited = owner.ended.then((e) => e.code);
    owner.process.kill('SIGCONT');
    const late = await frozenWrite;
    assert.notEqual(late.status, 200, 'the frozen write is not acknowledged');
    assert.equal(await exited, 1);
    assert.match(owner.stdout(), /lost the database connection .*exiting so a supervisor restarts this node/);
    const w1Row = (await db.query(`SELECT data->>'attributes' AS a FROM workers WHERE sid = $1`, [w1])).rows[0];
    assert.doesNotMatch(w1Row.a, new RegExp(FREEZE_MARK), 'the frozen write is not stored');
    const statuses = (await db.query(`SELECT data->>'sid' AS sid, data->>'reservationStatus' AS s FROM reservations WHERE data->>'taskSid' IN ($1, $2)`, [t1, t2])).rows;
    assert.deepEqual(Object.fromEntries(statuses.filter((r) => r.sid === r1.sid || r.sid === r2.sid).map((r) => [r.sid, r.s])), { [r1.sid]: 'accepted', [r2.sid]: 'rejected' });
    const accepts = await db.query(`SELECT count(*)::int AS n FROM events WHERE workspace_sid = $1 AND event_type = 'reservation.accepted'`, [ws]);
    assert.equal(accepts.rows[0].n, 1, 'one acceptance');
  });
});
