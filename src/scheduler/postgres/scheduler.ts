import { EventEmitter } from 'node:events';
import { makeWorkerUtils, type Runner, type Task, type Worker, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import { logKey, type ConversationKey } from '../../domain/conversation.js';
import type { Logger } from '../../logger.js';
import { AdmissionClosedError, TurnAdmission } from '../admission.js';
import type { Scheduler, SchedulerOptions, Work } from '../scheduler.js';
import type { QueueConnection } from './connection.js';
import { graphileLogger } from './graphile-logger.js';
import { delay, every, type Loop } from './loop.js';
import { Nudges } from './nudges.js';
import { collectIdleQueues } from './queue-gc.js';
import { keyFromPayload } from './queue-name.js';
import { countQueuedJobs } from './queue-stats.js';
import { startRunner } from './runner.js';
import { DEFAULT_TIMINGS, type PgSchedulerTimings } from './timings.js';
import { WakeupBatcher } from './wakeup-batcher.js';
import { addWakeups, findUnwoken } from './wakeup.js';
import { UnreceivedJobs } from './unreceived.js';
import { WorkerLiveness } from './worker-liveness.js';
import { WorkerRegistry } from './worker-registry.js';
import { errorForLog } from '../../util/error-for-log.js';

/**
 * The scheduler for many instances (Postgres): graphile-worker runs the turns, the store stays the
 * truth about what is due. Per conversation, its named queue gives single flight and order across
 * instances, its job key the debounce (queue-name.ts). On top of the library:
 * - wake-ups are queued after `accept` by a batcher (not in accept's transaction, see store/postgres.ts),
 *   and a sweep re-queues anything due that no job covers — a crash cannot strand work;
 * - a local timer nudges an idle local worker at the due time, so a debounced turn starts on time
 *   rather than at graphile-worker's next poll;
 * - a worker registry with heartbeats frees a dead instance's jobs within seconds, not graphile-worker
 *   0.16's four hours (worker-registry.ts, worker-liveness.ts); one taken for dead stops its turns; a
 *   job locked by a fetch whose answer was lost is unlocked once the database answers (unreceived.ts);
 * - the pool is restarted when graphile-worker stops it by itself or loses a worker;
 * - a job's turn starts only when turn admission lets it (admission.ts): while the event loop is
 *   saturated the job waits, its lock held, so webhooks are acknowledged first.
 * A job that throws is retried by graphile-worker with exponential backoff; re-running a turn is safe
 * (takeTurn resumes it with attempt + 1, the outbox never posts a part twice).
 */
export class PgScheduler implements Scheduler {
  private readonly timings: PgSchedulerTimings;
  private readonly registry: WorkerRegistry;
  private readonly liveness: WorkerLiveness;
  private readonly batcher: WakeupBatcher;
  private readonly unreceived: UnreceivedJobs;
  private readonly events = new EventEmitter() as WorkerEvents;
  private readonly workers = new Map<string, Worker>();
  /** Workers that failed inside the pool (graphile-worker drops them; their job stays locked). */
  private readonly lostWorkers = new Set<string>();
  private readonly nudges: Nudges;
  private runner: Runner | null = null;
  private utils: WorkerUtils | null = null;
  private abort = new AbortController();
  private running = 0;
  private counts = { waiting: 0, scheduled: 0 };
  private lastReconcile = 0;
  private lastGc = Date.now();
  private readonly loops: Loop[] = [];
  private replacing = false;
  private stopped = false;
  private starting = false;
  private readonly queue: QueueConnection;
  private readonly work: Work;
  private readonly concurrency: number;
  private readonly admission: TurnAdmission;
  private readonly log: Logger;

  constructor(opts: SchedulerOptions & { queue: QueueConnection; log: Logger; timings?: Partial<PgSchedulerTimings> }) {
    const { queue, log } = opts;
    this.queue = queue;
    this.work = opts.work;
    this.concurrency = opts.concurrency;
    this.admission = opts.admission ?? new TurnAdmission({ max: opts.concurrency });
    this.log = log;
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
    this.registry = new WorkerRegistry(queue.pool, queue.workerSchema, queue.instanceId);
    this.liveness = new WorkerLiveness(this.registry, this.timings, log, {
      workerIds: () => [...this.workers.keys()],
      onFenced: (ids) => this.fence(ids),
      onRecovered: () => this.nudgeOne(),
    });
    this.batcher = new WakeupBatcher((requests) => addWakeups(queue.pool, queue.workerSchema, requests), log);
    this.nudges = new Nudges(() => this.nudgeOne());
    this.unreceived = new UnreceivedJobs(this.events, this.registry, log);
    this.events.on('worker:create', ({ worker }) => this.workers.set(worker.workerId, worker));
    this.events.on('worker:stop', ({ worker }) => this.workers.delete(worker.workerId));
    this.events.on('worker:fatalError', ({ worker, error }) => {
      this.lostWorkers.add(worker.workerId);
      log.error({ worker: worker.workerId, err: String(error) }, 'job-queue worker failed to record a job result; its job is released and the worker replaced');
    });
    this.events.on('job:error', ({ job, error }) => {
      if (error instanceof AdmissionClosedError) {
        log.debug({ ...payloadKey(job.payload) }, 'turn not started before the drain; its job is retried');
        return;
      }
      log.warn({ ...payloadKey(job.payload), attempt: job.attempts, maxAttempts: job.max_attempts, err: errorForLog(error) }, 'conversation work failed; graphile-worker retries it with backoff');
    });
  }

  async start(): Promise<void> {
    const { pool, workerSchema } = this.queue;
    this.utils = await makeWorkerUtils({ pgPool: pool, schema: workerSchema, logger: graphileLogger(this.log) });
    await this.ensureRunner();
    if (!this.runner) throw new Error('the job queue (graphile-worker) could not start; see the log above');
    await this.reconcile();
    // Two loops, so slow upkeep (a large reconcile or GC) can never delay the heartbeat.
    this.loops.push(every(this.timings.heartbeatMs, () => this.liveness.round()), every(this.timings.heartbeatMs, () => this.upkeep()));
    this.log.info({ instance: this.queue.instanceId, concurrency: this.concurrency, queueSchema: workerSchema }, 'job queue started (graphile-worker)');
  }

  notify(key: ConversationKey, dueAt: number): void {
    if (this.stopped) return; // stored durably; another instance (or the next process) picks it up
    this.batcher.wake({ key }).catch(() => undefined); // failures are logged and retried by the batcher
    this.nudges.at(key, dueAt);
  }

  async drain(graceMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.nudges.clear();
    // Jobs still waiting for admission give up now (retried elsewhere), so the graceful stop waits only for running turns.
    this.admission.close();
    await Promise.all(this.loops.map((loop) => loop.stop()));
    const runner = this.runner;
    this.runner = null;
    let finished = true;
    if (runner) {
      // Graceful: workers take no new job; the ones in hand finish, or stop early when aborted.
      const stopping = runner.stop().then(() => 'stopped' as const);
      if ((await Promise.race([stopping, delay(graceMs, 'timeout' as const)])) === 'timeout') {
        this.log.warn({ running: this.running }, 'drain grace over: aborting in-flight turns, they resume on another instance');
        this.abort.abort();
        finished = (await Promise.race([stopping, delay(5000, 'timeout' as const)])) === 'stopped';
      }
    }
    await this.batcher.close();
    // Our workers are gone: whatever they still held is released for the others right away.
    await this.registry.release([...this.workers.keys(), ...this.lostWorkers]).catch((error) => {
      this.log.warn({ err: String(error), finished }, 'could not release job locks; other instances free them after the heartbeat timeout');
    });
    const utils = this.utils;
    this.utils = null;
    await utils?.release();
  }

  stats(): { running: number; waiting: number; scheduled: number } {
    return { running: this.running, ...this.counts };
  }

  /** Starts the worker pool if it is not running (at start, after it stopped by itself, or lost workers). */
  private async ensureRunner(): Promise<void> {
    if (this.stopped || this.runner || this.starting) return;
    this.starting = true;
    try {
      const runner = await startRunner({
        queue: this.queue,
        concurrency: this.concurrency,
        pollMs: this.timings.pollMs,
        log: this.log,
        events: this.events,
        turnTask: this.turnTask,
        registry: this.registry,
      });
      if (this.stopped) {
        await runner.stop().catch(() => undefined);
        return;
      }
      this.runner = runner;
      const ended = () => this.onRunnerEnded(runner);
      void runner.promise.then(ended, ended);
    } catch (error) {
      this.log.error({ err: String(error) }, 'the job queue (graphile-worker) could not start; retrying');
    } finally {
      this.starting = false;
    }
  }

  /**
   * graphile-worker stops its pool by itself when a NOTIFY announces a breaking migration (PR #361) —
   * and that channel is shared by every schema of the database, so installing graphile-worker for
   * anything else on it (another app, a test) would leave this instance without workers while it keeps
   * accepting webhooks. Restart: `run()` re-checks our schema and refuses if it is really too new.
   */
  private onRunnerEnded(runner: Runner): void {
    if (this.stopped || this.runner !== runner) return; // we stopped it
    this.runner = null;
    this.log.warn('the job queue stopped by itself (a graphile-worker migration was announced on this database); restarting it');
    setTimeout(() => {
      void this.ensureRunner().then(() => {
        // graphile-worker set exit code 57 ("do not restart me") before stopping; our schema is fine.
        if (this.runner && process.exitCode === 57) process.exitCode = undefined;
      });
    }, 1000).unref();
  }

  private readonly turnTask: Task = async (payload) => {
    const key = keyFromPayload(payload);
    if (!key) {
      this.log.error({ payload }, 'turn job without a conversation; dropped');
      return;
    }
    await this.admission.acquire();
    this.running++;
    try {
      const { nextDueAt } = await this.work(key, this.abort.signal);
      // Before this job completes, so the conversation is never without a job while work waits.
      if (nextDueAt !== null) {
        await this.batcher.wake({ key, runAt: nextDueAt });
        if (!this.stopped) this.nudges.at(key, nextDueAt);
      }
    } finally {
      this.running--;
      this.admission.release();
    }
  };

  private nudgeOne(): void {
    for (const worker of this.workers.values()) {
      try {
        if (worker.nudge()) return;
      } catch {
        // a worker that is shutting down refuses nudges
      }
    }
  }

  /** Every heartbeatMs: keep the pool running, re-queue uncovered work, collect idle queues, count jobs. */
  private async upkeep(): Promise<void> {
    const now = Date.now();
    await this.step('start the job queue', () => this.ensureRunner());
    if (this.lostWorkers.size > 0) {
      await this.step('release lost workers', async () => {
        const lost = [...this.lostWorkers];
        await this.registry.release(lost);
        lost.forEach((id) => this.lostWorkers.delete(id));
        void this.replaceRunner();
      });
    }
    await this.step('release unreceived jobs', async () => void ((await this.unreceived.release()) > 0 && this.nudgeOne()));
    if (now - this.lastReconcile >= this.timings.reconcileMs) await this.step('re-queue uncovered work', () => this.reconcile());
    if (now - this.lastGc >= this.timings.gcEveryMs) {
      this.lastGc = now;
      await this.step('garbage-collect queues', async () => {
        const queues = await collectIdleQueues(this.queue.pool, this.queue.workerSchema, this.timings.gcIdleMs);
        await this.utils?.cleanup({ tasks: ['DELETE_PERMAFAILED_JOBS'] });
        if (queues > 0) this.log.debug({ queues }, 'idle conversation queues removed');
      });
    }
    await this.step('count jobs', async () => void (this.counts = await countQueuedJobs(this.queue.pool, this.queue.workerSchema)));
  }

  /** Re-queues due work that no job covers (crash between accept and its wake-up, exhausted retries, imports). */
  private async reconcile(): Promise<void> {
    this.lastReconcile = Date.now();
    const unwoken = await findUnwoken(this.queue.pool, this.queue.workerSchema);
    if (unwoken.length === 0) return;
    this.log.info({ conversations: unwoken.length }, 're-queueing stored work that had no job (recovery)');
    await Promise.all(unwoken.map((request) => this.batcher.wake(request).catch(() => undefined)));
    this.nudgeOne();
  }

  /** Another instance took us for dead and released our jobs: abort what we run (it is re-run there). */
  private fence(workerIds: string[]): void {
    this.log.error({ workers: workerIds, running: this.running }, 'this instance was taken for dead by another one; aborting its in-flight turns');
    this.abort.abort();
    this.abort = new AbortController();
  }

  /**
   * graphile-worker 0.16 does not replace a worker that died inside the pool: restart the pool. Its
   * graceful stop waits for the other workers' turns, so this runs in the background.
   */
  private async replaceRunner(): Promise<void> {
    if (this.replacing || this.stopped || !this.runner || this.workers.size >= this.concurrency) return;
    this.replacing = true;
    try {
      const old = this.runner;
      this.runner = null;
      await old.stop().catch((error) => this.log.warn({ err: String(error) }, 'stopping the job-queue pool failed'));
      await this.ensureRunner();
    } finally {
      this.replacing = false;
    }
  }

  private async step(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.log.warn({ err: String(error) }, `job-queue upkeep failed: ${what}`);
    }
  }
}

function payloadKey(payload: unknown): Record<string, unknown> {
  const key = keyFromPayload(payload);
  return key ? logKey(key) : {};
}
