import type { ConversationKey } from '../../domain/conversation.js';
import { HANDOFF_PARTS } from '../../domain/outbox.js';
import type { PanelRows } from '../../domain/panel.js';
import { toIssue } from '../panel-issue.js';
import type { BotState } from '../store.js';
import { toSession, type Row, type Sql } from './rows.js';

/** SqliteStore's reads and writes for the bot panel (src/dashboard/): one statement each, deciding nothing. */

const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

export function panelView(sql: Sql, key: ConversationKey, turns: number): PanelRows {
  const { accountId, conversationId } = key;
  const c = sql('SELECT bot_state, state_reason, state_changed_at, last_status, due_at FROM conversations WHERE account_id = ? AND conversation_id = ?').get(
    accountId,
    conversationId,
  ) as Row | undefined;
  const waiting = sql(`SELECT count(*) AS n FROM messages WHERE account_id = ? AND conversation_id = ? AND state = 'pending'`).get(accountId, conversationId) as Row;
  const session = sql('SELECT * FROM sessions WHERE account_id = ? AND conversation_id = ?').get(accountId, conversationId) as Row | undefined;
  const recent = sql(
    'SELECT id, state, created_at, finished_at, hermes_ms FROM turns WHERE account_id = ? AND conversation_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
  ).all(accountId, conversationId, turns) as Row[];
  const issue = sql(
    `SELECT t.state, t.error, t.created_at, t.finished_at, note.content AS note, blocked.content AS blocked
     FROM turns t
     LEFT JOIN outbox note ON note.turn_id = t.id AND note.part = ?
     LEFT JOIN outbox blocked ON blocked.turn_id = t.id AND blocked.part = ?
     WHERE t.account_id = ? AND t.conversation_id = ? AND (t.state = 'handed_off' OR blocked.turn_id IS NOT NULL)
     ORDER BY t.created_at DESC, t.rowid DESC LIMIT 1`,
  ).get(HANDOFF_PARTS.note, HANDOFF_PARTS.blocked, accountId, conversationId) as Row | undefined;
  return {
    conversation: c
      ? {
          botState: String(c.bot_state) as BotState,
          stateReason: c.state_reason == null ? null : String(c.state_reason),
          stateChangedAt: numOrNull(c.state_changed_at),
          lastStatus: c.last_status == null ? null : String(c.last_status),
          dueAt: numOrNull(c.due_at),
        }
      : null,
    waiting: Number(waiting.n),
    session: session ? toSession(session) : null,
    turns: recent.map((r) => ({ id: String(r.id), state: String(r.state), createdAt: Number(r.created_at), finishedAt: numOrNull(r.finished_at), hermesMs: numOrNull(r.hermes_ms) })),
    lastIssue: issue ? toIssue(issue) : null,
  };
}

export function recordHermesLatency(sql: Sql, turnId: string, ms: number): void {
  sql('UPDATE turns SET hermes_ms = ? WHERE id = ?').run(Math.round(ms), turnId);
}

export function getDashboardKeyHash(sql: Sql, accountId: number): string | null {
  const r = sql('SELECT key_hash FROM dashboard_keys WHERE account_id = ?').get(accountId) as Row | undefined;
  return r ? String(r.key_hash) : null;
}

export function saveDashboardKeyHash(sql: Sql, accountId: number, keyHash: string, now: number): void {
  sql(
    `INSERT INTO dashboard_keys (account_id, key_hash, created_at) VALUES (?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET key_hash = excluded.key_hash, created_at = excluded.created_at`,
  ).run(accountId, keyHash, now);
}
