import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { openEmbeddedBackend } from './embedded.js';
import type { Backend, StoreConfig } from './types.js';

export type { Backend, StoreConfig } from './types.js';

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
