/**
 * Turn admission: how many turns this process may run at once *right now*, between 1 and
 * MAX_CONCURRENT_TURNS, so that webhooks are acknowledged before turn work (issue 13).
 *
 * Why: the process has one event loop. An ack is a few hundred microseconds of it; a turn, once its
 * Hermes answer is in, a few milliseconds of reading, planning and posting. With a fast Hermes and a
 * burst of messages, 64 turns at once keep the loop busy all the time and each webhook waits behind
 * them: measured on main at 500 webhooks/s with MAX_CONCURRENT_TURNS=64 (bench `mixed`), ack p50 8.7 s,
 * p99 18.8 s (shared machine) — past Chatwoot's 5 s. A small fixed limit fixes that but starves a slow
 * Hermes (2 s per turn, 100 at once: the loop is idle, the limit is the throughput). So the limit
 * follows the loop: while it is saturated, fewer turns start (they wait, durably, in the store or in
 * their job); while it has room, the limit climbs back to the maximum within about two seconds.
 *
 * Control law, one step every INTERVAL_MS from a load sample (loop-load.ts; tests give their own):
 * - hot (loop busy > HOT_UTILIZATION of the interval, or a timer late by > HOT_DELAY_MS): the limit
 *   halves, from the turns actually running when that is lower (a cut that does not bite is no cut);
 * - cool (busy < COOL_UTILIZATION and late by < COOL_DELAY_MS): it grows by a quarter (at least 1);
 * - in between: it holds, so the limit settles instead of oscillating around one threshold.
 * Turns already running are never stopped: the limit only decides when the next one starts, and
 * when a turn whose Hermes answer came in goes on (a turn waiting on Hermes holds no slot: outside()).
 * So the limit counts turns that use the loop; MAX_CONCURRENT_TURNS still bounds all of them.
 */
import type { LoadSample, LoadSource } from './loop-load.js';

/** 100 ms: short enough that a burst is answered within a few of Chatwoot's deliveries, long enough for ~10 delay samples at 10 ms resolution. */
export const INTERVAL_MS = 100;
/**
 * Loop busy more than 90 % of an interval: requests queue in the socket buffers faster than they are
 * read. The ack path alone at 500/s, plus Chatwoot's echo of up to one reply per message, keeps the
 * loop about a third busy at most (README Performance: 0.20–0.27 ms of app CPU per webhook on SQLite),
 * so the rest of 90 % is turn work, and cutting it is what frees the loop.
 */
export const HOT_UTILIZATION = 0.9;
/** A 10 ms timer fired 50 ms late: every webhook arriving now waits as long; five of those are the 250 ms ack target. */
export const HOT_DELAY_MS = 50;
/** Raise only with clear room (busy < 75 %, late < 20 ms): a gap between the thresholds keeps the limit from flapping. */
export const COOL_UTILIZATION = 0.75;
export const COOL_DELAY_MS = 20;
/** ×1.25 per step: from 1 back to 100 in 21 steps (2.1 s) — the fan-out (2 s Hermes) loses at most one turn length. */
export const GROWTH = 1.25;

export interface AdmissionOptions {
  /** MAX_CONCURRENT_TURNS: the limit never exceeds it, and starts there. */
  max: number;
  /** Opens where the load comes from, at start(); none = a fixed limit of `max` (tests of the schedulers, tools). */
  load?: () => LoadSource;
}

export interface AdmissionStats {
  limit: number;
  running: number;
  waiting: number;
  max: number;
}

/** Error a waiting turn gets when the process drains before it was admitted. */
export class AdmissionClosedError extends Error {
  constructor() {
    super('turn not started: this process is draining');
    this.name = 'AdmissionClosedError';
  }
}

