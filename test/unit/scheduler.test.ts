import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ConversationKey } from '../../src/domain/conversation.js';
import { LocalScheduler } from '../../src/scheduler/local.js';
import type { Work } from '../../src/scheduler/scheduler.js';
import type { TurnQueue } from '../../src/store/store.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
const key = (c: number): ConversationKey => ({ accountId: 1, conversationId: c });
const noDue: Pick<TurnQueue, 'listDue'> = { listDue: async () => [] };
const local = (store: Pick<TurnQueue, 'listDue'>, work: Work, concurrency: number) => new LocalScheduler({ store, work, concurrency, log });

describe('LocalScheduler', () => {
  it('runs different conversations in parallel, never more than the cap', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const s = local(noDue, async (k) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(30);
      running--;
      done.push(k.conversationId);
      return { nextDueAt: null };
    }, 3);
    await s.start();
    for (let c = 1; c <= 10; c++) s.notify(key(c), Date.now());
    await waitUntil(() => done.length === 10);
    expect(peak).toBe(3);
    expect([...done].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('never runs one conversation twice at once; a notify during a run means one more look afterwards', async () => {
    let running = 0;
    let overlap = false;
    let calls = 0;
    const s = local(noDue, async () => {
      calls++;
      if (running > 0) overlap = true;
      running++;
      await sleep(40);
      running--;
      return { nextDueAt: null };
    }, 8);
    await s.start();
    s.notify(key(1), Date.now());
    await sleep(10);
    s.notify(key(1), Date.now());
    s.notify(key(1), Date.now());
    await waitUntil(() => calls === 2 && running === 0);
    await sleep(60);
    expect(overlap).toBe(false);
    expect(calls).toBe(2);
  });

  it('waits for the due time (debounce) and follows a later due time', async () => {
    const startedAt: number[] = [];
    const s = local(noDue, async () => (startedAt.push(Date.now()), { nextDueAt: null }), 8);
    await s.start();
    const t0 = Date.now();
    s.notify(key(1), t0 + 100);
    s.notify(key(1), t0 + 200);
    await waitUntil(() => startedAt.length === 1);
    expect(startedAt[0]! - t0).toBeGreaterThanOrEqual(190);
  });

  it('resumes stored work at start', async () => {
    const seen: number[] = [];
    const store: Pick<TurnQueue, 'listDue'> = { listDue: async () => [{ key: key(7), dueAt: 0 }, { key: key(8), dueAt: 0 }] };
    const s = local(store, async (k) => (seen.push(k.conversationId), { nextDueAt: null }), 8);
    await s.start();
    await waitUntil(() => seen.length === 2);
    expect(seen.sort()).toEqual([7, 8]);
  });

  it('drain: starts nothing new, waits for running work, aborts it after the grace', async () => {
    let aborted = false;
    const s = local(noDue, (_k, signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve({ nextDueAt: null });
        });
      }), 8);
    await s.start();
    s.notify(key(1), Date.now());
    await waitUntil(() => s.stats().running === 1);
    s.notify(key(2), Date.now() + 10_000);
    const t0 = Date.now();
    await s.drain(100);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(aborted).toBe(true);
    expect(s.stats()).toEqual({ running: 0, waiting: 0, scheduled: 0 });
  });
});
