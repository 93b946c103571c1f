/** A turn: the customer's waiting messages answered together, in one Hermes call. */
import type { ConversationKey } from './conversation.js';
import type { Attachment } from './events.js';

export type TurnOutcome = 'delivered' | 'handed_off' | 'skipped';

export interface TurnMessage {
  messageId: number;
  /** `agent`: a human's reply, only ever part of a turn's hand-back context. */
  role: 'customer' | 'agent';
  text: string;
  attachments: Attachment[];
  receivedAt: number;
  /** When the customer wrote it, as Chatwoot says (ISO 8601); null for agent context. */
  createdAt: string | null;
}

export interface Turn {
  id: string;
  key: ConversationKey;
  inboxId: number | null;
  messages: TurnMessage[];
  /** What the customer and a human exchanged while the bot was silent, oldest first (hand-back context). */
  context: TurnMessage[];
  /** Attempts so far, this one included (a resumed turn has attempts > 1). */
  attempt: number;
  reply: string | null;
  createdAt: number;
}
