// The machine a benchmark ran on, printed with every result so figures are never quoted without it.
import { cpus, totalmem } from 'node:os';

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** p50 and p99 (ms) of `n` sequential runs of `once` (after one warm-up run when `warmUp`), and its last result. */
export async function latencies<T>(n: number, once: (i: number) => Promise<T>, warmUp = false): Promise<{ p50: number; p99: number; last: T | undefined }> {
  if (warmUp) await once(-1);
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    last = await once(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)]!, p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))]!, last };
}
