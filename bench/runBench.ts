// Runs one benchmark of this folder as its own process and returns the figures of its `RESULT {json}` line.
// bench/all.ts runs every benchmark so (their output streamed); bench/floor.ts runs bench/realtime.ts against
// servers of its own (quietly, with REALTIME_ORIGIN in the environment).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type BenchResult = Record<string, number | string>;

export interface RunBenchOptions {
  /** The process's environment (this process's by default). */
  env?: NodeJS.ProcessEnv;
  /** Whether its output is copied to this process's as it comes (true by default). */
  echo?: boolean;
}

export function runBench(name: string, args: string[] = [], options: RunBenchOptions = {}): Promise<BenchResult> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: options.env ?? process.env });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (options.echo !== false) process.stdout.write(d);
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`bench ${name} failed (exit ${code})${options.echo === false ? `: ${out}` : ''}`));
      resolve(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}
