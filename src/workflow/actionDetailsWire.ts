// Switchboard's RouteToWorkers action on the wire. LUSID's SDKs read an action's details as exactly one of
// LUSID's four kinds (a oneOf that checks `type`), so an unknown `type` would make every read of the definition
// fail. RouteToWorkers is therefore shown as what it is in LUSID's terms: a RunWorker of the built-in worker
// Switchboard/RouteToWorkers, its settings as worker parameters and its outcomes as worker status triggers:
//
//   {"type": "RunWorker", "workerId": {"scope": "Switchboard", "code": "RouteToWorkers"},
//    "workerParameters": {"workspaceSid": {"setTo": "WS…"}, "workflowSid": {"setTo": "WW…"},
//                         "taskChannel": {"setTo": "voice"}, "priority": {"setTo": 5}, "timeout": {"setTo": 600},
//                         "attributes.<name>": {"mapFrom": "<field>"} | {"setTo": <value>}},
//    "workerStatusTriggers": {"completedNoResults": <completedTrigger>, "failedToComplete": <canceledTrigger>}}
//
// The SDK's own RunWorkerAction builds this form, so SDK users create routed definitions too. Both it and the
// plain {"type": "RouteToWorkers", ...} are accepted as input; the store keeps the plain form.
import { ApiError } from '../core/errors.ts';
import { type ActionDetails, type FieldMapping, ROUTE_TO_WORKERS_WORKER, type ResourceId } from '../core/workflowEntities.ts';

type RouteToWorkers = Extract<ActionDetails, { type: 'RouteToWorkers' }>;

export function isRouteToWorkersWorker(id: ResourceId | undefined): boolean {
  return id?.scope === ROUTE_TO_WORKERS_WORKER.scope && id.code === ROUTE_TO_WORKERS_WORKER.code;
}

/** The details as LUSID's SDKs read them. */
export function actionDetailsResponse(d: ActionDetails): Record<string, unknown> {
  if (d.type !== 'RouteToWorkers') return d;
  const parameters: Record<string, FieldMapping> = { workspaceSid: { setTo: d.workspaceSid }, workflowSid: { setTo: d.workflowSid } };
  if (d.taskChannel !== undefined) parameters.taskChannel = { setTo: d.taskChannel };
  if (d.priority !== undefined) parameters.priority = { setTo: d.priority };
  if (d.timeout !== undefined) parameters.timeout = { setTo: d.timeout };
  for (const [name, m] of Object.entries(d.attributes ?? {})) parameters[`attributes.${name}`] = m;
  const triggers: Record<string, string> = {};
  if (d.completedTrigger !== undefined) triggers.completedNoResults = d.completedTrigger;
  if (d.canceledTrigger !== undefined) triggers.failedToComplete = d.canceledTrigger;
  return { type: 'RunWorker', workerId: { ...ROUTE_TO_WORKERS_WORKER }, workerParameters: parameters, ...(Object.keys(triggers).length ? { workerStatusTriggers: triggers } : {}) };
}

interface RunWorkerInput {
  workerId: ResourceId;
  workerAsAt?: string;
  workerParameters?: Record<string, FieldMapping>;
  workerStatusTriggers?: Record<string, string | undefined>;
  childTaskConfigurations?: unknown[];
  workerTimeout?: number;
}

/** A RunWorker of Switchboard/RouteToWorkers as the RouteToWorkers it stands for; `path` names it in errors. */
export function routeToWorkersFromRunWorker(d: RunWorkerInput, path: string): RouteToWorkers {
  const bad = (message: string, at = '') => new ApiError('workflowDefinitionInvalid', `RouteToWorkers (a RunWorker of ${ROUTE_TO_WORKERS_WORKER.scope}/${ROUTE_TO_WORKERS_WORKER.code}): ${message}`, [{ path: `${path}${at}` }]);
  if (d.workerAsAt !== undefined || d.childTaskConfigurations !== undefined || d.workerTimeout !== undefined) throw bad('workerAsAt, childTaskConfigurations and workerTimeout do not apply');
  const params = d.workerParameters ?? {};
  const constant = (name: string): unknown => {
    const m = params[name];
    if (m === undefined) return undefined;
    if (m.setTo === undefined) throw bad(`parameter ${name} must be a constant (setTo)`, `.workerParameters.${name}`);
    return m.setTo;
  };
  const sid = (name: string, prefix: string) => {
    const v = constant(name);
    if (typeof v !== 'string' || !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v)) throw bad(`parameter ${name} must be set to a ${prefix} SID`, `.workerParameters.${name}`);
    return v;
  };
  const int = (name: string, min: number, max: number) => {
    const v = constant(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`parameter ${name} must be set to an integer from ${min} to ${max}`, `.workerParameters.${name}`);
    return v;
  };
  const attributes: Record<string, FieldMapping> = {};
  for (const [name, m] of Object.entries(params)) {
    if (name.startsWith('attributes.') && name.length > 'attributes.'.length) attributes[name.slice('attributes.'.length)] = m;
    else if (!['workspaceSid', 'workflowSid', 'taskChannel', 'priority', 'timeout'].includes(name)) {
      throw bad(`unknown parameter ${name} (workspaceSid, workflowSid, taskChannel, priority, timeout, attributes.<name>)`, `.workerParameters.${name}`);
    }
  }
  const channel = constant('taskChannel');
  if (channel !== undefined && (typeof channel !== 'string' || channel.length === 0 || channel.length > 64)) throw bad('parameter taskChannel must be set to a task channel name', '.workerParameters.taskChannel');
  const triggers = d.workerStatusTriggers ?? {};
  for (const k of Object.keys(triggers)) {
    if (triggers[k] !== undefined && k !== 'completedNoResults' && k !== 'failedToComplete') throw bad(`workerStatusTriggers.${k} does not apply (completedNoResults: the work was completed; failedToComplete: it was canceled)`, `.workerStatusTriggers.${k}`);
  }
  const priority = int('priority', 0, 2 ** 31 - 1);
  const timeout = int('timeout', 1, 1_209_600);
  return {
    type: 'RouteToWorkers',
    workspaceSid: sid('workspaceSid', 'WS'),
    workflowSid: sid('workflowSid', 'WW'),
    ...(channel !== undefined ? { taskChannel: channel as string } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(triggers.completedNoResults !== undefined ? { completedTrigger: triggers.completedNoResults } : {}),
    ...(triggers.failedToComplete !== undefined ? { canceledTrigger: triggers.failedToComplete } : {}),
  };
}
