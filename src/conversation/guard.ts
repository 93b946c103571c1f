import type { ConversationKey } from '../domain/conversation.js';
import type { ResolvedInboxSettings } from '../config/inbox-settings.js';
import { checkReply, lastQuestion, REPEATED_QUESTION_THRESHOLD, textSimilarity, type GuardVerdict } from '../safety/index.js';
import type { Store } from '../store/store.js';

/** How many of the bot's own recent replies the loop check compares against. */
export const LOOP_HISTORY = 5;

/**
 * The conversation's memory for the guards: what the bot already sent (kept by the bot itself — a bot
 * token cannot list messages). A turn reads it while Hermes thinks, so the read costs no time after.
 */
export function botHistory(store: Pick<Store, 'recentBotReplies'>, key: ConversationKey): Promise<string[]> {
  return store.recentBotReplies(key, LOOP_HISTORY);
}

/** Runs the reply guards with that memory and what the customer just said. */
export function guardReply(reply: string, recentBotReplies: readonly string[], lastCustomerText: string, settings: ResolvedInboxSettings): GuardVerdict {
  return checkReply(reply, {
    recentBotReplies,
    lastCustomerText,
    leakFragments: settings.leakFragments,
    handoffMarker: settings.handoffMarker,
    handoffPhrases: settings.handoffPhrases,
    clarificationsInARow: clarificationsInARow(recentBotReplies),
  });
}

/**
 * Derived rather than stored: the bot's latest reply was a clarification when it re-asked the
 * question of the reply before it. One is allowed; a second in a row is a loop.
 */
function clarificationsInARow(replies: readonly string[]): number {
  const last = replies.at(-1);
  const before = replies.at(-2);
  if (!last || !before) return 0;
  const q1 = lastQuestion(last);
  const q0 = lastQuestion(before);
  return q1 && q0 && textSimilarity(q1, q0) >= REPEATED_QUESTION_THRESHOLD ? 1 : 0;
}
