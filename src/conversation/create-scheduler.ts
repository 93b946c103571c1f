import type { Config } from '../config/index.js';
import type { ConversationKey } from '../domain/conversation.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { LocalScheduler, type Scheduler } from './scheduler.js';

export interface SchedulerDeps {
  store: Store;
  /** Works one conversation until nothing is due (conversation/worker.ts). */
  work: (key: ConversationKey, signal: AbortSignal) => Promise<{ nextDueAt: number | null }>;
  config: Config;
  log: Logger;
}

/**
 * The embedded store gets the in-process scheduler; Postgres gets graphile-worker, shared by every
 * instance on the database. MAX_CONCURRENT_TURNS is per process in both. graphile-worker is loaded
 * only for Postgres (see openStore).
 */
export async function createScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  if (deps.store.kind === 'postgres') {
    const [{ PostgresStore }, { PgScheduler }] = await Promise.all([import('../store/postgres.js'), import('./pg-scheduler.js')]);
    if (deps.store instanceof PostgresStore) return new PgScheduler(deps.store, deps.work, deps.config.turns.maxConcurrent, deps.log);
  }
  return new LocalScheduler(deps.store, deps.work, deps.config.turns.maxConcurrent, deps.log);
}
