// `switchboard demo`: a live contact centre to look at. Starts a server on a temporary database (removed when
// the demo stops; nothing of ./data is touched), sets up through the public APIs a workspace with queues by
// skill and language, a routing workflow and agents (contactCentre.ts), a Workflow task definition with tasks
// and an Opsflow board (backOffice.ts), connects the simulated agents on their WebSockets (simulatedAgent.ts)
// and lets contacts arrive (taskArrivals.ts); then prints the console's address and credentials. Runs until
// Ctrl-C (or --seconds).
//
//   switchboard demo [--port 4010] [--host 127.0.0.1] [--agents 20] [--rate 20] [--speed 1] [--seconds N]
//     --agents   simulated agents (1-200)
//     --rate     contacts arriving per minute, on average
//     --speed    how much faster than life agents think, talk and wrap up (2 = twice as fast)
//     --seconds  stop after this long (default: run until Ctrl-C)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../config.ts';
import { setUpBackOffice } from './backOffice.ts';
import { setUpContactCentre } from './contactCentre.ts';
import { DemoClient } from './demoClient.ts';
import { SimulatedAgent } from './simulatedAgent.ts';
import { TaskArrivals } from './taskArrivals.ts';

export interface DemoOptions {
  port: number;
  host: string;
  agents: number;
  perMinute: number;
  speed: number;
  seconds: number | undefined;
}

function number(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`invalid --${name}: ${text} (from ${min} to ${max})`);
  return n;
}

export function demoOptions(argv: string[], env: NodeJS.ProcessEnv): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, agents: { type: 'string' }, rate: { type: 'string' }, speed: { type: 'string' }, seconds: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  return {
    port: number('port', values.port ?? env.PORT, DEFAULTS.port, 0, 65535),
    host: values.host ?? env.HOST ?? DEFAULTS.host,
    agents: Math.round(number('agents', values.agents, 20, 1, 200)),
    perMinute: number('rate', values.rate, 20, 0, 6000),
    speed: number('speed', values.speed, 1, 0.1, 100),
    seconds: values.seconds === undefined ? undefined : number('seconds', values.seconds, 0, 1, 7 * 86400),
  };
}

export async function demoCommand(argv: string[]): Promise<void> {
  const options = demoOptions(argv, process.env);
  const log = (message: string) => process.stderr.write(`demo: ${message}\n`);
  const [{ SqliteStore }, { ensureBootstrapAccount }, { openStoredSecrets }, { buildServer }, { Engine }] = await Promise.all([
    import('../store/sqlite/sqliteStore.ts'),
    import('../auth/bootstrap.ts'),
    import('../auth/storedSecrets.ts'),
    import('../server.ts'),
    import('../engine/engine.ts'),
  ]);
  // A database of its own, gone when the demo stops. NORMAL sync: a demo trades power-loss durability for speed.
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-demo-'));
  const store = new SqliteStore(join(dir, 'demo.db'), { synchronous: 'NORMAL' });
  // Its stored credentials sealed under a key of its own, beside its database.
  const secrets = await openStoredSecrets(store, { file: join(dir, 'secret.key') }, () => undefined);
  const { account, authToken } = ensureBootstrapAccount(store, secrets, {}, Date.now())!;
  await store.durable();
  const engine = new Engine(store);
  const app = await buildServer({ store, secrets, engine, logLevel: 'silent' });
  await engine.start();
  await app.listen({ port: options.port, host: options.host });
  const { port } = app.server.address() as { port: number };
  const origin = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`;

  const shutDown = async () => {
    await app.close();
    engine.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };

  const api = new DemoClient(origin, { accountSid: account.sid, authToken });
  const timing = { speed: options.speed, random: Math.random };
  let agents: SimulatedAgent[] = [];
  let arrivals: TaskArrivals;
  let workspaceSid: string;
  try {
    const centre = await setUpContactCentre(api, options.agents);
    workspaceSid = centre.workspaceSid;
    await setUpBackOffice(api, centre.agents.map((a) => a.name));
    agents = centre.agents.map((a) => new SimulatedAgent(origin, centre.workspaceSid, a, centre, timing, log));
    await Promise.all(agents.map((a) => a.start()));
    arrivals = new TaskArrivals(api, centre.workspaceSid, centre.workflowSid, { perMinute: options.perMinute, random: Math.random }, log);
    // A first handful at once, so the dashboard has traffic the moment it opens.
    await arrivals.start(Math.min(8, Math.max(1, Math.round(options.agents / 3))));
  } catch (err) {
    for (const a of agents) a.stop();
    await shutDown();
    throw err;
  }

  process.stdout.write(
    [
      '',
      `Switchboard demo: a contact centre with ${options.agents} agents and about ${options.perMinute} contacts a minute.`,
      '',
      `  Console:      ${origin}/console`,
      `  Account SID:  ${account.sid}`,
      `  Auth token:   ${authToken}`,
      '',
      `Sign in, open "Demo contact centre" (${workspaceSid}): the dashboard shows the traffic live.`,
      'Also: Task definitions (refund approvals, Workflow face) and the Opsflow board (incidents).',
      `Everything lives in a temporary database and is gone when the demo stops${options.seconds ? ` (in ${options.seconds} s)` : ' (Ctrl-C)'}.`,
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    arrivals.stop();
    for (const a of agents) a.stop();
    const completed = agents.reduce((n, a) => n + a.completed, 0);
    await shutDown();
    process.stdout.write(`demo stopped: ${arrivals.created} contacts arrived, ${completed} completed\n`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (options.seconds) setTimeout(() => void stop(), options.seconds * 1000);
}
