import type { ConversationKey } from '../../domain/conversation.js';
import { finishTurnEffects } from '../../rules/take-turn.js';
import type { BotState, SessionMode, TurnOutcome } from '../store.js';
import type { Row, Sql } from './rows.js';

/**
 * SqliteStore's writes that decide nothing (no rule reads rows for them): one statement each, or a
 * few in the caller's transaction. Every write to a conversation row grows its version.
 */

export function setBotState(sql: Sql, key: ConversationKey, change: { state: BotState; reason: string; now: number }): void {
  sql(
    `INSERT INTO conversations (account_id, conversation_id, bot_state, state_reason, state_changed_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT (account_id, conversation_id) DO UPDATE SET bot_state = excluded.bot_state, state_reason = excluded.state_reason,
       state_changed_at = excluded.state_changed_at, left_pending_at = NULL, updated_at = excluded.updated_at, version = version + 1
     WHERE conversations.forgotten_at IS NULL`,
  ).run(key.accountId, key.conversationId, change.state, change.reason, change.now, change.now);
}

export function bumpEmptyStreak(sql: Sql, key: ConversationKey): number {
  const row = sql('UPDATE conversations SET empty_streak = empty_streak + 1, version = version + 1 WHERE account_id = ? AND conversation_id = ? RETURNING empty_streak').get(
    key.accountId,
    key.conversationId,
  ) as Row | undefined;
  return Number(row?.empty_streak ?? 1);
}

export function saveInboxSettings(sql: Sql, inboxId: number, settings: Record<string, unknown>, now: number): void {
  sql(
    `INSERT INTO inbox_settings (inbox_id, settings, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (inbox_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
  ).run(inboxId, JSON.stringify(settings), now);
}

export function saveSession(sql: Sql, key: ConversationKey, s: { sessionId: string; mode: SessionMode; generation: number }, now: number): void {
  sql(
    `INSERT INTO sessions (account_id, conversation_id, session_id, mode, generation, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, conversation_id) DO UPDATE SET
       session_id = excluded.session_id, mode = excluded.mode,
       created_at = CASE WHEN excluded.generation != sessions.generation THEN excluded.created_at ELSE sessions.created_at END,
       turn_count = CASE WHEN excluded.generation != sessions.generation THEN 0 ELSE sessions.turn_count END,
       generation = excluded.generation`,
  ).run(key.accountId, key.conversationId, s.sessionId, s.mode, s.generation, now);
}

/** The reply and its parts (a part already planned is kept as it is). Run in a transaction. */
export function planParts(sql: Sql, turnId: string, reply: string | null, parts: Array<{ part: number; content: string; private: boolean }>): void {
  const turn = sql(
    `SELECT t.account_id, t.conversation_id, c.forgotten_at FROM turns t
     LEFT JOIN conversations c ON c.account_id = t.account_id AND c.conversation_id = t.conversation_id WHERE t.id = ?`,
  ).get(turnId) as Row | undefined;
  if (!turn) throw new Error(`unknown turn ${turnId}`);
  // Erased on request while Hermes thought: its answer is not kept, and nothing is planned to post.
  if (turn.forgotten_at != null) return;
  if (reply !== null) sql('UPDATE turns SET reply = ? WHERE id = ?').run(reply, turnId);
  const insert = sql(`INSERT OR IGNORE INTO outbox (turn_id, part, account_id, conversation_id, content, private, state) VALUES (?, ?, ?, ?, ?, ?, 'planned')`);
  for (const p of parts) insert.run(turnId, p.part, turn.account_id, turn.conversation_id, p.content, p.private ? 1 : 0);
}

export function setPartState(sql: Sql, turnId: string, part: number, change: { state: 'posting' | 'posted' | 'failed'; now: number; chatwootMessageId: number | null }): boolean {
  const { state, now, chatwootMessageId } = change;
  return (
    sql(
      `UPDATE outbox SET state = ?,
         attempted_at = CASE WHEN ? = 'posting' THEN ? ELSE attempted_at END,
         posted_at = CASE WHEN ? = 'posted' THEN ? ELSE posted_at END,
         chatwoot_message_id = COALESCE(?, chatwoot_message_id)
       WHERE turn_id = ? AND part = ? AND state != 'posted' AND (? != 'posting' OR state IN ('planned', 'failed'))
         AND (? != 'posting' OR NOT EXISTS (SELECT 1 FROM conversations c WHERE c.account_id = outbox.account_id AND c.conversation_id = outbox.conversation_id AND c.forgotten_at IS NOT NULL))`,
    ).run(state, state, now, state, now, chatwootMessageId, turnId, part, state, state).changes > 0
  );
}

/** The turn's outcome, its messages' state and, when delivered, the session's count (finishTurnEffects). Run in a transaction. */
export function finishTurn(sql: Sql, turnId: string, outcome: TurnOutcome, end: { now: number; error: string | null }): void {
  const turn = sql('SELECT account_id, conversation_id FROM turns WHERE id = ?').get(turnId) as Row | undefined;
  if (!turn) return;
  const effects = finishTurnEffects(outcome);
  sql(`UPDATE turns SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'running'`).run(outcome, end.error, end.now, turnId);
  sql(`UPDATE messages SET state = ? WHERE turn_id = ? AND state != 'shared'`).run(effects.messageState, turnId);
  if (effects.delivered) sql('UPDATE sessions SET turn_count = turn_count + 1, last_used_at = ? WHERE account_id = ? AND conversation_id = ?').run(end.now, turn.account_id, turn.conversation_id);
  sql(`UPDATE conversations SET empty_streak = CASE WHEN ? THEN 0 ELSE empty_streak END, version = version + 1 WHERE account_id = ? AND conversation_id = ?`).run(
    effects.delivered ? 1 : 0,
    turn.account_id,
    turn.conversation_id,
  );
}
