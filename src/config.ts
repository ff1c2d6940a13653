// Typed configuration, read once (defaults <- environment <- CLI flags) and passed down explicitly.
// Nothing else in the code reads process.env.
import { parseArgs } from 'node:util';
import type { OidcConfig } from './auth/oidc.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** SQLite file path (`:memory:` for tests), or a postgres:// URL (the multi-node store). */
  readonly db: string;
  /** The bootstrap account; generated on first start when unset. */
  readonly accountSid: string | undefined;
  readonly authToken: string | undefined;
  readonly logLevel: string;
  /** SQLite commit durability: 'full' (default, survives power loss) or 'normal' (survives a killed process). */
  readonly sync: 'full' | 'normal';
  /** Requests per second per account before 429 (X-Rate-Limit-Limit). */
  readonly rateLimit: number;
  /** Several nodes on PostgreSQL: this node's name (default: host, pid and a random suffix). */
  readonly nodeId: string | undefined;
  /** Several nodes: how long a workspace lease lasts without renewal (a dead node's are taken after it). */
  readonly leaseTtlMs: number;
  /** Several nodes: false makes this node route no workspace (it serves requests and sockets only). */
  readonly routesWorkspaces: boolean;
  /** The organisation's OpenID Connect identity provider, when configured (SWITCHBOARD_OIDC_*). */
  readonly oidc: OidcConfig | undefined;
}

export const DEFAULTS = { port: 4010, host: '127.0.0.1', db: './data/switchboard.db', logLevel: 'warn', rateLimit: 10000 } as const;

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      'log-level': { type: 'string' },
      'rate-limit': { type: 'string' },
      sync: { type: 'string' },
      'node-id': { type: 'string' },
      'lease-ttl-ms': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const portText = values.port ?? env.PORT ?? String(DEFAULTS.port);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${portText}`);
  const rateText = values['rate-limit'] ?? env.SWITCHBOARD_RATE_LIMIT ?? String(DEFAULTS.rateLimit);
  const rateLimit = Number(rateText);
  if (!Number.isInteger(rateLimit) || rateLimit < 1) throw new Error(`invalid rate limit: ${rateText}`);
  const sync = (values.sync ?? env.SWITCHBOARD_SYNC ?? 'full').toLowerCase();
  if (sync !== 'full' && sync !== 'normal') throw new Error(`invalid sync mode: ${sync} (full or normal)`);
  const ttlText = values['lease-ttl-ms'] ?? env.SWITCHBOARD_LEASE_TTL_MS ?? '5000';
  const leaseTtlMs = Number(ttlText);
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 500) throw new Error(`invalid lease TTL: ${ttlText} (milliseconds, at least 500)`);
  return Object.freeze({
    port,
    host: values.host ?? env.HOST ?? DEFAULTS.host,
    db: resolveDbPath(values.db, env),
    accountSid: values['account-sid'] ?? env.SWITCHBOARD_ACCOUNT_SID,
    authToken: values['auth-token'] ?? env.SWITCHBOARD_AUTH_TOKEN,
    logLevel: values['log-level'] ?? env.SWITCHBOARD_LOG_LEVEL ?? DEFAULTS.logLevel,
    rateLimit,
    sync,
    nodeId: values['node-id'] ?? env.SWITCHBOARD_NODE_ID,
    leaseTtlMs,
    routesWorkspaces: (env.SWITCHBOARD_ROUTES_WORKSPACES ?? 'true').toLowerCase() !== 'false',
    oidc: oidcConfig(env),
  });
}

/** SWITCHBOARD_OIDC_ISSUER, _JWKS_URL and _AUDIENCE turn OpenID Connect tokens on (all three or none); the
 *  rest map claims (docs/operations.md). */
export function oidcConfig(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const issuer = env.SWITCHBOARD_OIDC_ISSUER || undefined;
  const jwksUrl = env.SWITCHBOARD_OIDC_JWKS_URL || undefined;
  const audience = env.SWITCHBOARD_OIDC_AUDIENCE || undefined;
  if (!issuer && !jwksUrl && !audience) return undefined;
  if (!issuer || !jwksUrl || !audience) throw new Error('OpenID Connect needs SWITCHBOARD_OIDC_ISSUER, SWITCHBOARD_OIDC_JWKS_URL and SWITCHBOARD_OIDC_AUDIENCE together');
  const account = env.SWITCHBOARD_OIDC_ACCOUNT || undefined;
  if (account !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(account)) throw new Error(`invalid SWITCHBOARD_OIDC_ACCOUNT: ${account} (an account SID)`);
  return {
    issuer,
    jwksUrl,
    audience,
    ...(env.SWITCHBOARD_OIDC_ACCOUNT_CLAIM ? { accountClaim: env.SWITCHBOARD_OIDC_ACCOUNT_CLAIM } : {}),
    ...(account ? { defaultAccountSid: account } : {}),
    ...(env.SWITCHBOARD_OIDC_USER_CLAIM ? { userClaim: env.SWITCHBOARD_OIDC_USER_CLAIM } : {}),
    ...(env.SWITCHBOARD_OIDC_ALGORITHMS ? { algorithms: env.SWITCHBOARD_OIDC_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
  };
}

/** The database path: flag, else SWITCHBOARD_DB, else the default file. Shared by `serve` and the admin commands. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  // An empty value counts as unset: SQLite would open a throwaway temporary database for "".
  return flag || env.SWITCHBOARD_DB || DEFAULTS.db;
}
