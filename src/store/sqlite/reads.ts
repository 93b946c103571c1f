import { conversationKeyString, type ConversationKey } from '../../domain/conversation.js';
import type { BotState, ConversationState, OutboxPart, SessionRecord } from '../store.js';
import { HANDOFF_PARTS } from '../../domain/outbox.js';
import { toOutboxPart, toSession, type Row, type Sql } from './rows.js';

/** SqliteStore's reads that decide nothing: one statement each. */

export function listDue(sql: Sql): Array<{ key: ConversationKey; dueAt: number }> {
  const rows = sql(
    `SELECT account_id, conversation_id, due_at FROM conversations WHERE due_at IS NOT NULL
     UNION
     SELECT account_id, conversation_id, 0 FROM turns WHERE state = 'running'`,
  ).all() as Row[];
  const due = new Map<string, { key: ConversationKey; dueAt: number }>();
  for (const r of rows) {
    const key = { accountId: Number(r.account_id), conversationId: Number(r.conversation_id) };
    const id = conversationKeyString(key);
    const dueAt = Number(r.due_at);
    const seen = due.get(id);
    if (!seen || dueAt < seen.dueAt) due.set(id, { key, dueAt });
  }
  return [...due.values()].sort((a, b) => a.dueAt - b.dueAt);
}

export function getConversation(sql: Sql, key: ConversationKey): ConversationState | null {
  const r = sql('SELECT * FROM conversations WHERE account_id = ? AND conversation_id = ?').get(key.accountId, key.conversationId) as Row | undefined;
  if (!r) return null;
  return {
    key,
    inboxId: r.inbox_id == null ? null : Number(r.inbox_id),
    contactId: r.contact_id == null ? null : Number(r.contact_id),
    contactName: r.contact_name == null ? null : String(r.contact_name),
    lastStatus: r.last_status == null ? null : String(r.last_status),
    botState: String(r.bot_state) as BotState,
    stateReason: r.state_reason == null ? null : String(r.state_reason),
    lastCustomerAt: r.last_customer_at == null ? null : Number(r.last_customer_at),
    emptyStreak: Number(r.empty_streak ?? 0),
  };
}

export function recentBotReplies(sql: Sql, key: ConversationKey, limit: number): string[] {
  const rows = sql(
    `SELECT content FROM outbox WHERE account_id = ? AND conversation_id = ? AND state = 'posted' AND private = 0 AND part < ?
     ORDER BY posted_at DESC, part DESC LIMIT ?`,
  ).all(key.accountId, key.conversationId, HANDOFF_PARTS.fallback, limit) as Row[];
  return rows.map((r) => String(r.content)).reverse();
}

export function lastTurn(sql: Sql, key: ConversationKey): { id: string; state: string; error: string | null; createdAt: number; finishedAt: number | null } | null {
  const r = sql('SELECT id, state, error, created_at, finished_at FROM turns WHERE account_id = ? AND conversation_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(
    key.accountId,
    key.conversationId,
  ) as Row | undefined;
  if (!r) return null;
  return { id: String(r.id), state: String(r.state), error: r.error == null ? null : String(r.error), createdAt: Number(r.created_at), finishedAt: r.finished_at == null ? null : Number(r.finished_at) };
}

export function getInboxSettings(sql: Sql, inboxId: number): Record<string, unknown> | null {
  const r = sql('SELECT settings FROM inbox_settings WHERE inbox_id = ?').get(inboxId) as Row | undefined;
  return r ? (JSON.parse(String(r.settings)) as Record<string, unknown>) : null;
}

export function listInboxSettings(sql: Sql): Array<{ inboxId: number; settings: Record<string, unknown> }> {
  const rows = sql('SELECT inbox_id, settings FROM inbox_settings ORDER BY inbox_id').all() as Row[];
  return rows.map((r) => ({ inboxId: Number(r.inbox_id), settings: JSON.parse(String(r.settings)) as Record<string, unknown> }));
}

export function getSession(sql: Sql, key: ConversationKey): SessionRecord | null {
  const r = sql('SELECT * FROM sessions WHERE account_id = ? AND conversation_id = ?').get(key.accountId, key.conversationId) as Row | undefined;
  return r ? toSession(r) : null;
}

export function listSessions(sql: Sql, filter: Partial<ConversationKey>): SessionRecord[] {
  const rows = sql(`SELECT * FROM sessions WHERE (? IS NULL OR account_id = ?) AND (? IS NULL OR conversation_id = ?) ORDER BY account_id, conversation_id`).all(
    filter.accountId ?? null,
    filter.accountId ?? null,
    filter.conversationId ?? null,
    filter.conversationId ?? null,
  ) as Row[];
  return rows.map(toSession);
}

export function getOutbox(sql: Sql, turnId: string): OutboxPart[] {
  return (sql('SELECT * FROM outbox WHERE turn_id = ? ORDER BY part').all(turnId) as Row[]).map(toOutboxPart);
}
