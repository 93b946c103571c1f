import type { Attachment } from '../domain/events.js';
import type { ConversationKey } from '../domain/conversation.js';
import type { BotState } from '../domain/conversation.js';
import type { MessageState } from './rows.js';

/**
 * The row-level changes a rule asks for. A store applies them as they are, deciding nothing: each
 * names the rows it touches by key, and no two writes of one decision touch the same row (Postgres
 * applies a decision as one statement of data-modifying CTEs, which all see the same snapshot).
 */
export type Write = ConversationWrite | DeliveryWrite | MessageInsert | MessageStatesWrite | TranscriptWrite | TurnInsert | TurnAttemptWrite | OutboxPlannedWrite | OutboxPostedWrite;

/** Columns of a conversation a rule may set; absent = unchanged. */
export interface ConversationPatch {
  inboxId?: number;
  lastStatus?: string;
  updatedAt?: number;
  contactId?: number;
  contactName?: string;
  lastCustomerAt?: number;
  dueAt?: number | null;
  botState?: BotState;
  stateReason?: string;
  stateChangedAt?: number;
  leftPendingAt?: number | null;
}

/**
 * Creates the conversation row (`expectedVersion` null: it did not exist in the snapshot) or updates
 * it if its version is still the snapshot's; the version grows by one either way. It is the guard of
 * the decision: when it does not apply, none of the decision's writes may (the store decides again).
 */
export interface ConversationWrite {
  kind: 'conversation';
  key: ConversationKey;
  expectedVersion: number | null;
  patch: ConversationPatch;
}

/** Records a delivery id (X-Chatwoot-Delivery); it must not exist yet. */
export interface DeliveryWrite {
  kind: 'delivery';
  deliveryId: string;
  receivedAt: number;
}

/** A new message row; it must not exist yet. */
export interface MessageInsert {
  kind: 'message';
  key: ConversationKey;
  messageId: number;
  inboxId: number | null;
  role: 'customer' | 'agent';
  text: string;
  attachments: Attachment[];
  createdAt: string | null;
  receivedAt: number;
  awaitingTranscript: boolean;
  state: MessageState;
}

/** Moves these messages of the account to `state` (and into `turnId` when given). */
export interface MessageStatesWrite {
  kind: 'messageStates';
  accountId: number;
  messageIds: number[];
  state: MessageState;
  turnId?: string;
}

/** A voice note's transcript: its attachments, and it no longer waits for one. */
export interface TranscriptWrite {
  kind: 'transcript';
  accountId: number;
  messageId: number;
  attachments: Attachment[];
}

export interface TurnInsert {
  kind: 'turn';
  id: string;
  key: ConversationKey;
  inboxId: number | null;
  messageIds: number[];
  createdAt: number;
}

/** A resumed turn's attempt count. */
export interface TurnAttemptWrite {
  kind: 'turnAttempt';
  turnId: string;
  attempts: number;
}

/** A part planned for a turn, as `planParts` plans it; a part already planned stays as it is. */
export interface OutboxPlannedWrite {
  kind: 'outboxPlanned';
  turnId: string;
  key: ConversationKey;
  part: number;
  content: string;
  private: boolean;
}

/**
 * An outbox part is posted (Chatwoot's echo witnessed it). Applied only while the part is not
 * `posted` yet: outbox parts are also moved by setPartState, outside the conversation's version.
 */
export interface OutboxPostedWrite {
  kind: 'outboxPosted';
  turnId: string;
  part: number;
  chatwootMessageId: number;
  postedAt: number;
}
