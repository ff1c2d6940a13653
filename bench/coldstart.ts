// Cold start: the time from spawning `switchboard serve` on a new database to its first 200 from /readyz, and
// the CPU the process spent getting there, for the sources run through tsx (development, `npm run dev`) and the
// compiled package (`npm start`, bin/switchboard: node dist/main.js). Runs alternate between the two so a busy
// moment of the machine falls on both; figures are medians.
// Run: npm run bench:coldstart [runs=7] [OTHER_CHECKOUT]   (builds dist/ first when it is missing)
// OTHER_CHECKOUT, a checkout of another commit (with node_modules), is measured too, its sources through tsx:
// "before" figures for a change.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/childServer.ts';
import { machine, median } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 7);
const other = process.argv[3];
if (!existsSync(join(ROOT, 'dist/main.js'))) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const VARIANTS: Record<string, { args: string[]; cwd: string; label: string }> = {
  tsx: { args: ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve'], cwd: ROOT, label: 'sources through tsx (npm run dev)' },
  dist: { args: [join(ROOT, 'dist/main.js'), 'serve'], cwd: ROOT, label: 'compiled dist/ (npm start)' },
  ...(other ? { other: { args: ['--import', 'tsx', join(other, 'src/main.ts'), 'serve'], cwd: other, label: `${other} through tsx` } } : {}),
};
type Variant = string;

/** CPU seconds (user + system) a live process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

async function once(variant: Variant): Promise<{ ms: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-coldstart-'));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, VARIANTS[variant]!.args, {
    cwd: VARIANTS[variant]!.cwd, // as npm run dev and npm start run it
    env: { ...process.env, PORT: String(port), SWITCHBOARD_DB: join(dir, 'cold.db'), SWITCHBOARD_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${variant}: server exited with ${child.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return { ms: performance.now() - t0, cpu: cpuSeconds(child.pid!) };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const variants = Object.keys(VARIANTS);
const results: Record<Variant, { ms: number[]; cpu: number[] }> = Object.fromEntries(variants.map((v) => [v, { ms: [], cpu: [] }]));
for (const variant of variants) await once(variant); // warms the OS file cache
for (let i = 0; i < runs; i++) {
  for (const variant of variants) {
    const r = await once(variant);
    results[variant].ms.push(r.ms);
    results[variant].cpu.push(r.cpu);
  }
}
console.log(`cold start benchmark on ${machine()}: spawn to the first 200 from /readyz, new SQLite database, ${runs} runs each`);
const width = Math.max(...variants.map((v) => VARIANTS[v]!.label.length));
for (const variant of variants) {
  const { ms, cpu } = results[variant]!;
  console.log(`  ${VARIANTS[variant]!.label.padEnd(width)}  median ${median(ms).toFixed(0)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}), CPU ${(median(cpu) * 1000).toFixed(0)} ms`);
}
console.log(`RESULT ${JSON.stringify({ tsxMs: median(results.tsx!.ms), distMs: median(results.dist!.ms), tsxCpuMs: median(results.tsx!.cpu) * 1000, distCpuMs: median(results.dist!.cpu) * 1000 })}`);
