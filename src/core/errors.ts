// The one error registry. Every error the service returns comes from here: a Twilio-style numeric code, the
// HTTP status and a message. Faces serialise these into their own formats (TaskRouter: {code, message,
// more_info, status}); nothing else invents error codes. docs/errors.md is rendered from this table.

export const ERRORS = {
  // Twilio's generic "invalid parameter": used for every validation failure, as real TaskRouter does.
  // `spaceone`: the code SpaceONE's python-core sends for the same failure (the Opsflow face uses it).
  invalidParameter: { code: 20001, status: 400, message: 'Invalid parameter', spaceone: 'ERROR_INVALID_PARAMETER' },
  authenticationFailed: { code: 20003, status: 401, message: 'Authentication Error - invalid username or password', spaceone: 'ERROR_AUTHENTICATE_FAILURE' },
  forbidden: { code: 20403, status: 403, message: 'Forbidden', spaceone: 'ERROR_PERMISSION_DENIED' },
  notFound: { code: 20404, status: 404, message: 'The requested resource was not found', spaceone: 'ERROR_NOT_FOUND' },
  methodNotAllowed: { code: 20004, status: 405, message: 'Method not allowed' },
  // Twilio publishes no code for an If-Match mismatch; we answer 412 with 20412 (docs/compatibility.md).
  requestTimeout: { code: 20408, status: 408, message: 'The request was not received in time', spaceone: 'ERROR_REQUEST_TIMEOUT' },
  preconditionFailed: { code: 20412, status: 412, message: 'The resource version does not match If-Match' },
  payloadTooLarge: { code: 20413, status: 413, message: 'Request body too large' },
  unsupportedMediaType: { code: 20415, status: 415, message: 'Unsupported Content-Type' },
  headersTooLarge: { code: 20431, status: 431, message: 'Request headers or URL too large' },
  tooManyRequests: { code: 20429, status: 429, message: 'Too Many Requests' },
  internal: { code: 20500, status: 500, message: 'Internal Server Error', spaceone: 'ERROR_UNKNOWN' },
  serviceUnavailable: { code: 20503, status: 503, message: 'Service Unavailable: the server is shutting down; retry the request' },
  // Several nodes on PostgreSQL: a write that lost a race with another node changes nothing and says so.
  conflict: { code: 20409, status: 409, message: 'The resource was changed by another request at the same time; retry the request' },
  workspaceMoving: { code: 20504, status: 503, message: 'Service Unavailable: the workspace is moving to another node; retry the request' },
  // Several nodes: a request sent straight to the node that routed its workspace (cluster/directForwarding.ts)
  // reached a node that does not route it (now): the sending node forwards it through the database instead.
  misdirected: { code: 20421, status: 421, message: 'Misdirected Request: this node does not route the workspace' },

  // The Workflow face (LUSID-compatible). Its bodies carry a `name` as LUSID's problem details do; the codes are
  // Switchboard's own (21xxx), since LUSID's numeric codes are not public (docs/errors.md).
  workflowValidation: { code: 21001, status: 400, message: 'The request is invalid', name: 'ValidationError' },
  workflowDefinitionInvalid: { code: 21002, status: 400, message: 'The task definition is invalid', name: 'InvalidTaskDefinition' },
  workflowDefinitionExists: { code: 21003, status: 400, message: 'A task definition with this id already exists', name: 'TaskDefinitionAlreadyExists' },
  workflowWorkerExists: { code: 21004, status: 400, message: 'A worker with this id already exists', name: 'WorkerAlreadyExists' },
  workflowWorkflowExists: { code: 21005, status: 400, message: 'A workflow with this id already exists', name: 'WorkflowAlreadyExists' },
  workflowEventHandlerExists: { code: 21006, status: 400, message: 'An event handler with this id already exists', name: 'EventHandlerAlreadyExists' },
  workflowEventHandlerInvalid: { code: 21007, status: 400, message: 'The event handler is invalid', name: 'InvalidEventHandler' },
  workflowFieldInvalid: { code: 21010, status: 400, message: 'A field value is invalid', name: 'InvalidFieldValue' },
  workflowTransitionNotFound: { code: 21011, status: 400, message: 'No transition matches the trigger in the current state', name: 'InvalidTrigger' },
  workflowGuardNotMet: { code: 21012, status: 400, message: 'The guard condition of the transition was not met', name: 'GuardConditionNotMet' },
  workflowFilterInvalid: { code: 21013, status: 400, message: 'The filter is invalid', name: 'InvalidFilter' },
  workflowPageInvalid: { code: 21014, status: 400, message: 'The page token is invalid', name: 'InvalidPageToken' },
  workflowTaskNotFound: { code: 21404, status: 404, message: 'Task not found', name: 'TaskNotFound' },
  workflowDefinitionNotFound: { code: 21405, status: 404, message: 'Task definition not found', name: 'TaskDefinitionNotFound' },
  workflowWorkerNotFound: { code: 21406, status: 404, message: 'Worker not found', name: 'WorkerNotFound' },
  workflowActionLogNotFound: { code: 21407, status: 404, message: 'Action log not found', name: 'ActionLogNotFound' },
  workflowWorkerRunNotFound: { code: 21408, status: 404, message: 'Worker run not found', name: 'WorkerRunNotFound' },
  workflowWorkflowNotFound: { code: 21409, status: 404, message: 'Workflow not found', name: 'WorkflowNotFound' },
  workflowEventHandlerNotFound: { code: 21410, status: 404, message: 'Event handler not found', name: 'EventHandlerNotFound' },

  // The Opsflow face (SpaceONE-compatible). `name` is SpaceONE's error code string (python-core's error class),
  // sent as `detail.code`; the statuses are python-core's for the same gRPC status.
  opsInvalidParameter: { code: 22001, status: 400, message: 'Parameter is invalid', name: 'ERROR_INVALID_PARAMETER' },
  opsRequiredParameter: { code: 22002, status: 400, message: 'Required parameter', name: 'ERROR_REQUIRED_PARAMETER' },
  opsInvalidQuery: { code: 22003, status: 400, message: 'The query is invalid', name: 'ERROR_INVALID_QUERY' },
  opsResourceExists: { code: 22004, status: 400, message: 'Related resources exist', name: 'ERROR_EXIST_RESOURCE' },
  opsInvalidParameterType: { code: 22005, status: 400, message: 'Parameter type is invalid', name: 'ERROR_INVALID_PARAMETER_TYPE' },
  opsPermissionDenied: { code: 22403, status: 403, message: 'Permission denied', name: 'ERROR_PERMISSION_DENIED' },
  opsNotFound: { code: 22404, status: 404, message: 'Resource cannot be found or access is denied', name: 'ERROR_NOT_FOUND' },
  opsNotUnique: { code: 22409, status: 409, message: 'Tried to save duplicate unique key', name: 'ERROR_NOT_UNIQUE' },
} as const;

