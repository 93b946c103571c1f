import type { ConversationKey } from '../../domain/conversation.js';
import { dedupeKeyOf } from '../../rules/dedupe.js';
import type { RuleRowAccess } from '../../rules/row-access.js';
import { WAITING_STATES, type AcceptSnapshot, type EchoCandidate, type StoredTurnMessage, type TurnSnapshot, type WaitingMessage } from '../../rules/rows.js';
import type { StoredEvent } from '../store.js';
import { applyWrites } from './apply.js';
import { Params, prepared, type SnapshotQuery } from './params.js';
import type { Queryable } from './queryable.js';
import { CONVERSATION_COLUMNS, num, numOrNull, strOrNull, toConversationRow, toTurnMessage, type Row } from './rows.js';

/** The rules' row access on Postgres, on a pool (each call its own statement) or inside a transaction. */
export function postgresRows(db: Queryable): RuleRowAccess<'async'> {
  return { acceptRows: (event) => loadSnapshot(db, acceptSnapshotQuery(event)), turnRows: (key) => loadSnapshot(db, turnSnapshotQuery(key)), apply: (writes) => applyWrites(db, writes) };
}

/** Reads a snapshot alone: one statement, one round trip, one consistent view. */
export async function loadSnapshot<S>(db: Queryable, query: SnapshotQuery<S>): Promise<S> {
  const p = new Params();
  const { rows } = await db.query<Row>(prepared(`SELECT ${query.expression(p)} AS snapshot`, p.values));
  return query.parse(rows[0]!.snapshot);
}

export function loadAcceptSnapshot(db: Queryable, event: StoredEvent): Promise<AcceptSnapshot> {
  return loadSnapshot(db, acceptSnapshotQuery(event));
}

const WAITING = WAITING_STATES.map((s) => `'${s}'`).join(', ');

function conversationSql(account: string, conversation: string): string {
  return `(SELECT json_build_object(${CONVERSATION_COLUMNS}) FROM conversations WHERE account_id = ${account} AND conversation_id = ${conversation})`;
}

/**
 * What decideAccept reads: the conversation, the message the event names, whether its delivery id
 * was seen, the messages that wait, and for a bot echo the outbox parts it may confirm.
 */
export function acceptSnapshotQuery(event: StoredEvent): SnapshotQuery<AcceptSnapshot> {
  return {
    expression: (p) => {
      const account = p.add(event.key.accountId, 'bigint');
      const conversation = p.add(event.key.conversationId, 'bigint');
      const messageId = p.add('messageId' in event ? event.messageId : event.kind === 'customer_message' ? event.message.messageId : null, 'bigint');
      const deliveryId = p.add(dedupeKeyOf(event), 'text');
      const echoContent = p.add(event.kind === 'bot_echo' ? event.content : null, 'text');
      return `json_build_object(
  'conversation', ${conversationSql(account, conversation)},
  'message', (SELECT json_build_object('state', state, 'attachments', attachments) FROM messages WHERE account_id = ${account} AND message_id = ${messageId}),
  'delivery_seen', (${deliveryId} IS NOT NULL AND EXISTS (SELECT 1 FROM deliveries WHERE delivery_id = ${deliveryId})),
  'waiting', (SELECT COALESCE(json_agg(json_build_object('message_id', message_id, 'state', state, 'received_at', received_at, 'awaiting', awaiting_transcript)), '[]')
     FROM messages WHERE account_id = ${account} AND conversation_id = ${conversation} AND state IN (${WAITING})),
  'echo', (SELECT COALESCE(json_agg(o ORDER BY o.attempted_at NULLS FIRST), '[]') FROM (
     SELECT turn_id, part, state, content, private, chatwoot_message_id, posted_at, attempted_at FROM outbox
      WHERE ${echoContent} IS NOT NULL AND account_id = ${account} AND conversation_id = ${conversation}
        AND ((chatwoot_message_id = ${messageId} AND state <> 'posted') OR (state = 'posting' AND content = ${echoContent}))) o),
  'failed', (SELECT json_build_object('turn_id', turn_id, 'part', part, 'content', content) FROM outbox
     WHERE ${p.add(event.kind === 'delivery_failed', 'boolean')} AND account_id = ${account} AND conversation_id = ${conversation} AND chatwoot_message_id = ${messageId} LIMIT 1))`;
    },
    parse: parseAcceptSnapshot,
  };
}

function parseAcceptSnapshot(value: unknown): AcceptSnapshot {
  const r = value as Row;
  const message = r.message as { state: string; attachments: unknown } | null;
  const failed = r.failed as Row | null;
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
    failedPart: failed ? { turnId: String(failed.turn_id), part: num(failed.part), content: String(failed.content) } : null,
  };
}

/** What decideTakeTurn reads: the conversation, its oldest unfinished turn with its messages, or else the messages a new turn would take. */
export function turnSnapshotQuery(key: ConversationKey): SnapshotQuery<TurnSnapshot> {
  return {
    expression: (p) => {
      const account = p.add(key.accountId, 'bigint');
      const conversation = p.add(key.conversationId, 'bigint');
      return `(WITH open AS (
    SELECT id, inbox_id, attempts, reply, created_at FROM turns
     WHERE account_id = ${account} AND conversation_id = ${conversation} AND state = 'running' ORDER BY created_at, seq LIMIT 1)
  SELECT json_build_object(
    'conversation', ${conversationSql(account, conversation)},
    'open_turn', (SELECT row_to_json(open) FROM open),
    'open_messages', (SELECT COALESCE(json_agg(m), '[]') FROM messages m WHERE m.turn_id = (SELECT id FROM open)),
    'candidates', (SELECT COALESCE(json_agg(m), '[]') FROM messages m
      WHERE NOT EXISTS (SELECT 1 FROM open) AND m.account_id = ${account} AND m.conversation_id = ${conversation} AND m.state IN ('pending', 'context', 'held'))))`;
    },
    parse: (value) => parseTurnSnapshot(key, value as Row),
  };
}

function parseTurnSnapshot(key: ConversationKey, r: Row): TurnSnapshot {
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

function toStoredTurnMessage(m: Row): StoredTurnMessage {
  return { ...toTurnMessage(m), state: String(m.state) as StoredTurnMessage['state'] };
}
