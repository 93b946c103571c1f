import type { Logger } from '../../logger.js';
import type { WorkerRegistry } from './worker-registry.js';

/**
 * One instance's side of the worker registry, run every heartbeat: refresh our workers' heartbeat,
 * then free the jobs of dead workers (worker-registry.ts says who is dead).
 *
 * Two guards against taking a live instance for dead:
 * - we judge others only after `quickMs` of unbroken contact with the database ourselves, so after an
 *   outage (a failover drops every session) the live instances have time to reconnect and heartbeat;
 * - if our own registrations are gone, someone took us for dead and our jobs may already run
 *   elsewhere: `onFenced` aborts what we run, so a turn is not worked twice at once.
 */
export class WorkerLiveness {
  private healthySince: number | null = null;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly timings: { quickMs: number; staleMs: number },
    private readonly log: Logger,
    private readonly hooks: { workerIds(): string[]; onFenced(workerIds: string[]): void; onRecovered(): void },
  ) {}

  async round(): Promise<void> {
    const now = Date.now();
    try {
      const missing = await this.registry.heartbeat(this.hooks.workerIds());
      this.healthySince ??= now;
      if (missing.length > 0) this.hooks.onFenced(missing);
    } catch (error) {
      if (this.healthySince !== null) this.log.warn({ err: String(error) }, 'job-queue heartbeat failed (database unreachable?)');
      this.healthySince = null;
      return;
    }
    if (now - this.healthySince < this.timings.quickMs) return;
    try {
      const dead = await this.registry.sweep(this.timings.quickMs, this.timings.staleMs);
      const orphans = await this.registry.unlockOrphanQueues(this.timings.staleMs);
      if (dead.length > 0 || orphans > 0) {
        this.log.warn({ workers: dead, orphanQueues: orphans }, 'released the jobs of dead job-queue workers (instance killed or unreachable)');
        this.hooks.onRecovered();
      }
    } catch (error) {
      this.log.warn({ err: String(error) }, 'job-queue upkeep failed: recover dead workers');
    }
  }
}
