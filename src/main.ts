// CLI entry: `switchboard serve` (default) runs the server; other subcommands manage accounts, keys and tokens;
// `--help`, `-h`, `help COMMAND` and `COMMAND --help` print usage (src/cli/help.ts), `--version` the version.
// Each command loads only what it uses: the admin commands open the database directly and start in a fraction
// of the time the server's dependencies take to load.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { AddressInfo } from 'node:net';
import { lowerHelperPriority } from './backgroundThreads.ts';
import { COMMANDS, commandHelp, generalHelp } from './cli/help.ts';
import { loadConfig, nodeUrlFor } from './config.ts';

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv, process.env);
  // The thread serving requests goes before V8's collector and compiler when the cores are busy.
  const helpers = lowerHelperPriority(config.backgroundNice);
  if (helpers.skipped && config.backgroundNice !== 0 && process.platform === 'linux') process.stderr.write(`switchboard: V8's background threads keep their priority: ${helpers.skipped}\n`);
  // A long-running server's heap: V8 lets the old generation grow to up to 4x what a full collection kept (in
  // the hour-long soak its committed size reached 373 MB over 85 MB live, and the resident size rose by 43%
  // over the hour). A fixed factor keeps memory proportional to what is live, at the cost of more frequent
  // (mostly concurrent) full collections. Set once the routers are built (below): while a large workspace
  // loads, the heap only grows, and a tight factor would collect it again and again for nothing (a restart with
  // 500,000 pending tasks spent a third of its time in the collector). V8 reads the flag at every collection.
  const [{ SqliteStore }, { ensureBootstrapAccount }, { openStoredSecrets }, { buildServer }, { Engine }] = await Promise.all([
    import('./store/sqlite/sqliteStore.ts'),
    import('./auth/bootstrap.ts'),
    import('./auth/storedSecrets.ts'),
    import('./server.ts'),
    import('./engine/engine.ts'),
  ]);
  // A postgres:// URL makes this process a node of a cluster on that database (possibly the only one).
  const cluster = isPostgresUrl(config.db)
    ? await (await import('./cluster/clusterNode.ts')).ClusterNode.open(config.db, { nodeId: config.nodeId, leaseTtlMs: config.leaseTtlMs, routesWorkspaces: config.routesWorkspaces, relaySockets: config.relaySockets, log: (m) => process.stderr.write(`${m}\n`) })
    : undefined;
  // Crash-only on a lost database connection (failover, restart): exit, let the supervisor start the node
  // again, and it connects to whatever the URL names now. Its leases lapse and the other nodes take over.
  cluster?.store.onConnectionLost((message) => {
    process.stderr.write(`switchboard: lost the database connection (${message}); exiting so a supervisor restarts this node\n`);
    process.exit(1);
  });
  const store = cluster?.store ?? new SqliteStore(config.db, { synchronous: config.sync === 'normal' ? 'NORMAL' : 'FULL', checkpointNice: config.backgroundNice, coalesceWal: config.coalesceWal });
  // Crash-only when the disk fails an fsync: what reached it is unknown, and the file is the only truth.
  if (store instanceof SqliteStore) {
    if (config.coalesceWal && !store.walCoalescing.active) process.stderr.write(`switchboard: SQLite writes each WAL page with two system calls (${store.walCoalescing.reason})\n`);
    store.onFatal((err) => {
      process.stderr.write(`switchboard: the database could not be made durable (${err.message}); exiting so a supervisor restarts this process\n`);
      setTimeout(() => process.exit(1), 100);
    });
  }
  // The keyring of the stored credentials, checked against the database; secrets stored in clear by an older
  // version are sealed now.
  const secrets = await openStoredSecrets(store, config.secretKeys, (m) => process.stderr.write(`switchboard: ${m}\n`));
  let boot;
  try {
    boot = await store.replaying(() => ensureBootstrapAccount(store, secrets, { accountSid: config.accountSid, authToken: config.authToken }, Date.now()));
    await store.durable();
  } catch (err) {
    // Several nodes starting on an empty database race to create the bootstrap account: the loser reads it.
    if (!cluster) throw err;
    boot = undefined;
  }
  const engine = new Engine(store, { ...cluster?.engineOptions, finishedTaskRetentionMs: config.finishedTaskRetentionSeconds * 1000 });
  const app = await buildServer({
    store, secrets, engine, logLevel: config.logLevel, rateLimit: config.rateLimit, corsOrigins: config.corsOrigins, runsBackground: cluster?.runsBackground,
    metricsToken: config.metricsToken, oidc: config.oidc, eventRetentionDays: config.eventRetentionDays,
    // Several nodes: workers' sockets are recorded in the database, their disconnects handled by the owner; with
    // SWITCHBOARD_RELAY_SOCKETS=on a socket whose workspace another node routes is relayed to it.
    sockets: cluster ? { presence: cluster.presence, relay: cluster.relay } : undefined,
  });
  if (cluster) await cluster.join(app, engine);
  await engine.start();
  if (config.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
  const address = await app.listen({ port: config.port, host: config.host });
  cluster?.advertise(nodeUrlFor(config, (app.server.address() as AddressInfo).port));
  const origin = address.replace('0.0.0.0', '127.0.0.1');
  if (boot?.created && config.accountSid === undefined) {
    process.stdout.write(
      [
        '',
        'Created the bootstrap account (shown once; its token is stored sealed in the database):',
        `  SWITCHBOARD_ACCOUNT_SID=${boot.account.sid}`,
        `  SWITCHBOARD_AUTH_TOKEN=${boot.authToken}`,
        '',
        'Point the twilio client at this server:',
        `  const client = require('twilio')('${boot.account.sid}', '${boot.authToken}');`,
        `  client.taskrouter.baseUrl = '${origin}';`,
        `  client.api.baseUrl = '${origin}';`,
        '',
        `The same credentials (HTTP Basic) serve the Workflow face at ${origin}/api/... (LUSID)`,
        `and the Opsflow face at ${origin}/opsflow/v1/... (SpaceONE).`,
        '',
      ].join('\n') + '\n',
    );
  }
  const where = cluster ? `PostgreSQL ${redactPassword(config.db)}, node ${cluster.nodeId}` : `db ${config.db}`;
  process.stdout.write(`switchboard listening on ${origin} (${where})\n`);
  // Graceful stop: /readyz turns 503 (load balancers drain), the listener stops accepting, requests in flight
  // finish and their writes commit, WebSockets close with 1012 (service restart: reconnect), the store commits
  // and closes.
  const shutdown = async () => {
    process.stdout.write('switchboard stopping\n');
    await app.close();
    await store.durable();
    store.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

const admin = () => import('./cli/admin.ts');
const commands: Record<string, (argv: string[]) => Promise<void>> = {
  serve,
  accounts: async (argv) => (await admin()).accountsCommand(argv),
  keys: async (argv) => (await admin()).keysCommand(argv),
  token: async (argv) => (await admin()).tokenCommand(argv),
  backup: async (argv) => (await admin()).backupCommand(argv),
  secrets: async (argv) => (await admin()).secretsCommand(argv),
  demo: async (argv) => (await import('./demo/demoCommand.ts')).demoCommand(argv),
};

function version(): string {
  // package.json sits one level above both src/main.ts and the compiled dist/main.js.
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const args = process.argv.slice(2);
// No command, or flags only, is `serve` (npm start, `switchboard --port 4011`).
const [command, ...rest] = args.length === 0 || (args[0]!.startsWith('-') && !['--help', '-h', '--version'].includes(args[0]!)) ? ['serve', ...args] : args;
const wantsHelp = (argv: string[]) => argv.includes('--help') || argv.includes('-h');
if (command === '--version') {
  process.stdout.write(`${version()}\n`);
} else if (command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
  process.stdout.write(generalHelp(version()));
} else if (command === 'help') {
  if (!COMMANDS[rest[0]!]) fail(`unknown command: ${rest[0]}`);
  process.stdout.write(commandHelp(rest[0]!));
} else if (!commands[command!]) {
  fail(`unknown command: ${command}`);
} else if (wantsHelp(rest)) {
  process.stdout.write(commandHelp(command!));
} else {
  commands[command!]!(rest).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

/** A command line that names nothing runnable: say so and how to ask for help (exit 2, as usage errors do). */
function fail(message: string): never {
  process.stderr.write(`switchboard: ${message}\n${generalHelp(version())}`);
  process.exit(2);
}
