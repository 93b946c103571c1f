import type { Scheduler, SchedulerOptions } from '../scheduler/scheduler.js';
import type { SslSetting } from '../store/postgres/connection.js';
import type { Store } from '../store/store.js';

export interface StoreConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Postgres only: connections per process (default 10). */
  poolMax?: number;
  /** Postgres only: TLS (default auto). */
  ssl?: SslSetting;
}

/**
 * Where the bot's work lives and who runs it, chosen together once: the embedded SQLite store with
 * the in-process scheduler, or the Postgres store with graphile-worker (many instances). The backend
 * owns what both share (Postgres: the pool) and closes it in order: `store.close()` stops the
 * scheduler before the connections go.
 */
export interface Backend {
  readonly store: Store;
  /** The scheduler that belongs with this store. Built once, by the composition root (it needs the turn's work). */
  createScheduler(opts: SchedulerOptions): Scheduler;
}
