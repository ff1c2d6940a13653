// `GET /api/metadata/access/resources` (ApplicationMetadataApi.list_access_controlled_resources): the Workflow
// face's resources and the actions on them that an access-control system would grant, in LUSID's shape
// (AccessControlledResource). Switchboard grants every action of an account to every credential of that
// account (its auth token, API keys and bearer tokens of its users); the list says what exists.

const ACTIONS: Record<string, string[]> = {
  TaskDefinition: ['Create', 'Read', 'Update', 'Delete'],
  Task: ['Create', 'Read', 'Update', 'Delete'],
  Worker: ['Create', 'Read', 'Update', 'Delete', 'Execute'],
  Workflow: ['Create', 'Read', 'Update', 'Delete'],
  EventHandler: ['Create', 'Read', 'Update', 'Delete'],
  ActionLog: ['Read'],
};

const DESCRIPTIONS: Record<string, string> = {
  TaskDefinition: 'A task definition: the states, fields, triggers, transitions and actions of a kind of task',
  Task: 'A task, an instance of a task definition',
  Worker: 'An automated job that an action or a direct run executes',
  Workflow: 'A workflow: a root task definition and the task definitions its actions create',
  EventHandler: 'An event handler: creates or updates tasks when an event or a schedule matches',
  ActionLog: 'The log of an action or of a worker run',
};

const byScopeAndCode = (entity: string) => [
  { index: 0, name: 'scope', displayName: 'Scope', description: `The scope of the ${entity}`, required: true },
  { index: 1, name: 'code', displayName: 'Code', description: `The code of the ${entity}`, required: true },
];

export function accessControlledResources(href: string) {
  const values = Object.entries(ACTIONS).map(([entity, activities]) => ({
    application: 'workflow',
    name: entity,
    description: DESCRIPTIONS[entity]!,
    actions: activities.map((activity) => ({ description: `${activity} ${entity}`, action: { scope: 'default', activity, entity } })),
    identifierParts: entity === 'Task' || entity === 'ActionLog' ? [{ index: 0, name: 'id', displayName: 'Id', description: `The id of the ${entity}`, required: true }] : byScopeAndCode(entity),
  }));
  return { values, href, links: [] as unknown[] };
}
