import type { ConversationKey } from '../../domain/conversation.js';
import { dedupeKeyOf } from '../../rules/dedupe.js';
import type { RuleRowAccess } from '../../rules/row-access.js';
import type { AcceptSnapshot, ConversationRow, EchoCandidate, StoredTurnMessage, TurnSnapshot, WaitingMessage } from '../../rules/rows.js';
import type { StoredEvent } from '../store.js';
import { applyWrites } from './apply.js';
import type { Queryable } from './queryable.js';
import { num, numOrNull, strOrNull, toTurnMessage, type Row } from './rows.js';

/** A pool (one statement, its own transaction) or a client inside a transaction. */

/** The rules' row access on Postgres, on a pool (each call its own statement) or inside a transaction. */
export function postgresRows(db: Queryable): RuleRowAccess<'async'> {
  return { acceptRows: (event) => loadAcceptSnapshot(db, event), turnRows: (key) => loadTurnSnapshot(db, key), apply: (writes) => applyWrites(db, writes) };
}

const CONVERSATION = `(SELECT json_build_object('bot_state', bot_state, 'left_pending_at', left_pending_at, 'due_at', due_at, 'inbox_id', inbox_id, 'version', version, 'forgotten', forgotten_at IS NOT NULL)
    FROM conversations WHERE account_id = $1 AND conversation_id = $2)`;

/**
 * What decideAccept reads, in ONE statement (one round trip, one consistent snapshot): the
 * conversation, the message the event names, whether its delivery id was seen, the messages that
 * wait, and for a bot echo the outbox parts it may confirm.
 */
const ACCEPT_SNAPSHOT = `SELECT ${CONVERSATION} AS conversation,
  (SELECT json_build_object('state', state, 'attachments', attachments) FROM messages WHERE account_id = $1 AND message_id = $3::bigint) AS message,
  ($4::text IS NOT NULL AND EXISTS (SELECT 1 FROM deliveries WHERE delivery_id = $4::text)) AS delivery_seen,
  (SELECT COALESCE(json_agg(json_build_object('message_id', message_id, 'state', state, 'received_at', received_at, 'awaiting', awaiting_transcript)), '[]')
     FROM messages WHERE account_id = $1 AND conversation_id = $2 AND state IN ('pending', 'held')) AS waiting,
  (SELECT COALESCE(json_agg(o ORDER BY o.attempted_at NULLS FIRST), '[]') FROM (
     SELECT turn_id, part, state, content, private, chatwoot_message_id, posted_at, attempted_at FROM outbox
      WHERE $5::text IS NOT NULL AND account_id = $1 AND conversation_id = $2
        AND ((chatwoot_message_id = $3::bigint AND state <> 'posted') OR (state = 'posting' AND content = $5::text))) o) AS echo,
  (SELECT json_build_object('turn_id', turn_id, 'part', part, 'content', content) FROM outbox
     WHERE $6::boolean AND account_id = $1 AND conversation_id = $2 AND chatwoot_message_id = $3::bigint LIMIT 1) AS failed`;

export async function loadAcceptSnapshot(db: Queryable, event: StoredEvent): Promise<AcceptSnapshot> {
  const messageId = 'messageId' in event ? event.messageId : event.kind === 'customer_message' ? event.message.messageId : null;
  const deliveryId = dedupeKeyOf(event);
  const echoContent = event.kind === 'bot_echo' ? event.content : null;
  const { rows } = await db.query<Row>(ACCEPT_SNAPSHOT, [event.key.accountId, event.key.conversationId, messageId, deliveryId, echoContent, event.kind === 'delivery_failed']);
  const r = rows[0]!;
  const message = r.message as { state: string; attachments: unknown } | null;
  return {
    conversation: toConversationRow(r.conversation),
    deliverySeen: r.delivery_seen === true,
    message: message ? { state: message.state as StoredTurnMessage['state'], attachments: (message.attachments ?? []) as StoredTurnMessage['attachments'] } : null,
    waiting: (r.waiting as Row[]).map(
      (w): WaitingMessage => ({ messageId: num(w.message_id), state: w.state === 'held' ? 'held' : 'pending', receivedAt: num(w.received_at), awaitingTranscript: w.awaiting === true }),
    ),
    echoCandidates: (r.echo as Row[]).map(
      (o): EchoCandidate => ({
        turnId: String(o.turn_id),
        part: num(o.part),
        state: String(o.state) as EchoCandidate['state'],
        content: String(o.content),
        private: o.private === true,
        chatwootMessageId: numOrNull(o.chatwoot_message_id),
        postedAt: numOrNull(o.posted_at),
        attemptedAt: numOrNull(o.attempted_at),
      }),
    ),
    failedPart: toFailedPart(r.failed as Row | null),
  };
}

function toFailedPart(o: Row | null): AcceptSnapshot['failedPart'] {
  return o ? { turnId: String(o.turn_id), part: num(o.part), content: String(o.content) } : null;
}

/** What decideTakeTurn reads, in one statement: the conversation, its oldest unfinished turn with its messages, or else the messages a new turn would take. */
const TURN_SNAPSHOT = `WITH open AS (
    SELECT id, inbox_id, attempts, reply, created_at FROM turns
     WHERE account_id = $1 AND conversation_id = $2 AND state = 'running' ORDER BY created_at, seq LIMIT 1)
  SELECT ${CONVERSATION} AS conversation,
    (SELECT row_to_json(open) FROM open) AS open_turn,
    (SELECT COALESCE(json_agg(m), '[]') FROM messages m WHERE m.turn_id = (SELECT id FROM open)) AS open_messages,
    (SELECT COALESCE(json_agg(m), '[]') FROM messages m
      WHERE NOT EXISTS (SELECT 1 FROM open) AND m.account_id = $1 AND m.conversation_id = $2 AND m.state IN ('pending', 'context', 'held')) AS candidates`;

export async function loadTurnSnapshot(db: Queryable, key: ConversationKey): Promise<TurnSnapshot> {
  const { rows } = await db.query<Row>(TURN_SNAPSHOT, [key.accountId, key.conversationId]);
  const r = rows[0]!;
  const open = r.open_turn as Row | null;
  return {
    key,
    conversation: toConversationRow(r.conversation),
    openTurn: open
      ? {
          id: String(open.id),
          inboxId: numOrNull(open.inbox_id),
          attempts: num(open.attempts),
          reply: strOrNull(open.reply),
          createdAt: num(open.created_at),
          messages: (r.open_messages as Row[]).map(toStoredTurnMessage),
        }
      : null,
    candidates: (r.candidates as Row[]).map(toStoredTurnMessage),
  };
}

function toConversationRow(value: unknown): ConversationRow | null {
  const c = value as Row | null;
  if (!c) return null;
  return { botState: String(c.bot_state) as ConversationRow['botState'], leftPendingAt: numOrNull(c.left_pending_at), dueAt: numOrNull(c.due_at), inboxId: numOrNull(c.inbox_id), version: num(c.version), forgotten: c.forgotten === true };
}

function toStoredTurnMessage(m: Row): StoredTurnMessage {
  return { ...toTurnMessage(m), state: String(m.state) as StoredTurnMessage['state'] };
}
