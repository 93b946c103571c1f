import type pg from 'pg';
import type { ConversationKey } from '../domain/conversation.js';
import { QUERY_TIMEOUT_MS } from './postgres/connection.js';
import type { ImportCounts } from './postgres/import-sqlite.js';
import { keyOf, num, numOrNull, strOrNull, toConversation, toOutboxPart, toSession, type Row } from './postgres/rows.js';
import { AcceptHints } from './postgres/accept-hints.js';
import { PendingFigures } from './postgres/pending-figures.js';
import { decideOnPostgres } from './postgres/decide.js';
import { acceptSnapshotQuery, turnSnapshotQuery } from './postgres/snapshots.js';
import { prepared } from './postgres/params.js';
import * as panel from './postgres/panel.js';
import { decideAccept } from '../rules/accept.js';
import { decideHandOffNow } from '../rules/handoff-now.js';
import { decideTakeTurn, type TakeTurnResult } from '../rules/take-turn.js';
import type {
  AcceptResult,
  BotState,
  ConversationState,
  DebouncePolicy,
  OutboxPart,
  PanelRows,
  SessionMode,
  SessionRecord,
  Store,
  StoredEvent,
  TurnOutcome,
  PartRef,
  PartStateChange,
} from './store.js';
import { HANDOFF_PARTS } from '../domain/outbox.js';
import type { ErasedCounts, ForgetPass } from '../domain/privacy.js';
import * as privacy from './postgres/privacy.js';
import * as sessions from './postgres/sessions.js';
import * as turns from './postgres/turns.js';

export type { PostgresOptions } from './postgres/connection.js';

/** The process's pools (backend/postgres.ts): the webhook's own, and the work's (turns, job queue, housekeeping). */
export interface PostgresPools {
  intake: pg.Pool;
  work: pg.Pool;
}

