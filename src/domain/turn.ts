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

/**
 * The turns planned without a customer message, each a hand-off whose only part is the team's note:
 * a failed WhatsApp delivery (delivery-failed.ts) and an agent's "hand off now" (handoff-now.ts).
 * Their ids name the cause, so the turn that runs them can tell the hand-off's kind.
 */
export function plannedHandoffTurnId(key: ConversationKey, cause: { undelivered: number } | { panelAt: number }): string {
  const suffix = 'undelivered' in cause ? `undelivered-${cause.undelivered}` : `panel-${cause.panelAt}`;
  return `cw-${key.accountId}-${key.conversationId}-${suffix}`;
}

/** What a planned hand-off turn was for, from its id (plannedHandoffTurnId); any other turn resumes one a restart interrupted. */
export function plannedHandoffKind(turnId: string): 'whatsapp_undelivered' | 'agent_asked' | 'resumed' {
  if (/-undelivered-\d+$/.test(turnId)) return 'whatsapp_undelivered';
  if (/-panel-\d+$/.test(turnId)) return 'agent_asked';
  return 'resumed';
}
