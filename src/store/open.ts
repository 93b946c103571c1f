import type { Logger } from '../logger.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** Picks the store: Postgres when DATABASE_URL is set (many instances), else the embedded SQLite file. */
export async function openStore(config: { databaseUrl: string | undefined; dataDir: string }, log: Logger): Promise<Store> {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL is set, but the Postgres store is not available in this build yet; unset it to use the embedded store');
  }
  const store = SqliteStore.open(config.dataDir);
  log.info({ store: 'sqlite', dataDir: config.dataDir }, 'store opened');
  return store;
}
