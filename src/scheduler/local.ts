import { conversationKeyString, logKey, type ConversationKey } from '../domain/conversation.js';
import type { Logger } from '../logger.js';
import type { TurnQueue } from '../store/store.js';
import { TurnAdmission } from './admission.js';
import type { Scheduler, SchedulerOptions, Work } from './scheduler.js';
import { errorForLog } from '../util/error-for-log.js';

/**
 * The embedded scheduler (one process, SQLite). The store holds the truth (which conversations have
 * work and when it is due); this keeps a timer per conversation, runs at most one turn per
 * conversation at a time and at most what turn admission allows in all (MAX_CONCURRENT_TURNS, less
 * while the event loop is saturated: admission.ts), ready conversations in the order they became due. At start it re-reads every due conversation, so work accepted before a crash resumes.
 */
export class LocalScheduler implements Scheduler {
  private readonly timers = new Map<string, { dueAt: number; timer: NodeJS.Timeout }>();
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  /** Conversations notified while running: look again when the current turn ends. */
  private readonly again = new Set<string>();
  private readonly keys = new Map<string, ConversationKey>();
  private readonly abort = new AbortController();
  private stopped = false;

  private readonly store: Pick<TurnQueue, 'listDue'>;
  private readonly work: Work;
  private readonly maxConcurrent: number;
  private readonly admission: TurnAdmission;
  private readonly log: Logger;

  constructor(opts: SchedulerOptions & { store: Pick<TurnQueue, 'listDue'>; log: Logger }) {
    this.store = opts.store;
    this.work = opts.work;
    this.maxConcurrent = opts.concurrency;
    this.admission = opts.admission ?? new TurnAdmission({ max: opts.concurrency });
    this.log = opts.log;
    this.admission.onFree(() => this.pump());
  }

  async start(): Promise<void> {
    const due = await this.store.listDue();
    if (due.length > 0) this.log.info({ conversations: due.length }, 'resuming work stored before the last stop');
    for (const d of due) this.notify(d.key, d.dueAt);
  }

  notify(key: ConversationKey, dueAt: number): void {
    if (this.stopped) return; // stored durably; the next process picks it up
    const id = conversationKeyString(key);
    this.keys.set(id, key);
    if (this.running.has(id)) {
      this.again.add(id);
      return;
    }
    if (this.readySet.has(id)) return;
    const existing = this.timers.get(id);
    if (existing) {
      if (existing.dueAt === dueAt) return;
      clearTimeout(existing.timer);
    }
    const delay = dueAt - Date.now();
    if (delay <= 0) {
      // Due now (DEBOUNCE_MS=0, a follow-up turn): after this loop turn, so the webhook that stored it
      // is answered first, but without the timer's 1 ms minimum.
      if (existing) this.timers.delete(id);
      setImmediate(() => this.markReady(id));
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.markReady(id);
    }, delay);
    this.timers.set(id, { dueAt, timer });
  }

  private markReady(id: string): void {
    if (this.stopped || this.readySet.has(id) || this.running.has(id)) return;
    this.readySet.add(id);
    this.ready.push(id);
    this.pump();
  }

  private pump(): void {
    // Two limits: MAX_CONCURRENT_TURNS for all turns (those waiting on Hermes too), admission for those using the loop.
    while (!this.stopped && this.ready.length > 0 && this.running.size < this.maxConcurrent && this.admission.tryAcquire()) {
      const id = this.ready.shift()!;
      this.readySet.delete(id);
      const key = this.keys.get(id)!;
      this.running.set(id, this.runOne(id, key));
    }
  }

  private async runOne(id: string, key: ConversationKey): Promise<void> {
    let next: number | null = null;
    try {
      next = (await this.work(key, this.abort.signal)).nextDueAt;
    } catch (error) {
      // A store failure mid-turn: the work is still recorded; try again shortly rather than drop it.
      this.log.error({ ...logKey(key), err: errorForLog(error) }, 'conversation work failed; retrying in 5 s');
      next = Date.now() + 5000;
    } finally {
      this.running.delete(id);
      this.admission.release();
    }
    const again = this.again.delete(id);
    if (!this.stopped) {
      if (next !== null) this.notify(key, next);
      else if (again) this.notify(key, Date.now());
      else this.keys.delete(id);
    }
    this.pump();
  }

  async drain(graceMs: number): Promise<void> {
    this.stopped = true;
    this.admission.close();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.readySet.clear();
    if (this.running.size === 0) return;
    const all = Promise.allSettled([...this.running.values()]);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([all, timeout])) === 'timeout') {
      this.log.warn({ running: this.running.size }, 'drain grace over: aborting in-flight turns, they resume in the next process');
      this.abort.abort();
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    }
  }

  stats(): { running: number; waiting: number; scheduled: number } {
    return { running: this.running.size, waiting: this.ready.length, scheduled: this.timers.size };
  }
}
