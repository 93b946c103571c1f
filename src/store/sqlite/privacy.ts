import type { ConversationKey } from '../../domain/conversation.js';
import { FORGOTTEN_REASON, type ErasedCounts, type ForgetPass } from '../../domain/privacy.js';
import { getSession } from './reads.js';
import type { Row, Sql } from './rows.js';

/**
 * Retention and erasure on request, on SQLite: texts are blanked in place ('' or NULL), rows and ids
 * stay (see domain/privacy.ts). Run inside one transaction by the caller (sqlite/methods.ts).
 */

/**
 * Blanks what was stored before `cutoff`: messages no turn still needs (not pending, not in a
 * running turn; retention is counted in days, far past WhatsApp's 24-hour reply window), the replies, errors and outbox texts of finished turns, and the contact name and
 * state reason of conversations idle since. A conversation that comes back gets its name again with
 * the customer's next message.
 */
export function eraseTextsBefore(sql: Sql, cutoff: number): ErasedCounts {
  const finished = `SELECT id FROM turns WHERE created_at < ? AND state != 'running'`;
  return {
    // A `held` message that old is past WhatsApp's 24-hour window: it could not be answered any more.
    messages: sql(
      `UPDATE messages SET text = '', attachments = '[]', state = CASE WHEN state = 'held' THEN 'skipped' ELSE state END
       WHERE received_at < ? AND state NOT IN ('pending', 'in_turn') AND (text != '' OR attachments != '[]')`,
    ).run(cutoff).changes,
    turns: sql(`UPDATE turns SET reply = NULL, error = NULL WHERE id IN (${finished}) AND (reply IS NOT NULL OR error IS NOT NULL)`).run(cutoff).changes,
    outbox: sql(`UPDATE outbox SET content = '' WHERE turn_id IN (${finished}) AND content != ''`).run(cutoff).changes,
    conversations: sql(
      `UPDATE conversations SET contact_name = NULL, state_reason = NULL, version = version + 1
       WHERE updated_at < ? AND (contact_name IS NOT NULL OR state_reason IS NOT NULL) AND forgotten_at IS NULL`,
    ).run(cutoff).changes,
  };
}

/** The conversations the store holds of a Chatwoot contact (the id every customer message carries). */
export function conversationsOfContact(sql: Sql, contactId: number): ConversationKey[] {
  const rows = sql('SELECT account_id, conversation_id FROM conversations WHERE contact_id = ? ORDER BY account_id, conversation_id').all(contactId) as Row[];
  return rows.map((r) => ({ accountId: Number(r.account_id), conversationId: Number(r.conversation_id) }));
}

/**
 * Marks the conversation forgotten and blanks every text of it; with `stopTurns`, also ends the
 * turns still running. Null when the store holds nothing of it. See store.ts PrivacyStore.
 */
export function forgetConversation(sql: Sql, key: ConversationKey, opts: { now: number; stopTurns: boolean }): ForgetPass | null {
  const k = [key.accountId, key.conversationId] as const;
  const conv = sql('SELECT contact_name, state_reason, forgotten_at FROM conversations WHERE account_id = ? AND conversation_id = ?').get(...k) as Row | undefined;
  const session = getSession(sql, key);
  if (!conv && !session) return null;
  const named = conv !== undefined && (conv.contact_name != null || (conv.state_reason != null && conv.state_reason !== FORGOTTEN_REASON));
  sql(
    `INSERT INTO conversations (account_id, conversation_id, bot_state, state_reason, state_changed_at, updated_at, forgotten_at, version) VALUES (?, ?, 'paused', ?, ?, ?, ?, 1)
     ON CONFLICT (account_id, conversation_id) DO UPDATE SET bot_state = 'paused', state_reason = excluded.state_reason, contact_name = NULL, due_at = NULL,
       forgotten_at = COALESCE(conversations.forgotten_at, excluded.forgotten_at), version = version + 1`,
  ).run(...k, FORGOTTEN_REASON, opts.now, opts.now, opts.now);
  let stoppedTurns = 0;
  if (opts.stopTurns) {
    stoppedTurns = sql(`UPDATE turns SET state = 'skipped', finished_at = ? WHERE account_id = ? AND conversation_id = ? AND state = 'running'`).run(opts.now, ...k).changes;
    sql(`UPDATE messages SET state = 'skipped' WHERE account_id = ? AND conversation_id = ? AND state = 'in_turn'`).run(...k);
  }
  // Waiting messages would become a turn or hand-back context: nothing of them is asked any more.
  sql(`UPDATE messages SET state = 'skipped' WHERE account_id = ? AND conversation_id = ? AND state IN ('pending', 'held', 'context')`).run(...k);
  const erased: ErasedCounts = {
    conversations: named ? 1 : 0,
    messages: sql(`UPDATE messages SET text = '', attachments = '[]' WHERE account_id = ? AND conversation_id = ? AND (text != '' OR attachments != '[]')`).run(...k).changes,
    turns: sql('UPDATE turns SET reply = NULL, error = NULL WHERE account_id = ? AND conversation_id = ? AND (reply IS NOT NULL OR error IS NOT NULL)').run(...k).changes,
    outbox: sql(`UPDATE outbox SET content = '' WHERE account_id = ? AND conversation_id = ? AND content != ''`).run(...k).changes,
  };
  const running = sql(`SELECT count(*) AS n FROM turns WHERE account_id = ? AND conversation_id = ? AND state = 'running'`).get(...k) as Row;
  return { key, forgottenBefore: conv?.forgotten_at == null ? null : Number(conv.forgotten_at), erased, runningTurns: Number(running.n), stoppedTurns, session };
}
