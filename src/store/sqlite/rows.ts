import type Database from 'better-sqlite3';
import type { ConversationRow, StoredTurnMessage } from '../../rules/rows.js';
import type { BotState, OutboxPart, SessionMode, SessionRecord } from '../store.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;
/** The store's prepared statement for a SQL text (prepared once, reused; refuses once the store failed). */
export type Sql = (text: string) => Database.Statement;

const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v == null ? null : String(v));

export function toConversationRow(r: Row): ConversationRow {
  return {
    botState: String(r.bot_state) as BotState,
    leftPendingAt: numOrNull(r.left_pending_at),
    dueAt: numOrNull(r.due_at),
    inboxId: numOrNull(r.inbox_id),
    version: Number(r.version),
    forgotten: r.forgotten_at != null,
  };
}

export function toStoredTurnMessage(m: Row): StoredTurnMessage {
  return {
    messageId: Number(m.message_id),
    role: m.role === 'agent' ? 'agent' : 'customer',
    text: String(m.text),
    attachments: JSON.parse(String(m.attachments)),
    receivedAt: Number(m.received_at),
    createdAt: strOrNull(m.created_at),
    state: String(m.state) as StoredTurnMessage['state'],
  };
}

export function toOutboxPart(r: Row): OutboxPart {
  return {
    turnId: String(r.turn_id),
    part: Number(r.part),
    content: String(r.content),
    private: Number(r.private) === 1,
    state: String(r.state) as OutboxPart['state'],
    chatwootMessageId: numOrNull(r.chatwoot_message_id),
  };
}

export function toSession(r: Row): SessionRecord {
  return {
    key: { accountId: Number(r.account_id), conversationId: Number(r.conversation_id) },
    sessionId: String(r.session_id),
    mode: String(r.mode) as SessionMode,
    generation: Number(r.generation),
    createdAt: Number(r.created_at),
    lastUsedAt: numOrNull(r.last_used_at),
    turnCount: Number(r.turn_count),
  };
}
