import type { Write } from '../../rules/writes.js';
import { patchColumns, WriteConflictError } from '../write-columns.js';
import type { Sql } from './rows.js';

/**
 * Applies a rule's writes, as they are, inside the caller's transaction. The conversation's version
 * check cannot fail here (an IMMEDIATE transaction is the only writer), but is kept: a write that
 * does not apply must never pass silently.
 */
export function applyWrites(sql: Sql, writes: Write[]): void {
  for (const w of writes) applyOne(sql, w);
}

function applyOne(sql: Sql, w: Write): void {
  switch (w.kind) {
    case 'conversation': {
      const cols = patchColumns(w.patch);
      const { accountId, conversationId } = w.key;
      const changed =
        w.expectedVersion === null
          ? sql(`INSERT OR IGNORE INTO conversations (account_id, conversation_id, ${cols.map(([c]) => `${c}, `).join('')}version) VALUES (?, ?, ${cols.map(() => '?, ').join('')}1)`).run(
              accountId,
              conversationId,
              ...cols.map(([, v]) => v),
            ).changes
          : sql(
              `UPDATE conversations SET ${cols.map(([c]) => `${c} = ?, `).join('')}version = version + 1 WHERE account_id = ? AND conversation_id = ? AND version = ?`,
            ).run(...cols.map(([, v]) => v), accountId, conversationId, w.expectedVersion).changes;
      if (changed !== 1) throw new WriteConflictError(`conversation ${accountId}/${conversationId}`);
      return;
    }
    case 'delivery':
      sql('INSERT INTO deliveries (delivery_id, received_at) VALUES (?, ?)').run(w.deliveryId, w.receivedAt);
      return;
    case 'message':
      sql(
        `INSERT INTO messages (account_id, message_id, conversation_id, inbox_id, role, text, attachments, created_at, received_at, awaiting_transcript, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(w.key.accountId, w.messageId, w.key.conversationId, w.inboxId, w.role, w.text, JSON.stringify(w.attachments), w.createdAt, w.receivedAt, w.awaitingTranscript ? 1 : 0, w.state);
      return;
    case 'messageStates': {
      const statement = w.turnId === undefined ? sql('UPDATE messages SET state = ? WHERE account_id = ? AND message_id = ?') : sql('UPDATE messages SET state = ?, turn_id = ? WHERE account_id = ? AND message_id = ?');
      for (const id of w.messageIds) {
        if (w.turnId === undefined) statement.run(w.state, w.accountId, id);
        else statement.run(w.state, w.turnId, w.accountId, id);
      }
      return;
    }
    case 'transcript':
      sql('UPDATE messages SET attachments = ?, awaiting_transcript = 0 WHERE account_id = ? AND message_id = ?').run(JSON.stringify(w.attachments), w.accountId, w.messageId);
      return;
    case 'turn':
      sql(`INSERT INTO turns (id, account_id, conversation_id, inbox_id, message_ids, state, attempts, created_at) VALUES (?, ?, ?, ?, ?, 'running', 1, ?)`).run(
        w.id,
        w.key.accountId,
        w.key.conversationId,
        w.inboxId,
        JSON.stringify(w.messageIds),
        w.createdAt,
      );
      return;
    case 'turnAttempt':
      sql('UPDATE turns SET attempts = ? WHERE id = ?').run(w.attempts, w.turnId);
      return;
    case 'outboxPlanned':
      sql(`INSERT OR IGNORE INTO outbox (turn_id, part, account_id, conversation_id, content, private, state) VALUES (?, ?, ?, ?, ?, ?, 'planned')`).run(
        w.turnId,
        w.part,
        w.key.accountId,
        w.key.conversationId,
        w.content,
        w.private ? 1 : 0,
      );
      return;
    case 'outboxPosted':
      sql(`UPDATE outbox SET state = 'posted', chatwoot_message_id = ?, posted_at = ? WHERE turn_id = ? AND part = ? AND state != 'posted'`).run(w.chatwootMessageId, w.postedAt, w.turnId, w.part);
      return;
  }
}
