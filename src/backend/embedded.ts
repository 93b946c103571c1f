import type { Logger } from '../logger.js';
import { LocalScheduler } from '../scheduler/local.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Backend } from './types.js';

/** One process: the SQLite file in `dataDir` and the in-process scheduler that reads its due work. */
export function openEmbeddedBackend(dataDir: string, log: Logger): Backend {
  const store = SqliteStore.open(dataDir);
  log.info({ store: 'sqlite', dataDir }, 'store opened');
  return {
    store,
    createScheduler: (opts) => new LocalScheduler({ ...opts, store, log }),
  };
}
