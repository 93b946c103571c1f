/** Timings. With the defaults a killed process's jobs are free again within about 10 s, a hung one's within 35 s. */
export interface PgSchedulerTimings {
  /** How often each instance refreshes its workers' heartbeat and looks for dead ones. */
  heartbeatMs: number;
  /** No heartbeat for this long and no database session left: the process is gone; its jobs are freed. */
  quickMs: number;
  /** No heartbeat for this long, sessions or not: hung or cut off; its jobs are freed. */
  staleMs: number;
  /** How often each instance re-queues work the queue does not cover (see wakeup.ts findUnwoken). */
  reconcileMs: number;
  /** graphile-worker's polling for jobs that became due while no NOTIFY or local timer woke a worker. */
  pollMs: number;
  /** How often idle conversations' queues are garbage-collected, and after how long idle. */
  gcEveryMs: number;
  gcIdleMs: number;
}

export const DEFAULT_TIMINGS: PgSchedulerTimings = {
  heartbeatMs: 2_000,
  quickMs: 6_000,
  staleMs: 30_000,
  reconcileMs: 5_000,
  pollMs: 2_000,
  gcEveryMs: 10 * 60_000,
  gcIdleMs: 60 * 60_000,
};
