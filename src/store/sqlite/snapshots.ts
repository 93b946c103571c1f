import { dedupeKeyOf } from '../../rules/dedupe.js';
import type { ConversationKey } from '../../domain/conversation.js';
import type { RuleRowAccess } from '../../rules/row-access.js';
import type { AcceptSnapshot, EchoCandidate, TurnSnapshot, WaitingMessage } from '../../rules/rows.js';
import { applyWrites } from './apply.js';
import type { StoredEvent } from '../store.js';
import { toConversationRow, toStoredTurnMessage, type Row, type Sql } from './rows.js';

/** The rules' row access on SQLite: every call runs inside the caller's IMMEDIATE transaction. */
export function sqliteRows(sql: Sql): RuleRowAccess<'sync'> {
  return {
    acceptRows: (event) => loadAcceptSnapshot(sql, event),
    turnRows: (key) => loadTurnSnapshot(sql, key),
    apply: (writes) => {
      applyWrites(sql, writes);
      return true;
    },
  };
}

/** What decideAccept reads, inside the accept's transaction. */
export function loadAcceptSnapshot(sql: Sql, event: StoredEvent): AcceptSnapshot {
  const { accountId, conversationId } = event.key;
  const dedupeKey = dedupeKeyOf(event);
  const messageId = 'messageId' in event ? event.messageId : event.kind === 'customer_message' ? event.message.messageId : null;
  const message = messageId === null ? undefined : (sql('SELECT state, attachments FROM messages WHERE account_id = ? AND message_id = ?').get(accountId, messageId) as Row | undefined);
  const snapshot: AcceptSnapshot = {
    conversation: conversationOf(sql, event.key),
    deliverySeen: dedupeKey !== null && sql('SELECT 1 FROM deliveries WHERE delivery_id = ?').get(dedupeKey) !== undefined,
    message: message ? { state: String(message.state) as NonNullable<AcceptSnapshot['message']>['state'], attachments: JSON.parse(String(message.attachments)) } : null,
    waiting: [],
    echoCandidates: [],
    failedPart: null,
  };
  // A duplicate customer message is decided on the row above alone.
  if (event.kind === 'customer_message' && message) return snapshot;
  snapshot.waiting = (
    sql(`SELECT message_id, state, received_at, awaiting_transcript FROM messages WHERE account_id = ? AND conversation_id = ? AND state IN ('pending', 'held')`).all(accountId, conversationId) as Row[]
  ).map(
    (r): WaitingMessage => ({ messageId: Number(r.message_id), state: r.state === 'held' ? 'held' : 'pending', receivedAt: Number(r.received_at), awaitingTranscript: Number(r.awaiting_transcript) === 1 }),
  );
  if (event.kind === 'delivery_failed') {
    const part = sql('SELECT turn_id, part, content FROM outbox WHERE account_id = ? AND conversation_id = ? AND chatwoot_message_id = ? LIMIT 1').get(accountId, conversationId, event.messageId) as
      | Row
      | undefined;
    snapshot.failedPart = part ? { turnId: String(part.turn_id), part: Number(part.part), content: String(part.content) } : null;
  }
  if (event.kind === 'bot_echo') {
    snapshot.echoCandidates = (
      sql(
        `SELECT turn_id, part, state, content, private, chatwoot_message_id, posted_at, attempted_at FROM outbox
          WHERE account_id = ? AND conversation_id = ? AND ((chatwoot_message_id = ? AND state != 'posted') OR (state = 'posting' AND content = ?))
          ORDER BY attempted_at`,
      ).all(accountId, conversationId, event.messageId, event.content) as Row[]
    ).map(toEchoCandidate);
  }
  return snapshot;
}

/** What decideTakeTurn reads, inside the takeTurn's transaction. */
export function loadTurnSnapshot(sql: Sql, key: ConversationKey): TurnSnapshot {
  const open = sql(`SELECT * FROM turns WHERE account_id = ? AND conversation_id = ? AND state = 'running' ORDER BY created_at LIMIT 1`).get(key.accountId, key.conversationId) as
    | Row
    | undefined;
  const snapshot: TurnSnapshot = { key, conversation: conversationOf(sql, key), openTurn: null, candidates: [] };
  if (open) {
    snapshot.openTurn = {
      id: String(open.id),
      inboxId: open.inbox_id == null ? null : Number(open.inbox_id),
      attempts: Number(open.attempts),
      reply: open.reply == null ? null : String(open.reply),
      createdAt: Number(open.created_at),
      messages: (sql('SELECT * FROM messages WHERE turn_id = ?').all(open.id) as Row[]).map(toStoredTurnMessage),
    };
    return snapshot;
  }
  snapshot.candidates = (
    sql(`SELECT * FROM messages WHERE account_id = ? AND conversation_id = ? AND state IN ('pending', 'context', 'held')`).all(key.accountId, key.conversationId) as Row[]
  ).map(toStoredTurnMessage);
  return snapshot;
}

function conversationOf(sql: Sql, key: ConversationKey): AcceptSnapshot['conversation'] {
  const row = sql('SELECT bot_state, left_pending_at, due_at, inbox_id, version, forgotten_at FROM conversations WHERE account_id = ? AND conversation_id = ?').get(key.accountId, key.conversationId) as
    | Row
    | undefined;
  return row ? toConversationRow(row) : null;
}

function toEchoCandidate(r: Row): EchoCandidate {
  return {
    turnId: String(r.turn_id),
    part: Number(r.part),
    state: String(r.state) as EchoCandidate['state'],
    content: String(r.content),
    private: Number(r.private) === 1,
    chatwootMessageId: r.chatwoot_message_id == null ? null : Number(r.chatwoot_message_id),
    postedAt: r.posted_at == null ? null : Number(r.posted_at),
    attemptedAt: r.attempted_at == null ? null : Number(r.attempted_at),
  };
}
