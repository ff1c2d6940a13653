// One asynchronous pass at a time, woken by events: a wake during a pass asks for exactly one more pass after
// it, however many wakes came. The Workflow face's background loops (the action runner, the event handlers),
// the owner's execution of forwarded requests and the shared log's reader run this way; a pass's failure goes
// to `onError` and the next wake tries again.
export class CoalescedRun {
  private readonly pass: () => Promise<void>;
  private readonly onError: (err: Error) => void;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(pass: () => Promise<void>, onError: (err: Error) => void) {
    this.pass = pass;
    this.onError = onError;
  }

  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err) => this.onError(err as Error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once no pass is running or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
