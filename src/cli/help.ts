// What `switchboard --help`, `switchboard help COMMAND` and `switchboard COMMAND --help` print: each command's
// synopsis, flags and environment. `serve`'s flags and environment come from the table its parser reads
// (SERVE_OPTIONS), so the help cannot fall behind the flags it accepts.
import { SERVE_OPTIONS } from '../config.ts';

export interface CommandHelp {
  /** One line for the command list. */
  readonly summary: string;
  /** Synopsis lines, without the leading `switchboard `. */
  readonly usage: readonly string[];
  readonly flags: readonly (readonly [flag: string, meaning: string])[];
  readonly env: readonly (readonly [name: string, meaning: string])[];
  readonly notes?: readonly string[];
}

const DB_FLAG = ['--db PATH', 'the SQLite database file (default ./data/switchboard.db); the server may be running'] as const;
const DB_ENV = ['SWITCHBOARD_DB', 'the database file when --db is not given'] as const;

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  serve: {
    summary: 'run the server (the default command)',
    usage: ['serve [FLAGS]'],
    // A setting with a flag is listed once, with its variable: `--port N, PORT`.
    flags: SERVE_OPTIONS.filter((o) => o.flag).map((o) => [`--${o.flag} VALUE, ${o.env}`, `${o.meaning} (default ${o.default})`] as const),
    env: SERVE_OPTIONS.filter((o) => !o.flag).map((o) => [o.env, `${o.meaning} (default ${o.default})`] as const),
    notes: [
      'Every flag can be given as the environment variable beside it; the flag wins. On its first start the server',
      'creates an account and prints its credentials once.',
      'GET /healthz and /readyz for a supervisor or load balancer, GET /metrics for Prometheus.',
    ],
  },
  accounts: {
    summary: 'create or list accounts in the database',
    usage: ['accounts create [--friendly-name NAME] [--db PATH]', 'accounts list [--db PATH]'],
    flags: [['--friendly-name NAME', "the new account's name"], DB_FLAG],
    env: [DB_ENV],
    notes: ['create prints SWITCHBOARD_ACCOUNT_SID and SWITCHBOARD_AUTH_TOKEN (shown once).'],
  },
  keys: {
    summary: "create or list an account's API keys",
    usage: ['keys create --account AC... [--friendly-name NAME] [--db PATH]', 'keys list --account AC... [--db PATH]'],
    flags: [['--account AC...', 'the account the key belongs to (required)'], ['--friendly-name NAME', "the new key's name"], DB_FLAG],
    env: [DB_ENV],
    notes: ['create prints API_KEY_SID and API_KEY_SECRET (the secret is shown once).'],
  },
  token: {
    summary: 'mint a worker or supervisor token for the Worker SDK or taskrouter.js, or a bearer token for a user',
    usage: [
      'token worker --workspace WS... --worker WK... [--type access|capability] [--ttl SECONDS] [--db PATH]',
      'token admin --workspace WS... [--type access|capability] [--ttl SECONDS] [--db PATH]',
      'token user --account AC... --identity NAME [--ttl SECONDS] [--db PATH]',
    ],
    flags: [
      ['--workspace WS...', 'the workspace (required)'],
      ['--worker WK...', 'the worker (required for a worker token)'],
      ['--account AC...', "a user token's account (required for a user token)"],
      ['--identity NAME', "a user token's user (CurrentUser on the Workflow face)"],
      ['--type access|capability', 'an Access Token (TaskRouterGrant, default) or a TaskRouterCapability token'],
      ['--ttl SECONDS', 'lifetime, 60 to 86400 (default 3600)'],
      DB_FLAG,
    ],
    env: [DB_ENV],
  },
  backup: {
    summary: 'take an online, consistent copy of the SQLite database',
    usage: ['backup FILE [--db PATH]'],
    flags: [DB_FLAG],
    env: [DB_ENV],
  },
  secrets: {
    summary: 'the master key that seals stored auth tokens and API key secrets: status, rotate, retire, new-key',
    usage: ['secrets status [--db PATH|URL] [--secret-key-file PATH]', 'secrets rotate [--db PATH|URL] [--secret-key-file PATH]', 'secrets retire [--db PATH|URL] [--secret-key-file PATH]', 'secrets new-key'],
    flags: [
      ['--db PATH|URL', 'the database (a SQLite file or a postgres:// URL)'],
      ['--secret-key-file PATH', 'the key file (default secret.key beside the SQLite file)'],
    ],
    env: [
      DB_ENV,
      ['SWITCHBOARD_SECRET_KEY', 'the key(s) themselves instead of a file; the first seals, the others only open'],
      ['SWITCHBOARD_SECRET_KEY_FILE', 'the key file when --secret-key-file is not given'],
    ],
    notes: [
      'status: the keys and how many stored secrets each seals. rotate: a new key first in the file (a running',
      'server follows it) and every secret sealed again under it. retire: drops the other keys once nothing needs',
      'them. new-key: prints a fresh key for SWITCHBOARD_SECRET_KEY. docs/operations.md has the no-gap steps.',
    ],
  },
  demo: {
    summary: 'run a live contact centre on a server of its own (temporary database) to look at in the console',
    usage: ['demo [--port N] [--host H] [--agents N] [--rate PER_MINUTE] [--speed X] [--seconds N]'],
    flags: [
      ['--port N', 'TCP port of the demo server (default 4010)'],
      ['--host H', 'interface to listen on (default 127.0.0.1)'],
      ['--agents N', 'simulated agents, 1-200 (default 20)'],
      ['--rate PER_MINUTE', 'contacts arriving per minute, on average (default 20)'],
      ['--speed X', 'how much faster than life agents think, talk and wrap up (default 1)'],
      ['--seconds N', 'stop after this long (default: run until Ctrl-C)'],
    ],
    env: [],
    notes: ['Prints the console address and the credentials to sign in with; nothing of ./data is touched.'],
  },
  help: {
    summary: "print this help, or a command's",
    usage: ['help [COMMAND]', '--help | -h', '--version'],
    flags: [],
    env: [],
  },
};

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

export function commandHelp(name: string): string {
  const help = COMMANDS[name]!;
  const lines = [`switchboard ${name}: ${help.summary}`, '', 'Usage:', ...help.usage.map((u) => `  switchboard ${u}`)];
  if (help.flags.length) lines.push('', 'Flags:', ...table([...help.flags, ['--help, -h', 'print this help']]));
  if (help.env.length) lines.push('', 'Environment:', ...table(help.env));
  if (help.notes?.length) lines.push('', ...help.notes);
  return `${lines.join('\n')}\n`;
}

export function generalHelp(version: string): string {
  const names = Object.keys(COMMANDS);
  return [
    `switchboard ${version}: a self-hosted task router (Twilio TaskRouter-compatible), with Workflow and Opsflow faces`,
    '',
    'Usage: switchboard [COMMAND] [FLAGS]',
    '',
    'Commands:',
    ...table(names.map((n) => [n, COMMANDS[n]!.summary])),
    '',
    'Flags:',
    ...table([
      ['--help, -h', 'print this help (switchboard COMMAND --help: that command\'s flags and environment)'],
      ['--version', 'print the version'],
    ]),
    '',
    'Run `switchboard help COMMAND` for a command\'s flags and environment.',
    '',
  ].join('\n');
}
