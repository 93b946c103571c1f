import { Gauge, type Registry } from 'prom-client';
import type { TurnQueue } from '../store/store.js';
import { withinDeadline } from '../util/deadline.js';

/**
 * How long one store read serves scrapes. A scrape storm (several Prometheus servers, a dashboard
 * refreshing every second) then costs the store one listDue per 5 s per process at most.
 */
export const WAITING_CACHE_MS = 5000;
/** A store that hangs must not hang the scrape (Prometheus' default scrape timeout is 10 s). */
const STORE_READ_MS = 2000;

type DueList = Awaited<ReturnType<TurnQueue['listDue']>>;

/** The figures of one read: conversations by what they wait for, and the oldest due one's age. */
export interface WaitingFigures {
  debouncing: number;
  due: number;
  inTurn: number;
  oldestDueSeconds: number;
}

/**
 * listDue's answer, summed up at `now`: `in_turn` = a turn is running (or was left running by a dead
 * process: listDue gives those due time 0), `due` = its messages' time has come and it waits for a
 * free turn slot, `debouncing` = the customer may still be typing. The oldest due one's age is how
 * long a customer has waited past the debounce: it grows when turns cannot keep up.
 */
export function summarize(list: DueList, now: number): WaitingFigures {
  const figures: WaitingFigures = { debouncing: 0, due: 0, inTurn: 0, oldestDueSeconds: 0 };
  for (const { dueAt } of list) {
    if (dueAt === 0) figures.inTurn += 1;
    else if (dueAt > now) figures.debouncing += 1;
    else {
      figures.due += 1;
      figures.oldestDueSeconds = Math.max(figures.oldestDueSeconds, (now - dueAt) / 1000);
    }
  }
  return figures;
}

/**
 * Conversations waiting, read from the store when scraped (cached WAITING_CACHE_MS). On Postgres every
 * instance reads the same shared rows, so each reports the whole bot's figure: take max(), not sum(),
 * across instances. When the store cannot answer in time the gauges are NaN (unknown), not stale.
 */
export function registerWaiting(registry: Registry, prefix: string, store: Pick<TurnQueue, 'listDue'>, now: () => number = Date.now): void {
  let cached: { at: number; figures: Promise<WaitingFigures | null> } | null = null;
  const read = (): Promise<WaitingFigures | null> => {
    const at = now();
    if (cached && at - cached.at < WAITING_CACHE_MS) return cached.figures;
    const figures = withinDeadline(store.listDue(), STORE_READ_MS).then(
      (settled) => (settled.done ? summarize(settled.value, now()) : null),
      () => null,
    );
    cached = { at, figures };
    return figures;
  };
  new Gauge({
    name: `${prefix}conversations_waiting`,
    help: 'Conversations with work waiting, whole bot (read from the store): debouncing, due (waiting for a turn slot) or in_turn.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const f = await read();
      this.set({ state: 'debouncing' }, f ? f.debouncing : NaN);
      this.set({ state: 'due' }, f ? f.due : NaN);
      this.set({ state: 'in_turn' }, f ? f.inTurn : NaN);
    },
  });
  new Gauge({
    name: `${prefix}oldest_due_seconds`,
    help: 'How long the longest-waiting due conversation has been due without its turn starting, whole bot (0: none).',
    registers: [registry],
    async collect() {
      const f = await read();
      this.set(f ? f.oldestDueSeconds : NaN);
    },
  });
}
