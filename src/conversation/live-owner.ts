import type { ChatwootClient } from '../chatwoot/client.js';
import { logKey, type ConversationKey } from '../domain/conversation.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

export interface LiveOwnerDeps {
  store: Pick<Store, 'getConversation'>;
  chatwoot: Pick<ChatwootClient, 'getConversation'>;
  log: Logger;
}

/**
 * 'bot' when the bot may post; otherwise why not. Chatwoot may have changed hands while Hermes thought.
 * Chatwoot before 4.14.2 does not let a bot read a conversation (the client then answers null): the
 * last status Chatwoot sent us stands in for the live one, and a `bot-off` label added meanwhile is
 * only seen with the customer's next message (its webhook carries the labels).
 */
export async function liveOwner(deps: LiveOwnerDeps, key: ConversationKey, botOffLabel: string): Promise<string> {
  // Both views at once (the store's answer decides first; Chatwoot's is read in parallel, not after).
  const [conversation, live] = await Promise.all([
    deps.store.getConversation(key),
    deps.chatwoot.getConversation(key).catch((error: unknown) => {
      // Could not look: the store's view stands.
      deps.log.debug({ ...logKey(key), err: String(error) }, 'live status check failed');
      return null;
    }),
  ]);
  // Without the state's reason: this is logged, and a hand-off's reason may quote the customer.
  if (conversation && conversation.botState !== 'active') return `bot is ${conversation.botState}`;
  if (live) {
    if (live.status !== 'pending') return `conversation is ${live.status} in Chatwoot`;
    if (live.labels.includes(botOffLabel)) return `conversation has the label ${botOffLabel}`;
  } else if (conversation?.lastStatus && conversation.lastStatus !== 'pending') {
    return `conversation is ${conversation.lastStatus} (the last status Chatwoot sent; it could not be read live)`;
  }
  return 'bot';
}
