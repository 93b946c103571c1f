import type { StoredEvent } from '../domain/intake.js';

/** The inbox an event names for its conversation (a customer's message carries it on the message); null: unknown. */
export function inboxOf(event: StoredEvent): number | null {
  if ('inboxId' in event) return event.inboxId;
  if (event.kind === 'customer_message') return event.message.inboxId;
  return null;
}
