// Typed configuration, read once (defaults <- environment <- CLI flags) and passed down explicitly.
// Nothing else in the code reads process.env.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CorsOrigins, parseCorsOrigins } from './api/common/crossOrigin.ts';
import type { OidcConfig } from './auth/oidc.ts';
import type { KeySource } from './auth/masterKey.ts';
import { DEFAULT_EVENT_RETENTION_DAYS } from './store/retention.ts';

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
  /** SQLite: whether to load the WAL write-coalescing shim (store/sqlite/walCoalesce.c; default on). */
  readonly coalesceWal: boolean;
  /** Requests per second per account before 429 (X-Rate-Limit-Limit). */
  readonly rateLimit: number;
  /** Several nodes on PostgreSQL: this node's name (default: host, pid and a random suffix). */
  readonly nodeId: string | undefined;
  /** Several nodes: how long a workspace lease lasts without renewal (a dead node's are taken after it). */
  readonly leaseTtlMs: number;
  /** Several nodes: false makes this node route no workspace (it serves requests and sockets only). */
  readonly routesWorkspaces: boolean;
  /** Several nodes: the URL other nodes send requests for this node's workspaces to; null: none (they go through
   *  the database); undefined: the listening address when it names one interface (nodeUrlFor). */
  readonly nodeUrl: string | null | undefined;
  /** Several nodes: relay a worker's socket to the node routing its workspace (cluster/socketRelay.ts). */
  readonly relaySockets: boolean;
  /** Origins whose pages may call the token-authenticated endpoints (CORS): any (`*`, the default) or a list. */
  readonly corsOrigins: CorsOrigins;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken: string | undefined;
  /** The organisation's OpenID Connect identity provider, when configured (SWITCHBOARD_OIDC_*). */
  readonly oidc: OidcConfig | undefined;
  /** Where the master key of the stored secrets comes from (auth/masterKey.ts). */
  readonly secretKeys: KeySource;
  /** How many days of TaskRouter events (and statistics rollups) are kept; 0 keeps them forever. */
  readonly eventRetentionDays: number;
  /** How far the JavaScript heap may grow past what a full collection left, in percent; 0 leaves it to V8. */
  readonly heapGrowthPercent: number;
  /** The nice value given to V8's background threads (src/backgroundThreads.ts); 0 leaves them as they are. */
  readonly backgroundNice: number;
  /** How long a completed or canceled TaskRouter task stays before it is removed, in seconds. */
  readonly finishedTaskRetentionSeconds: number;
}

export const DEFAULTS = { port: 4010, host: '127.0.0.1', db: './data/switchboard.db', logLevel: 'warn', rateLimit: 10000, heapGrowthPercent: 50, backgroundNice: 10, finishedTaskRetentionSeconds: 300 } as const;

/** One setting of `switchboard serve`: its flag (if it has one), its environment variable, its default and what
 *  it means. `switchboard serve --help` and the flag parser both read this table. */
export interface ServeOption {
  readonly flag?: string;
  readonly env: string;
  readonly default: string;
  readonly meaning: string;
}

