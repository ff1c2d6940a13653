// Workflow commands. The configuration is validated (src/engine/workflowConfiguration.ts) against the queues
// of this workspace and stored as the client sent it.
import { invalid } from '../../core/errors.ts';
import type { Workflow, Workspace } from '../../core/entities.ts';
import { LIMITS } from '../../core/limits.ts';
import type { Repository } from '../../core/repository.ts';
import { newSid } from '../../core/sid.ts';
import { validateWorkflowConfiguration } from '../workflowConfiguration.ts';
import { type CommandContext, recordEvent, requireChild, requireWorkspace } from './context.ts';

const path = (ws: string, sid: string) => `/v1/Workspaces/${ws}/Workflows/${sid}`;

export interface WorkflowInput {
  friendlyName?: string;
  configuration?: string;
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  taskReservationTimeout?: number;
  reEvaluateTasks?: boolean;
}

function checkConfiguration(repo: Repository, ws: Workspace, text: string | undefined): void {
  if (text === undefined) return;
  const result = validateWorkflowConfiguration(text, (sid) => repo.get('taskQueue', sid)?.workspaceSid === ws.sid);
  // The validator names the field path inside the document; a problem with the document as a whole is
  // already prefixed with "Configuration", which is not repeated.
  if (!result.ok) throw invalid(`Invalid parameter Configuration: ${result.message.replace(/^Configuration: /, '')}`);
}

export function getWorkflow(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): Workflow {
  const ws = requireWorkspace(repo, ctx, wsSid);
  return requireChild(repo, 'workflow', ws, sid, path(wsSid, sid));
}

export function createWorkflow(
  repo: Repository,
  ctx: CommandContext,
  wsSid: string,
  input: WorkflowInput & { friendlyName: string; configuration: string },
): Workflow {
  const ws = requireWorkspace(repo, ctx, wsSid);
  checkConfiguration(repo, ws, input.configuration);
  if (repo.count('workflow', { workspaceSid: ws.sid }) >= LIMITS.workflowsPerWorkspace) {
    throw invalid(`Maximum number of Workflows (${LIMITS.workflowsPerWorkspace}) reached for this Workspace`);
  }
  const workflow: Workflow = {
    sid: newSid('WW'),
    accountSid: ws.accountSid,
    workspaceSid: ws.sid,
    friendlyName: input.friendlyName,
    configuration: input.configuration,
    assignmentCallbackUrl: input.assignmentCallbackUrl || null,
    fallbackAssignmentCallbackUrl: input.fallbackAssignmentCallbackUrl || null,
    taskReservationTimeout: input.taskReservationTimeout ?? 120,
    dateCreated: ctx.now,
    dateUpdated: ctx.now,
    version: 0,
  };
  repo.insert('workflow', workflow);
  recordEvent(repo, ctx, ws, workflowEvent('workflow.created', workflow));
  return workflow;
}

export function updateWorkflow(repo: Repository, ctx: CommandContext, wsSid: string, sid: string, input: WorkflowInput): Workflow {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const workflow = requireChild(repo, 'workflow', ws, sid, path(wsSid, sid));
  checkConfiguration(repo, ws, input.configuration);
  const keepOrClear = (given: string | undefined, current: string | null) => (given === undefined ? current : given || null);
  const updated: Workflow = {
    ...workflow,
    friendlyName: input.friendlyName ?? workflow.friendlyName,
    configuration: input.configuration ?? workflow.configuration,
    assignmentCallbackUrl: keepOrClear(input.assignmentCallbackUrl, workflow.assignmentCallbackUrl),
    fallbackAssignmentCallbackUrl: keepOrClear(input.fallbackAssignmentCallbackUrl, workflow.fallbackAssignmentCallbackUrl),
    taskReservationTimeout: input.taskReservationTimeout ?? workflow.taskReservationTimeout,
    dateUpdated: ctx.now,
    version: workflow.version + 1,
  };
  repo.update('workflow', updated);
  // ReEvaluateTasks=true re-runs the workflow's pending tasks through the new configuration. Tasks live in the
  // routing engine, not in this configuration layer, so the flag is only carried here: the route hands it to
  // WorkspaceRouter.reEvaluate after this update, inside the same transaction.
  recordEvent(repo, ctx, ws, workflowEvent('workflow.updated', updated));
  return updated;
}

export function deleteWorkflow(repo: Repository, ctx: CommandContext, wsSid: string, sid: string): void {
  const ws = requireWorkspace(repo, ctx, wsSid);
  const workflow = requireChild(repo, 'workflow', ws, sid, path(wsSid, sid));
  repo.delete('workflow', workflow.sid);
  recordEvent(repo, ctx, ws, workflowEvent('workflow.deleted', workflow));
}

function workflowEvent(eventType: string, w: Workflow) {
  return {
    eventType,
    resourceType: 'workflow',
    resourceSid: w.sid,
    description: `Workflow ${w.friendlyName} ${eventType.slice('workflow.'.length)}`,
    eventData: { workflow_sid: w.sid, workflow_name: w.friendlyName },
  };
}
