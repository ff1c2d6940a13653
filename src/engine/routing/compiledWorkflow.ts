// A workflow's configuration compiled once for routing: every filter, target and skip_if expression becomes a
// closure and order_by is parsed, so routing a task never parses text.
import type { Workflow } from '../../core/entities.ts';
import { type CompiledExpression, type OrderByClause, compileExpression, parseOrderBy } from '../../expr/index.ts';
import { type RoutingTarget, validateWorkflowConfiguration } from '../workflowConfiguration.ts';

export interface CompiledTarget {
  queue: string;
  priority?: number;
  timeout?: number;
  expression?: CompiledExpression;
  orderBy?: OrderByClause[];
  skipIf?: CompiledExpression;
  knownWorkerSid?: string[]; // task attribute path, without the `task.` prefix
  knownWorkerFriendlyName?: string[];
}

export interface CompiledFilter {
  friendlyName: string | undefined;
  expression: CompiledExpression;
  targets: CompiledTarget[];
}

export interface CompiledWorkflow {
  entity: Workflow;
  filters: CompiledFilter[];
  defaultTarget: CompiledTarget | undefined;
}

function compileTarget(t: RoutingTarget): CompiledTarget {
  const taskPath = (ref: string | undefined) => (ref ? ref.split('.').slice(1) : undefined);
  return {
    queue: t.queue,
    priority: t.priority,
    timeout: t.timeout,
    expression: t.expression ? compileExpression(t.expression, 'target') : undefined,
    orderBy: t.orderBy ? parseOrderBy(t.orderBy) : undefined,
    skipIf: t.skipIf ? compileExpression(t.skipIf, 'skipIf') : undefined,
    knownWorkerSid: taskPath(t.knownWorkerSid),
    knownWorkerFriendlyName: taskPath(t.knownWorkerFriendlyName),
  };
}

/** Compiles a stored workflow. Its configuration was validated when it was written, so failure here means
 *  the queue it names has since gone; such a workflow routes nothing rather than crashing the engine. */
export function compileWorkflow(entity: Workflow): CompiledWorkflow {
  const result = validateWorkflowConfiguration(entity.configuration);
  if (!result.ok) return { entity, filters: [], defaultTarget: undefined };
  return {
    entity,
    filters: result.config.filters.map((f) => ({
      friendlyName: f.friendlyName,
      expression: compileExpression(f.expression, 'filter'),
      targets: f.targets.map(compileTarget),
    })),
    defaultTarget: result.config.defaultFilter ? { queue: result.config.defaultFilter.queue } : undefined,
  };
}
