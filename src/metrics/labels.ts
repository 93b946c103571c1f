/**
 * The label values the bot's metrics may carry. Every one is a member of a fixed, small set: a
 * Prometheus series exists per distinct label combination, so a label that took an id (conversation,
 * message, delivery, inbox) or any text (a customer's words, an error message, a free-text reason)
 * would grow the scrape, the bot's memory and Prometheus' storage without bound — and could put
 * customer data into a monitoring system. Free text is mapped to a kind here, never passed through.
 */
import type { Classified } from '../domain/events.js';

export type EventOutcome = 'accepted' | 'ignored' | 'duplicate' | 'refused';

/**
 * What an event was: the kind classify() gave it; `unhandled` for one ignored on classification;
 * `unread` for a request refused before its body was trusted (bad signature, not JSON).
 */
export type EventKind = Exclude<Classified['kind'], 'ignore'> | 'unhandled' | 'unread';

/** Why an event was ignored or refused, as a kind (the full reason is in the log line). */
export type EventReason = (typeof IGNORE_REASONS)[number][1] | 'other' | RefusalReason;

/** Why the webhook answered with an error: the event was not stored, Chatwoot retries or gives up. */
export type RefusalReason = 'bad_signature' | 'bad_body' | 'store_failed' | 'store_timed_out';

/**
 * The reasons intake's classify (chatwoot/events.ts), policy (intake/act.ts) and accept rule
 * (rules/accept.ts) give, by the words they start with. First match wins; anything new falls to
 * `other` (test/unit/metrics/labels.test.ts runs the real producers through this table).
 */
const IGNORE_REASONS = [
  [/^malformed |without account or status$/, 'malformed'],
  [/^event .* is not handled$/, 'event_not_handled'],
  [/^conversation_updated without a status change/, 'no_status_change'],
  [/^message_updated without a new transcript/, 'update_without_transcript'],
  [/^activity message/, 'activity_message'],
  [/^template message/, 'template_message'],
  [/^private note/, 'private_note'],
  [/^outgoing (message from an automation rule|campaign message)/, 'automation_or_campaign'],
  [/^outgoing message (without a sender|from sender type)/, 'not_a_human_reply'],
  [/^message_type .* is not handled$/, 'message_type_not_handled'],
  [/^incoming message not written by the contact/, 'not_from_contact'],
  [/^incoming message without text or attachments/, 'empty_message'],
  [/^bot disabled for inbox/, 'inbox_disabled'],
  [/^conversation has the label/, 'bot_off_label'],
  [/^conversation is .*: humans own it$/, 'humans_own_it'],
] as const satisfies ReadonlyArray<readonly [RegExp, string]>;

export function ignoreReasonKind(reason: string): EventReason {
  for (const [pattern, kind] of IGNORE_REASONS) if (pattern.test(reason)) return kind;
  return 'other';
}

/** How a turn ended (conversation/attempt.ts's TurnResult), or `failed` when it threw (retried later). */
export type TurnOutcomeLabel = 'delivered' | 'handed_off' | 'skipped' | 'released' | 'failed';
