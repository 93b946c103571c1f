/**
 * Why the bot handed a conversation to humans, as a kind (the full reason goes to the team's note).
 * A small fixed set, so it can label a metric (metrics/labels.ts): never free text.
 */
export type HandoffKind =
  /** Input checks (safety/input-checks.ts), before Hermes is asked. */
  | 'too_many_attempts'
  | 'asks_for_human'
  | 'outside_reply_window'
  /** Hermes failed (its error kinds are counted apart). */
  | 'hermes_failed'
  /** The reply guard blocked Hermes' reply and hands off (its block kinds are counted apart). */
  | 'reply_blocked'
  | 'empty_replies'
  /** Hermes' reply carried the hand-off marker or phrase. */
  | 'hermes_asked'
  /** The reply could not be posted, or the bot cannot tell whether it was. */
  | 'post_failed'
  | 'post_unconfirmed'
  /** WhatsApp refused one of the bot's messages (rules/delivery-failed.ts). */
  | 'whatsapp_undelivered'
  /** An agent pressed "hand off now" in the bot panel (rules/handoff-now.ts). */
  | 'agent_asked'
  /** A hand-off a crash interrupted, finished by the next process. */
  | 'resumed';
