// The slice of Twilio's 2010-04-01 REST API that account and key management needs: Accounts and Keys,
// called by the twilio client with `client.api.baseUrl` pointed at this server.
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../taskrouter/wire.ts';
import { registerAccountRoutes } from './accounts.ts';
import { registerKeyRoutes } from './keys.ts';

export function registerTwilioApiRoutes(app: FastifyInstance, deps: RouteDeps): void {
  registerAccountRoutes(app, deps);
  registerKeyRoutes(app, deps);
}
