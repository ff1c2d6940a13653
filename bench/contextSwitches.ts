// Context switches of the processes a benchmark measures, from /proc (Linux), summed over every thread:
// voluntary ones (the thread slept: waiting for a socket, a lock, a disk flush) and involuntary ones (it was
// preempted). Per operation they say how often an operation puts a process to sleep and wakes it, which on a
// virtual machine costs far more than on bare metal (each wake-up goes through the hypervisor): on the machine
// of 2026-12-05 (a PVM guest with page-table isolation) an idle node woke ~90 times a second (strace) and its
// main thread spent ~20 ms of CPU a second, ~1 ms of it running JavaScript (--cpu-prof). bench:cluster prints
// them beside the CPU per lifecycle.
import { readdirSync, readFileSync } from 'node:fs';

export interface Switches {
  voluntary: number;
  involuntary: number;
}

/** Each process's switches so far (processes that are gone are left out). */
export function contextSwitches(pids: readonly number[]): Map<number, Switches> {
  const out = new Map<number, Switches>();
  for (const pid of pids) {
    const sum: Switches = { voluntary: 0, involuntary: 0 };
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        sum.voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        sum.involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      }
    } catch {
      continue; // exited meanwhile
    }
    out.set(pid, sum);
  }
  return out;
}

/** Switches per operation over a window: the processes present at its end, counted from the start (or from
 *  their own start when they began within the window). */
export function switchesPerOp(before: Map<number, Switches>, after: Map<number, Switches>, operations: number): Switches {
  let voluntary = 0;
  let involuntary = 0;
  for (const [pid, end] of after) {
    const start = before.get(pid) ?? { voluntary: 0, involuntary: 0 };
    voluntary += end.voluntary - start.voluntary;
    involuntary += end.involuntary - start.involuntary;
  }
  return operations > 0 ? { voluntary: voluntary / operations, involuntary: involuntary / operations } : { voluntary: NaN, involuntary: NaN };
}
