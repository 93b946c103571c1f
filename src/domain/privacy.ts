import type { ConversationKey } from './conversation.js';
import type { SessionRecord } from './session.js';

/**
 * How many stored rows lost their personal text, per table (retention and `forget`). Rows are kept:
 * their ids are what deduplication (a redelivered message is found by its id) and the outbox's
 * exactly-once rule (a part is posted once, by turn and part) need.
 */
export interface ErasedCounts {
  /** contact_name, state_reason */
  conversations: number;
  /** text, attachments (URLs, file names, transcripts) */
  messages: number;
  /** reply, error */
  turns: number;
  /** content */
  outbox: number;
}

/** The state_reason a forgotten conversation keeps: says why the bot is out of it, quotes nothing. */
export const FORGOTTEN_REASON = 'erased on request (forget)';

/** One pass of `forget` over a conversation (store: forgetConversation). */
export interface ForgetPass {
  key: ConversationKey;
  /** When an earlier run forgot it; null when this pass marked it. */
  forgottenBefore: number | null;
  erased: ErasedCounts;
  /** Turns still running in a bot process after this pass (their writes are refused or erased by the next pass). */
  runningTurns: number;
  /** Turns this pass ended (stopTurns): a bot that died mid-turn leaves them running for good. */
  stoppedTurns: number;
  /** The conversation's Hermes session, to delete in Hermes. */
  session: SessionRecord | null;
}

export function noneErased(): ErasedCounts {
  return { conversations: 0, messages: 0, turns: 0, outbox: 0 };
}

export function addErased(a: ErasedCounts, b: ErasedCounts): ErasedCounts {
  return { conversations: a.conversations + b.conversations, messages: a.messages + b.messages, turns: a.turns + b.turns, outbox: a.outbox + b.outbox };
}
