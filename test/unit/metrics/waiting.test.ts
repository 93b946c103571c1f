import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerWaiting, summarize, WAITING_CACHE_MS } from '../../../src/metrics/waiting.js';
import { parsePrometheus, sampleId } from '../../helpers/prometheus.js';

const NOW = 1_800_000_000_000;
const key = (conversationId: number) => ({ accountId: 1, conversationId });

describe('summarize: listDue as the waiting figures', () => {
  it('tells running turns, due conversations and debouncing ones apart; the oldest due one gives the age', () => {
    const figures = summarize(
      [
        { key: key(1), dueAt: 0 }, // a running turn (listDue gives those due time 0)
        { key: key(2), dueAt: NOW - 90_000 },
        { key: key(3), dueAt: NOW - 1_500 },
        { key: key(4), dueAt: NOW },
        { key: key(5), dueAt: NOW + 2_000 },
      ],
      NOW,
    );
    expect(figures).toEqual({ inTurn: 1, due: 3, debouncing: 1, oldestDueSeconds: 90 });
  });

  it('is all zero when nothing waits', () => {
    expect(summarize([], NOW)).toEqual({ inTurn: 0, due: 0, debouncing: 0, oldestDueSeconds: 0 });
  });
});

describe('registerWaiting: read from the store on scrape, at most once per cache period', () => {
  function setUp(listDue: () => Promise<Array<{ key: { accountId: number; conversationId: number }; dueAt: number }>>) {
    let now = NOW;
    let reads = 0;
    const registry = new Registry();
    registerWaiting(registry, 'x_', { listDue: () => (reads++, listDue()) }, () => now);
    return {
      scrape: async () => parsePrometheus(await registry.metrics()),
      reads: () => reads,
      advance: (ms: number) => (now += ms),
    };
  }

  it('serves a burst of scrapes from one read, and reads again once the cache has expired', async () => {
    let due = [{ key: key(1), dueAt: NOW - 30_000 }];
    const bot = setUp(async () => due);
    const first = await Promise.all([bot.scrape(), bot.scrape(), bot.scrape()]);
    expect(bot.reads()).toBe(1);
    expect(first[2]!.get(sampleId('x_conversations_waiting', { state: 'due' }))).toBe(1);
    expect(first[2]!.get('x_oldest_due_seconds')).toBe(30);

    due = [];
    bot.advance(WAITING_CACHE_MS - 1);
    expect((await bot.scrape()).get(sampleId('x_conversations_waiting', { state: 'due' }))).toBe(1);
    expect(bot.reads()).toBe(1);
    bot.advance(1);
    const later = await bot.scrape();
    expect(bot.reads()).toBe(2);
    expect(later.get(sampleId('x_conversations_waiting', { state: 'due' }))).toBe(0);
    expect(later.get('x_oldest_due_seconds')).toBe(0);
  });

  it('reports NaN (unknown), not a stale or zero figure, when the store fails', async () => {
    const bot = setUp(() => Promise.reject(new Error('connection refused')));
    const samples = await bot.scrape();
    expect(samples.get(sampleId('x_conversations_waiting', { state: 'debouncing' }))).toBeNaN();
    expect(samples.get('x_oldest_due_seconds')).toBeNaN();
  });
});
