// POST /switchboard/v1/Tokens: mints a token. Form parameters:
//   Type=access|capability (default access): a worker or supervisor token for an app server to hand to a
//     browser or agent desktop: WorkspaceSid, WorkerSid, Role (worker|admin), Identity, Ttl (60-86400 s).
//   Type=user: a bearer token for a user of the account (Identity, default the caller's own user), accepted
//     by every face but the 2010 account API; only account credentials (HTTP Basic) mint one, so a bearer
//     token cannot extend its own life.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.ts';
import { prepareMint } from '../../auth/mint.ts';
import { prepareUserToken } from '../../auth/userTokens.ts';
import type { RouteDeps } from '../taskrouter/wire.ts';
import { principalOf, userIdOf } from '../common/http.ts';
import { decodeParams, param } from '../common/params.ts';
import { twilioRoute } from '../common/routeSchema.ts';

const MINT = {
  WorkspaceSid: param.sid('WS'),
  WorkerSid: param.sid('WK').optional(),
  Role: param.enumOf(['worker', 'admin'] as const).optional(),
  Type: param.enumOf(['access', 'capability'] as const).optional(),
  Identity: param.name(128).optional(),
  Ttl: param.int(60, 86400).optional(),
};

const MINT_USER = {
  Type: param.enumOf(['user'] as const),
  Identity: param.name(256).optional(),
  Ttl: param.int(60, 86400).optional(),
};

const TOKEN = z.object({
  token: z.string().describe('the JWT to hand to the Worker SDK or taskrouter.js'),
  type: z.enum(['access', 'capability']),
  role: z.enum(['worker', 'admin']),
  account_sid: z.string(),
  workspace_sid: z.string(),
  worker_sid: z.string().nullable(),
  expires_at: z.string().describe('ISO 8601 date-time'),
});
const USER_TOKEN = z.object({
  token: z.string().describe('a bearer token for the user, accepted by every face but the 2010 account API'),
  type: z.literal('user'),
  account_sid: z.string(),
  identity: z.string(),
  expires_at: z.string().describe('ISO 8601 date-time'),
});
const doc = twilioRoute('Tokens', {
  summary: 'Mint a worker or supervisor token (Access Token with a TaskRouterGrant, or a TaskRouterCapability token), or with Type=user a bearer token for a user of the account',
  body: MINT,
  responses: { 201: z.union([TOKEN, USER_TOKEN]) },
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function registerTokenRoutes(app: FastifyInstance, { store, clock, secrets }: RouteDeps): void {
  app.post('/switchboard/v1/Tokens', doc, async (request, reply) => {
    const principal = principalOf(request);
    const accountSid = principal.accountSid;
    const now = clock();
    const body = request.body as Record<string, unknown> | undefined;
    if (body?.Type === 'user') {
      const p = decodeParams(MINT_USER, body);
      if (principal.credential.kind !== 'authToken' && principal.credential.kind !== 'apiKey') {
        throw new ApiError('forbidden', 'User tokens are minted with account credentials (HTTP Basic: the account or an API key), not with a token');
      }
      const userId = p.Identity ?? userIdOf(request);
      const sign = store.transaction((repo) => prepareUserToken(repo, secrets, now, accountSid, userId, p.Ttl));
      const { token, expiresAt } = await sign();
      reply.code(201);
      return { token, type: 'user', account_sid: accountSid, identity: userId, expires_at: iso(expiresAt) } satisfies z.output<typeof USER_TOKEN>;
    }
    const p = decodeParams(MINT, request.body);
    const sign = store.transaction((repo) =>
      prepareMint(repo, secrets, now, { accountSid, workspaceSid: p.WorkspaceSid, workerSid: p.WorkerSid, role: p.Role, type: p.Type, identity: p.Identity, ttlSeconds: p.Ttl }),
    );
    const { token, expiresAt } = await sign();
    reply.code(201);
    return {
      token,
      type: p.Type ?? 'access',
      role: p.Role ?? 'worker',
      account_sid: accountSid,
      workspace_sid: p.WorkspaceSid,
      worker_sid: p.WorkerSid ?? null,
      expires_at: iso(expiresAt),
    } satisfies z.output<typeof TOKEN>;
  });
}
