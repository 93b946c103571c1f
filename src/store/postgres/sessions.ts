import type { ConversationKey } from '../../domain/conversation.js';
import type { SessionMode, SessionRecord } from '../../domain/session.js';
import type { Queryable } from './queryable.js';
import { toSession, type Row } from './rows.js';

/** PostgresStore's Hermes-session rows: each conversation's one session, deciding nothing. */

export async function getSession(db: Queryable, key: ConversationKey): Promise<SessionRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM sessions WHERE account_id = $1 AND conversation_id = $2', [key.accountId, key.conversationId]);
  return rows[0] ? toSession(rows[0]) : null;
}

/** Creates or replaces the mapping; a new generation (a reset) restarts the turn count and the creation time. */
export async function saveSession(db: Queryable, key: ConversationKey, s: { sessionId: string; mode: SessionMode; generation: number; now: number }): Promise<SessionRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO sessions AS s (account_id, conversation_id, session_id, mode, generation, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (account_id, conversation_id) DO UPDATE SET
       session_id = excluded.session_id, mode = excluded.mode,
       created_at = CASE WHEN excluded.generation <> s.generation THEN excluded.created_at ELSE s.created_at END,
       turn_count = CASE WHEN excluded.generation <> s.generation THEN 0 ELSE s.turn_count END,
       generation = excluded.generation
     RETURNING *`,
    [key.accountId, key.conversationId, s.sessionId, s.mode, s.generation, s.now],
  );
  return toSession(rows[0]!);
}

export async function listSessions(db: Queryable, filter: Partial<ConversationKey>): Promise<SessionRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM sessions WHERE ($1::bigint IS NULL OR account_id = $1) AND ($2::bigint IS NULL OR conversation_id = $2) ORDER BY account_id, conversation_id`,
    [filter.accountId ?? null, filter.conversationId ?? null],
  );
  return rows.map(toSession);
}
