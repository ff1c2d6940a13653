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

const Q3 = 'WQ' + '0123456789ABCDEF'.repeat(2);
const routing = (filters: unknown[], extra: Record<string, unknown> = {}) => ({ task_routing: { filters, ...extra } });
const oneTarget = (t: Record<string, unknown>) => routing([{ expression: '1==1', targets: [t] }]);

describe('workflow configuration: normalised form', () => {
  it('returns the exact normalised shape for the reference example', () => {
    const r = validateWorkflowConfiguration(
      JSON.stringify(
        routing(
          [
            {
              filter_friendly_name: 'Gold Tickets',
              expression: "type == 'ticket' AND customer_value == 'Gold'",
              targets: [
                { queue: Q1, priority: '10', timeout: 300, expression: 'task.requested_agent == worker.agent_id', order_by: 'worker.english_level ASC, worker.support DESC', skip_if: 'workers.available == 0', known_worker_sid: 'task.agent_sid' },
                { queue: Q2 },
              ],
            },
            { expression: 'type == "chat"', targets: [{ queue: Q3, timeout: '10', known_worker_friendly_name: 'task.agent.name' }, { priority: 0 }] },
          ],
          { default_filter: { queue: Q2 } },
        ),
      ),
    );
    assert.deepEqual(r, {
      ok: true,
      config: {
        filters: [
          {
            friendlyName: 'Gold Tickets',
            expression: "type == 'ticket' AND customer_value == 'Gold'",
            targets: [
              { queue: Q1, priority: 10, timeout: 300, expression: 'task.requested_agent == worker.agent_id', orderBy: 'worker.english_level ASC, worker.support DESC', skipIf: 'workers.available == 0', knownWorkerSid: 'task.agent_sid' },
              { queue: Q2 },
            ],
          },
          { friendlyName: undefined, expression: 'type == "chat"', targets: [{ queue: Q3, timeout: 10, knownWorkerFriendlyName: 'task.agent.name' }, { queue: Q3, priority: 0 }] },
        ],
        defaultFilter: { queue: Q2 },
      },
    });
    if (r.ok) assert.deepEqual(referencedQueueSids(r.config), [Q1, Q2, Q3]);
  });

  it('accepts the FIFO template workflow, single = in a target expression, and boundary numbers', () => {
    assert.equal(validateWorkflowConfiguration(JSON.stringify(routing([], { default_filter: { queue: Q1 } }))).ok, true);
    assert.equal(validateWorkflowConfiguration(JSON.stringify(oneTarget({ queue: Q1, expression: 'task.subSection = worker.specializedSubField' }))).ok, true);
    assert.equal(validateWorkflowConfiguration(JSON.stringify(oneTarget({ queue: Q1, timeout: '1209600', priority: 2147483647 }))).ok, true);
    assert.equal(validateWorkflowConfiguration(JSON.stringify(oneTarget({ queue: Q1, timeout: 1, priority: '0' }))).ok, true);
    assert.equal(validateWorkflowConfiguration(JSON.stringify(oneTarget({ queue: Q1, skip_if: '1==1' }))).ok, true);
  });

  it('normalises the bare {filters, default_filter} form and names its paths from Configuration', () => {
    const r = validateWorkflowConfiguration(JSON.stringify({ filters: [{ expression: 'a == 1', targets: [{ queue: Q1 }] }], default_filter: { queue: Q2 } }));
    assert.deepEqual(r, { ok: true, config: { filters: [{ friendlyName: undefined, expression: 'a == 1', targets: [{ queue: Q1 }] }], defaultFilter: { queue: Q2 } } });
    assert.match(error({ filters: [{ expression: 'a ==', targets: [{ queue: Q1 }] }] }), /^Configuration\.filters\[0\]\.expression: invalid expression/);
  });
});

