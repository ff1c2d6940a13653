// Every TaskRouter REST route. Each resource module registers its own paths.
import type { FastifyInstance } from 'fastify';
import { registerActivityRoutes } from './activities.ts';
import { registerEventRoutes } from './events.ts';
import { registerStatisticsRoutes } from './statistics.ts';
import { registerReservationRoutes } from './reservations.ts';
import { registerTaskChannelRoutes } from './taskChannels.ts';
import { registerTaskQueueRoutes } from './taskQueues.ts';
import { registerTaskRoutes } from './tasks.ts';
import type { RouteDeps } from './wire.ts';
import { registerWorkerChannelRoutes } from './workerChannels.ts';
import { registerWorkerRoutes } from './workers.ts';
import { registerWorkflowRoutes } from './workflows.ts';
import { registerWorkspaceRoutes } from './workspaces.ts';

export function registerTaskRouterRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // Statistics first: their static segments (TaskQueues/Statistics, Workers/Statistics) sit beside /:sid routes.
  registerStatisticsRoutes(app, deps);
  registerWorkspaceRoutes(app, deps);
  registerActivityRoutes(app, deps);
  registerTaskChannelRoutes(app, deps);
  registerWorkerRoutes(app, deps);
  registerWorkerChannelRoutes(app, deps);
  registerTaskQueueRoutes(app, deps);
  registerWorkflowRoutes(app, deps);
  registerTaskRoutes(app, deps);
  registerReservationRoutes(app, deps);
  registerEventRoutes(app, deps);
}
