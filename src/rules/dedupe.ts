import type { StoredEvent } from '../domain/intake.js';

/**
 * What makes an event a duplicate, besides a customer message's own id: its delivery id
 * (X-Chatwoot-Delivery, the same on Chatwoot's retries) — except for a failed WhatsApp delivery,
 * which Chatwoot may report more than once for one message (the send error, then the failed status
 * callback: each a message_updated of its own delivery id). The team hears of each failed message
 * once, so that event is known by the message.
 */
export function dedupeKeyOf(event: StoredEvent): string | null {
  if (event.kind === 'customer_message') return null;
  if (event.kind === 'delivery_failed') return `undelivered:${event.key.accountId}:${event.messageId}`;
  return event.deliveryId;
}
