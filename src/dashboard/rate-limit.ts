/**
 * Fixed-window request counting per client, in this process's memory: enough to stop a key being
 * guessed or the panel API being used as a firehose (each poll costs a store read). With several
 * instances each counts its own share, which only loosens the limit by the number of instances.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: { max: number; windowMs: number }) {}

  /** Counts one request of `client`; false when it is over the limit in the current window. */
  take(client: string, now = Date.now()): boolean {
    let w = this.windows.get(client);
    if (!w || now - w.start >= this.limit.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(client, w);
    }
    w.count++;
    return w.count <= this.limit.max;
  }

  /** Requests of `client` counted in its current window (0 when it has none). */
  count(client: string, now = Date.now()): number {
    const w = this.windows.get(client);
    return w && now - w.start < this.limit.windowMs ? w.count : 0;
  }

  /** Seconds until `client`'s window ends (for Retry-After). */
  retryAfterS(client: string, now = Date.now()): number {
    const w = this.windows.get(client);
    return w ? Math.max(1, Math.ceil((w.start + this.limit.windowMs - now) / 1000)) : 1;
  }

  private sweep(now: number): void {
    for (const [client, w] of this.windows) if (now - w.start >= this.limit.windowMs) this.windows.delete(client);
  }
}
