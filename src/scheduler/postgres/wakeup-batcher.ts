import type { Logger } from '../../logger.js';
import { queueNameFor } from './queue-name.js';
import type { WakeRequest } from './wakeup.js';

type Flush = (requests: WakeRequest[]) => Promise<number>;

const MAX_RETRY_MS = 30_000;

/**
 * Gathers wake-up requests and queues them in one transaction (one NOTIFY for the batch): webhooks
 * of many conversations arriving together cost one queue write, not one each. A batch is what arrived
 * in one turn of the event loop plus whatever arrived while the previous batch was being written;
 * waiting longer on purpose (it was 5 ms) only delayed every turn's start by as much.
 * Several requests for one conversation merge; an explicit time wins over "the stored due time" and
 * the earlier of two explicit times wins (an early wake-up only makes the worker look and wait).
 *
 * A failed batch is retried with backoff. Nothing is lost if the process dies first: the store's
 * due_at is the durable record and the scheduler's recovery sweep re-queues it (wakeup.ts findUnwoken).
 */
export class WakeupBatcher {
  private pending = new Map<string, { request: WakeRequest; waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> }>();
  /** Cancels the scheduled flush (a timer while backing off, else an immediate). */
  private cancelScheduled: (() => void) | null = null;
  private flushing: Promise<void> | null = null;
  private retryMs = 0;
  private closed = false;

  constructor(
    private readonly flush: Flush,
    private readonly log: Logger,
  ) {}

  /** Resolves once the request's batch is committed; rejects if that batch failed (it is retried regardless). */
  wake(request: WakeRequest): Promise<void> {
    if (this.closed) return Promise.reject(new Error('wake-up queue closed (shutting down); the store keeps the work for the next process'));
    return new Promise((resolve, reject) => {
      const name = queueNameFor(request.key);
      const entry = this.pending.get(name);
      if (entry) {
        entry.request = merge(entry.request, request);
        entry.waiters.push({ resolve, reject });
      } else {
        this.pending.set(name, { request, waiters: [{ resolve, reject }] });
      }
      this.schedule(0);
    });
  }

  /** Queues what is pending now and stops; later requests are refused (the store still holds them). */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    await this.flushing;
    if (this.pending.size > 0) await this.run();
  }

  /**
   * Without a retry to wait for: after this loop turn's I/O (setImmediate), so every request made in it
   * joins the batch; setTimeout(0) would wait at least a millisecond more, on every turn's way to its start.
   */
  private schedule(retryMs: number): void {
    if (this.closed || this.cancelScheduled || this.flushing) return;
    const fire = () => {
      this.cancelScheduled = null;
      void this.run();
    };
    if (retryMs <= 0) {
      const immediate = setImmediate(fire);
      this.cancelScheduled = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(fire, retryMs);
      timer.unref();
      this.cancelScheduled = () => clearTimeout(timer);
    }
  }

  private run(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      const requests = [...batch.values()].map((e) => e.request);
      try {
        await this.flush(requests);
        this.retryMs = 0;
        for (const e of batch.values()) for (const w of e.waiters) w.resolve();
      } catch (error) {
        this.retryMs = Math.min(MAX_RETRY_MS, Math.max(500, this.retryMs * 2));
        this.log.warn({ err: String(error), conversations: requests.length, retryInMs: this.retryMs }, 'could not queue conversation wake-ups; retrying');
        for (const e of batch.values()) for (const w of e.waiters) w.reject(error);
        // Back into the queue (without the waiters, who were told): merged with anything newer.
        for (const [name, e] of batch) {
          const newer = this.pending.get(name);
          this.pending.set(name, newer ? { request: merge(e.request, newer.request), waiters: newer.waiters } : { request: e.request, waiters: [] });
        }
      } finally {
        this.flushing = null;
      }
      if (this.pending.size > 0) this.schedule(this.retryMs);
    })();
    return this.flushing;
  }
}

function merge(a: WakeRequest, b: WakeRequest): WakeRequest {
  if (a.runAt === undefined) return b.runAt === undefined ? a : b;
  if (b.runAt === undefined) return a;
  return a.runAt <= b.runAt ? a : b;
}
