import type { Logger } from '../logger.js';
import type { SslSetting } from './postgres/connection.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export interface StoreConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Postgres only: connections per process (default 10). */
  poolMax?: number;
  /** Postgres only: TLS (default auto). */
  ssl?: SslSetting;
}

/**
 * Picks the store: Postgres when DATABASE_URL is set (many instances), else the embedded SQLite file.
 * Opening migrates: both stores bring their schema up to date, Postgres also graphile-worker's, so
 * `openStore` then `close()` is all a `release:` phase needs.
 *
 * The Postgres store (pg, graphile-worker) is loaded only when it is used: on the embedded store
 * those modules would be resident memory for nothing (~10 MiB of a 512 MB dyno).
 */
export async function openStore(config: StoreConfig, log: Logger): Promise<Store> {
  if (config.databaseUrl) {
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(
      { connectionString: config.databaseUrl, ...(config.poolMax !== undefined ? { poolMax: config.poolMax } : {}), ...(config.ssl ? { ssl: config.ssl } : {}) },
      log,
    );
  }
  const store = SqliteStore.open(config.dataDir);
  log.info({ store: 'sqlite', dataDir: config.dataDir }, 'store opened');
  return store;
}