describe('workflow configuration: every error names its field path', () => {
  it('structure', () => {
    assert.match(error(''), /^Configuration: must be valid JSON$/);
    assert.match(error('null'), /^Configuration: must be a JSON object$/);
    assert.match(error('"text"'), /^Configuration: must be a JSON object$/);
    assert.match(error({ task_routing: [] }), /^task_routing: is required and must be an object$/);
    assert.match(error({ task_routing: null }), /^task_routing: is required and must be an object$/);
    assert.match(error({ task_routing: { filters: [], default_filter: { queue: Q1 }, fallback: 1, other: 2 } }), /^task_routing: unknown fields fallback, other$/);
    assert.match(error(routing(['x'])), /^task_routing\.filters\[0\]: must be an object$/);
    assert.match(error(routing([{ expression: '1==1', targets: [{ queue: Q1 }], colour: 'red' }])), /^task_routing\.filters\[0\]: unknown field colour$/);
    assert.match(error(routing([{ filter_friendly_name: 5, expression: '1==1', targets: [{ queue: Q1 }] }])), /^task_routing\.filters\[0\]\.filter_friendly_name: must be a string$/);
    assert.match(error(routing([{ expression: 5, targets: [{ queue: Q1 }] }])), /^task_routing\.filters\[0\]\.expression: must be a string$/);
    assert.match(error(routing([{ expression: '1==1' }])), /^task_routing\.filters\[0\]\.targets: must be a non-empty array$/);
    assert.match(error(routing([{ expression: '1==1', targets: { queue: Q1 } }])), /^task_routing\.filters\[0\]\.targets: must be a non-empty array$/);
    assert.match(error(routing([{ expression: '1==1', targets: ['WQ'] }])), /^task_routing\.filters\[0\]\.targets\[0\]: must be an object$/);
    assert.match(error(oneTarget({ queue: Q1, a: 1, b: 2 })), /^task_routing\.filters\[0\]\.targets\[0\]: unknown fields a, b$/);
  });

  it('queues, including the index of a later filter and target', () => {
    const good = { expression: '1==1', targets: [{ queue: Q1 }] };
    assert.equal(
      error(routing([good, { expression: '1==1', targets: [{ queue: 'WQ123' }] }])),
      'task_routing.filters[1].targets[0].queue: must be a TaskQueue SID (WQ followed by 32 hex digits)',
    );
    assert.match(error(routing([{ expression: '1==1', targets: [{ queue: Q1 }, { queue: 'WK' + 'a'.repeat(32) }] }])), /^task_routing\.filters\[0\]\.targets\[1\]\.queue: must be a TaskQueue SID/);
    assert.match(error(oneTarget({ queue: 'WQ' + 'g'.repeat(32) })), /targets\[0\]\.queue: must be a TaskQueue SID/);
    assert.match(error(oneTarget({ queue: 42 })), /targets\[0\]\.queue: must be a TaskQueue SID/);
    assert.equal(
      error(routing([{ expression: '1==1', targets: [{ queue: Q1 }, { queue: Q2 }] }]), (s) => s === Q1),
      `task_routing.filters[0].targets[1].queue: TaskQueue ${Q2} not found in this Workspace`,
    );
    assert.match(error(routing([], { default_filter: {} })), /^task_routing\.default_filter\.queue: must be a TaskQueue SID/);
    assert.match(error(routing([], { default_filter: Q1 })), /^task_routing\.default_filter: must be an object$/);
    assert.match(error(routing([], { default_filter: { queue: Q1, priority: 1 } })), /^task_routing\.default_filter: only queue is allowed here, not priority$/);
  });

  it('priority and timeout', () => {
    assert.match(error(oneTarget({ queue: Q1, priority: -1 })), /^task_routing\.filters\[0\]\.targets\[0\]\.priority: must be between 0 and 2147483647$/);
    assert.match(error(oneTarget({ queue: Q1, priority: 2 ** 31 })), /targets\[0\]\.priority: must be between 0 and 2147483647$/);
    assert.match(error(oneTarget({ queue: Q1, priority: '10.5' })), /targets\[0\]\.priority: must be an integer$/);
    assert.match(error(oneTarget({ queue: Q1, priority: 1.5 })), /targets\[0\]\.priority: must be an integer$/);
    assert.match(error(oneTarget({ queue: Q1, priority: null })), /targets\[0\]\.priority: must be an integer$/);
    assert.match(error(oneTarget({ queue: Q1, priority: '' })), /targets\[0\]\.priority: must be an integer$/);
    assert.match(error(oneTarget({ queue: Q1, timeout: 1209601 })), /^task_routing\.filters\[0\]\.targets\[0\]\.timeout: must be between 1 and 1209600$/);
    assert.match(error(oneTarget({ queue: Q1, timeout: '-5' })), /targets\[0\]\.timeout: must be between 1 and 1209600$/);
    assert.match(error(oneTarget({ queue: Q1, timeout: '1e3' })), /targets\[0\]\.timeout: must be an integer$/);
  });

  it('expressions, order_by and skip_if carry the expression error and its column', () => {
    assert.equal(
      error(routing([{ expression: 'skill-level > 3', targets: [{ queue: Q1 }] }])),
      "task_routing.filters[0].expression: invalid expression: hyphens are not supported in keys: unexpected '-' after 'skill'; expected an operator at column 6",
    );
    assert.match(error(oneTarget({ queue: Q1, expression: "task.a == worker.b AND c == 'x'" })), /^task_routing\.filters\[0\]\.targets\[0\]\.expression: invalid expression: key 'c' must be prefixed with task\. or worker\. at column 24$/);
    assert.match(error(oneTarget({ queue: Q1, expression: 7 })), /targets\[0\]\.expression: must be a string$/);
    assert.match(error(oneTarget({ queue: Q1, skip_if: 'workers.available == ' })), /^task_routing\.filters\[0\]\.targets\[0\]\.skip_if: invalid expression: .* at column 22$/);
    assert.match(error(oneTarget({ queue: Q1, order_by: 5 })), /targets\[0\]\.order_by: must be a string$/);
    assert.match(error(oneTarget({ queue: Q1, order_by: 'worker.a ASC, worker.b UP' })), /^task_routing\.filters\[0\]\.targets\[0\]\.order_by: invalid order_by clause 'worker\.b UP'; expected worker\.<attribute> ASC\|DESC at column 15$/);
  });

  it('known worker references', () => {
    assert.match(error(oneTarget({ queue: Q1, known_worker_sid: 'agent_sid' })), /^task_routing\.filters\[0\]\.targets\[0\]\.known_worker_sid: must be a task attribute reference such as task\.agent_sid$/);
    assert.match(error(oneTarget({ queue: Q1, known_worker_sid: 'task.' })), /known_worker_sid: must be a task attribute reference/);
    assert.match(error(oneTarget({ queue: Q1, known_worker_sid: 'task.a..b' })), /known_worker_sid: must be a task attribute reference/);
    assert.match(error(oneTarget({ queue: Q1, known_worker_sid: 'worker.sid' })), /known_worker_sid: must be a task attribute reference/);
    assert.match(error(oneTarget({ queue: Q1, known_worker_friendly_name: 5 })), /known_worker_friendly_name: must be a task attribute reference/);
    assert.match(error(oneTarget({ queue: Q1, known_worker_sid: 'task.a', known_worker_friendly_name: 'task.b' })), /^task_routing\.filters\[0\]\.targets\[0\]: known_worker_sid and known_worker_friendly_name cannot both be set$/);
  });
});
