// CLI entry: `switchboard serve` (default) runs the server; other subcommands manage accounts and keys.
import { loadConfig } from './config.ts';
import { SqliteStore } from './store/sqlite/sqliteStore.ts';
import { ensureBootstrapAccount } from './auth/bootstrap.ts';
import { buildServer } from './server.ts';
import { accountsCommand, keysCommand, tokenCommand } from './cli/admin.ts';

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv, process.env);
  const store = new SqliteStore(config.db, { synchronous: config.sync === 'normal' ? 'NORMAL' : 'FULL' });
  const boot = ensureBootstrapAccount(store, { accountSid: config.accountSid, authToken: config.authToken }, Date.now());
  const app = await buildServer({ store, logLevel: config.logLevel, rateLimit: config.rateLimit });
  const address = await app.listen({ port: config.port, host: config.host });
  const origin = address.replace('0.0.0.0', '127.0.0.1');
  if (boot?.created && config.accountSid === undefined) {
    process.stdout.write(
      [
        '',
        'Created the bootstrap account (shown once; it is stored in the database):',
        `  SWITCHBOARD_ACCOUNT_SID=${boot.account.sid}`,
        `  SWITCHBOARD_AUTH_TOKEN=${boot.account.authToken}`,
        '',
        'Point the twilio client at this server:',
        `  const client = require('twilio')('${boot.account.sid}', '${boot.account.authToken}');`,
        `  client.taskrouter.baseUrl = '${origin}';`,
        `  client.api.baseUrl = '${origin}';`,
        '',
      ].join('\n') + '\n',
    );
  }
  process.stdout.write(`switchboard listening on ${origin} (db ${config.db})\n`);
  const shutdown = async () => {
    await app.close();
    store.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

const [command = 'serve', ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<void>> = { serve, accounts: accountsCommand, keys: keysCommand, token: tokenCommand };

const run = commands[command];
if (!run) {
  process.stderr.write(`unknown command: ${command}\nusage: switchboard serve [--port N] [--host H] [--db PATH] | accounts create|list | keys create|list --account AC | token worker --workspace WS --worker WK\n`);
  process.exit(2);
}
run(rest).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
