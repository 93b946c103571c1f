import { createHash } from 'node:crypto';
import type { ConversationKey } from '../chatwoot/events.js';

/**
 * A turn's id is derived from the messages it answers, so it doubles as Hermes' Idempotency-Key:
 * re-running the same turn after a crash asks Hermes the same question under the same key.
 */
export function turnIdFor(key: ConversationKey, messageIds: number[]): string {
  const sorted = [...messageIds].sort((a, b) => a - b);
  const digest = createHash('sha256').update(sorted.join(',')).digest('hex').slice(0, 10);
  return `cw-${key.accountId}-${key.conversationId}-${sorted[0]}-${digest}`;
}

/** When the next turn may start: DEBOUNCE_MS after the newest message, never later than DEBOUNCE_MAX_MS after the oldest. */
export function debouncedDueAt(firstPendingAt: number, now: number, policy: { debounceMs: number; debounceMaxMs: number }): number {
  return Math.min(now + policy.debounceMs, firstPendingAt + Math.max(policy.debounceMaxMs, policy.debounceMs));
}
