// Nothing acknowledged by the Workflow face is lost: the real server runs as a child process on a temp SQLite
// file; task creates, updates and triggers are acknowledged, more are put in flight, and the process is killed
// with SIGKILL. After the restart every acknowledged task reads back exactly as acknowledged (asAt its last
// change), in-flight writes are wholly there or wholly absent, and actions submitted before the kill run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { childServerScope } from '../support/childServerScope.ts';

const scope = childServerScope('switchboard-wf-kill9-');
const dir = scope.dir;

const env = { SWITCHBOARD_DB: join(dir, 'wf.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'b2'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'workflow-durability' };
const authorization = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');

async function api(origin: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(origin + path, { method, headers: { authorization, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) }, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const rehome = (body: unknown, from: string, to: string) => JSON.parse(JSON.stringify(body).replaceAll(from, to));

describe('Workflow face durability across kill -9', () => {
  it('serves every acknowledged task change after SIGKILL; in-flight ones are all or nothing; submitted actions run', async () => {
    const first = await scope.start(env);
    const ok = async (method: string, path: string, json?: unknown) => {
      const r = await api(first.origin, method, path, json);
      assert.ok(r.status < 300, `${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    await ok('POST', '/api/taskdefinitions', {
      id: { scope: 'd', code: 'child' },
      displayName: 'Child',
      states: [{ name: 'New' }],
      initialState: { name: 'New' },
    });
    await ok('POST', '/api/taskdefinitions', {
      id: { scope: 'd', code: 'item' },
      displayName: 'Item',
      states: [{ name: 'A' }, { name: 'B' }, { name: 'C' }],
      fieldSchema: [{ name: 'n', type: 'Decimal' }, { name: 'note', type: 'String' }],
      initialState: { name: 'A', requiredFields: ['n'] },
      triggers: [{ name: 'next' }, { name: 'spawn' }],
      transitions: [
        { fromState: 'A', toState: 'B', trigger: 'next' },
        { fromState: 'B', toState: 'C', trigger: 'spawn', action: 'children' },
      ],
      actions: [{ name: 'children', actionDetails: { type: 'CreateChildTasks', childTaskConfigurations: [{ taskDefinitionId: { scope: 'd', code: 'child' } }] } }],
    });

    const acked = new Map<string, any>();
    for (let i = 0; i < 40; i++) {
      const t = await ok('POST', '/api/tasks', { taskDefinitionId: { scope: 'd', code: 'item' }, fields: [{ name: 'n', value: i }] });
      acked.set(t.id, t);
      if (i % 2 === 0) acked.set(t.id, await ok('POST', `/api/tasks/${t.id}?trigger=next`, { fields: [{ name: 'note', value: `note ${i}` }] }));
      if (i % 4 === 0) acked.set(t.id, await ok('POST', `/api/tasks/${t.id}?trigger=spawn`));
    }
    // In flight at the kill: updates of acknowledged tasks and new creates, none awaited.
    const inFlightIds = [...acked.keys()].filter((_, i) => i % 2 === 1).slice(0, 10);
    const flying = [
      ...inFlightIds.map((id) => api(first.origin, 'POST', `/api/tasks/${id}?trigger=next`, { fields: [{ name: 'note', value: 'in flight' }] }).catch(() => undefined)),
      ...Array.from({ length: 10 }, (_, k) => api(first.origin, 'POST', '/api/tasks', { taskDefinitionId: { scope: 'd', code: 'item' }, fields: [{ name: 'n', value: 1000 + k }] }).catch(() => undefined)),
    ];
    await new Promise((r) => setTimeout(r, 2));
    await first.kill('SIGKILL');
    assert.equal(first.process.signalCode, 'SIGKILL');
    const answered = await Promise.all(flying);

    const second = await scope.start(env);
    const read = async (path: string) => (await api(second.origin, 'GET', path)).body;
    for (const [id, body] of acked) {
      const expected = rehome(body, first.origin, second.origin);
      const asAt = await read(`/api/tasks/${id}?asAt=${body.version.asAtModified}`);
      const now = await read(`/api/tasks/${id}`);
      const history = (await read(`/api/tasks/${id}/history`)).values;
      if (body.state === 'C' && asAt.version.asAtVersionNumber === body.version.asAtVersionNumber + 1 && asAt.version.asAtModified === body.version.asAtModified) {
        // The spawn's CreateChildTasks action ran within the same millisecond and added the next version (its
        // child): asAt that instant is, rightly, the later one. The acknowledged version is still in the history.
        assert.ok(history.some((c: any) => c.asAtVersionNumber === body.version.asAtVersionNumber && c.newValue === 'C'), `task ${id}: acknowledged version in history`);
      } else {
        assert.deepEqual(asAt, expected, `task ${id} as acknowledged`);
      }
      if (inFlightIds.includes(id)) {
        // All or nothing: either the update is wholly there (version +1, note and state together) or absent.
        const applied = now.version.asAtVersionNumber === body.version.asAtVersionNumber + 1;
        if (applied) assert.deepEqual([now.state, now.fields.find((f: any) => f.name === 'note')?.value], ['B', 'in flight']);
        else assert.equal(now.version.asAtVersionNumber, body.version.asAtVersionNumber);
      } else if (body.state !== 'C') {
        assert.equal(now.version.asAtVersionNumber, body.version.asAtVersionNumber, `task ${id} unchanged`);
      }
      assert.equal(Math.max(...history.map((c: any) => c.asAtVersionNumber)), now.version.asAtVersionNumber, 'history reaches the current version');
    }
    // Every answered in-flight write is there.
    for (const r of answered) if (r && r.status < 300) assert.equal((await api(second.origin, 'GET', `/api/tasks/${r.body.id}`)).body.version.asAtVersionNumber, r.body.version.asAtVersionNumber);
    // The CreateChildTasks actions submitted before the kill all ran (once each), before or after the restart.
    const spawned = [...acked.values()].filter((b) => b.state === 'C');
    assert.equal(spawned.length, 10);
    for (const b of spawned) {
      const deadline = Date.now() + 10_000;
      let t = await read(`/api/tasks/${b.id}`);
      while (t.childTasks.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        t = await read(`/api/tasks/${b.id}`);
      }
      assert.equal(t.childTasks.length, 1, `task ${b.id} has its one child`);
    }
    await second.kill('SIGTERM');
  });
});
