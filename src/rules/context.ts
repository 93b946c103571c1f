import type { ConversationKey } from '../domain/conversation.js';
import type { DebouncePolicy } from '../domain/intake.js';
import type { AcceptSnapshot, ConversationRow } from './rows.js';
import type { ConversationPatch, Write } from './writes.js';

/** A rule's answer: its result, and the row writes a store applies atomically to make it true. */
export interface Decision<R> {
  result: R;
  writes: Write[];
}

/** What one event kind's rule works with; it adds to `patch` (the conversation's one write) and `writes`. */
export interface RuleContext {
  key: ConversationKey;
  snapshot: AcceptSnapshot;
  conv: Pick<ConversationRow, 'botState' | 'leftPendingAt'>;
  patch: ConversationPatch;
  writes: Write[];
  policy: DebouncePolicy;
  now: number;
}
