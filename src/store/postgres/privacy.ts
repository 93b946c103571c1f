import type pg from 'pg';
import type { ConversationKey } from '../../domain/conversation.js';
import { FORGOTTEN_REASON, type ErasedCounts, type ForgetPass } from '../../domain/privacy.js';
import { keyOf, num, toSession, type Row } from './rows.js';
import { QUERY_TIMEOUT_MS } from './connection.js';
import { withTransaction } from './tx.js';

/**
 * Retention and erasure on request, on Postgres: the same as sqlite/privacy.ts (the store contract
 * suite runs both), each function one transaction. Texts are blanked in place, rows and ids stay.
 */

/** Retention and erasure touch many rows: the long bound, not the work pool's (connection.ts). */
const LONG = { queryTimeoutMs: QUERY_TIMEOUT_MS };

const FINISHED = `SELECT id FROM turns WHERE created_at < $1 AND state <> 'running'`;

/** See sqlite/privacy.ts eraseTextsBefore. */
export async function eraseTextsBefore(pool: pg.Pool, cutoff: number): Promise<ErasedCounts> {
  return withTransaction(pool, async (db) => {
    const count = async (text: string) => (await db.query(text, [cutoff])).rowCount ?? 0;
    // A `held` message that old is past WhatsApp's 24-hour window: it could not be answered any more,
    // so it is skipped. That changes what waits in its conversation, so the conversation's version
    // grows first (the store's rule, which accept-hints.ts relies on; the row first, as every writer).
    await db.query(
      `UPDATE conversations c SET version = c.version + 1 WHERE EXISTS (SELECT 1 FROM messages m
         WHERE m.account_id = c.account_id AND m.conversation_id = c.conversation_id AND m.received_at < $1 AND m.state = 'held' AND (m.text <> '' OR m.attachments <> '[]'::jsonb))`,
      [cutoff],
    );
    return {
      messages: await count(
        `UPDATE messages SET text = '', attachments = '[]'::jsonb, state = CASE WHEN state = 'held' THEN 'skipped' ELSE state END
         WHERE received_at < $1 AND state NOT IN ('pending', 'in_turn') AND (text <> '' OR attachments <> '[]'::jsonb)`,
      ),
      turns: await count(`UPDATE turns SET reply = NULL, error = NULL WHERE id IN (${FINISHED}) AND (reply IS NOT NULL OR error IS NOT NULL)`),
      outbox: await count(`UPDATE outbox SET content = '' WHERE turn_id IN (${FINISHED}) AND content <> ''`),
      conversations: await count(
        `UPDATE conversations SET contact_name = NULL, state_reason = NULL, version = version + 1
         WHERE updated_at < $1 AND (contact_name IS NOT NULL OR state_reason IS NOT NULL) AND forgotten_at IS NULL`,
      ),
    };
  }, LONG);
}

export async function conversationsOfContact(pool: pg.Pool, contactId: number): Promise<ConversationKey[]> {
  const { rows } = await pool.query<Row>('SELECT account_id, conversation_id FROM conversations WHERE contact_id = $1 ORDER BY account_id, conversation_id', [contactId]);
  return rows.map(keyOf);
}

/** See sqlite/privacy.ts forgetConversation. The conversation row is written first (it serializes work on it). */
export async function forgetConversation(pool: pg.Pool, key: ConversationKey, opts: { now: number; stopTurns: boolean }): Promise<ForgetPass | null> {
  return withTransaction(pool, async (db) => {
    const k = [key.accountId, key.conversationId];
    const conv = (await db.query<Row>('SELECT contact_name, state_reason, forgotten_at FROM conversations WHERE account_id = $1 AND conversation_id = $2 FOR UPDATE', k)).rows[0];
    const sessionRow = (await db.query<Row>('SELECT * FROM sessions WHERE account_id = $1 AND conversation_id = $2', k)).rows[0];
    if (!conv && !sessionRow) return null;
    const named = conv !== undefined && (conv.contact_name != null || (conv.state_reason != null && conv.state_reason !== FORGOTTEN_REASON));
    await db.query(
      `INSERT INTO conversations AS c (account_id, conversation_id, bot_state, state_reason, state_changed_at, updated_at, forgotten_at, version) VALUES ($1, $2, 'paused', $3, $4, $4, $4, 1)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET bot_state = 'paused', state_reason = excluded.state_reason, contact_name = NULL, due_at = NULL,
         forgotten_at = COALESCE(c.forgotten_at, excluded.forgotten_at), version = c.version + 1`,
      [...k, FORGOTTEN_REASON, opts.now],
    );
    const count = async (text: string, params: unknown[] = k) => (await db.query(text, params)).rowCount ?? 0;
    let stoppedTurns = 0;
    if (opts.stopTurns) {
      stoppedTurns = await count(`UPDATE turns SET state = 'skipped', finished_at = $3 WHERE account_id = $1 AND conversation_id = $2 AND state = 'running'`, [...k, opts.now]);
      await count(`UPDATE messages SET state = 'skipped' WHERE account_id = $1 AND conversation_id = $2 AND state = 'in_turn'`);
    }
    // Waiting messages would become a turn or hand-back context: nothing of them is asked any more.
    await count(`UPDATE messages SET state = 'skipped' WHERE account_id = $1 AND conversation_id = $2 AND state IN ('pending', 'held', 'context')`);
    const erased: ErasedCounts = {
      conversations: named ? 1 : 0,
      messages: await count(`UPDATE messages SET text = '', attachments = '[]'::jsonb WHERE account_id = $1 AND conversation_id = $2 AND (text <> '' OR attachments <> '[]'::jsonb)`),
      turns: await count('UPDATE turns SET reply = NULL, error = NULL WHERE account_id = $1 AND conversation_id = $2 AND (reply IS NOT NULL OR error IS NOT NULL)'),
      outbox: await count(`UPDATE outbox SET content = '' WHERE account_id = $1 AND conversation_id = $2 AND content <> ''`),
    };
    const running = (await db.query<Row>(`SELECT count(*)::int AS n FROM turns WHERE account_id = $1 AND conversation_id = $2 AND state = 'running'`, k)).rows[0]!;
    return { key, forgottenBefore: conv?.forgotten_at == null ? null : num(conv.forgotten_at), erased, runningTurns: num(running.n), stoppedTurns, session: sessionRow ? toSession(sessionRow) : null };
  }, LONG);
}
