// Runs `switchboard serve` as a separate process on a free loopback port, for tests that must kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The compiled server when the test runner says so (scripts/run-tests.mjs builds it first), else the sources
 *  through tsx, which are always current. */
const MAIN = process.env.SWITCHBOARD_TEST_SERVER_MAIN ?? fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** node's arguments that run the `switchboard` command at `main` with `args`: a compiled `.js` entry with plain
 *  node, a `.ts` one through tsx. */
function commandArgs(main: string, args: string[]): string[] {
  return [...(main.endsWith('.ts') ? ['--import', 'tsx'] : []), main, ...args];
}

/** node's arguments that run the `switchboard` command (MAIN) with `args`: spawn process.execPath with them. */
export function switchboardArgs(...args: string[]): string[] {
  return commandArgs(MAIN, args);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  process: ChildProcess;
  origin: string;
  stdout: () => string;
  /** Resolves once the process has exited and its output is all read ('close'). At 'exit' its last lines may
   *  still be in the pipe, so a test that tells an exit apart by what the process said waits for this. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `main`: the entry point to run (MAIN by default; see commandArgs). */
export async function startChild(env: Record<string, string>, args: string[] = [], main: string = MAIN): Promise<ChildServer> {
  const port = await freePort();
  // CHILD_NODE_ARGS adds node flags to the server process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
  // it under a benchmark's load; NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...commandArgs(main, ['serve', ...args])], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const origin = `http://127.0.0.1:${port}`;
  // Generous: several test files may start clusters at once on a loaded two-core machine.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${out}`);
    // A server that does not come up is stopped, or it would keep the test process alive after the failure.
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      // Not left running: a process still starting would keep the test file alive after its failure.
      child.kill('SIGKILL');
      throw new Error(`server did not become ready: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    process: child,
    origin,
    stdout: () => out,
    ended,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
