import type { Config } from '../config/index.js';
import type { ConversationKey } from '../chatwoot/events.js';
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

/** The embedded store gets the in-process scheduler. */
export async function createScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  return new LocalScheduler(deps.store, deps.work, deps.config.turns.maxConcurrent, deps.log);
}
