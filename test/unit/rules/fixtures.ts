import type { AcceptSnapshot, ConversationRow, StoredTurnMessage, TurnSnapshot, WaitingMessage } from '../../../src/rules/rows.js';
import type { StoredEvent } from '../../../src/store/store.js';

/** Rows and events for the rule tests: no database, only the shapes the stores load. */
export const key = { accountId: 1, conversationId: 1042 };
export const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };

export function conversation(over: Partial<ConversationRow> = {}): ConversationRow {
  return { botState: 'active', leftPendingAt: null, dueAt: null, inboxId: 7, version: 5, ...over };
}

export function snapshot(over: Partial<AcceptSnapshot> = {}): AcceptSnapshot {
  return { conversation: conversation(), deliverySeen: false, message: null, waiting: [], echoCandidates: [], failedPart: null, ...over };
}

export function waiting(messageId: number, receivedAt: number, over: Partial<WaitingMessage> = {}): WaitingMessage {
  return { messageId, state: 'pending', receivedAt, awaitingTranscript: false, ...over };
}

export function customer(messageId: number, over: { status?: string; deliveryId?: string | null; attachments?: Array<Record<string, unknown>> } = {}): StoredEvent {
  return {
    kind: 'customer_message',
    deliveryId: over.deliveryId === undefined ? `d-${messageId}` : over.deliveryId,
    key,
    status: over.status ?? 'pending',
    message: { messageId, inboxId: 7, contactId: 3120, contactName: 'Maria', text: `m${messageId}`, attachments: over.attachments ?? [], createdAt: null },
  };
}

export function status(s: string, deliveryId = `s-${s}`): StoredEvent {
  return { kind: 'status', deliveryId, key, status: s, inboxId: 7 };
}

export function turnMessage(messageId: number, state: StoredTurnMessage['state'], role: 'customer' | 'agent' = 'customer'): StoredTurnMessage {
  return { messageId, role, text: `m${messageId}`, attachments: [], receivedAt: messageId, createdAt: null, state };
}

export function turnSnapshot(over: Partial<TurnSnapshot> = {}): TurnSnapshot {
  return { key, conversation: conversation({ dueAt: 5000 }), openTurn: null, candidates: [], ...over };
}
