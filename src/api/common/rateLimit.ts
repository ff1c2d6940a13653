// Per-account request budget in one-second windows. TaskRouter returns X-Rate-Limit-Limit/-Remaining/-Config
// on every endpoint and 429 (code 20429) past the limit; clients such as twilio-node retry on 429.
export interface RateLimitState {
  limit: number;
  remaining: number;
  exceeded: boolean;
}

export class RateLimiter {
  private readonly windows = new Map<string, { second: number; used: number }>();
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  take(key: string, nowMs: number): RateLimitState {
    const second = Math.floor(nowMs / 1000);
    let w = this.windows.get(key);
    if (!w || w.second !== second) {
      if (this.windows.size > 10_000) this.windows.clear(); // bound memory: old windows are worthless
      w = { second, used: 0 };
      this.windows.set(key, w);
    }
    w.used++;
    return { limit: this.limit, remaining: Math.max(0, this.limit - w.used), exceeded: w.used > this.limit };
  }

  /** A request `take` counted at `nowMs` was served by another node of the cluster, which counted it there (a
   *  request for a workspace that node routes): it no longer counts here, so each request counts once, where it
   *  is served. */
  giveBack(key: string, nowMs: number): void {
    const w = this.windows.get(key);
    if (w && w.second === Math.floor(nowMs / 1000) && w.used > 0) w.used--;
  }
}
