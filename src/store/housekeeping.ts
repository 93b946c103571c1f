import type { Logger } from '../logger.js';
import type { ErasedCounts } from '../domain/privacy.js';
import type { Store } from './store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Chatwoot retries a delivery within seconds; a week of delivery ids is generous. */
export const KEEP_DELIVERIES_MS = 7 * DAY_MS;

export interface PruneResult {
  deliveries: number;
  /** What retention erased (RETENTION_DAYS). */
  erased: ErasedCounts;
}

/**
 * The prune cycle (bot.ts runs it every 6 hours): old delivery ids go, and the texts stored more than
 * `retentionDays` ago are erased (store.ts PrivacyStore.eraseTextsBefore). Logs counts only.
 */
export async function pruneStore(store: Pick<Store, 'prune' | 'eraseTextsBefore'>, opts: { now: number; retentionDays: number; log: Logger }): Promise<PruneResult> {
  const deliveries = await store.prune(opts.now - KEEP_DELIVERIES_MS);
  const erased = await store.eraseTextsBefore(opts.now - opts.retentionDays * DAY_MS);
  if (Object.values(erased).some((n) => n > 0)) opts.log.info({ retentionDays: opts.retentionDays, ...erased }, 'retention: erased stored texts older than the retention period');
  return { deliveries, erased };
}
