// GET /metrics: the Prometheus text exposition of this server and its process. Open by default, like most
// exporters on a private network; with SWITCHBOARD_METRICS_TOKEN set it takes only `Authorization: Bearer
// <token>` (Prometheus's `authorization: {credentials: ...}` scrape setting), and answers anything else 401.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { jsonRoute } from '../api/common/routeSchema.ts';
import { type ServerMetrics, bearerMatches } from './serverMetrics.ts';

export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics, token: string | undefined): void {
  const doc = jsonRoute('Operations', {
    summary: 'Prometheus metrics (text exposition format 0.0.4); Bearer token when SWITCHBOARD_METRICS_TOKEN is set',
    responses: { 200: z.string().describe('text/plain; version=0.0.4'), 401: z.string().describe('no or another bearer token') },
  });
  app.get('/metrics', doc, async (request, reply) => {
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer realm="Switchboard metrics"').type('text/plain; charset=utf-8').send('A bearer token is required (SWITCHBOARD_METRICS_TOKEN)\n');
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}
