import type { Logger } from '../logger.js';
import type { Scheduler, SchedulerOptions } from '../scheduler/scheduler.js';
import type { SslSetting } from '../store/postgres/connection.js';
import type { Store } from '../store/store.js';
import { openEmbeddedBackend } from './embedded.js';

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

/**
 * Postgres when DATABASE_URL is set (many instances), else the embedded SQLite file. Opening migrates:
 * both stores bring their schema up to date, Postgres also graphile-worker's, so opening then
 * `store.close()` is all a `release:` phase needs.
 *
 * The Postgres side (pg, graphile-worker) is loaded only when it is used: on the embedded store
 * those modules would be resident memory for nothing (~10 MiB of a 512 MB dyno).
 */
export async function openBackend(config: StoreConfig, log: Logger): Promise<Backend> {
  if (config.databaseUrl) {
    const { openPostgresBackend } = await import('./postgres.js');
    return openPostgresBackend(
      { connectionString: config.databaseUrl, ...(config.poolMax !== undefined ? { poolMax: config.poolMax } : {}), ...(config.ssl ? { ssl: config.ssl } : {}) },
      log,
    );
  }
  return openEmbeddedBackend(config.dataDir, log);
}

/** The store alone (the CLI, a release phase): no scheduler is built, `close()` ends the connection. */
export async function openStore(config: StoreConfig, log: Logger): Promise<Store> {
  return (await openBackend(config, log)).store;
}
