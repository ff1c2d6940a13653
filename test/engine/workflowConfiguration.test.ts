import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { referencedQueueSids, validateWorkflowConfiguration } from '../../src/engine/workflowConfiguration.ts';

const Q1 = 'WQ' + 'a'.repeat(32);
const Q2 = 'WQ' + 'b'.repeat(32);

function error(config: unknown, queueExists?: (s: string) => boolean): string {
  const r = validateWorkflowConfiguration(typeof config === 'string' ? config : JSON.stringify(config), queueExists);
  assert.equal(r.ok, false, 'expected the configuration to be rejected');
  return (r as { message: string }).message;
}

describe('workflow configuration', () => {
  it('accepts the reference example and normalises numbers given as strings', () => {
    const r = validateWorkflowConfiguration(
      JSON.stringify({
        task_routing: {
          filters: [
            {
              filter_friendly_name: 'Gold Tickets',
              expression: "type == 'ticket' AND customer_value == 'Gold'",
              targets: [
                {
                  queue: Q1,
                  priority: '10',
                  timeout: '300',
                  expression: 'task.requested_agent == worker.agent_id',
                  order_by: 'worker.english_level ASC, worker.support DESC',
                  skip_if: 'workers.available == 0',
                },
                { queue: Q2 },
                { known_worker_sid: 'task.agent_sid' },
              ],
            },
          ],
          default_filter: { queue: Q2 },
        },
      }),
    );
    assert.equal(r.ok, true);
    if (!r.ok) return;
    const t = r.config.filters[0]!.targets;
    assert.equal(t[0]!.priority, 10);
    assert.equal(t[0]!.timeout, 300);
    assert.equal(t[2]!.queue, Q2, 'a target without queue inherits the previous one');
    assert.deepEqual(referencedQueueSids(r.config).sort(), [Q1, Q2]);
  });

  it('accepts the bare {filters, default_filter} form', () => {
    assert.equal(validateWorkflowConfiguration(JSON.stringify({ default_filter: { queue: Q1 } })).ok, true);
  });

  it('names the offending field in every error', () => {
    assert.match(error('{nope'), /^Configuration: must be valid JSON/);
    assert.match(error([]), /^Configuration: must be a JSON object/);
    assert.match(error({ something: 1 }), /^task_routing: is required/);
    assert.match(error({ task_routing: {} }), /needs at least one filter or a default_filter/);
    assert.match(error({ task_routing: { filters: {} } }), /^task_routing\.filters: must be an array/);
    assert.match(error({ task_routing: { filters: [{ targets: [{ queue: Q1 }] }] } }), /^task_routing\.filters\[0\]\.expression: is required/);
    assert.match(error({ task_routing: { filters: [{ expression: 'a ==', targets: [{ queue: Q1 }] }] } }), /^task_routing\.filters\[0\]\.expression: invalid expression: .*column 5/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [] }] } }), /targets: must be a non-empty array/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ priority: 1 }] }] } }), /targets\[0\]\.queue: is required on the first target/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: 'WQ1' }] }] } }), /targets\[0\]\.queue: must be a TaskQueue SID/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, timeout: 0 }] }] } }), /targets\[0\]\.timeout: must be between 1/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, priority: 'high' }] }] } }), /targets\[0\]\.priority: must be an integer/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, expression: 'level > 1' }] }] } }), /targets\[0\]\.expression: invalid expression: key 'level' must be prefixed/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, skip_if: 'x == 1' }] }] } }), /targets\[0\]\.skip_if: invalid expression/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, order_by: 'task.x' }] }] } }), /targets\[0\]\.order_by: invalid order_by clause/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, known_worker_sid: 'task.a', known_worker_friendly_name: 'task.b' }] }] } }), /cannot both be set/);
    assert.match(error({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, colour: 'red' }] }] } }), /targets\[0\]: unknown field colour/);
    assert.match(error({ task_routing: { default_filter: { queue: Q1, timeout: 5 } } }), /default_filter: only queue is allowed here, not timeout/);
    assert.match(error({ task_routing: { default_filter: { queue: Q1 } } }, (s) => s !== Q1), /default_filter\.queue: TaskQueue WQa+ not found in this Workspace/);
    assert.match(error('x'.repeat(1038577)), /^Configuration: must be at most 1038576 characters/);
  });
});
