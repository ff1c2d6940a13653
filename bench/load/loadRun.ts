// Runs load generator processes (httpLoad.ts) and measures them warm. Each process opens its workers' sockets
// and starts its load unmeasured; once every one of them has and `warmup` seconds have passed, the measured
// window opens for all of them at once (they are told its start and end on stdin) and lasts `seconds`.
// `onOpen` and `onClose` run as the window opens and closes, for the caller to read the CPU the server spent
// in it. Measured from a process's start instead, a window would hold its socket handshakes and the load
// generator's own first seconds, when V8 compiles its hot paths on the same cores as the server (in
// bench:cluster's 3-node window that was 12% of the machine's CPU, `perf record -a`).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMicrosPerOp, processCpuSeconds } from '../processCpu.ts';

const LOAD = fileURLToPath(new URL('./httpLoad.ts', import.meta.url));

export interface LoadInput {
  origin: string;
  auth: string;
  workspace: string;
  mode: 'create' | 'lifecycle' | 'flow';
  connections: number;
  workers: { sid: string; token: string }[];
}

export interface LoadResult {
  /** Operations finished inside the window. */
  done: number;
  seconds: number;
  perSecond: number;
}

export interface LoadWindow {
  warmup: number;
  seconds: number;
  /** Runs once every process is ready, as the warm-up starts. */
  onWarmup?: () => void;
  onOpen?: () => void;
  onClose?: () => void;
}

/** Runs one load process per input, warm for `warmup` seconds, then measured for `seconds`; each one's count. */
export async function runLoads(inputs: LoadInput[], window: LoadWindow): Promise<LoadResult[]> {
  const children = inputs.map((input) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(input)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'READY') ready();
      else lines.push(line);
    });
    const exited = new Promise<LoadResult>((resolve, reject) =>
      child.once('exit', (code) => {
        const last = lines.at(-1);
        if (code !== 0 || !last) return reject(new Error(`load generator exited with ${code}: ${lines.join('\n')}`));
        resolve(JSON.parse(last) as LoadResult);
      }),
    );
    return { child, isReady, exited };
  });
  try {
    // A process that fails before it is ready fails the run instead of leaving the others waiting.
    await Promise.race([Promise.all(children.map((c) => c.isReady)), Promise.all(children.map((c) => c.exited))]);
    const start = Date.now() + window.warmup * 1000;
    const end = start + window.seconds * 1000;
    for (const { child } of children) child.stdin!.end(`${start} ${end}\n`);
    window.onWarmup?.();
    const at = (ms: number, work: (() => void) | undefined) => new Promise<void>((resolve) => setTimeout(() => resolve(work?.()), Math.max(0, ms - Date.now())));
    await at(start, window.onOpen);
    await at(end, window.onClose);
    return await Promise.all(children.map((c) => c.exited));
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}

/** One load process against one server process: its count, and the server's CPU per operation in the window. */
export async function runLoadAgainst(serverPid: number, input: LoadInput, warmup: number, seconds: number): Promise<LoadResult & { cpuUs: number }> {
  let before = 0;
  let after = 0;
  const [result] = await runLoads([input], {
    warmup,
    seconds,
    onOpen: () => (before = processCpuSeconds(serverPid)),
    onClose: () => (after = processCpuSeconds(serverPid)),
  });
  return { ...result!, cpuUs: cpuMicrosPerOp(before, after, result!.done) };
}
