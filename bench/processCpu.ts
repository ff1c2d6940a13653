// CPU time of the processes a benchmark measures, from /proc (Linux): user + system seconds of every thread of
// a process (the SQLite fsync and checkpoint threads count with the server), and for a process tree (a
// PostgreSQL server: the postmaster and its backends) the children's too, those still running and those
// already reaped. A figure is the CPU the processes spent over the measured window divided by the operations
// done in it.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function stat(pid: number): Stat | undefined {
  try {
    // Fields after the command (which may hold spaces) start at the state, field 3.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used so far (all its threads). */
export function processCpuSeconds(pid: number): number {
  const s = stat(pid);
  return s ? (s.utime + s.stime) / TICKS_PER_SECOND : 0;
}

/** A process and all its descendants now running (a PostgreSQL server: the postmaster and its backends). */
export function treePids(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) parents.set(pid, s.ppid);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parents.get(p), hops++) if (p === root) return true;
    return false;
  };
  return [...parents.keys()].filter(inTree);
}

/** CPU seconds of a process and all its descendants, including children that already exited. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of treePids(root)) {
    const s = stat(pid);
    if (s) ticks += s.utime + s.stime + (pid === root ? s.cutime + s.cstime : 0);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Microseconds of CPU per operation over a window, given CPU seconds before and after. */
export function cpuMicrosPerOp(before: number, after: number, operations: number): number {
  return operations > 0 ? ((after - before) * 1e6) / operations : NaN;
}
