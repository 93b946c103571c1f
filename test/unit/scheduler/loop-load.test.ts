import { describe, expect, it } from 'vitest';
import { eventLoopLoad } from '../../../src/scheduler/loop-load.js';
import { sleep } from '../../helpers/wait.js';

/** Keeps the loop busy for `ms` (what a burst of synchronous turn work does). */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

describe('eventLoopLoad (the real perf_hooks source)', () => {
  it('sees a stall as lateness and busy time, and an idle loop as neither', async () => {
    const load = eventLoopLoad();
    try {
      await sleep(50);
      load.sample(); // start a fresh interval
      await sleep(20); // let the 10 ms sampling timer arm
      block(120);
      await sleep(30); // the late timer fires and is recorded
      const stalled = load.sample();
      expect(stalled.delayMs).toBeGreaterThanOrEqual(80);
      expect(stalled.utilization).toBeGreaterThan(0.5);

      await sleep(300);
      const idle = load.sample();
      // Generous bounds: other processes share the CPU while tests run.
      expect(idle.utilization).toBeLessThan(0.5);
      expect(idle.delayMs).toBeLessThan(80);
    } finally {
      load.close();
    }
  });
});