export const SERVE_OPTIONS: readonly ServeOption[] = [
  { flag: 'port', env: 'PORT', default: String(DEFAULTS.port), meaning: 'TCP port (0: any free port)' },
  { flag: 'host', env: 'HOST', default: DEFAULTS.host, meaning: 'interface to listen on (0.0.0.0: every interface)' },
  { flag: 'db', env: 'SWITCHBOARD_DB', default: DEFAULTS.db, meaning: 'SQLite file, or a postgres:// URL (this process is then one node of a cluster)' },
  { flag: 'account-sid', env: 'SWITCHBOARD_ACCOUNT_SID', default: 'generated on first start', meaning: 'the bootstrap account' },
  { flag: 'auth-token', env: 'SWITCHBOARD_AUTH_TOKEN', default: 'generated on first start', meaning: "the bootstrap account's auth token" },
  { flag: 'rate-limit', env: 'SWITCHBOARD_RATE_LIMIT', default: String(DEFAULTS.rateLimit), meaning: 'requests per second per account before 429' },
  { flag: 'sync', env: 'SWITCHBOARD_SYNC', default: 'full', meaning: 'full: fsync every commit (survives power loss); normal: survives a killed process' },
  { env: 'SWITCHBOARD_SQLITE_COALESCE_WAL', default: 'on', meaning: "SQLite: off leaves a commit's WAL writes to SQLite (two system calls per page) instead of the built shim's one per commit (docs/architecture.md)" },
  { flag: 'log-level', env: 'SWITCHBOARD_LOG_LEVEL', default: DEFAULTS.logLevel, meaning: 'log level: trace, debug, info, warn, error, fatal or silent' },
  { flag: 'node-id', env: 'SWITCHBOARD_NODE_ID', default: 'host-pid-random', meaning: "several nodes: this node's name in the lease table" },
  { flag: 'lease-ttl-ms', env: 'SWITCHBOARD_LEASE_TTL_MS', default: '5000', meaning: "several nodes: a dead node's workspaces move to the others after about this long" },
  { env: 'SWITCHBOARD_ROUTES_WORKSPACES', default: 'true', meaning: 'several nodes: false for a node that routes no workspace (serves requests and sockets only)' },
  { flag: 'node-url', env: 'SWITCHBOARD_NODE_URL', default: 'http://HOST:PORT unless HOST is 0.0.0.0 or ::', meaning: "several nodes: the URL other nodes reach this node at (http://10.0.0.5:4010); requests and worker sockets for the workspaces it routes are sent there directly; off: through the database" },
  { env: 'SWITCHBOARD_RELAY_SOCKETS', default: 'off', meaning: "several nodes: on relays a worker's socket that lands here to the node routing its workspace (its URL): cheaper pushes, but that node's death drops the socket (clients reconnect)" },
  { flag: 'cors-origins', env: 'SWITCHBOARD_CORS_ORIGINS', default: '*', meaning: 'origins whose pages may call the token-authenticated endpoints (CORS): *, a comma-separated list, or none' },
  { flag: 'secret-key-file', env: 'SWITCHBOARD_SECRET_KEY_FILE', default: 'secret.key beside the SQLite file (./data/secret.key for PostgreSQL)', meaning: 'the master key that seals stored credentials (created 0600 on first start)' },
  { env: 'SWITCHBOARD_SECRET_KEY', default: 'unset', meaning: 'the master key(s) themselves instead of a file: the first seals, any others only open (rotation)' },
  { env: 'SWITCHBOARD_OIDC_ISSUER', default: 'unset', meaning: "OpenID Connect: the identity provider's issuer (with _JWKS_URL and _AUDIENCE, its tokens are accepted as Bearer on every face)" },
  { env: 'SWITCHBOARD_OIDC_JWKS_URL', default: 'unset', meaning: "OpenID Connect: the provider's JWKS URL (keys cached, fetched again for an unknown key id)" },
  { env: 'SWITCHBOARD_OIDC_AUDIENCE', default: 'unset', meaning: 'OpenID Connect: the audience tokens must name' },
  { env: 'SWITCHBOARD_OIDC_ACCOUNT_CLAIM', default: 'switchboard_account_sid', meaning: 'OpenID Connect: the claim naming the account (docs/operations.md)' },
  { env: 'SWITCHBOARD_OIDC_ACCOUNT', default: 'unset', meaning: 'OpenID Connect: the account of tokens without the account claim' },
  { env: 'SWITCHBOARD_OIDC_USER_CLAIM', default: 'sub', meaning: 'OpenID Connect: the claim naming the user (CurrentUser, UserCreated/UserUpdated)' },
  { env: 'SWITCHBOARD_OIDC_ALGORITHMS', default: 'RS256,ES256,PS256,EdDSA', meaning: 'OpenID Connect: the signature algorithms accepted' },
  { flag: 'finished-task-retention-seconds', env: 'SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS', default: String(DEFAULTS.finishedTaskRetentionSeconds), meaning: "how long a completed or canceled task stays readable before it is removed (TaskRouter's 5 minutes; its limits page says 15)" },
  { flag: 'event-retention-days', env: 'SWITCHBOARD_EVENT_RETENTION_DAYS', default: String(DEFAULT_EVENT_RETENTION_DAYS), meaning: "days of TaskRouter events and statistics kept (Twilio's 30); older ones are pruned in the background; 0 keeps them forever" },
  { env: 'SWITCHBOARD_METRICS_TOKEN', default: 'unset (open)', meaning: 'GET /metrics requires Authorization: Bearer <this token>' },
  { flag: 'heap-growth-percent', env: 'SWITCHBOARD_HEAP_GROWTH_PERCENT', default: String(DEFAULTS.heapGrowthPercent), meaning: "how far the JavaScript heap may grow past what its last full collection kept before the next (V8's --heap-growing-percent); 0 leaves it to V8, whose heap drifts up to 4x that (docs/operations.md)" },
  { flag: 'background-nice', env: 'SWITCHBOARD_BACKGROUND_NICE', default: String(DEFAULTS.backgroundNice), meaning: "Linux: the nice value of V8's background threads (collector, compiler), so the thread serving requests goes first on a busy machine; 0 leaves them equal (docs/operations.md)" },
];

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const flags = Object.fromEntries(SERVE_OPTIONS.filter((o) => o.flag).map((o) => [o.flag!, { type: 'string' as const }]));
  const { values: parsed } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  const values = parsed as Record<string, string | undefined>;
  const portText = values.port ?? env.PORT ?? String(DEFAULTS.port);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${portText}`);
  const rateText = values['rate-limit'] ?? env.SWITCHBOARD_RATE_LIMIT ?? String(DEFAULTS.rateLimit);
  const rateLimit = Number(rateText);
  if (!Number.isInteger(rateLimit) || rateLimit < 1) throw new Error(`invalid rate limit: ${rateText}`);
  const sync = (values.sync ?? env.SWITCHBOARD_SYNC ?? 'full').toLowerCase();
  if (sync !== 'full' && sync !== 'normal') throw new Error(`invalid sync mode: ${sync} (full or normal)`);
  const coalesceText = (env.SWITCHBOARD_SQLITE_COALESCE_WAL ?? 'on').toLowerCase();
  if (coalesceText !== 'on' && coalesceText !== 'off') throw new Error(`invalid SWITCHBOARD_SQLITE_COALESCE_WAL: ${coalesceText} (on or off)`);
  const ttlText = values['lease-ttl-ms'] ?? env.SWITCHBOARD_LEASE_TTL_MS ?? '5000';
  const leaseTtlMs = Number(ttlText);
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 500) throw new Error(`invalid lease TTL: ${ttlText} (milliseconds, at least 500)`);
  const retentionText = values['event-retention-days'] ?? env.SWITCHBOARD_EVENT_RETENTION_DAYS ?? String(DEFAULT_EVENT_RETENTION_DAYS);
  const eventRetentionDays = Number(retentionText);
  if (retentionText.trim() === '' || !Number.isFinite(eventRetentionDays) || eventRetentionDays < 0) throw new Error(`invalid event retention: ${retentionText} (days, 0 for forever)`);
  const growthText = values['heap-growth-percent'] ?? env.SWITCHBOARD_HEAP_GROWTH_PERCENT ?? String(DEFAULTS.heapGrowthPercent);
  const heapGrowthPercent = Number(growthText);
  if (growthText.trim() === '' || !Number.isInteger(heapGrowthPercent) || heapGrowthPercent < 0 || heapGrowthPercent > 1000) throw new Error(`invalid heap growth: ${growthText} (a whole percentage, 0 to leave it to V8)`);
  const niceText = values['background-nice'] ?? env.SWITCHBOARD_BACKGROUND_NICE ?? String(DEFAULTS.backgroundNice);
  const backgroundNice = Number(niceText);
  if (niceText.trim() === '' || !Number.isInteger(backgroundNice) || backgroundNice < 0 || backgroundNice > 19) throw new Error(`invalid background nice value: ${niceText} (a whole number, 0 to 19)`);
  const finishedText = values['finished-task-retention-seconds'] ?? env.SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS ?? String(DEFAULTS.finishedTaskRetentionSeconds);
  const finishedTaskRetentionSeconds = Number(finishedText);
  if (finishedText.trim() === '' || !Number.isFinite(finishedTaskRetentionSeconds) || finishedTaskRetentionSeconds < 1) throw new Error(`invalid finished task retention: ${finishedText} (seconds, at least 1)`);
  const db = resolveDbPath(values.db, env);
  const relayText = (env.SWITCHBOARD_RELAY_SOCKETS ?? 'off').trim().toLowerCase();
  if (relayText !== 'on' && relayText !== 'off') throw new Error(`invalid SWITCHBOARD_RELAY_SOCKETS: ${relayText} (on or off)`);
  const nodeUrlText = values['node-url'] ?? env.SWITCHBOARD_NODE_URL;
  let nodeUrl: string | null | undefined;
  if (nodeUrlText !== undefined && nodeUrlText.trim() !== '') {
    nodeUrl = nodeUrlText.trim().toLowerCase() === 'off' ? null : nodeUrlText.trim();
    if (nodeUrl !== null && !/^https?:$/.test(URL.parse(nodeUrl)?.protocol ?? '')) throw new Error(`invalid node URL: ${nodeUrlText} (http://host:port, or off)`);
  }
  return Object.freeze({
    port,
    host: values.host ?? env.HOST ?? DEFAULTS.host,
    db,
    accountSid: values['account-sid'] ?? env.SWITCHBOARD_ACCOUNT_SID,
    authToken: values['auth-token'] ?? env.SWITCHBOARD_AUTH_TOKEN,
    logLevel: values['log-level'] ?? env.SWITCHBOARD_LOG_LEVEL ?? DEFAULTS.logLevel,
    rateLimit,
    sync,
    coalesceWal: coalesceText === 'on',
    nodeId: values['node-id'] ?? env.SWITCHBOARD_NODE_ID,
    leaseTtlMs,
    routesWorkspaces: (env.SWITCHBOARD_ROUTES_WORKSPACES ?? 'true').toLowerCase() !== 'false',
    nodeUrl,
    relaySockets: relayText === 'on',
    secretKeys: resolveKeySource(values['secret-key-file'], env, db),
    corsOrigins: parseCorsOrigins(values['cors-origins'] ?? env.SWITCHBOARD_CORS_ORIGINS ?? '*'),
    // An empty value counts as unset (no protection), as for SWITCHBOARD_DB.
    metricsToken: env.SWITCHBOARD_METRICS_TOKEN || undefined,
    oidc: oidcConfig(env),
    eventRetentionDays,
    heapGrowthPercent,
    backgroundNice,
    finishedTaskRetentionSeconds,
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

/** The master key: SWITCHBOARD_SECRET_KEY, else the key file named by the flag or SWITCHBOARD_SECRET_KEY_FILE,
 *  else `secret.key` beside the SQLite file (./data/secret.key for PostgreSQL; none for `:memory:`). Shared by
 *  `serve` and the admin commands, so both find the same key. */
export function resolveKeySource(flag: string | undefined, env: NodeJS.ProcessEnv, db: string): KeySource {
  const keys = env.SWITCHBOARD_SECRET_KEY || undefined;
  const named = flag || env.SWITCHBOARD_SECRET_KEY_FILE || undefined;
  if (named) return { keys, file: named };
  if (db === ':memory:') return { keys };
  const postgres = /^postgres(ql)?:\/\//.test(db);
  return { keys, file: postgres ? join(dirname(DEFAULTS.db), 'secret.key') : join(dirname(db), 'secret.key') };
}

/** The database path: flag, else SWITCHBOARD_DB, else the default file. Shared by `serve` and the admin commands. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  // An empty value counts as unset: SQLite would open a throwaway temporary database for "".
  return flag || env.SWITCHBOARD_DB || DEFAULTS.db;
}

/** The URL other nodes reach this node at: the one configured, else the address it listens on when that names
 *  one interface (a node listening on every interface cannot tell which of its addresses the others reach). */
export function nodeUrlFor(config: Pick<Config, 'nodeUrl' | 'host'>, port: number): string | null {
  if (config.nodeUrl !== undefined) return config.nodeUrl;
  const host = config.host.replace(/^\[|\]$/g, '');
  if (host === '0.0.0.0' || host === '::' || host === '') return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
