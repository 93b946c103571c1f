import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ConversationKey } from '../chatwoot/events.js';
import type { Logger } from '../logger.js';
import { createPool, DEFAULT_POOL_MAX, queryWithin, resolveTarget, workerSchemaFor, type PostgresOptions } from './postgres/connection.js';
import { migratePostgres } from './postgres/migrate.js';
import { keyOf, num, numOrNull, strOrNull, toConversation, toOutboxPart, toSession, toTurn, type Row } from './postgres/rows.js';
import { isRetryable } from './postgres/tx.js';
import type {
  AcceptResult,
  BotState,
  ConversationState,
  DebouncePolicy,
  OutboxPart,
  SessionMode,
  SessionRecord,
  Store,
  StoredEvent,
  Turn,
  TurnOutcome,
} from './store.js';
import { HANDOFF_PARTS } from './store.js';

export type { PostgresOptions } from './postgres/connection.js';

/**
 * The webhook waits 4 s for the store (http/deadline.ts); its queries give up a little before, so
 * their connection is dropped and the idle ones checked before Chatwoot's retry comes 3 s later.
 */
const INTAKE_QUERY_TIMEOUT_MS = 3500;

/**
 * The store for many instances: the same behaviour as SqliteStore (the contract tests in test/store/
 * run against both), one transaction per method. Every transaction that touches a conversation locks
 * its conversation row first, so work on one conversation is serialized across instances and
 * transactions never wait on each other in a cycle.
 *
 * `accept`, `takeTurn`, `planParts` and `finishTurn` are one round trip each, to functions of the same
 * names (chb_accept, chb_take_turn…; migrations/postgres.ts): every round trip is latency on a turn's
 * way to the customer. `accept` does not touch the job queue: the conversation's due_at it writes is
 * the durable record that a turn must run, and the scheduler turns it into a graphile-worker job
 * (postgres/wakeup.ts). Adding the job here would put graphile-worker's NOTIFY in the webhook's
 * transaction, and Postgres serializes the commits of notifying transactions, fsync included:
 * measured on the CI machine, p50 295 ms instead of 4 ms at 500 webhooks per second.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;
  private readonly closeHooks = new Set<() => Promise<void>>();

  /** Connects, migrates (the bot's schema and graphile-worker's) and returns the store. */
  static async open(opts: PostgresOptions, log: Logger): Promise<PostgresStore> {
    const target = resolveTarget(opts);
    const poolMax = opts.poolMax ?? DEFAULT_POOL_MAX;
    const instanceId = `i-${process.pid}-${randomBytes(4).toString('hex')}`;
    const pool = createPool(target, poolMax, log, instanceId);
    const schemas = { store: target.schema, worker: workerSchemaFor(target.schema) };
    try {
      await migratePostgres(pool, schemas, log);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    log.info({ store: 'postgres', db: target.label, schema: schemas.store ?? '(default)', poolMax, tls: target.ssl !== false }, 'store opened');
    return new PostgresStore(pool, schemas, instanceId);
  }

  constructor(
    /** Shared with the job queue (conversation/pg-scheduler.ts): one pool bounds the process's connections. */
    readonly pool: pg.Pool,
    readonly schemas: { store: string | undefined; worker: string },
    /** This process among the instances sharing the database (its connections' application_name). */
    readonly instanceId: string,
  ) {}

  async accept(event: StoredEvent, policy: DebouncePolicy, now: number): Promise<AcceptResult> {
    const row = (await this.call('SELECT outcome, due, note FROM chb_accept($1::jsonb, $2::bigint, $3::jsonb)', [JSON.stringify(flatten(event)), now, JSON.stringify(policy)], INTAKE_QUERY_TIMEOUT_MS))[0];
    const note = strOrNull(row?.note);
    if (!row || row.outcome === 'duplicate') return { outcome: 'duplicate' };
    if (row.outcome === 'ignored') return { outcome: 'ignored', reason: note ?? 'ignored' };
    return { outcome: 'stored', dueAt: numOrNull(row.due), ...(note === null ? {} : { note }) };
  }

  /**
   * One statement, in its own transaction: the store's multi-step writes are functions
   * (migrations/postgres.ts), so each costs one round trip. A deadlock rolls the statement back
   * whole, so it is tried again.
   */
  private async call(text: string, params: unknown[], timeoutMs?: number): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return timeoutMs === undefined ? (await this.pool.query<Row>(text, params)).rows : await queryWithin(this.pool, text, params, timeoutMs);
      } catch (error) {
        if (attempt < 3 && isRetryable(error)) continue;
        throw error;
      }
    }
  }

  async listDue(): Promise<Array<{ key: ConversationKey; dueAt: number }>> {
    const { rows } = await this.pool.query<Row>(
      `SELECT account_id, conversation_id, min(due_at) AS due_at FROM (
         SELECT account_id, conversation_id, due_at FROM conversations WHERE due_at IS NOT NULL
         UNION ALL
         SELECT account_id, conversation_id, 0 FROM turns WHERE state = 'running'
       ) d GROUP BY account_id, conversation_id ORDER BY min(due_at), account_id, conversation_id`,
    );
    return rows.map((r) => ({ key: keyOf(r), dueAt: num(r.due_at) }));
  }

  async takeTurn(key: ConversationKey, now: number): Promise<{ turn: Turn } | { turn: null; nextDueAt: number | null }> {
    const r = (await this.call('SELECT chb_take_turn($1, $2, $3) AS r', [key.accountId, key.conversationId, now]))[0]?.r as
      | { turn?: Row; attempt?: number; messages?: Row[]; next_due_at?: number | null }
      | undefined;
    if (r?.turn) return { turn: toTurn(r.turn, r.messages ?? [], num(r.attempt)) };
    return { turn: null, nextDueAt: numOrNull(r?.next_due_at) };
  }

  async getConversation(key: ConversationKey): Promise<ConversationState | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM conversations WHERE account_id = $1 AND conversation_id = $2', [key.accountId, key.conversationId]);
    return rows[0] ? toConversation(key, rows[0]) : null;
  }

  async setBotState(key: ConversationKey, state: BotState, reason: string, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO conversations AS c (account_id, conversation_id, bot_state, state_reason, state_changed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET bot_state = excluded.bot_state, state_reason = excluded.state_reason,
         state_changed_at = excluded.state_changed_at, left_pending_at = NULL, updated_at = excluded.updated_at`,
      [key.accountId, key.conversationId, state, reason, now],
    );
  }

  async bumpEmptyStreak(key: ConversationKey): Promise<number> {
    const { rows } = await this.pool.query<Row>(
      'UPDATE conversations SET empty_streak = empty_streak + 1 WHERE account_id = $1 AND conversation_id = $2 RETURNING empty_streak',
      [key.accountId, key.conversationId],
    );
    return num(rows[0]?.empty_streak ?? 1);
  }

  async recentBotReplies(key: ConversationKey, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT content FROM outbox WHERE account_id = $1 AND conversation_id = $2 AND state = 'posted' AND NOT private AND part < $3
       ORDER BY posted_at DESC NULLS LAST, part DESC LIMIT $4`,
      [key.accountId, key.conversationId, HANDOFF_PARTS.fallback, limit],
    );
    return rows.map((r) => String(r.content)).reverse();
  }

  async lastTurn(key: ConversationKey): Promise<{ id: string; state: string; error: string | null; createdAt: number; finishedAt: number | null } | null> {
    const { rows } = await this.pool.query<Row>(
      'SELECT id, state, error, created_at, finished_at FROM turns WHERE account_id = $1 AND conversation_id = $2 ORDER BY created_at DESC, seq DESC LIMIT 1',
      [key.accountId, key.conversationId],
    );
    const r = rows[0];
    if (!r) return null;
    return { id: String(r.id), state: String(r.state), error: strOrNull(r.error), createdAt: num(r.created_at), finishedAt: numOrNull(r.finished_at) };
  }

  async getInboxSettings(inboxId: number): Promise<Record<string, unknown> | null> {
    // Read on the webhook's path (cached for a few seconds by conversation/settings.ts).
    const rows = await queryWithin(this.pool, 'SELECT settings FROM inbox_settings WHERE inbox_id = $1', [inboxId], INTAKE_QUERY_TIMEOUT_MS);
    return rows[0] ? (rows[0].settings as Record<string, unknown>) : null;
  }

  async saveInboxSettings(inboxId: number, settings: Record<string, unknown>, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO inbox_settings (inbox_id, settings, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (inbox_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      [inboxId, JSON.stringify(settings), now],
    );
  }

  async listInboxSettings(): Promise<Array<{ inboxId: number; settings: Record<string, unknown> }>> {
    const { rows } = await this.pool.query<Row>('SELECT inbox_id, settings FROM inbox_settings ORDER BY inbox_id');
    return rows.map((r) => ({ inboxId: num(r.inbox_id), settings: r.settings as Record<string, unknown> }));
  }

  async getSession(key: ConversationKey): Promise<SessionRecord | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM sessions WHERE account_id = $1 AND conversation_id = $2', [key.accountId, key.conversationId]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  async saveSession(key: ConversationKey, s: { sessionId: string; mode: SessionMode; generation: number }, now: number): Promise<SessionRecord> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO sessions AS s (account_id, conversation_id, session_id, mode, generation, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET
         session_id = excluded.session_id, mode = excluded.mode,
         created_at = CASE WHEN excluded.generation <> s.generation THEN excluded.created_at ELSE s.created_at END,
         turn_count = CASE WHEN excluded.generation <> s.generation THEN 0 ELSE s.turn_count END,
         generation = excluded.generation
       RETURNING *`,
      [key.accountId, key.conversationId, s.sessionId, s.mode, s.generation, now],
    );
    return toSession(rows[0]!);
  }

  async listSessions(filter: Partial<ConversationKey> = {}): Promise<SessionRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM sessions WHERE ($1::bigint IS NULL OR account_id = $1) AND ($2::bigint IS NULL OR conversation_id = $2) ORDER BY account_id, conversation_id`,
      [filter.accountId ?? null, filter.conversationId ?? null],
    );
    return rows.map(toSession);
  }

  async planParts(turnId: string, reply: string | null, parts: Array<{ part: number; content: string; private: boolean }>): Promise<OutboxPart[]> {
    const rows = await this.call('SELECT * FROM chb_plan_parts($1, $2, $3::int[], $4::text[], $5::boolean[])', [
      turnId,
      reply,
      parts.map((p) => p.part),
      parts.map((p) => p.content),
      parts.map((p) => p.private),
    ]);
    return rows.map(toOutboxPart);
  }

  async setPartState(turnId: string, part: number, state: 'posting' | 'posted' | 'failed', now: number, chatwootMessageId: number | null = null): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE outbox SET state = $1,
         attempted_at = CASE WHEN $1 = 'posting' THEN $2 ELSE attempted_at END,
         posted_at = CASE WHEN $1 = 'posted' THEN $2 ELSE posted_at END,
         chatwoot_message_id = COALESCE($3, chatwoot_message_id)
       WHERE turn_id = $4 AND part = $5 AND state <> 'posted' AND ($1 <> 'posting' OR state IN ('planned', 'failed'))`,
      [state, now, chatwootMessageId, turnId, part],
    );
    return (rowCount ?? 0) > 0;
  }

  async getOutbox(turnId: string): Promise<OutboxPart[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM outbox WHERE turn_id = $1 ORDER BY part', [turnId]);
    return rows.map(toOutboxPart);
  }

  async finishTurn(turnId: string, outcome: TurnOutcome, now: number, error?: string): Promise<void> {
    await this.call('SELECT chb_finish_turn($1, $2, $3, $4)', [turnId, outcome, now, error ?? null]);
  }

  async ping(): Promise<void> {
    // A write that changes nothing: a read-only or full database fails here, as it would on accept.
    await queryWithin(this.pool, 'UPDATE schema_migrations SET applied_at = applied_at WHERE version = 1', [], INTAKE_QUERY_TIMEOUT_MS);
  }

  async prune(olderThan: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM deliveries WHERE received_at < $1', [olderThan]);
    return rowCount ?? 0;
  }

  /**
   * Runs `hook` before the pool closes: the job queue holds a connection for LISTEN while it runs, and
   * pool.end() waits for every connection to come back. Returns the unregister function.
   */
  onClose(hook: () => Promise<void>): () => void {
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of [...this.closeHooks]) await hook().catch(() => undefined);
    await this.pool.end();
  }
}

/** The event as chb_accept reads it: flat, with the conversation's inbox resolved as SqliteStore does. */
function flatten(event: StoredEvent): Record<string, unknown> {
  const base = {
    kind: event.kind,
    deliveryId: event.deliveryId,
    accountId: event.key.accountId,
    conversationId: event.key.conversationId,
    status: event.status,
    inboxId: 'inboxId' in event ? event.inboxId : event.kind === 'customer_message' ? event.message.inboxId : null,
  };
  switch (event.kind) {
    case 'customer_message': {
      const m = event.message;
      return {
        ...base,
        messageId: m.messageId,
        messageInboxId: m.inboxId,
        contactId: m.contactId,
        contactName: m.contactName,
        text: m.text,
        attachments: m.attachments,
        createdAt: m.createdAt,
        awaitingTranscript: m.attachments.some((a) => a.file_type === 'audio' && !(a.transcribed_text ?? '').trim()),
      };
    }
    case 'takeover':
      return { ...base, messageId: event.messageId, by: event.by, content: event.content };
    case 'transcript':
      return { ...base, messageId: event.messageId, transcript: event.transcript };
    case 'bot_echo':
      return { ...base, messageId: event.messageId, content: event.content };
    case 'status':
      return base;
  }
}