export type ErrorKind = keyof typeof ERRORS;

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly code: number;
  readonly status: number;
  /** Structured facts about this failure (the offending field, state or trigger); faces that have a place for
   *  them (the Workflow face's `errorDetails`) send them. */
  readonly details: Record<string, string>[];
  constructor(kind: ErrorKind, message?: string, details: Record<string, string>[] = []) {
    const entry = ERRORS[kind];
    super(message ?? entry.message);
    this.kind = kind;
    this.code = entry.code;
    this.status = entry.status;
    this.details = details;
  }
}

/** The name an error goes by on the faces that name errors (the Workflow face's `name`): the registry's, else
 *  the kind capitalised (`authenticationFailed` -> `AuthenticationFailed`). */
export function errorName(kind: ErrorKind): string {
  return (ERRORS[kind] as { name?: string }).name ?? kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** The code an error goes by on the Opsflow face (SpaceONE's `detail.code`): the registry's SpaceONE name, else
 *  `ERROR_` and the kind in capitals (`tooManyRequests` -> `ERROR_TOO_MANY_REQUESTS`). */
export function spaceoneCode(kind: ErrorKind): string {
  const e = ERRORS[kind] as { name?: string; spaceone?: string };
  if (e.name?.startsWith('ERROR_')) return e.name;
  return e.spaceone ?? `ERROR_${kind.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function invalid(message: string): ApiError {
  return new ApiError('invalidParameter', message);
}

export function notFound(what: string): ApiError {
  return new ApiError('notFound', `The requested resource ${what} was not found`);
}
