import type { Attachment } from '../domain/events.js';
import type { ConversationKey } from '../domain/conversation.js';
import type { BotState } from '../domain/conversation.js';
import type { TurnMessage } from '../domain/turn.js';

/**
 * The rows the conversation rules read and write, in the stores' own vocabulary (a snapshot is
 * loaded, a rule decides, the store applies the writes). Every store maps its columns to these.
 */

export type MessageState = 'pending' | 'in_turn' | 'answered' | 'failed' | 'skipped' | 'held' | 'context' | 'shared';

/** A conversation row as the rules see it. `version` grows with every write to the row (the optimistic check). */
export interface ConversationRow {
  botState: BotState;
  leftPendingAt: number | null;
  dueAt: number | null;
  inboxId: number | null;
  version: number;
  /** Erased on request (`forget`): the bot keeps nothing new of it and stays out of it. */
  forgotten?: boolean;
}

/** The states of a waiting message: for a turn (pending) or kept while the bot was silent (held). */
export const WAITING_STATES = ['pending', 'held'] as const;

export function isWaiting(state: MessageState): state is WaitingMessage['state'] {
  return (WAITING_STATES as readonly string[]).includes(state);
}

/** A customer message that waits (pending) or was held while the bot was silent. */
export interface WaitingMessage {
  messageId: number;
  state: (typeof WAITING_STATES)[number];
  receivedAt: number;
  awaitingTranscript: boolean;
}

/** A message as a turn carries it, with its state (`shared` ones are hand-back context). */
export type StoredTurnMessage = TurnMessage & { state: MessageState };

export interface OpenTurnRow {
  id: string;
  inboxId: number | null;
  attempts: number;
  reply: string | null;
  createdAt: number;
  messages: StoredTurnMessage[];
}

/** An outbox part that Chatwoot's echo of a bot message may confirm. */
export interface EchoCandidate {
  turnId: string;
  part: number;
  state: 'planned' | 'posting' | 'posted' | 'failed';
  content: string;
  private: boolean;
  chatwootMessageId: number | null;
  postedAt: number | null;
  /** Candidates come ordered by attempted_at, oldest (and never attempted) first. */
  attemptedAt: number | null;
}

/** Everything `decideAccept` may read, for the event's conversation. */
export interface AcceptSnapshot {
  conversation: ConversationRow | null;
  /** The event's delivery id is already recorded (only asked for events deduped by delivery id). */
  deliverySeen: boolean;
  /** The row of the message the event names (customer message, takeover, transcript), if held. */
  message: { state: MessageState; attachments: Attachment[] } | null;
  /** The conversation's messages in state pending or held. */
  waiting: WaitingMessage[];
  /** bot_echo only: parts of this conversation with the echoed Chatwoot id (not yet posted) or in `posting` with the echoed text. */
  echoCandidates: EchoCandidate[];
  /** delivery_failed only: the outbox part Chatwoot stored as the failed message, if the bot holds it. */
  failedPart: { turnId: string; part: number; content: string } | null;
}

/** Everything `decideTakeTurn` may read. */
export interface TurnSnapshot {
  key: ConversationKey;
  conversation: ConversationRow | null;
  /** The conversation's oldest unfinished turn, with its messages. */
  openTurn: OpenTurnRow | null;
  /** Messages waiting for a turn (pending) or kept while the bot was silent (held, context), any order. */
  candidates: StoredTurnMessage[];
}