export class TurnAdmission {
  readonly max: number;
  private current: number;
  private running = 0;
  private readonly waiters: Array<{ grant: () => void; refuse: (e: Error) => void }> = [];
  /** Turns whose Hermes answer is in, waiting to finish: served before any new turn, never refused. */
  private readonly resuming: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();
  private readonly load: (() => LoadSource) | undefined;
  private source: LoadSource | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: AdmissionOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`max must be a positive integer (got ${opts.max})`);
    this.max = opts.max;
    this.current = opts.max;
    this.load = opts.load;
  }

  /** Starts the control loop (no-op without a load source). */
  start(): void {
    if (!this.load || this.timer || this.closed) return;
    const source = this.load();
    this.source = source;
    this.timer = setInterval(() => this.step(source.sample()), INTERVAL_MS);
    this.timer.unref();
  }

  /** The current limit. */
  limit(): number {
    return this.current;
  }

  /** One control step from one load sample (the interval's). Public so tests drive it without timers. */
  step(sample: LoadSample): void {
    if (this.closed) return;
    const hot = sample.utilization > HOT_UTILIZATION || sample.delayMs > HOT_DELAY_MS;
    const cool = sample.utilization < COOL_UTILIZATION && sample.delayMs < COOL_DELAY_MS;
    if (hot) this.current = Math.max(1, Math.floor(Math.min(this.current, this.running) / 2));
    else if (cool && this.current < this.max) {
      this.current = Math.min(this.max, Math.max(this.current + 1, Math.floor(this.current * GROWTH)));
      this.grantWaiting();
      this.announceFree();
    }
  }

  /** Takes a slot if the limit allows one now (the local scheduler's pump). */
  tryAcquire(): boolean {
    if (this.closed || this.running >= this.current || this.resuming.length > 0) return false;
    this.running++;
    return true;
  }

  /** Waits for a slot, in arrival order (a graphile-worker job waiting with its lock held). */
  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new AdmissionClosedError());
    if (this.waiters.length === 0 && this.tryAcquire()) return Promise.resolve();
    return new Promise((grant, refuse) => this.waiters.push({ grant, refuse }));
  }

  release(): void {
    this.running = Math.max(0, this.running - 1);
    this.grantWaiting();
    this.announceFree();
  }

  /**
   * Runs `wait` (the Hermes call) without holding a slot, then takes one back before the turn goes on.
   * A turn waiting seconds for Hermes costs the loop nothing, so it must not count against the limit:
   * otherwise a saturated loop would cut how many turns wait on a slow Hermes at once, and with it the
   * turn throughput (limit / Hermes' latency) far below what the CPU could do. MAX_CONCURRENT_TURNS
   * still bounds all turns, waiting or not (the schedulers' own limit). Taking the slot back goes before
   * new turns: finishing work in hand frees more than starting new work.
   */
  async outside<T>(wait: () => Promise<T>): Promise<T> {
    this.release();
    try {
      return await wait();
    } finally {
      await this.resume();
    }
  }

  /** `fn` runs whenever a slot may have become free — the limit rose, a turn ended or went to wait on Hermes — so a pump that stopped at the limit looks again. */
  onFree(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops the control loop; turns still waiting are refused (they stay stored for the next process). */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    for (const w of this.waiters.splice(0)) w.refuse(new AdmissionClosedError());
    // Draining: a turn with its answer in hand finishes now rather than being thrown away.
    for (const grant of this.resuming.splice(0)) {
      this.running++;
      grant();
    }
  }

  stats(): AdmissionStats {
    return { limit: this.current, running: this.running, waiting: this.waiters.length + this.resuming.length, max: this.max };
  }

  private announceFree(): void {
    if (this.closed || this.running >= this.current) return;
    for (const fn of this.listeners) fn();
  }

  private resume(): Promise<void> {
    if (this.closed || (this.resuming.length === 0 && this.running < this.current)) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((grant) => this.resuming.push(grant));
  }

  private grantWaiting(): void {
    while (this.resuming.length > 0 && this.running < this.current) {
      this.running++;
      this.resuming.shift()!();
    }
    while (this.waiters.length > 0 && this.running < this.current) {
      this.running++;
      this.waiters.shift()!.grant();
    }
  }
}
