import type { BotState, ConversationState, OutboxPart, SessionMode, SessionRecord, Turn, TurnMessage } from '../store.js';
import type { ConversationKey } from '../../domain/conversation.js';
import type { ConversationRow } from '../../rules/rows.js';

/** A row as node-postgres returns it: BIGINT arrives as a string, JSONB as parsed JSON. */
export type Row = Record<string, unknown>;

export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
export const strOrNull = (v: unknown): string | null => (v == null ? null : String(v));

export function keyOf(r: Row): ConversationKey {
  return { accountId: num(r.account_id), conversationId: num(r.conversation_id) };
}

export function toConversation(key: ConversationKey, r: Row): ConversationState {
  return {
    key,
    inboxId: numOrNull(r.inbox_id),
    contactId: numOrNull(r.contact_id),
    contactName: r.contact_name == null ? null : String(r.contact_name),
    lastStatus: strOrNull(r.last_status),
    botState: String(r.bot_state) as BotState,
    stateReason: strOrNull(r.state_reason),
    lastCustomerAt: numOrNull(r.last_customer_at),
    emptyStreak: num(r.empty_streak ?? 0),
  };
}

export function toTurnMessage(m: Row): TurnMessage {
  return {
    messageId: num(m.message_id),
    role: m.role === 'agent' ? 'agent' : 'customer',
    text: String(m.text),
    attachments: (m.attachments ?? []) as TurnMessage['attachments'],
    receivedAt: num(m.received_at),
    createdAt: strOrNull(m.created_at),
  };
}

/** A turn row plus its messages (those `shared` are the hand-back context). */
export function toTurn(row: Row, messages: Row[], attempt: number): Turn {
  return {
    id: String(row.id),
    key: keyOf(row),
    inboxId: numOrNull(row.inbox_id),
    messages: messages.filter((m) => m.state !== 'shared').map(toTurnMessage),
    context: messages.filter((m) => m.state === 'shared').map(toTurnMessage),
    attempt,
    reply: strOrNull(row.reply),
    createdAt: num(row.created_at),
  };
}

export function toOutboxPart(r: Row): OutboxPart {
  return {
    turnId: String(r.turn_id),
    part: num(r.part),
    content: String(r.content),
    private: r.private === true,
    state: String(r.state) as OutboxPart['state'],
    chatwootMessageId: numOrNull(r.chatwoot_message_id),
  };
}

export function toSession(r: Row): SessionRecord {
  return {
    key: keyOf(r),
    sessionId: String(r.session_id),
    mode: String(r.mode) as SessionMode,
    generation: num(r.generation),
    createdAt: num(r.created_at),
    lastUsedAt: numOrNull(r.last_used_at),
    turnCount: num(r.turn_count),
  };
}

/** The conversation's columns the rules read, under the names toConversationRow reads (apply.ts RETURNs the same). */
export const CONVERSATION_COLUMNS = `'bot_state', bot_state, 'left_pending_at', left_pending_at, 'due_at', due_at, 'inbox_id', inbox_id, 'version', version, 'forgotten', forgotten_at IS NOT NULL`;

export function toConversationRow(value: unknown): ConversationRow | null {
  const c = value as Row | null;
  if (!c) return null;
  return { botState: String(c.bot_state) as ConversationRow['botState'], leftPendingAt: numOrNull(c.left_pending_at), dueAt: numOrNull(c.due_at), inboxId: numOrNull(c.inbox_id), version: num(c.version), forgotten: c.forgotten === true };
}
