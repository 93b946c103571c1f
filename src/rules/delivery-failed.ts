import { HANDOFF_NOTE_PREFIX, HANDOFF_PARTS } from '../domain/outbox.js';
import type { AcceptResult, StoredEvent } from '../domain/intake.js';
import type { RuleContext } from './context.js';
import { plannedHandoffTurnId } from '../domain/turn.js';

/**
 * WhatsApp refused one of the bot's messages (outside the 24-hour window, a blocked number, a media
 * error): the customer never saw it, and the conversation goes to the team. The hand-off is planned
 * here, durably, as a turn of its own whose only part is the team's note (never a message to the
 * customer, who could not receive it anyway); the scheduler runs that turn like one a crash
 * interrupted mid-hand-off (conversation/turn.ts), so note, label and `open` survive a restart too.
 * The event is deduplicated by the failed message (rules/dedupe.ts): once per failed part.
 */
export function decideDeliveryFailed(ctx: RuleContext, event: Extract<StoredEvent, { kind: 'delivery_failed' }>): AcceptResult {
  const { key, patch, now } = ctx;
  const failed = ctx.snapshot.failedPart;
  const what = failed ? `: "${failed.content.slice(0, 500)}"` : ` (message ${event.messageId})`;
  const reason = `WhatsApp did not deliver the bot's message (${event.error}); the customer never received it${what}`;
  const turnId = plannedHandoffTurnId(key, { undelivered: event.messageId });
  patch.botState = 'handed_off';
  patch.stateReason = reason;
  patch.stateChangedAt = now;
  patch.leftPendingAt = event.status === 'pending' ? null : now;
  patch.dueAt = now;
  ctx.writes.push(
    { kind: 'turn', id: turnId, key, inboxId: ctx.snapshot.conversation?.inboxId ?? null, messageIds: [], createdAt: now },
    { kind: 'outboxPlanned', turnId, key, part: HANDOFF_PARTS.note, content: `${HANDOFF_NOTE_PREFIX}${reason}`, private: true },
  );
  return { outcome: 'stored', dueAt: now, note: 'a reply was not delivered: handing off' };
}
