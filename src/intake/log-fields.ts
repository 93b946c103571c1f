import type { Classified } from '../domain/events.js';

/** The log fields every intake line carries: ids only, never content. Built only when a line is written. */
export function intakeLogFields(event: Classified, payload: object, deliveryId: string | null): Record<string, unknown> {
  const name = (payload as { event?: unknown }).event;
  const inbox = (payload as { inbox?: { id?: unknown } }).inbox?.id;
  return {
    event: typeof name === 'string' ? name : undefined,
    kind: event.kind,
    delivery: deliveryId ?? undefined,
    account: event.key?.accountId,
    conversation: event.key?.conversationId,
    inbox: typeof inbox === 'number' ? inbox : event.kind === 'status' || event.kind === 'takeover' || event.kind === 'command' ? event.inboxId : undefined,
    messageId: event.kind === 'customer_message' ? event.message.messageId : 'messageId' in event ? event.messageId : undefined,
  };
}
