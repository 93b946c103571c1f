import type { ConversationKey } from '../../domain/conversation.js';
import { queueNameFor } from './queue-name.js';

/**
 * One timer per conversation that wakes an idle local worker at its due time: graphile-worker only
 * polls every pollMs for jobs that became due, so without it a debounced turn would start up to a
 * poll late.
 */
export class Nudges {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(private readonly nudgeOne: () => void) {}

  at(key: ConversationKey, dueAt: number): void {
    const name = queueNameFor(key);
    const existing = this.timers.get(name);
    if (existing?.at === dueAt) return;
    if (existing) clearTimeout(existing.timer);
    // The queue write is batched a few ms behind; nudging slightly after it never finds nothing.
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.nudgeOne();
    }, Math.max(20, dueAt - Date.now() + 20));
    timer.unref();
    this.timers.set(name, { at: dueAt, timer });
  }

  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
