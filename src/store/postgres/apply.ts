import type { ConversationRow } from '../../rules/rows.js';
import type { ConversationWrite, Write } from '../../rules/writes.js';
import { patchColumns } from '../write-columns.js';
import { Params, prepared, type SnapshotQuery } from './params.js';
import type { Queryable } from './queryable.js';
import { CONVERSATION_COLUMNS, toConversationRow, type Row } from './rows.js';

/** Conversation columns of type TEXT; the others a rule sets are BIGINT. */
const TEXT_COLUMNS = new Set(['last_status', 'contact_name', 'bot_state', 'state_reason']);

/** What writing a decision came to. */
export interface ApplyOutcome<S> {
  applied: boolean;
  /** Applied: the conversation row as the decision left it (null when the decision did not write it). */
  conversation: ConversationRow | null;
  /** Not applied, and a snapshot query was given: the rows as they are now, read by the same statement. */
  fresh: S | null;
}

/**
 * Applies a rule's writes in ONE statement: the conversation's write is the guard (`g`), an UPDATE
 * that matches only while the row's version is still the one the rule read (or an INSERT … ON
 * CONFLICT DO NOTHING for a row that did not exist), and every other write is a data-modifying CTE
 * that runs only when the guard returned its row. The guard also requires that the messages and
 * delivery ids the decision inserts are not there yet, so a redelivery raced in by another writer
 * makes the guard miss (the rule decides again and finds the duplicate) instead of failing the
 * statement on the unique index. Resolves `applied: false` when the guard did not apply (another
 * writer came first: nothing was written); with `reload`, the same statement then also brings back
 * the snapshot to decide again on, so a lost race costs no extra round trip. The rules never touch
 * one row twice in a decision, as CTEs of one statement all see the same snapshot and must not.
 *
 * The main query reads `g` first, so the conversation row is locked before the other rows (the lock
 * order every writer of a conversation keeps); the other CTEs run after it.
 */
export async function applyOrReload<S>(db: Queryable, writes: Write[], reload?: SnapshotQuery<S>): Promise<ApplyOutcome<S>> {
  const p = new Params();
  const guard = writes.find((w): w is ConversationWrite => w.kind === 'conversation');
  const ctes = [`g AS (${guard ? guardSql(p, guard, absentSql(p, writes)) : 'SELECT NULL::json AS row'})`];
  for (const w of writes) {
    const sql = writeSql(p, w);
    if (sql !== null) ctes.push(`w${ctes.length} AS (${sql})`);
  }
  // Postgres runs an uncorrelated subquery only when its value is used: the reload only on a miss.
  const fresh = reload ? `CASE WHEN NOT EXISTS (SELECT 1 FROM g) THEN ${reload.expression(p)} END` : 'NULL::json';
  const text = `WITH ${ctes.join(',\n')}\nSELECT (SELECT count(*) FROM g)::int AS applied, (SELECT row FROM g LIMIT 1) AS row, ${fresh} AS fresh`;
  const { rows } = await db.query<Row>(prepared(text, p.values));
  const r = rows[0]!;
  const applied = Number(r.applied) > 0;
  return { applied, conversation: applied ? toConversationRow(r.row) : null, fresh: !applied && reload && r.fresh != null ? reload.parse(r.fresh) : null };
}

/** applyOrReload without the reload: whether the decision was written. */
export async function applyWrites(db: Queryable, writes: Write[]): Promise<boolean> {
  return (await applyOrReload(db, writes)).applied;
}

/** The rows the decision inserts must not exist yet (writes.ts: MessageInsert, DeliveryWrite). */
function absentSql(p: Params, writes: Write[]): string {
  const conditions = writes.flatMap((w) => {
    if (w.kind === 'message') return [`NOT EXISTS (SELECT 1 FROM messages WHERE account_id = ${p.add(w.key.accountId, 'bigint')} AND message_id = ${p.add(w.messageId, 'bigint')})`];
    if (w.kind === 'delivery') return [`NOT EXISTS (SELECT 1 FROM deliveries WHERE delivery_id = ${p.add(w.deliveryId, 'text')})`];
    return [];
  });
  return conditions.map((c) => ` AND ${c}`).join('');
}

