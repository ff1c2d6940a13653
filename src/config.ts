// Typed configuration, read once (defaults <- environment <- CLI flags) and passed down explicitly.
// Nothing else in the code reads process.env.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KeySource } from './auth/masterKey.ts';

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
  /** Where the master key of the stored secrets comes from (auth/masterKey.ts). */
  readonly secretKeys: KeySource;
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
      'secret-key-file': { type: 'string' },
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
  const db = resolveDbPath(values.db, env);
  return Object.freeze({
    port,
    host: values.host ?? env.HOST ?? DEFAULTS.host,
    db,
    accountSid: values['account-sid'] ?? env.SWITCHBOARD_ACCOUNT_SID,
    authToken: values['auth-token'] ?? env.SWITCHBOARD_AUTH_TOKEN,
    logLevel: values['log-level'] ?? env.SWITCHBOARD_LOG_LEVEL ?? DEFAULTS.logLevel,
    rateLimit,
    sync,
    nodeId: values['node-id'] ?? env.SWITCHBOARD_NODE_ID,
    leaseTtlMs,
    routesWorkspaces: (env.SWITCHBOARD_ROUTES_WORKSPACES ?? 'true').toLowerCase() !== 'false',
    secretKeys: resolveKeySource(values['secret-key-file'], env, db),
  });
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
