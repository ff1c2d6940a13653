// Keep-alive frames for the open sockets, spread over the period. Sending one to every socket at once was a
// burst of one system call per socket: 1,000 sockets held the event loop 15-19 ms on an idle 2-core VM (more
// under load; 10,000 workers would be a fifth of a second), and every request and push behind it waited that
// long, once per period.
// Members are dealt round-robin into SLICES slices; each tick, every period/SLICES, beats one slice, so each
// member still gets one beat per period.
export const HEARTBEAT_SLICES = 16;

export class Heartbeat<T> {
  private readonly slices: Set<T>[] = Array.from({ length: HEARTBEAT_SLICES }, () => new Set<T>());
  private readonly sliceOf = new Map<T, Set<T>>();
  private dealt = 0;
  private tick = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(periodMs: number, beat: (member: T) => void) {
    this.timer = setInterval(() => {
      for (const member of this.slices[this.tick++ % HEARTBEAT_SLICES]!) beat(member);
    }, periodMs / HEARTBEAT_SLICES);
    this.timer.unref();
  }

  add(member: T): void {
    const slice = this.slices[this.dealt++ % HEARTBEAT_SLICES]!;
    slice.add(member);
    this.sliceOf.set(member, slice);
  }

  delete(member: T): void {
    this.sliceOf.get(member)?.delete(member);
    this.sliceOf.delete(member);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
