// RouteToWorkers end to end: a workflow task's state that needs a person creates a TaskRouter task; a worker
// with the right skill gets the reservation, accepts and completes it through the official twilio client, and
// the workflow task moves on (as that worker). A canceled TaskRouter task fires the canceled trigger; an ending
// that happens while the runner is down is picked up after the restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';
import { clientFor } from '../support/twilioClient.ts';
import { WorkflowActionRunner } from '../../src/workflow/actionRunner.ts';
import { eventually, ok } from '../support/workflowFace.ts';

async function routingSetup(s: TestServer) {
  const client = clientFor(s);
  const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Reviews', template: 'FIFO' });
  const w = client.taskrouter.v1.workspaces(ws.sid);
  const activities = Object.fromEntries((await w.activities.list()).map((a) => [a.friendlyName, a.sid]));
  const queue = await w.taskQueues.create({ friendlyName: 'Approvers', targetWorkers: "skills HAS 'approve'" });
  const workflow = await w.workflows.create({
    friendlyName: 'Review routing',
    configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'approvals', expression: "skill_needed == 'approve'", targets: [{ queue: queue.sid }] }], default_filter: { queue: queue.sid } } }),
  });
  const bob = await w.workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ skills: ['sales'] }), activitySid: activities.Available });
  const alice = await w.workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ skills: ['approve'] }), activitySid: activities.Available });
  await ok(s, 'POST', '/api/taskdefinitions', {
    id: { scope: 'human', code: 'review' },
    displayName: 'Reviewed payment',
    states: [{ name: 'Submitted' }, { name: 'WithReviewer' }, { name: 'Reviewed' }, { name: 'Unassigned' }],
    fieldSchema: [{ name: 'amount', type: 'Decimal' }],
    initialState: { name: 'Submitted', requiredFields: ['amount'] },
    triggers: [{ name: 'submit' }, { name: 'reviewed' }, { name: 'dropped' }],
    transitions: [
      { fromState: 'Submitted', toState: 'WithReviewer', trigger: 'submit', action: 'findReviewer' },
      // The person who completes the routed task is the CurrentUser of the trigger: never the submitter.
      { fromState: 'WithReviewer', toState: 'Reviewed', trigger: 'reviewed', guard: 'UserCreated neq CurrentUser' },
      { fromState: 'WithReviewer', toState: 'Unassigned', trigger: 'dropped' },
    ],
    actions: [
      {
        name: 'findReviewer',
        actionDetails: {
          type: 'RouteToWorkers',
          workspaceSid: ws.sid,
          workflowSid: workflow.sid,
          priority: 5,
          attributes: { amount: { mapFrom: 'amount' }, skill_needed: { setTo: 'approve' } },
          completedTrigger: 'reviewed',
          canceledTrigger: 'dropped',
        },
      },
    ],
  });
  return { client, w, ws: ws.sid, alice: alice.sid, bob: bob.sid, workflow: workflow.sid };
}

/** The TaskRouter task a RouteToWorkers action created (from its action log), once it exists: on one node it
 *  exists with the log line; against a node that does not route the workspace (the cluster run) it is requested
 *  and its owner creates it moments later. */
async function routedTask(s: TestServer, wfTask: any): Promise<string> {
  const log = await eventually(async () => {
    const l = await ok(s, 'GET', `/api/actionlogs/${wfTask.actionLogIdSubmitted}`);
    return l.loggedItems.some((i: any) => i.logType === 'Routed') ? l : undefined;
  }, 'routed');
  const [, sid, ws] = /TaskRouter task (WT[0-9a-f]{32}) .*workspace (WS[0-9a-f]{32})/.exec(log.loggedItems.find((i: any) => i.logType === 'Routed').details)!;
  await eventually(async () => ((await s.request('GET', `/v1/Workspaces/${ws}/Tasks/${sid}`)).status === 200 ? true : undefined), 'the routed TaskRouter task');
  return sid!;
}

