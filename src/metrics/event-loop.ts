import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** Sampling every 10 ms: fine enough to see a 50 ms stall (the ack target), at no measurable cost. */
const RESOLUTION_MS = 10;

/**
 * The event loop's delay since the previous scrape (perf_hooks' own sampler): a loop blocked by a
 * synchronous step delays every webhook's answer in this process, whatever the store does. Reset at
 * each scrape so a stall shows in the next one and then ends; two Prometheus servers scraping one
 * bot would each see only part of it.
 */
export class EventLoopDelay {
  private readonly histogram: ELDHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor(registry: Registry, prefix: string) {
    const histogram = this.histogram;
    new Gauge({
      name: `${prefix}event_loop_delay_seconds`,
      help: 'Event-loop delay since the previous scrape: p50, p99 and max (perf_hooks monitorEventLoopDelay).',
      labelNames: ['stat'] as const,
      registers: [registry],
      collect() {
        // No samples yet (just started): report 0 rather than the histogram's sentinel values.
        const seen = histogram.count > 0;
        this.set({ stat: 'p50' }, seen ? delaySeconds(histogram.percentile(50)) : 0);
        this.set({ stat: 'p99' }, seen ? delaySeconds(histogram.percentile(99)) : 0);
        this.set({ stat: 'max' }, seen ? delaySeconds(histogram.max) : 0);
        histogram.reset();
      },
    });
  }

  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }
}

/**
 * A sample is the time between two ticks of the sampler's timer, so an idle loop reads as the
 * resolution itself (about 10 ms, measured: p50 0.0101 s idle): the delay is what exceeds it.
 */
function delaySeconds(nanoseconds: number): number {
  return Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS) / 1000;
}
