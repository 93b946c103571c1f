import type { ConversationKey } from '../domain/conversation.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import { logKey } from '../domain/conversation.js';
import type { TurnRunner } from './turn.js';

/**
 * Works one conversation until nothing is due: resumes its unfinished turn, else takes the waiting
 * messages as the next turn; turns run strictly one after another (first in, first out).
 * Both schedulers call this; each guarantees it never runs twice at once for one conversation.
 * Returns when the next turn is due (debounce still running), or null when nothing waits.
 */
export async function workConversation(
  deps: { store: Pick<Store, 'takeTurn'>; turns: Pick<TurnRunner, 'run'>; log: Logger; /** true once shutdown began: finish the turn in hand, start no other. */ stopping: () => boolean; metrics?: Pick<BotMetrics, 'turn'> | undefined },
  key: ConversationKey,
  signal: AbortSignal,
): Promise<{ nextDueAt: number | null }> {
  while (!signal.aborted && !deps.stopping()) {
    const taken = await deps.store.takeTurn(key, Date.now());
    if (!taken.turn) return { nextDueAt: taken.nextDueAt };
    // A turn that throws is retried by the scheduler (and handed off after MAX_TURN_ATTEMPTS): counted as failed.
    const result = await deps.turns.run(taken.turn, signal).catch((error: unknown) => {
      deps.metrics?.turn('failed');
      throw error;
    });
    deps.metrics?.turn(result);
    if (result === 'released') return { nextDueAt: Date.now() };
  }
  deps.log.debug({ ...logKey(key) }, 'conversation left for the next process');
  return { nextDueAt: Date.now() };
}
