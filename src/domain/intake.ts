/** What intake hands the store, and what the store's rules answer (rules/accept.ts). */
import type { AgentCommandEvent, BotEvent } from './events.js';

/** An authentic event as intake stores it; `deliveryId` is X-Chatwoot-Delivery (stable across Chatwoot's retries). */
export type StoredEvent = BotEvent & { deliveryId: string | null };

export interface DebouncePolicy {
  debounceMs: number;
  debounceMaxMs: number;
  /** How long a voice note without transcript holds its turn, waiting for message_updated (0: no wait). */
  voiceWaitMs?: number;
}

export type AcceptResult =
  | { outcome: 'duplicate' }
  /** Stored; `dueAt` is set when a turn should run (debounced), so the scheduler can be woken. */
  | { outcome: 'stored'; dueAt: number | null; note?: string }
  /** Authentic but nothing to keep (a customer message in a conversation humans own, bot not involved). */
  | { outcome: 'ignored'; reason: string };

/**
 * The inbox an event names for its conversation (a customer's message carries it on the message);
 * null: unknown. Intake reads the inbox's settings by it, the accept rule records it.
 */
export function inboxOf(event: StoredEvent | BotEvent | AgentCommandEvent): number | null {
  if ('inboxId' in event) return event.inboxId;
  if (event.kind === 'customer_message') return event.message.inboxId;
  return null;
}
