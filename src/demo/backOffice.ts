// The demo's back office, on the other two faces: a Workflow task definition for refund approvals (a guarded
// approval: refunds of 1,000 or more need a supervisor's escalation) with refunds at every stage, and an
// Opsflow board of incidents in all three columns, with assignees and comments.
import type { DemoClient } from './demoClient.ts';

export const REFUNDS = { scope: 'demo', code: 'refunds' } as const;

const REFUND_DEFINITION = {
  id: REFUNDS,
  displayName: 'Refund approval',
  description: 'A customer refund: approved by an agent up to 1,000, by a supervisor above; then paid.',
  states: [{ name: 'Requested' }, { name: 'Escalated' }, { name: 'Approved' }, { name: 'Rejected' }, { name: 'Paid' }],
  fieldSchema: [
    { name: 'customer', type: 'String' },
    { name: 'amount', type: 'Decimal' },
    { name: 'reason', type: 'String', valueConstraints: { constraintType: 'Suggested', valueSourceType: 'AcceptableValues', acceptableValues: ['Duplicate charge', 'Service outage', 'Cancelled order', 'Goodwill'] } },
  ],
  initialState: { name: 'Requested', requiredFields: ['customer', 'amount'] },
  triggers: [{ name: 'approve' }, { name: 'escalate' }, { name: 'reject' }, { name: 'pay' }].map((t) => ({ ...t, trigger: { type: 'External' } })),
  transitions: [
    { fromState: 'Requested', toState: 'Approved', trigger: 'approve', guard: "fields['amount'] lt 1000", guardConditionNotMetMessage: 'Refunds of 1,000 or more need a supervisor: escalate them' },
    { fromState: 'Requested', toState: 'Escalated', trigger: 'escalate' },
    { fromState: 'Escalated', toState: 'Approved', trigger: 'approve' },
    { fromState: 'Requested', toState: 'Rejected', trigger: 'reject' },
    { fromState: 'Escalated', toState: 'Rejected', trigger: 'reject' },
    { fromState: 'Approved', toState: 'Paid', trigger: 'pay' },
  ],
};

/** Refunds and the triggers that brought each where it is. */
const REFUND_TASKS: [customer: string, amount: number, reason: string, triggers: string[]][] = [
  ['ACME Corp', 120, 'Duplicate charge', []],
  ['Globex', 89.5, 'Service outage', ['approve']],
  ['Initech', 2400, 'Cancelled order', ['escalate']],
  ['Umbrella', 45, 'Goodwill', ['approve', 'pay']],
  ['Hooli', 15000, 'Cancelled order', ['escalate', 'reject']],
  ['Soylent', 310, 'Duplicate charge', []],
  ['Tyrell', 1800, 'Service outage', ['escalate', 'approve']],
  ['Wonka', 60, 'Goodwill', ['reject']],
];

const INCIDENT_CATEGORY = {
  name: 'Incidents',
  description: 'Problems customers reported that need a fix',
  status_options: {
    TODO: [{ status_id: 'reported', name: 'Reported', is_default: true }],
    IN_PROGRESS: [
      { status_id: 'investigating', name: 'Investigating', is_default: true },
      { status_id: 'mitigated', name: 'Mitigated' },
    ],
    COMPLETED: [{ status_id: 'resolved', name: 'Resolved', is_default: true }],
  },
};

/** Incidents: name, status, priority, assignee, comments. */
const INCIDENTS: [string, string, 'HIGH' | 'MEDIUM' | 'LOW', string | undefined, string[]][] = [
  ['Card payments failing for Spanish customers', 'investigating', 'HIGH', 'Bruno', ['Started after the 09:00 deploy.', 'Rolling back the payment gateway client.']],
  ['Dashboard slow for large teams', 'reported', 'MEDIUM', undefined, []],
  ['Export to CSV drops accents', 'mitigated', 'LOW', 'Lucía', ['Workaround: export as XLSX.']],
  ['Password reset emails delayed', 'reported', 'HIGH', undefined, ['Three customers called about it this morning.']],
  ['Invoice PDF shows wrong VAT', 'resolved', 'MEDIUM', 'Chen', ['Fixed in release 4.2.1.']],
  ['Chat widget not loading on Safari', 'investigating', 'MEDIUM', 'Kofi', []],
];

export async function setUpBackOffice(api: DemoClient, agentNames: string[]): Promise<void> {
  await api.json('POST', '/api/taskdefinitions', REFUND_DEFINITION);
  for (const [customer, amount, reason, triggers] of REFUND_TASKS) {
    const task = await api.json('POST', '/api/tasks', { taskDefinitionId: REFUNDS, fields: [{ name: 'customer', value: customer }, { name: 'amount', value: amount }, { name: 'reason', value: reason }] });
    for (const trigger of triggers) await api.json('POST', `/api/tasks/${task.id}?trigger=${trigger}`, {});
  }

  const category = await api.json('POST', '/opsflow/v1/task-category/create', INCIDENT_CATEGORY);
  const type = await api.json('POST', '/opsflow/v1/task-type/create', { name: 'Incident', category_id: category.category_id, assignee_pool: agentNames });
  for (const [name, status, priority, assignee, comments] of INCIDENTS) {
    const task = await api.json('POST', '/opsflow/v1/task/create', { name, status_id: 'reported', priority, project_id: '*', task_type_id: type.task_type_id, ...(assignee && agentNames.includes(assignee) ? { assignee } : {}) });
    if (status !== 'reported') await api.json('POST', '/opsflow/v1/task/change_status', { task_id: task.task_id, status_id: status });
    for (const comment of comments) await api.json('POST', '/opsflow/v1/comment/create', { task_id: task.task_id, comment });
  }
}
