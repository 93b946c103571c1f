import pg from 'pg';

/**
 * A connection whose statement got no answer within the pool's bound is taken for dead and closed.
 *
 * pg's query_timeout only rejects the statement: the connection stays busy with it (pg does not cancel
 * a statement already sent), so whatever is queued behind it on that client — the ROLLBACK of
 * tx.ts, graphile-worker's next statement — waits for the same answer that will never come. Measured
 * in the chaos suite (Postgres silently dropping 5 s): turns whose statement was in flight when the
 * link froze hung for the whole 65 s bound, their replies never posted within the run. Destroying the
 * socket fails what is queued at once, and the pool drops the client on its release with the error.
 */
export class DeadLinkAwareClient extends pg.Client {
  /** Called once when this connection is found dead (the pool drops its idle ones then, connection.ts). */
  onDeadLink: (() => void) | null = null;
  private dead = false;

  // pg's query() has many overloads; the wrapper passes each through unchanged and only watches the outcome.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (error: Error | null, result: unknown) => {
        this.check(error);
        (last as (e: Error | null, r: unknown) => void)(error, result);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) result.catch((error: unknown) => this.check(error));
    return result as never;
  }

  private check(error: unknown): void {
    if (this.dead || !isQueryTimeout(error)) return;
    this.dead = true;
    (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    this.onDeadLink?.();
  }
}

/** Whether `error` is pg's client-side query timeout (query_timeout): the connection is suspect. */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/** Errors after which the connection is gone: a bound that expired, or the link closed under the statement. */
export function isLinkLost(error: unknown): boolean {
  if (isQueryTimeout(error)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error/.test(message);
}
