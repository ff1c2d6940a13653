// Three Switchboard processes on one PostgreSQL database, as a cluster behind a load balancer would run them.
// Workers connect (the real twilio-taskrouter Worker SDK) to different nodes, tasks are created (the real twilio
// client) on every node, and the node routing the workspace is killed with SIGKILL in the middle of the load:
// another node takes the workspace over, every acknowledged task is still there and ends up completed, no task is
// ever accepted twice, and the reservation timers of the dead node's workers still fire on the new owner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import twilio from 'twilio';
import TaskRouter from 'twilio-taskrouter';
import { type ChildServer, startChild } from '../support/childServer.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';
import { disconnectSdkWorker } from '../support/taskrouterSdk.ts';
import { scrapeMetrics } from '../support/metricsScrape.ts';
import { startPostgres } from '../../scripts/postgres.mjs';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';

const { Worker } = TaskRouter as unknown as { Worker: new (token: string, options: object) => any };

const ACCOUNT = 'AC' + 'c3'.repeat(16);
const TOKEN = 'cluster-test-token';
/** Every node of a cluster holds the same master key of the stored secrets. */
const SECRET_KEY = formatMasterKey(newMasterKey());

function once<T = any>(emitter: any, event: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function clientOn(node: ChildServer) {
  const client = twilio(ACCOUNT, TOKEN);
  client.taskrouter.baseUrl = node.origin;
  client.api.baseUrl = node.origin;
  return client;
}

describe('a 3-node cluster on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  // A PostgreSQL server of its own: the shared log is read up to the oldest transaction running on the whole
  // server, and the other test files' servers on the shared one would hold that back (docs/operations.md).
  let server: Awaited<ReturnType<typeof startPostgres>>;
  let dbUrl: string;
  let nodes: ChildServer[] = [];
  const sdkWorkers: any[] = [];
  let db: pg.Client;

  let env: Record<string, string>;

  before(async () => {
    server = await startPostgres();
    dbUrl = await freshDatabase('cluster', server.url);
    env = { SWITCHBOARD_DB: dbUrl, SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_LEASE_TTL_MS: '1500', SWITCHBOARD_SECRET_KEY: SECRET_KEY };
    // The first node creates the schema; the others start together.
    nodes.push(await startChild(env));
    nodes.push(...(await Promise.all([startChild(env), startChild(env)])));
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
  });

  // Set when the tests are over: an agent's retries stop (they would hold the process open for up to 30 s).
  let finished = false;
  after(async () => {
    finished = true;
    for (const w of sdkWorkers) disconnectSdkWorker(w);
    await db?.end();
    for (const n of nodes) await n.kill('SIGKILL');
    await server?.stop();
  });

  /** The node that holds the workspace's lease now. */
  async function owner(ws: string): Promise<ChildServer> {
    return eventually('a lease holder', async () => {
      const { rows } = await db.query(`SELECT node_id FROM workspace_leases WHERE workspace_sid = $1 AND expires_at > now()`, [ws]);
      const holder = rows[0]?.node_id as string | undefined;
      return holder ? nodes.find((n) => holder.includes(`-${n.process.pid}-`)) : undefined;
    });
  }

  it('assigns every task exactly once across nodes, and survives kill -9 of the owning node mid-load', async () => {
    const admin = clientOn(nodes[0]!);
    const workspace = await admin.taskrouter.v1.workspaces.create({ friendlyName: 'cluster', template: 'FIFO' });
    const ws = workspace.sid;
    const tr = (node: ChildServer) => clientOn(node).taskrouter.v1.workspaces(ws);
    const activities = Object.fromEntries((await tr(nodes[1]!).activities.list()).map((a) => [a.friendlyName, a.sid]));
    // A short reservation timeout (long enough for a loaded CI machine): offers to workers whose node died time
    // out on the new owner, and those workers go offline.
    const queue = (await tr(nodes[2]!).taskQueues.list())[0]!;
    // Tasks marked `parked` wait in a queue nobody is eligible for, until their TTL cancels them.
    const parking = await tr(nodes[0]!).taskQueues.create({ friendlyName: 'parking', targetWorkers: 'skill == "none"' });
    const workflow = await tr(nodes[1]!).workflows.create({
      friendlyName: 'short offers',
      taskReservationTimeout: 8,
      configuration: JSON.stringify({
        task_routing: { filters: [{ filter_friendly_name: 'parked', expression: 'parked == true', targets: [{ queue: parking.sid }] }], default_filter: { queue: queue.sid } },
      }),
    });
    const key = await admin.newKeys.create();
    const tokenFor = (workerSid: string) => {
      const t = new twilio.jwt.AccessToken(ACCOUNT, key.sid, key.secret!, { identity: workerSid, ttl: 3600 });
      t.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid, role: 'worker' }));
      return t.toJwt();
    };

    // Six agents, two on each node, each accepting what it is offered and completing it shortly after.
    const acceptedBy = new Map<string, string[]>();
    const agentNode = new Map<string, ChildServer>();
    for (let i = 0; i < 6; i++) {
      const node = nodes[i % 3]!;
      const sid = (await tr(node).workers.create({ friendlyName: `agent-${i}` })).sid;
      agentNode.set(sid, node);
      const w = new Worker(tokenFor(sid), {
        ebServer: `${node.origin}/v1/wschannels`,
        wsServer: `${node.origin.replace('http', 'ws')}/v1/wschannels`,
        logLevel: 'silent',
      });
      sdkWorkers.push(w);
      // Connection errors (its node killed) are expected mid-test; the SDK throws an unhandled 'error' otherwise.
      const errors: string[] = [];
      w.on('error', (err: Error) => errors.push(err.message));
      await once(w, 'ready').catch((err) => {
        throw new Error(`agent-${i} on ${node.origin}: ${err.message} ${errors.join('; ')}`);
      });
      w.on('reservationCreated', (reservation: any) => {
        // As an agent's desk does, the desk goes by what the service says happened (the reservation's events on
        // the socket), not by the reply to its own request: a reply can be lost while a workspace moves (503)
        // after the accept was applied. Completing is retried while the service answers 503.
        reservation.once('accepted', async () => {
          acceptedBy.set(reservation.task.sid, [...(acceptedBy.get(reservation.task.sid) ?? []), sid]);
          for (let attempt = 0; attempt < 30 && !finished; attempt++) {
            try {
              await reservation.task.complete('done');
              return;
            } catch {
              await new Promise((r) => setTimeout(r, 1000));
            }
          }
        });
        reservation.accept().catch(() => undefined);
      });
      await tr(node).workers(sid).update({ activitySid: activities.Available });
    }

    const acked: string[] = [];
    const create = async (node: ChildServer, i: number) => {
      const task = await tr(node).tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ n: i }) });
      acked.push(task.sid);
    };
    // First half of the load on every node, concurrently.
    await Promise.all(Array.from({ length: 15 }, (_, i) => create(nodes[i % 3]!, i)));

    // A timer armed on the owner before it dies: this task's TTL must still cancel it, on the next owner.
    const parked = await tr(nodes[0]!).tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ parked: true }), timeout: 6 });

    // Kill the node routing the workspace while the second half is being created on the others.
    const victim = await owner(ws);
    const survivors = nodes.filter((n) => n !== victim);
    const load = Promise.all(Array.from({ length: 15 }, (_, i) => create(survivors[i % 2]!, 15 + i).catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 30));
    await victim.kill('SIGKILL');
    await load;
    nodes = survivors.concat(victim); // `after` still kills it (no-op)

    // The victim's lease lapses after its TTL; the creates above may all have been answered before then (those
    // sent straight to the victim as it died are answered 503).
    const heir = await eventually('a surviving node took the workspace over', async () => {
      const holder = await owner(ws);
      return survivors.includes(holder) ? holder : undefined;
    });

    // Everything acknowledged ends up completed, except what agents of the dead node had accepted: their desk is
    // gone, so a supervisor completes those (through any node), as one would.
    assert.ok(acked.length >= 15, `at least the first half was acknowledged (${acked.length})`);
    const reader = tr(survivors[0]!);
    const deadAgents = new Set([...agentNode].filter(([, n]) => n === victim).map(([sid]) => sid));
    let open: { sid: string; assignmentStatus: string }[] = [];
    await eventually('every acknowledged task completed or held by an agent of the dead node', async () => {
      open = (await Promise.all(acked.map((sid) => reader.tasks(sid).fetch()))).filter((t) => t.assignmentStatus !== 'completed');
      for (const t of open) {
        if (t.assignmentStatus !== 'assigned') return undefined;
        const holders = (await reader.tasks(t.sid).reservations.list()).filter((r) => r.reservationStatus === 'accepted').map((r) => r.workerSid);
        if (!holders.every((w) => deadAgents.has(w))) return undefined;
      }
      return true;
    }, 90_000).catch(async (err) => {
      const { rows: counts } = await db.query(`SELECT event_type, count(*)::int AS n FROM events WHERE workspace_sid = $1 GROUP BY 1 ORDER BY 1`, [ws]);
      throw new Error(`${err.message}: ${open.length} open (${open.map((t) => t.assignmentStatus)}); events ${JSON.stringify(counts)}`);
    });
    for (const t of open) await reader.tasks(t.sid).update({ assignmentStatus: 'completed', reason: 'agent lost with its node' });
    for (const sid of acked) assert.equal((await reader.tasks(sid).fetch()).assignmentStatus, 'completed', `task ${sid}`);

    // The TTL timer armed by the dead owner fired on its heir.
    const canceled = await eventually('the parked task canceled by its TTL', async () => {
      const t = await reader.tasks(parked.sid).fetch();
      return t.assignmentStatus === 'canceled' ? t : undefined;
    }, 20_000);
    assert.equal(canceled.reason, 'Task TTL Exceeded');

    for (const sid of acked) {
      const reservations = await reader.tasks(sid).reservations.list();
      const accepted = reservations.filter((r) => r.reservationStatus === 'accepted' || r.reservationStatus === 'completed');
      assert.equal(accepted.length, 1, `task ${sid}: exactly one accepted reservation (${reservations.map((r) => r.reservationStatus)})`);
    }
    const { rows } = await db.query(
      `SELECT task_sid, count(*)::int AS n FROM events WHERE workspace_sid = $1 AND event_type = 'reservation.accepted' GROUP BY task_sid HAVING count(*) > 1`,
      [ws],
    );
    assert.deepEqual(rows, [], 'the log records one acceptance per task');
    for (const [task, by] of acceptedBy) assert.equal(by.length, 1, `task ${task} accepted by ${by}`);

    // Metrics on several nodes: the heir holds the workspace's lease; requests were forwarded; every node hears
    // every event, but only the workspace's owner counts it (the survivors together counted no more tasks than
    // were created, where counting on every node would give about twice as many).
    assert.ok((await scrapeMetrics(heir.origin)).sum('switchboard_leases_held') >= 1, 'the heir holds a lease');
    // One task created after the failover, which the heir counts: the second half's creates may all have
    // landed before the kill (counted by the dead node) or failed while the lease moved (CI once saw 2 of 15
    // acknowledged, and 0 counted by the survivors).
    await tr(survivors[0]!).tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ afterFailover: true }) });
    let sent = 0;
    let counted = 0;
    for (const n of survivors) {
      const scrape = await scrapeMetrics(n.origin);
      sent += scrape.sum('switchboard_forwarded_requests_total', { direction: 'sent' });
      counted += scrape.sum('switchboard_tasks_created_total', { workspace_sid: ws });
    }
    assert.ok(sent > 0, 'requests were forwarded to the owner');
    assert.ok(counted >= 1 && counted <= acked.length + 2, `tasks counted once, by their owner (${counted} of ${acked.length + 2})`);
  });

  it('a node that loses its database connection exits with a clear message, and a restarted node serves what it acknowledged', async () => {
    const url = await freshDatabase('lost', server.url);
    const env = { SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: ACCOUNT, SWITCHBOARD_AUTH_TOKEN: TOKEN, SWITCHBOARD_LEASE_TTL_MS: '1500', SWITCHBOARD_SECRET_KEY: SECRET_KEY };
    const node = await startChild(env);
    const created = await clientOn(node).taskrouter.v1.workspaces.create({ friendlyName: 'before the failover' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const exited = node.ended.then((e) => e.code);
      // What a failover or a database restart does to a node's connections.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      assert.equal(await exited, 1);
      assert.match(node.stdout(), /lost the database connection .*exiting so a supervisor restarts this node/);
    } finally {
      await admin.end();
    }
    const again = await startChild(env);
    try {
      assert.equal((await clientOn(again).taskrouter.v1.workspaces(created.sid).fetch()).friendlyName, 'before the failover');
    } finally {
      await again.kill('SIGKILL');
    }
  });

  it('routes an Opsflow task created on a node that does not route its TaskRouter workspace', async () => {
    // Three nodes (the tests before may have killed some): one routes the workspace, one runs the background
    // loops (it may be the same), and the task is created through one that does neither.
    let alive = nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    if (alive.length < 3) nodes.push(await startChild(env));
    alive = nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    assert.equal(alive.length, 3);
    const admin = clientOn(alive[0]!);
    const ws = (await admin.taskrouter.v1.workspaces.create({ friendlyName: 'ops desk', template: 'FIFO' })).sid;
    const home = await owner(ws);
    // The node following the route learns of it from the shared log (the creation's event).
    const background = await owner('background');
    const away = alive.find((n) => n !== home && n !== background)!;
    const w = clientOn(home).taskrouter.v1.workspaces(ws);
    const available = (await w.activities.list({ friendlyName: 'Available' }))[0]!.sid;
    const workflow = (await w.workflows.list())[0]!.sid;
    const agent = (await w.workers.create({ friendlyName: 'dana', activitySid: available })).sid;
    const ops = async (node: ChildServer, path: string, body: unknown) => {
      const res = await fetch(`${node.origin}/opsflow/v1/${path}`, {
        method: 'POST',
        headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64'), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
      return json;
    };
    const category = await ops(away, 'task-category/create', {
      name: 'Incidents',
      status_options: { TODO: [{ status_id: 'open', name: 'Open' }], IN_PROGRESS: [{ status_id: 'fixing', name: 'Fixing' }], COMPLETED: [{ status_id: 'closed', name: 'Closed' }] },
    });
    const type = await ops(away, 'task-type/create', { name: 'Routed', category_id: category.category_id, routing: { workspace_sid: ws, workflow_sid: workflow } });
    // Created through a node that does not route the workspace: the TaskRouter task is asked of its owner.
    const created = await ops(away, 'task/create', { name: 'Replica lag', status_id: 'open', project_id: '*', task_type_id: type.task_type_id });
    const reservation = await eventually('a reservation for the agent', async () => (await w.workers(agent).reservations.list({ reservationStatus: 'pending' }))[0]);
    assert.equal(JSON.parse((await w.tasks(reservation.taskSid).fetch()).attributes).opsflow_task_id, created.task_id);
    await w.tasks(reservation.taskSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
    const started = await eventually('the agent is the assignee', async () => {
      const t = await ops(away, 'task/get', { task_id: created.task_id });
      return t.assignee === 'dana' ? t : undefined;
    }).catch(async (err) => {
      const dbg = new pg.Client({ connectionString: dbUrl });
      await dbg.connect();
      const info = {
        leases: (await dbg.query('select * from workspace_leases')).rows,
        cursors: (await dbg.query('select * from cursors')).rows,
        routes: (await dbg.query('select data from ops_routes')).rows,
        events: (await dbg.query('select seq, event_type, task_sid from events where workspace_sid = $1 order by seq', [ws])).rows,
        task: await ops(away, 'task/get', { task_id: created.task_id }),
        pids: nodes.map((n) => n.process.pid),
        logs: nodes.map((n) => n.stdout().slice(-500)),
      };
      await dbg.end();
      throw new Error(`${err.message} ${JSON.stringify(info)}`);
    });
    assert.equal(started.status_type, 'IN_PROGRESS');
    await w.tasks(reservation.taskSid).update({ assignmentStatus: 'completed' });
    await eventually('closed', async () => ((await ops(away, 'task/get', { task_id: created.task_id })).status_type === 'COMPLETED' ? true : undefined));
    // Exactly one TaskRouter task was created for it.
    const routed = (await w.tasks.list()).filter((t) => JSON.parse(t.attributes).opsflow_task_id === created.task_id);
    assert.equal(routed.length, 1);
  });
});