/**
 * The store for many instances: the same behaviour as SqliteStore (the contract tests in test/store/
 * run against both), one transaction per method. Every write to a conversation row grows its
 * `version`, and every statement that touches a conversation writes its row first, so work on one
 * conversation is serialized across instances and statements never wait on each other in a cycle.
 *
 * `accept` and `takeTurn` run the conversation rules (src/rules/), the same code as SqliteStore:
 * one statement reads the rows a rule needs, the rule decides, one statement writes the decision if
 * the conversation's version is unchanged (postgres/decide.ts): two round trips, no lock held in
 * between; one for a customer's message to a conversation this instance wrote last (or a new one),
 * decided on what it wrote (postgres/accept-hints.ts) and checked by the same version guard.
 * `planParts`, `finishTurn` and `setPartState` decide nothing and are one statement each.
 * `accept` does not touch the job queue: the conversation's due_at it writes is the durable record
 * that a turn must run, and the scheduler turns it into a graphile-worker job
 * (scheduler/postgres/wakeup.ts). Adding the job here would put graphile-worker's NOTIFY in the webhook's
 * transaction, and Postgres serializes the commits of notifying transactions, fsync included:
 * measured on the CI machine, p50 295 ms instead of 4 ms at 500 webhooks per second.
 *
 * The webhook's statements (accept, getInboxSettings, ping) run on their own pool with a short
 * bound (postgres/connection.ts poolShapes), so they never wait behind the turns' when the database
 * is slow or out of reach; everything else runs on the work pool.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;
  private readonly hints = new AcceptHints();
  private readonly hermesMs = new PendingFigures();

  private readonly pool: pg.Pool;
  private readonly intake: pg.Pool;

  constructor(
    /** The work pool is shared with the job queue; the backend that opened them owns them (backend/postgres.ts). */
    pools: PostgresPools,
    /** Given by that owner: stops the job queue, then ends the pool. */
    private readonly release: () => Promise<void>,
  ) {
    this.pool = pools.work;
    this.intake = pools.intake;
  }

  /**
   * The conversation rules (src/rules/accept.ts): read, decide, write (postgres/decide.ts); a
   * customer's message is decided on what this instance last wrote of the conversation, and the read
   * is skipped when the write's guard confirms it (postgres/accept-hints.ts).
   */
  async accept(event: StoredEvent, policy: DebouncePolicy, now: number): Promise<AcceptResult> {
    return decideOnPostgres(this.intake, event.key, {
      load: (rows) => rows.acceptRows(event),
      decide: (snapshot) => decideAccept(snapshot, event, policy, now),
      reload: acceptSnapshotQuery(event),
      guess: this.hints.guess(event),
      written: (snapshot, decision, conversation) => this.hints.learn(event.key, snapshot, decision, conversation),
    });
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

  async takeTurn(key: ConversationKey, now: number): Promise<TakeTurnResult> {
    return decideOnPostgres(this.pool, key, { load: (rows) => rows.turnRows(key), decide: (snapshot) => decideTakeTurn(snapshot, now), reload: turnSnapshotQuery(key) });
  }

  async getConversation(key: ConversationKey): Promise<ConversationState | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM conversations WHERE account_id = $1 AND conversation_id = $2', [key.accountId, key.conversationId]);
    return rows[0] ? toConversation(key, rows[0]) : null;
  }

  async setBotState(key: ConversationKey, state: BotState, reason: string, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO conversations AS c (account_id, conversation_id, bot_state, state_reason, state_changed_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, 1)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET bot_state = excluded.bot_state, state_reason = excluded.state_reason,
         state_changed_at = excluded.state_changed_at, left_pending_at = NULL, updated_at = excluded.updated_at, version = c.version + 1
       WHERE c.forgotten_at IS NULL`,
      [key.accountId, key.conversationId, state, reason, now],
    );
  }

  async bumpEmptyStreak(key: ConversationKey): Promise<number> {
    const { rows } = await this.pool.query<Row>(
      'UPDATE conversations SET empty_streak = empty_streak + 1, version = version + 1 WHERE account_id = $1 AND conversation_id = $2 RETURNING empty_streak',
      [key.accountId, key.conversationId],
    );
    return num(rows[0]?.empty_streak ?? 1);
  }

  async recentBotReplies(key: ConversationKey, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<Row>(
      prepared(
        `SELECT content FROM outbox WHERE account_id = $1 AND conversation_id = $2 AND state = 'posted' AND NOT private AND part < $3
         ORDER BY posted_at DESC NULLS LAST, part DESC LIMIT $4`,
        [key.accountId, key.conversationId, HANDOFF_PARTS.fallback, limit],
      ),
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
    const { rows } = await this.intake.query<Row>(prepared('SELECT settings FROM inbox_settings WHERE inbox_id = $1', [inboxId]));
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

  getSession(key: ConversationKey): Promise<SessionRecord | null> {
    return sessions.getSession(this.pool, key);
  }

  saveSession(key: ConversationKey, session: { sessionId: string; mode: SessionMode; generation: number }, now: number): Promise<SessionRecord> {
    return sessions.saveSession(this.pool, key, { ...session, now });
  }

  listSessions(filter: Partial<ConversationKey> = {}): Promise<SessionRecord[]> {
    return sessions.listSessions(this.pool, filter);
  }

  planParts(turnId: string, reply: string | null, parts: Array<{ part: number; content: string; private: boolean }>): Promise<OutboxPart[]> {
    return turns.planParts(this.pool, turnId, { reply, parts, hermesMs: this.hermesMs.take(turnId) });
  }

  async setPartState({ turnId, part }: PartRef, { state, now, chatwootMessageId = null }: PartStateChange): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      prepared(
        `UPDATE outbox SET state = $1,
           attempted_at = CASE WHEN $1 = 'posting' THEN $2 ELSE attempted_at END,
           posted_at = CASE WHEN $1 = 'posted' THEN $2 ELSE posted_at END,
           chatwoot_message_id = COALESCE($3, chatwoot_message_id)
         WHERE turn_id = $4 AND part = $5 AND state <> 'posted' AND ($1 <> 'posting' OR state IN ('planned', 'failed'))
           AND ($1 <> 'posting' OR NOT EXISTS (SELECT 1 FROM conversations c
                 WHERE c.account_id = outbox.account_id AND c.conversation_id = outbox.conversation_id AND c.forgotten_at IS NOT NULL))`,
        [state, now, chatwootMessageId, turnId, part],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async getOutbox(turnId: string): Promise<OutboxPart[]> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM outbox WHERE turn_id = $1 ORDER BY part', [turnId]);
    return rows.map(toOutboxPart);
  }

  async finishTurn(turnId: string, outcome: TurnOutcome, now: number, error?: string): Promise<void> {
    await turns.finishTurn(this.pool, turnId, { outcome, now, error, hermesMs: this.hermesMs.take(turnId) });
  }

  /**
   * Not a statement of its own: a figure for the panel, carried by the turn's next write (planParts,
   * or finishTurn when nothing is planned). Each turn would otherwise pay one more round trip and
   * commit while the customer waits; a crash before that write loses only the figure.
   */
  async recordHermesLatency(turnId: string, ms: number): Promise<void> {
    this.hermesMs.set(turnId, Math.round(ms));
  }

  async panelView(key: ConversationKey, turns: number): Promise<PanelRows> {
    return panel.panelView(this.pool, key, turns);
  }

  async handOffNow(key: ConversationKey, reason: string, now: number): Promise<{ turnId: string }> {
    return decideOnPostgres(this.pool, key, { load: (rows) => rows.turnRows(key), decide: (snapshot) => decideHandOffNow(snapshot, { reason, now }), reload: turnSnapshotQuery(key) });
  }

  async getDashboardKeyHash(accountId: number): Promise<string | null> {
    return panel.getDashboardKeyHash(this.pool, accountId);
  }

  async saveDashboardKeyHash(accountId: number, keyHash: string, now: number): Promise<void> {
    await panel.saveDashboardKeyHash(this.pool, accountId, keyHash, now);
  }

  async ping(): Promise<void> {
    // A write that changes nothing: a read-only or full database fails here, as it would on accept.
    await this.intake.query('UPDATE schema_migrations SET applied_at = applied_at WHERE version = 1');
  }

  async prune(olderThan: number): Promise<number> {
    // Housekeeping may delete many rows: the long bound, not the work pool's (postgres/connection.ts).
    const { rowCount } = await this.pool.query({ text: 'DELETE FROM deliveries WHERE received_at < $1', values: [olderThan], query_timeout: QUERY_TIMEOUT_MS } as pg.QueryConfig);
    return rowCount ?? 0;
  }

  eraseTextsBefore(cutoff: number): Promise<ErasedCounts> {
    return privacy.eraseTextsBefore(this.pool, cutoff);
  }

  conversationsOfContact(contactId: number): Promise<ConversationKey[]> {
    return privacy.conversationsOfContact(this.pool, contactId);
  }

  forgetConversation(key: ConversationKey, opts: { now: number; stopTurns: boolean }): Promise<ForgetPass | null> {
    return privacy.forgetConversation(this.pool, key, opts);
  }

  /** Copies the embedded store of `dataDir` into this one, which must be empty (migrate-store). */
  async importSqlite(dataDir: string): Promise<ImportCounts> {
    // Loaded on use: the bot itself never needs better-sqlite3 next to Postgres.
    const { importSqliteStore } = await import('./postgres/import-sqlite.js');
    return importSqliteStore(dataDir, this.pool);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}
