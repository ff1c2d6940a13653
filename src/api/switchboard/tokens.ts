// POST /switchboard/v1/Tokens (HTTP Basic with account credentials): mints a worker or supervisor token for an
// app server to hand to a browser or agent desktop. Form parameters: WorkspaceSid, WorkerSid, Role
// (worker|admin), Type (access|capability), Identity, Ttl (60-86400 s).
import type { FastifyInstance } from 'fastify';
import { prepareMint } from '../../auth/mint.ts';
import type { RouteDeps } from '../taskrouter/wire.ts';
import { principalOf } from '../common/http.ts';
import { decodeParams, param } from '../common/params.ts';

const MINT = {
  WorkspaceSid: param.sid('WS'),
  WorkerSid: param.sid('WK').optional(),
  Role: param.enumOf(['worker', 'admin'] as const).optional(),
  Type: param.enumOf(['access', 'capability'] as const).optional(),
  Identity: param.name(128).optional(),
  Ttl: param.int(60, 86400).optional(),
};

export function registerTokenRoutes(app: FastifyInstance, { store, clock, secrets }: RouteDeps): void {
  app.post('/switchboard/v1/Tokens', async (request, reply) => {
    const p = decodeParams(MINT, request.body);
    const accountSid = principalOf(request).accountSid;
    const now = clock();
    const sign = store.transaction((repo) =>
      prepareMint(repo, secrets, now, { accountSid, workspaceSid: p.WorkspaceSid, workerSid: p.WorkerSid, role: p.Role, type: p.Type, identity: p.Identity, ttlSeconds: p.Ttl }),
    );
    const { token, expiresAt } = await sign();
    return reply.code(201).send({
      token,
      type: p.Type ?? 'access',
      role: p.Role ?? 'worker',
      account_sid: accountSid,
      workspace_sid: p.WorkspaceSid,
      worker_sid: p.WorkerSid ?? null,
      expires_at: new Date(expiresAt).toISOString().replace('.000Z', 'Z'),
    });
  });
}
