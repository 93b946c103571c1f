import { createHash } from 'node:crypto';
import type { ConversationKey } from '../domain/conversation.js';

/**
 * A turn's id is derived from the messages it answers, so it doubles as Hermes' Idempotency-Key:
 * re-running the same turn after a crash asks Hermes the same question under the same key.
 * (The one import of the rules that is not a type: hashing is computation, not I/O.)
 */
export function turnIdFor(key: ConversationKey, messageIds: number[]): string {
  const sorted = [...messageIds].sort((a, b) => a - b);
  const digest = createHash('sha256').update(sorted.join(',')).digest('hex').slice(0, 10);
  return `cw-${key.accountId}-${key.conversationId}-${sorted[0]}-${digest}`;
}
