// Nothing acknowledged by the Opsflow face is lost: the server runs as a child process; tasks are created and
// moved through statuses (acknowledged), more changes are in flight, and the process is killed with SIGKILL.
// After the restart every acknowledged task reads back exactly as acknowledged, each in-flight status change
// is wholly there (status, SLA fields and its event) or wholly absent.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { childServerScope } from '../support/childServerScope.ts';

const scope = childServerScope('switchboard-ops-kill9-');
const dir = scope.dir;

const env = { SWITCHBOARD_DB: join(dir, 'ops.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'c3'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'opsflow-durability' };
const authorization = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');

async function post(origin: string, path: string, json: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${origin}/opsflow/v1/${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return { status: res.status, body: await res.json() };
}

describe('Opsflow durability across kill -9', () => {
  it('serves every acknowledged task after SIGKILL; in-flight status changes are all or nothing', async () => {
    const first = await scope.start(env);
    const ok = async (path: string, json: unknown) => {
      const r = await post(first.origin, path, json);
      assert.equal(r.status, 200, `${path} -> ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const category = await ok('task-category/create', { name: 'K', status_options: { TODO: [{ status_id: 'todo', name: 'To do' }], IN_PROGRESS: [{ status_id: 'doing', name: 'Doing' }], COMPLETED: [{ status_id: 'done', name: 'Done' }] } });
    const type = await ok('task-type/create', { name: 'K', category_id: category.category_id });
    const acked = new Map<string, any>();
    for (let i = 0; i < 40; i++) {
      const t = await ok('task/create', { name: `k${i}`, status_id: 'todo', project_id: '*', task_type_id: type.task_type_id, priority: 'LOW' });
      acked.set(t.task_id, t);
      if (i % 2 === 0) acked.set(t.task_id, await ok('task/change_status', { task_id: t.task_id, status_id: 'doing', assignee: `u${i}` }));
      if (i % 4 === 0) acked.set(t.task_id, await ok('task/change_status', { task_id: t.task_id, status_id: 'done' }));
    }
    const inFlight = [...acked.values()].filter((t) => t.status_type === 'TODO').slice(0, 12).map((t) => t.task_id);
    const flying = inFlight.map((id) => post(first.origin, 'task/change_status', { task_id: id, status_id: 'doing' }).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 2));
    await first.kill('SIGKILL');
    assert.equal(first.process.signalCode, 'SIGKILL');
    const answered = await Promise.all(flying);

    const second = await scope.start(env);
    for (const [id, body] of acked) {
      const now = (await post(second.origin, 'task/get', { task_id: id })).body;
      const events = (await post(second.origin, 'event/list', { task_id: id, query: { count_only: true } })).body.total_count;
      if (!inFlight.includes(id)) {
        assert.deepEqual(now, body, `task ${id} as acknowledged`);
        continue;
      }
      // In flight: wholly applied (status, started_at and one more event) or not at all.
      const applied = now.status_type === 'IN_PROGRESS';
      if (applied) {
        assert.ok(now.started_at && now.started_duration !== null);
        assert.equal(events, 2);
      } else {
        assert.deepEqual(now, body);
        assert.equal(events, 1);
      }
    }
    for (const r of answered) if (r && r.status === 200) assert.equal((await post(second.origin, 'task/get', { task_id: r.body.task_id })).body.status_type, 'IN_PROGRESS', 'an answered change is there');
    await second.kill('SIGTERM');
  });
});
