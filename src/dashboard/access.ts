import type { Store } from '../store/store.js';
import { keyMatches } from './key.js';
import { RateLimiter } from './rate-limit.js';

/** Wrong keys per client address per window before it is refused outright (429). */
export const FAILED_KEYS = { max: 10, windowMs: 5 * 60_000 };
/** Requests per client address per minute: a panel polls every 3 s (20 a minute); room for an office behind one address. */
export const REQUESTS = { max: 300, windowMs: 60_000 };
/** Button presses per account per minute. */
export const ACTIONS = { max: 30, windowMs: 60_000 };
/** How long a key digest read from the store is reused: a rotated key stops working within this. */
const KEY_CACHE_MS = 5000;

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 429; retryAfterS?: number };

/**
 * Who may use the panel's API: the holder of an account's key, for that account only, at a bounded
 * rate. The key is checked against the store's digest in constant time (key.ts).
 */
export class PanelAccess {
  private readonly failed = new RateLimiter(FAILED_KEYS);
  private readonly requests = new RateLimiter(REQUESTS);
  private readonly actions = new RateLimiter(ACTIONS);
  private readonly digests = new Map<number, { hash: string | null; at: number }>();

  constructor(private readonly store: Pick<Store, 'getDashboardKeyHash'>) {}

  async check(req: { client: string; accountId: number; key: string | undefined; action: boolean; now?: number }): Promise<AccessVerdict> {
    const now = req.now ?? Date.now();
    const { client } = req;
    if (!this.requests.take(client, now)) return { ok: false, status: 429, retryAfterS: this.requests.retryAfterS(client, now) };
    // A client over its wrong-key budget is not even checked, so it cannot go on guessing.
    if (this.failedTooOften(client, now)) return { ok: false, status: 429, retryAfterS: this.failed.retryAfterS(client, now) };
    const hash = await this.digest(req.accountId, now);
    if (hash === null || req.key === undefined || !keyMatches(req.key, hash)) {
      this.failed.take(client, now);
      return { ok: false, status: 401 };
    }
    if (req.action && !this.actions.take(String(req.accountId), now)) return { ok: false, status: 429, retryAfterS: this.actions.retryAfterS(String(req.accountId), now) };
    return { ok: true };
  }

  private failedTooOften(client: string, now: number): boolean {
    // Peek: count a failure only when one happens.
    return this.failed.count(client, now) >= FAILED_KEYS.max;
  }

  private async digest(accountId: number, now: number): Promise<string | null> {
    const cached = this.digests.get(accountId);
    if (cached && now - cached.at < KEY_CACHE_MS) return cached.hash;
    const hash = await this.store.getDashboardKeyHash(accountId);
    if (this.digests.size > 1000) this.digests.clear();
    this.digests.set(accountId, { hash, at: now });
    return hash;
  }
}
