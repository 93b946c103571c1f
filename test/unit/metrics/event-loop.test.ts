import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventLoopDelay } from '../../../src/metrics/event-loop.js';
import { parsePrometheus, sampleId } from '../../helpers/prometheus.js';
import { sleep } from '../../helpers/wait.js';

describe('EventLoopDelay', () => {
  it('shows a blocked event loop in the next scrape, and only there', async () => {
    const registry = new Registry();
    const loop = new EventLoopDelay(registry, 'x_');
    loop.start();
    try {
      await sleep(50);
      // A synchronous step of 120 ms: every webhook answer in the process would wait that long.
      const until = Date.now() + 120;
      while (Date.now() < until) {
        /* busy */
      }
      await sleep(30);
      const stat = (samples: Map<string, number>, which: string) => samples.get(sampleId('x_event_loop_delay_seconds', { stat: which }))!;
      const blocked = parsePrometheus(await registry.metrics());
      expect(stat(blocked, 'max')).toBeGreaterThanOrEqual(0.1);
      expect(stat(blocked, 'p50')).toBeLessThan(stat(blocked, 'max'));

      // The stall was reported once: the next scrape covers only what came after it.
      await sleep(50);
      const after = parsePrometheus(await registry.metrics());
      expect(stat(after, 'max')).toBeLessThan(stat(blocked, 'max'));
    } finally {
      loop.stop();
    }
  });
});
