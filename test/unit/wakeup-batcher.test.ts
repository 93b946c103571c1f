import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { WakeupBatcher } from '../../src/scheduler/postgres/wakeup-batcher.js';
import type { WakeRequest } from '../../src/scheduler/postgres/wakeup.js';

const key = (conversationId: number) => ({ accountId: 1, conversationId });

/** A batcher whose queue writes are recorded instead of sent; `hold` keeps the next write in flight until released. */
function recording() {
  const flushes: WakeRequest[][] = [];
  let gate: Promise<void> | null = null;
  const batcher = new WakeupBatcher(async (requests) => {
    flushes.push(requests);
    await gate;
    return requests.length;
  }, createLogger('silent'));
  return {
    batcher,
    flushes,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

const ids = (batch: WakeRequest[]) => batch.map((r) => r.key.conversationId);

describe('WakeupBatcher', () => {
  it('queues in one write everything asked in the same loop turn, on the next turn (no timer)', async () => {
    const { batcher, flushes } = recording();
    const both = Promise.all([batcher.wake({ key: key(1) }), batcher.wake({ key: key(2) })]);
    expect(flushes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(flushes.map(ids)).toEqual([[1, 2]]);
    await both;
    await batcher.close();
  });

  it('gathers what arrives while a write is in flight into the next one', async () => {
    const { batcher, flushes, hold } = recording();
    const release = hold();
    const first = batcher.wake({ key: key(1) });
    await new Promise((r) => setImmediate(r));
    const later = [batcher.wake({ key: key(2) }), batcher.wake({ key: key(3) })];
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(flushes.map(ids)).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(flushes.map(ids)).toEqual([[1], [2, 3]]);
    await batcher.close();
  });

  it('merges requests for one conversation: the earlier explicit time wins', async () => {
    const { batcher, flushes } = recording();
    await Promise.all([batcher.wake({ key: key(7), runAt: 9000 }), batcher.wake({ key: key(7), runAt: 5000 }), batcher.wake({ key: key(7) })]);
    expect(flushes).toEqual([[{ key: key(7), runAt: 5000 }]]);
    await batcher.close();
  });

  it('refuses new requests once closed (the store keeps the work for the next process)', async () => {
    const { batcher } = recording();
    await batcher.close();
    await expect(batcher.wake({ key: key(1) })).rejects.toThrow(/closed/);
  });
});
