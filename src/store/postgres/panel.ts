import type { ConversationKey } from '../../domain/conversation.js';
import { HANDOFF_PARTS } from '../../domain/outbox.js';
import type { PanelRows } from '../../domain/panel.js';
import { toIssue } from '../panel-issue.js';
import type { BotState } from '../store.js';
import type { Queryable } from './queryable.js';
import { num, numOrNull, strOrNull, toSession, type Row } from './rows.js';

/** PostgresStore's reads and writes for the bot panel (src/dashboard/), deciding nothing. */

/** One statement: the conversation, its waiting count, its session, its latest turns and its last issue, as JSON. */
const PANEL_VIEW = `
SELECT
  (SELECT row_to_json(c) FROM (SELECT bot_state, state_reason, state_changed_at, last_status, due_at FROM conversations
     WHERE account_id = $1 AND conversation_id = $2) c) AS conversation,
  (SELECT count(*) FROM messages WHERE account_id = $1 AND conversation_id = $2 AND state = 'pending') AS waiting,
  (SELECT row_to_json(s) FROM (SELECT * FROM sessions WHERE account_id = $1 AND conversation_id = $2) s) AS session,
  (SELECT coalesce(json_agg(t), '[]') FROM (SELECT id, state, created_at, finished_at, hermes_ms FROM turns
     WHERE account_id = $1 AND conversation_id = $2 ORDER BY created_at DESC, seq DESC LIMIT $3) t) AS turns,
  (SELECT row_to_json(i) FROM (
     SELECT t.state, t.error, t.created_at, t.finished_at, note.content AS note, blocked.content AS blocked
     FROM turns t
     LEFT JOIN outbox note ON note.turn_id = t.id AND note.part = $4
     LEFT JOIN outbox blocked ON blocked.turn_id = t.id AND blocked.part = $5
     WHERE t.account_id = $1 AND t.conversation_id = $2 AND (t.state = 'handed_off' OR blocked.turn_id IS NOT NULL)
     ORDER BY t.created_at DESC, t.seq DESC LIMIT 1) i) AS issue`;

export async function panelView(db: Queryable, key: ConversationKey, turns: number): Promise<PanelRows> {
  const { rows } = await db.query<Row>(PANEL_VIEW, [key.accountId, key.conversationId, turns, HANDOFF_PARTS.note, HANDOFF_PARTS.blocked]);
  const r = rows[0]!;
  const c = r.conversation as Row | null;
  return {
    conversation: c
      ? {
          botState: String(c.bot_state) as BotState,
          stateReason: strOrNull(c.state_reason),
          stateChangedAt: numOrNull(c.state_changed_at),
          lastStatus: strOrNull(c.last_status),
          dueAt: numOrNull(c.due_at),
        }
      : null,
    waiting: num(r.waiting),
    session: r.session ? toSession(r.session as Row) : null,
    turns: (r.turns as Row[]).map((t) => ({ id: String(t.id), state: String(t.state), createdAt: num(t.created_at), finishedAt: numOrNull(t.finished_at), hermesMs: numOrNull(t.hermes_ms) })),
    lastIssue: r.issue ? toIssue(r.issue as Row) : null,
  };
}


export async function getDashboardKeyHash(db: Queryable, accountId: number): Promise<string | null> {
  const { rows } = await db.query<Row>('SELECT key_hash FROM dashboard_keys WHERE account_id = $1', [accountId]);
  return rows[0] ? String(rows[0].key_hash) : null;
}

export async function saveDashboardKeyHash(db: Queryable, accountId: number, keyHash: string, now: number): Promise<void> {
  await db.query(
    `INSERT INTO dashboard_keys (account_id, key_hash, created_at) VALUES ($1, $2, $3)
     ON CONFLICT (account_id) DO UPDATE SET key_hash = excluded.key_hash, created_at = excluded.created_at`,
    [accountId, keyHash, now],
  );
}
