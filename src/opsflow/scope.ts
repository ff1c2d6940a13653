// Who calls the Opsflow face and what they may see. The domain is the account; the workspace is the caller's
// `X-Workspace-Id` (SpaceONE takes it from a workspace-scoped token). Tasks, comments, events and variables belong
// to a workspace: a workspace-scoped caller sees only its own, and another workspace's object is answered exactly
// as a missing one (404). Categories and task types belong to the domain (their Info has no workspace).
import type { OpsCollection, OpsCondition } from '../core/opsflowEntities.ts';

/** Who acts, in which workspace, when. `userId` is the credential's SID. A workspace-scoped caller
 *  (`workspaceId` set) sees only that workspace's tasks, comments, events and variables, and reads (never writes)
 *  the domain's categories and task types, as SpaceONE's workspace roles; a domain-wide one (null) sees all and
 *  creates tasks and variables in the default workspace. */
export interface OpsActor {
  accountSid: string;
  userId: string;
  workspaceId: string | null;
  now: number;
}

export const DEFAULT_WORKSPACE = 'workspace-default';

/** Whether an object of `workspaceId` is visible to the caller. */
export function inScope(actor: OpsActor, workspaceId: string | null | undefined): boolean {
  return actor.workspaceId === null || workspaceId === actor.workspaceId;
}

/** The conditions a workspace-scoped caller is held to on a collection whose rows belong to a workspace. */
export function workspaceConditions(actor: OpsActor, collection: OpsCollection): OpsCondition[] {
  if (actor.workspaceId === null || collection === 'category' || collection === 'taskType') return [];
  return [{ key: 'workspace_id', operator: 'eq', value: actor.workspaceId }];
}
