/**
 * The bot's vocabulary for a conversation, shared by every room (intake, rules, stores, turn, CLI):
 * nothing here does I/O or knows Chatwoot's payloads.
 */

/** Stable identity of a Chatwoot conversation: the display id is unique per account only. */
export interface ConversationKey {
  accountId: number;
  conversationId: number;
}

/** The key as one string, `account/conversation`: a map key, a name in messages. */
export function conversationKeyString(key: ConversationKey): string {
  return `${key.accountId}/${key.conversationId}`;
}

/** The conversation's identity as log fields (never its content). */
export function logKey(key: ConversationKey): { account: number; conversation: number } {
  return { account: key.accountId, conversation: key.conversationId };
}

/** Who speaks in a conversation: the bot, a human who took over, the team after a hand-off, or nobody (paused). */
export type BotState = 'active' | 'human' | 'handed_off' | 'paused';

export interface ConversationState {
  key: ConversationKey;
  inboxId: number | null;
  contactId: number | null;
  contactName: string | null;
  lastStatus: string | null;
  botState: BotState;
  stateReason: string | null;
  lastCustomerAt: number | null;
  emptyStreak: number;
}
