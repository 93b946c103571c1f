import type { WorkerEvents } from 'graphile-worker';
import type { Logger } from '../../logger.js';
import type { WorkerRegistry } from './worker-registry.js';

/**
 * Jobs a worker locked without learning it. graphile-worker's getJob locks a job in one statement; when
 * the database goes out of reach while it runs (a silent drop: the statement reached Postgres, its
 * answer did not come back), the worker sees an error and looks for another job, while the one it
 * locked stays locked by a live worker — whose heartbeat keeps the registry from freeing it
 * (worker-registry.ts) — for graphile-worker's 4 hours: a customer's message left unanswered. So each
 * failed getJob is remembered, and once the database answers again what that worker locked before the
 * failure is unlocked (WorkerRegistry.releaseUnreceived), for any worker to take.
 */
export class UnreceivedJobs {
  /** Per worker, the time of its last failed getJob (Node's clock). */
  private readonly pending = new Map<string, number>();

  constructor(
    events: WorkerEvents,
    private readonly registry: WorkerRegistry,
    private readonly log: Logger,
  ) {
    events.on('worker:getJob:error', ({ worker }) => this.pending.set(worker.workerId, Date.now()));
  }

  /** Unlocks them and returns how many; throws (and keeps them for the next call) while the database is out of reach. */
  async release(): Promise<number> {
    if (this.pending.size === 0) return 0;
    const claims = [...this.pending].map(([workerId, before]) => ({ workerId, before }));
    const jobs = await this.registry.releaseUnreceived(claims);
    for (const { workerId, before } of claims) if (this.pending.get(workerId) === before) this.pending.delete(workerId);
    if (jobs > 0) this.log.warn({ jobs, workers: claims.length }, 'released jobs locked by a job fetch whose answer was lost (database unreachable)');
    return jobs;
  }
}
