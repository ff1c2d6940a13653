// Opsflow routing end to end: a task type names a TaskRouter workflow; a new task of that type is routed to an
// available worker with the right skill (the official twilio client drives the TaskRouter side), the accepting
// worker becomes the assignee and the task moves to the default IN_PROGRESS status; completing the TaskRouter
// task moves it to the category's default COMPLETED status. Routes are followed across restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';
import { clientFor } from '../support/twilioClient.ts';
import { eventually } from '../support/workflowFace.ts';

async function ok(s: TestServer, path: string, json: unknown): Promise<any> {
  const r = await s.request('POST', `/opsflow/v1/${path}`, { json });
  assert.equal(r.status, 200, `${path} -> ${r.status} ${r.text}`);
  return r.body;
}

async function setup(s: TestServer) {
  const client = clientFor(s);
  const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Ops desk', template: 'FIFO' });
  const w = client.taskrouter.v1.workspaces(ws.sid);
  const activities = Object.fromEntries((await w.activities.list()).map((a) => [a.friendlyName, a.sid]));
  const dbQueue = await w.taskQueues.create({ friendlyName: 'DBAs', targetWorkers: "skills HAS 'db'" });
  const workflow = await w.workflows.create({
    friendlyName: 'Incident routing',
    configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'db', expression: "system == 'db'", targets: [{ queue: dbQueue.sid }] }] } }),
  });
  const web = await w.workers.create({ friendlyName: 'walter', attributes: JSON.stringify({ skills: ['web'] }), activitySid: activities.Available });
  const dba = await w.workers.create({ friendlyName: 'dana', attributes: JSON.stringify({ skills: ['db'] }), activitySid: activities.Available });
  const category = await ok(s, 'task-category/create', {
    name: 'Incidents',
    status_options: { TODO: [{ status_id: 'open', name: 'Open' }], IN_PROGRESS: [{ status_id: 'ack', name: 'Acknowledged' }, { status_id: 'fixing', name: 'Fixing', is_default: true }], COMPLETED: [{ status_id: 'closed', name: 'Closed', is_default: true }, { status_id: 'dup', name: 'Duplicate' }] },
    fields: [{ field_id: 'system', name: 'System', field_type: 'DROPDOWN', options: { enums: [{ key: 'db', name: 'Database' }, { key: 'web', name: 'Web' }] }, is_required: true }],
  });
  const type = await ok(s, 'task-type/create', { name: 'Routed incident', category_id: category.category_id, routing: { workspace_sid: ws.sid, workflow_sid: workflow.sid } });
  return { client, w, ws: ws.sid, web: web.sid, dba: dba.sid, category, type };
}

describe('Opsflow routing through TaskRouter', () => {
  test('the skilled worker accepts (becomes the assignee) and completes (the task is closed)', async () => {
    const s = await startServer();
    try {
      const r = await setup(s);
      const created = await ok(s, 'task/create', { name: 'Replica lag', status_id: 'open', project_id: '*', task_type_id: r.type.task_type_id, data: { system: 'db' }, priority: 'HIGH' });
      assert.equal(created.assignee, '');
      // The TaskRouter task carries the opsflow task and its fields; only dana (db skill) is offered it.
      const reservation = await eventually(async () => (await r.w.workers(r.dba).reservations.list({ reservationStatus: 'pending' }))[0], 'a reservation for dana');
      const trTask = await r.w.tasks(reservation.taskSid).fetch();
      assert.deepEqual(JSON.parse(trTask.attributes), { opsflow_task_id: created.task_id, name: 'Replica lag', priority: 'HIGH', category_id: r.category.category_id, task_type_id: r.type.task_type_id, project_id: '*', system: 'db' });
      assert.deepEqual(await r.w.workers(r.web).reservations.list(), []);

      await r.w.tasks(reservation.taskSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
      const accepted = await eventually(async () => {
        const t = await ok(s, 'task/get', { task_id: created.task_id });
        return t.assignee === 'dana' ? t : undefined;
      }, 'dana is the assignee');
      assert.deepEqual([accepted.status_id, accepted.status_type], ['fixing', 'IN_PROGRESS']);
      assert.ok(accepted.started_at);

      await r.w.tasks(reservation.taskSid).update({ assignmentStatus: 'completed', reason: 'lag gone' });
      const closed = await eventually(async () => {
        const t = await ok(s, 'task/get', { task_id: created.task_id });
        return t.status_type === 'COMPLETED' ? t : undefined;
      }, 'closed');
      assert.equal(closed.status_id, 'closed');
      assert.equal(typeof closed.in_progress_duration, 'number');
      const events = (await ok(s, 'event/list', { task_id: created.task_id, query: { sort: [{ key: 'created_at' }] } })).results;
      assert.deepEqual(events.map((e: any) => [e.event_type, e.created_type]), [['CREATED', 'USER'], ['CHANGE_STATUS', 'SYSTEM'], ['CHANGE_STATUS', 'SYSTEM']]);
      assert.deepEqual(events[1].additional_info.updated_data[0], { updated_field: 'assignee', updated_content: 'dana' });
      assert.deepEqual(events[2].additional_info.after_status, { status_id: 'closed', name: 'Closed', status_type: 'COMPLETED' });
      // Routing's changes are the system's (EventSearchQuery.created_type), made by TaskRouter.
      const bySystem = (await ok(s, 'event/list', { task_id: created.task_id, created_type: 'SYSTEM' })).results;
      assert.deepEqual(bySystem.map((e: any) => [e.event_type, e.additional_info.changed_by]), [['CHANGE_STATUS', 'system:taskrouter'], ['CHANGE_STATUS', 'system:taskrouter']]);

      // A task created with an assignee is not routed.
      const direct = await ok(s, 'task/create', { name: 'Manual', status_id: 'open', project_id: '*', task_type_id: r.type.task_type_id, data: { system: 'db' }, assignee: 'someone' });
      assert.equal((await r.w.tasks.list()).some((t) => JSON.parse(t.attributes).opsflow_task_id === direct.task_id), false);
    } finally {
      await s.close();
    }
  });

  test('a route is followed across a restart (the accept and complete come after it) and applied once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-ops-route-'));
    let s = await startServer({ dir });
    try {
      const r = await setup(s);
      const created = await ok(s, 'task/create', { name: 'Disk full', status_id: 'open', project_id: '*', task_type_id: r.type.task_type_id, data: { system: 'db' } });
      const reservation = await eventually(async () => (await r.w.workers(r.dba).reservations.list({ reservationStatus: 'pending' }))[0], 'reservation');
      await s.close();
      s = await startServer({ dir });
      // Restarted: act on TaskRouter through a fresh client, then check the opsflow task caught up.
      const w = clientFor(s).taskrouter.v1.workspaces(r.ws);
      await w.tasks(reservation.taskSid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
      await w.tasks(reservation.taskSid).update({ assignmentStatus: 'completed' });
      const closed = await eventually(async () => {
        const t = await ok(s, 'task/get', { task_id: created.task_id });
        return t.status_type === 'COMPLETED' ? t : undefined;
      }, 'closed after the restart');
      assert.equal(closed.assignee, 'dana');
      // Applied once: restarting again adds no events.
      const count = (await ok(s, 'event/list', { task_id: created.task_id })).total_count;
      await s.close();
      s = await startServer({ dir });
      await new Promise((res) => setTimeout(res, 50));
      assert.equal((await ok(s, 'event/list', { task_id: created.task_id })).total_count, count);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
