// Task lists filter and sort on stored tasks with a fast path resolver; it must read exactly what the Task
// representation holds for every path a client can write.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WfDefinitionVersion, WfTask } from '../../src/core/workflowEntities.ts';
import { representationResolver } from '../../src/workflow/taskList.ts';
import { representTask, taskPathResolver } from '../../src/workflow/taskRepresentation.ts';

const version = { asAtCreated: 1_700_000_000_000, userIdCreated: 'SKa', requestIdCreated: 'r1', asAtModified: 1_700_000_500_000, userIdModified: 'SKb', requestIdModified: 'r2', asAtVersionNumber: 3 };
const definition: WfDefinitionVersion = {
  sid: 'dv1', accountSid: 'AC1', definitionSid: 'd1', scope: 'S', code: 'C', version,
  document: { displayName: 'D', states: [{ name: 'Open' }, { name: 'Done' }], fieldSchema: [], initialState: { name: 'Open', requiredFields: [] }, triggers: [{ name: 't', trigger: { type: 'External' } }], transitions: [{ fromState: 'Open', toState: 'Done', trigger: 't' }], actions: [] },
};
const task: WfTask = {
  sid: 'task-1', accountSid: 'AC1', scope: 'S', code: 'C', definitionKey: 'S/C', definitionVersionSid: 'dv1', state: 'Open',
  fields: { amount: 12.5, note: 'x', flag: true }, correlationIds: ['c1', 'c2'], stackingKey: 'k', parentId: null, ultimateParentId: 'task-1', childIds: [],
  version, asAtLastTransition: null, actionLogIdCreated: null, actionLogIdModified: null, actionLogIdSubmitted: null,
};

describe('task path resolver', () => {
  test('agrees with the representation on every path', () => {
    const ctx = { load: () => undefined, definition: () => definition, now: 1_700_001_000_000, origin: 'http://x' };
    const full = representationResolver(representTask(task, ctx) as never, 'SKme');
    let fallbacks = 0;
    const fast = taskPathResolver(task, 'SKme', (segments) => {
      fallbacks++;
      return full(segments);
    });
    const paths = [
      ['id'], ['ID'], ['state'], ['State'], ['correlationIds'], ['stackingKey'], ['CurrentUser'], ['UserCreated'], ['userupdated'],
      ['fields', 'amount'], ['fields', 'note'], ['fields', 'flag'], ['fields', 'missing'], ['fields', 'constructor'], ['fields', '__proto__'], ['Fields', 'amount'],
      ['taskDefinitionId', 'scope'], ['taskDefinitionId', 'code'], ['TaskDefinitionId', 'Code'],
      ['version', 'asAtCreated'], ['version', 'asAtModified'], ['version', 'userIdModified'], ['version', 'asAtVersionNumber'], ['Version', 'ASATCREATED'], ['version', 'nope'],
    ];
    for (const p of paths) assert.deepEqual(fast(p), full(p), p.join('.'));
    assert.equal(fallbacks, 0, 'the common paths never build the representation');
    for (const p of [['terminalState'], ['completionStatus'], ['taskDefinitionDisplayName'], ['ultimateParentTask', 'id']]) assert.deepEqual(fast(p), full(p), p.join('.'));
    assert.equal(fallbacks, 4);
  });
});
