import type pg from 'pg';
import { isLinkLost } from './dead-link.js';

/** Deadlock and serialization failures: the transaction was rolled back whole, so running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

export interface TransactionOptions {
  /**
   * The bound of each statement, for a transaction that may run long (housekeeping, an import):
   * instead of its pool's, which is sized for statements of milliseconds (connection.ts).
   */
  queryTimeoutMs?: number;
}

/**
 * Runs `fn` in one transaction on one pooled connection (BEGIN … COMMIT, ROLLBACK on error).
 * A connection whose ROLLBACK failed is destroyed instead of going back to the pool.
 *
 * A transaction whose connection was lost before COMMIT was sent (a dead link: dead-link.ts, or a
 * database that restarted) did not commit, so it runs again once on a fresh connection: the chaos
 * suite's outages otherwise cost a turn a job retry with backoff for a statement that never arrived.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  let relinked = false;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    const params = (client as unknown as { connectionParameters: { query_timeout?: number } }).connectionParameters;
    const bound = params.query_timeout;
    if (opts.queryTimeoutMs !== undefined) params.query_timeout = opts.queryTimeoutMs;
    let broken: Error | undefined;
    let committing = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      if (!committing && !relinked && isLinkLost(error)) {
        relinked = true;
        broken ??= error as Error;
        attempt--;
        continue;
      }
      if (attempt < ATTEMPTS && isRetryable(error)) continue;
      throw error;
    } finally {
      params.query_timeout = bound;
      client.release(broken);
    }
  }
}

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}
