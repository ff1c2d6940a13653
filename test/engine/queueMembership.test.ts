// The router's queue-membership index (queues of the form `key == literal` looked up by literal, the others
// evaluated) must give exactly the members that evaluating every queue's expression for every worker gives,
// for any mix of expressions and attribute shapes: numbers vs strings, null, missing keys, arrays, objects,
// the tolerated `worker.` prefix and a real top-level `worker` key.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Activity, TaskChannel, TaskQueue, Worker, Workspace } from '../../src/core/entities.ts';
import { WorkspaceRouter } from '../../src/engine/routing/workspaceRouter.ts';
import { compileExpression } from '../../src/expr/index.ts';

const base = { accountSid: 'AC' + '1'.repeat(32), workspaceSid: 'WS' + '1'.repeat(32), dateCreated: 0, dateUpdated: 0, version: 0 };
const sid = (prefix: string, i: number) => prefix + i.toString(16).padStart(32, '0');

const EXPRESSIONS = [
  'skill == 1', 'skill == 2', 'skill == "1"', '1 == skill', 'worker.skill == 1', 'skill == null', 'skill == true',
  'level == "gold"', 'worker.level == "gold"', '1 == 1', 'skills HAS "en"', 'skill == 1 OR level == "gold"', 'skill != 1',
];
const VALUES = [1, 2, '1', '2', null, true, false, 'gold', ['en'], { a: 1 }, 1.0, 0, -0];

it('indexed membership equals evaluating every expression', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...EXPRESSIONS), { minLength: 1, maxLength: 12 }),
      fc.array(
        fc.record(
          { skill: fc.constantFrom(...VALUES), level: fc.constantFrom(...VALUES), skills: fc.constantFrom(...VALUES), worker: fc.constantFrom(...VALUES, { skill: 1 }, { level: 'gold' }) },
          { requiredKeys: [] },
        ),
        { minLength: 1, maxLength: 20 },
      ),
      (expressions, attributeSets) => {
        const ws: Workspace = { ...base, sid: base.workspaceSid, friendlyName: 'm', eventCallbackUrl: null, eventsFilter: null, multiTaskEnabled: true, defaultActivitySid: null, timeoutActivitySid: null, prioritizeQueueOrder: 'FIFO' } as Workspace;
        const offline: Activity = { ...base, sid: sid('WA', 1), friendlyName: 'Offline', available: false };
        const channel: TaskChannel = { ...base, sid: sid('TC', 1), friendlyName: 'Default', uniqueName: 'default', channelOptimizedRouting: false };
        const queues: TaskQueue[] = expressions.map((e, i) => ({ ...base, sid: sid('WQ', i + 1), friendlyName: `q${i}`, targetWorkers: e, maxReservedWorkers: 1, taskOrder: 'FIFO', reservationActivitySid: null, assignmentActivitySid: null }));
        const workers: Worker[] = attributeSets.map((a, i) => ({ ...base, sid: sid('WK', i + 1), friendlyName: `w${i}`, activitySid: offline.sid, attributes: JSON.stringify(a), dateStatusChanged: 0 }));
        const router = new WorkspaceRouter(
          { workspace: ws, activities: [offline], taskChannels: [channel], workers, workerChannels: [], queues, workflows: [], tasks: [], reservations: [] },
          (p) => p + '0'.repeat(32),
        );
        for (const q of queues) {
          const expression = compileExpression(q.targetWorkers, 'queue');
          const expected = workers.filter((w) => expression.evaluate({ root: JSON.parse(w.attributes) })).map((w) => w.sid);
          assert.deepEqual([...router.queueMembers(q.sid)!].sort(), expected.sort(), `${q.targetWorkers}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});