function guardSql(p: Params, w: ConversationWrite, absent: string): string {
  const cols = patchColumns(w.patch);
  const value = ([column, v]: [string, unknown]) => p.add(v, TEXT_COLUMNS.has(column) ? 'text' : 'bigint');
  const account = p.add(w.key.accountId, 'bigint');
  const conversation = p.add(w.key.conversationId, 'bigint');
  const returning = `RETURNING json_build_object(${CONVERSATION_COLUMNS}) AS row`;
  if (w.expectedVersion === null) {
    return `INSERT INTO conversations (account_id, conversation_id, ${cols.map(([c]) => `${c}, `).join('')}version)
      SELECT ${account}, ${conversation}, ${cols.map((c) => `${value(c)}, `).join('')}1 WHERE TRUE${absent} ON CONFLICT DO NOTHING ${returning}`;
  }
  const sets = cols.map((c) => `${c[0]} = ${value(c)}, `).join('');
  return `UPDATE conversations SET ${sets}version = version + 1
      WHERE account_id = ${account} AND conversation_id = ${conversation} AND version = ${p.add(w.expectedVersion, 'bigint')}${absent} ${returning}`;
}

const IF_GUARDED = 'EXISTS (SELECT 1 FROM g)';

function writeSql(p: Params, w: Write): string | null {
  switch (w.kind) {
    case 'conversation':
      return null; // the guard
    case 'delivery':
      return `INSERT INTO deliveries (delivery_id, received_at) SELECT ${p.add(w.deliveryId, 'text')}, ${p.add(w.receivedAt, 'bigint')} FROM g`;
    case 'message':
      return `INSERT INTO messages (account_id, message_id, conversation_id, inbox_id, role, text, attachments, created_at, received_at, awaiting_transcript, state)
        SELECT ${p.add(w.key.accountId, 'bigint')}, ${p.add(w.messageId, 'bigint')}, ${p.add(w.key.conversationId, 'bigint')}, ${p.add(w.inboxId, 'bigint')},
               ${p.add(w.role, 'text')}, ${p.add(w.text, 'text')}, ${p.add(JSON.stringify(w.attachments), 'jsonb')}, ${p.add(w.createdAt, 'text')},
               ${p.add(w.receivedAt, 'bigint')}, ${p.add(w.awaitingTranscript, 'boolean')}, ${p.add(w.state, 'text')} FROM g`;
    case 'messageStates': {
      const turn = w.turnId === undefined ? '' : `, turn_id = ${p.add(w.turnId, 'text')}`;
      return `UPDATE messages SET state = ${p.add(w.state, 'text')}${turn}
        WHERE account_id = ${p.add(w.accountId, 'bigint')} AND message_id = ANY (${p.add(w.messageIds, 'bigint[]')}) AND ${IF_GUARDED}`;
    }
    case 'transcript':
      return `UPDATE messages SET attachments = ${p.add(JSON.stringify(w.attachments), 'jsonb')}, awaiting_transcript = FALSE
        WHERE account_id = ${p.add(w.accountId, 'bigint')} AND message_id = ${p.add(w.messageId, 'bigint')} AND ${IF_GUARDED}`;
    case 'turn':
      return `INSERT INTO turns (id, account_id, conversation_id, inbox_id, message_ids, state, attempts, created_at)
        SELECT ${p.add(w.id, 'text')}, ${p.add(w.key.accountId, 'bigint')}, ${p.add(w.key.conversationId, 'bigint')}, ${p.add(w.inboxId, 'bigint')},
               ${p.add(JSON.stringify(w.messageIds), 'jsonb')}, 'running', 1, ${p.add(w.createdAt, 'bigint')} FROM g`;
    case 'turnAttempt':
      return `UPDATE turns SET attempts = ${p.add(w.attempts, 'int')} WHERE id = ${p.add(w.turnId, 'text')} AND ${IF_GUARDED}`;
    case 'outboxPlanned':
      return `INSERT INTO outbox (turn_id, part, account_id, conversation_id, content, private, state)
        SELECT ${p.add(w.turnId, 'text')}, ${p.add(w.part, 'int')}, ${p.add(w.key.accountId, 'bigint')}, ${p.add(w.key.conversationId, 'bigint')},
               ${p.add(w.content, 'text')}, ${p.add(w.private, 'boolean')}, 'planned' FROM g ON CONFLICT DO NOTHING`;
    case 'outboxPosted':
      return `UPDATE outbox SET state = 'posted', chatwoot_message_id = ${p.add(w.chatwootMessageId, 'bigint')}, posted_at = ${p.add(w.postedAt, 'bigint')}
        WHERE turn_id = ${p.add(w.turnId, 'text')} AND part = ${p.add(w.part, 'int')} AND state <> 'posted' AND ${IF_GUARDED}`;
  }
}