describe('Workflow face: RouteToWorkers', () => {
  test('a worker accepts and completes the routed task; the workflow task moves to the next state', async () => {
    const s = await startServer();
    try {
      const r = await routingSetup(s);
      const task = await ok(s, 'POST', '/api/tasks?trigger=submit', { taskDefinitionId: { scope: 'human', code: 'review' }, fields: [{ name: 'amount', value: 900 }] });
      assert.equal(task.state, 'WithReviewer');
      const trSid = await routedTask(s, task);
      const tr = await r.w.tasks(trSid).fetch();
      assert.deepEqual(JSON.parse(tr.attributes), { workflowTaskId: task.id, amount: 900, skill_needed: 'approve' });
      assert.equal(tr.workflowSid, r.workflow);
      assert.equal(tr.priority, 5);

      // Only alice has the skill: she gets the reservation, accepts it and completes the task.
      const reservation = await eventually(async () => (await r.w.workers(r.alice).reservations.list({ reservationStatus: 'pending' }))[0], 'reservation for alice');
      assert.equal(reservation.taskSid, trSid);
      assert.deepEqual(await r.w.workers(r.bob).reservations.list(), []);
      await r.w.tasks(trSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
      assert.equal((await ok(s, 'GET', `/api/tasks/${task.id}`)).state, 'WithReviewer', 'accepting is not completing');
      await r.w.tasks(trSid).update({ assignmentStatus: 'completed', reason: 'approved after review' });

      const reviewed = await eventually(async () => {
        const t = await ok(s, 'GET', `/api/tasks/${task.id}`);
        return t.state === 'Reviewed' ? t : undefined;
      }, 'workflow task reviewed');
      assert.equal(reviewed.version.userIdModified, r.alice, 'the completing worker acted');
      const log = await ok(s, 'GET', `/api/actionlogs/${task.actionLogIdSubmitted}`);
      assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Submitted', 'Routed', 'WorkCompleted', 'TriggerFired']);
      assert.match(log.loggedItems[2].details, new RegExp(`${trSid} completed \\(worker ${r.alice}\\)`));

      // A canceled TaskRouter task fires the canceled trigger.
      const second = await ok(s, 'POST', '/api/tasks?trigger=submit', { taskDefinitionId: { scope: 'human', code: 'review' }, fields: [{ name: 'amount', value: 5 }] });
      const secondTr = await routedTask(s, second);
      await r.w.tasks(secondTr).update({ assignmentStatus: 'canceled', reason: 'nobody needed' });
      await eventually(async () => ((await ok(s, 'GET', `/api/tasks/${second.id}`)).state === 'Unassigned' ? true : undefined), 'workflow task unassigned');
    } finally {
      await s.close();
    }
  });

  test('a routed task TaskRouter deletes after 24 hours assigned ends its route (the canceled trigger fires, the route row goes)', async () => {
    let now = Date.UTC(2026, 0, 5, 9);
    const s = await startServer({ clock: () => now, manualTimers: true });
    // One node of a cluster runs its timers itself; this test drives them by hand.
    if (process.env.SWITCHBOARD_TEST_CLUSTER) return void (await s.close());
    try {
      const r = await routingSetup(s);
      const task = await ok(s, 'POST', '/api/tasks?trigger=submit', { taskDefinitionId: { scope: 'human', code: 'review' }, fields: [{ name: 'amount', value: 7 }] });
      const trSid = await routedTask(s, task);
      const reservation = await eventually(async () => (await r.w.workers(r.alice).reservations.list({ reservationStatus: 'pending' }))[0], 'reservation');
      await r.w.tasks(trSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
      assert.equal(s.store.read((repo) => repo.findAll('wfRoute', {})).length, 1);
      now += 24 * 3_600_000 + 1000;
      s.engine.fireDue();
      await eventually(async () => ((await ok(s, 'GET', `/api/tasks/${task.id}`)).state === 'Unassigned' ? true : undefined), 'workflow task unassigned');
      assert.deepEqual(s.store.read((repo) => repo.findAll('wfRoute', {})), [], 'the finished route is gone');
      const log = await ok(s, 'GET', `/api/actionlogs/${task.actionLogIdSubmitted}`);
      assert.match(log.loggedItems.find((i: any) => i.logType === 'WorkCanceled').details, /system-deleted/);
    } finally {
      await s.close();
    }
  });

  test('a node taking the background loops over follows the routes the previous one stored after it started', async () => {
    const s = await startServer();
    // A second runner on the same store, started now, standing for another node that does not run the loops yet.
    let takenOver = false;
    const other = new WorkflowActionRunner(s.store, s.engine, { active: () => takenOver });
    other.start();
    try {
      const r = await routingSetup(s);
      const task = await ok(s, 'POST', '/api/tasks?trigger=submit', { taskDefinitionId: { scope: 'human', code: 'review' }, fields: [{ name: 'amount', value: 7 }] });
      const trSid = await routedTask(s, task);
      // The node that routed it stops; the other takes the loops over (as resumeBackground does).
      await s.app.workflowActions.stop();
      takenOver = true;
      other.resume();
      const reservation = await eventually(async () => (await r.w.workers(r.alice).reservations.list({ reservationStatus: 'pending' }))[0], 'reservation');
      await r.w.tasks(trSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
      await r.w.tasks(trSid).update({ assignmentStatus: 'completed' });
      await eventually(async () => ((await ok(s, 'GET', `/api/tasks/${task.id}`)).state === 'Reviewed' ? true : undefined), 'moved by the node that took over');
    } finally {
      await other.stop();
      await s.close();
    }
  });

  test('a routed task that ends while the runner is down moves its workflow task after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-route-restart-'));
    let s = await startServer({ dir });
    try {
      const r = await routingSetup(s);
      const task = await ok(s, 'POST', '/api/tasks?trigger=submit', { taskDefinitionId: { scope: 'human', code: 'review' }, fields: [{ name: 'amount', value: 1 }] });
      const trSid = await routedTask(s, task);
      await s.app.workflowActions.stop();
      const reservation = await eventually(async () => (await r.w.workers(r.alice).reservations.list({ reservationStatus: 'pending' }))[0], 'reservation');
      await r.w.tasks(trSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
      await r.w.tasks(trSid).update({ assignmentStatus: 'completed' });
      assert.equal((await ok(s, 'GET', `/api/tasks/${task.id}`)).state, 'WithReviewer', 'the runner was stopped');
      await s.close();

      s = await startServer({ dir });
      const moved = await eventually(async () => {
        const t = await ok(s, 'GET', `/api/tasks/${task.id}`);
        return t.state === 'Reviewed' ? t : undefined;
      }, 'moved after the restart');
      assert.equal(moved.version.asAtVersionNumber, 2);
      // Exactly once: a further restart fires nothing more.
      await s.close();
      s = await startServer({ dir });
      await s.app.workflowActions.idle();
      assert.equal((await ok(s, 'GET', `/api/tasks/${task.id}`)).version.asAtVersionNumber, 2);
      const log = await ok(s, 'GET', `/api/actionlogs/${task.actionLogIdSubmitted}`);
      assert.deepEqual(log.loggedItems.map((i: any) => i.logType), ['Submitted', 'Routed', 'WorkCompleted', 'TriggerFired']);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
