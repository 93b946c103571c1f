/**
 * How loaded this process's event loop is, interval by interval: the input of turn admission
 * (admission.ts). Two measures, because each misses a case the other sees:
 * - utilization (perf_hooks eventLoopUtilization): the share of the interval the loop spent running
 *   callbacks rather than waiting in epoll. Near 1, requests pile up in the socket buffers, where no
 *   timer sees them: a loop that turns fast enough but never idles still answers webhooks late.
 * - delay (monitorEventLoopDelay, 10 ms resolution): the most a timer fired late in the interval,
 *   i.e. the longest single stall (a long synchronous stretch, a GC pause) that every request arriving
 *   during it had to wait out.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type ELDHistogram } from 'node:perf_hooks';

export interface LoadSample {
  /** Share of the interval the loop was busy, 0…1. */
  utilization: number;
  /** The most a 10 ms timer fired late during the interval, ms. */
  delayMs: number;
}

export interface LoadSource {
  /** The load since the previous sample (or since the source was made). */
  sample(): LoadSample;
  close(): void;
}

/** 10 ms: the histogram's sampling timer; finer costs CPU for nothing, as the hot threshold is 50 ms. */
const RESOLUTION_MS = 10;

export function eventLoopLoad(): LoadSource {
  const histogram: ELDHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    sample() {
      const now = performance.eventLoopUtilization();
      const utilization = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      // The histogram records the whole wait (ns) of each sampling timer; the resolution itself is not lateness.
      const delayMs = histogram.count > 0 ? Math.max(0, histogram.max / 1e6 - RESOLUTION_MS) : 0;
      histogram.reset();
      return { utilization, delayMs };
    },
    close() {
      histogram.disable();
    },
  };
}
