/**
 * Idempotency-Key handling of non-streaming chat completions (hermes.md §6): an in-memory cache keyed by
 * key + body fingerprint, TTL 300 s, 1000 entries. A request equal to one in flight waits for it instead
 * of running the agent twice. Only successful answers are kept, so a retry after a failure runs again.
 */
import { createHash } from 'node:crypto';

const MAX_ENTRIES = 1000;

export function fingerprint(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

/** JSON with sorted object keys, so key order does not change the fingerprint. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class IdempotencyCache<T> {
  private readonly done = new Map<string, { expires: number; value: T }>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(private readonly ttlMs: number) {}

  /**
   * The cached or in-flight answer for key + fingerprint (replayed: true), else run `compute` and keep
   * its result when `keep(result)`.
   */
  async run(key: string, fp: string, compute: () => Promise<T>, keep: (value: T) => boolean): Promise<{ value: T; replayed: boolean }> {
    const id = `${key}\u0000${fp}`;
    const hit = this.done.get(id);
    if (hit && hit.expires > Date.now()) return { value: hit.value, replayed: true };
    if (hit) this.done.delete(id);
    const pending = this.inFlight.get(id);
    if (pending) return { value: await pending, replayed: true };

    const promise = compute();
    this.inFlight.set(id, promise);
    try {
      const value = await promise;
      if (keep(value)) {
        if (this.done.size >= MAX_ENTRIES) this.done.delete(this.done.keys().next().value!);
        this.done.set(id, { expires: Date.now() + this.ttlMs, value });
      }
      return { value, replayed: false };
    } finally {
      this.inFlight.delete(id);
    }
  }
}
