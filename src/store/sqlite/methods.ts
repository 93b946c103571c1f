import type Database from 'better-sqlite3';
import type { ConversationKey } from '../../domain/conversation.js';
import { decideHandOffNow } from '../../rules/handoff-now.js';
import { decideTakeTurn, type TakeTurnResult } from '../../rules/take-turn.js';
import type { PanelRows } from '../../domain/panel.js';
import type { AcceptResult, BotState, ConversationState, DebouncePolicy, OutboxPart, SessionMode, SessionRecord, Store, StoredEvent, TurnOutcome, PartRef, PartStateChange } from '../store.js';
import * as panel from './panel.js';
import * as reads from './reads.js';
import type { Sql } from './rows.js';
import { sqliteRows } from './snapshots.js';
import * as writes from './writes.js';
import * as privacy from './privacy.js';
import type { ErasedCounts, ForgetPass } from '../../domain/privacy.js';

/**
 * SqliteStore's methods over its rows: the conversation rules (src/rules/) applied inside IMMEDIATE
 * transactions, and plain reads and writes. The subclass (sqlite.ts) owns the file, the group commit
 * of accepts and durability: every method that wrote resolves only after `durable()`.
 */
export abstract class SqliteStoreMethods implements Store {
  readonly kind = 'sqlite' as const;
  protected abstract readonly db: Database.Database;
  protected abstract readonly sql: Sql;
  /** Resolves once everything committed so far is on disk. */
  protected abstract durable(): Promise<void>;
  abstract accept(event: StoredEvent, policy: DebouncePolicy, now: number): Promise<AcceptResult>;
  abstract ping(): Promise<void>;
  abstract prune(olderThan: number): Promise<number>;
  abstract close(): Promise<void>;

  async listDue(): Promise<Array<{ key: ConversationKey; dueAt: number }>> {
    return reads.listDue(this.sql);
  }

  async takeTurn(key: ConversationKey, now: number): Promise<TakeTurnResult> {
    const taken = this.db
      .transaction((): TakeTurnResult => {
        const rows = sqliteRows(this.sql);
        const decision = decideTakeTurn(rows.turnRows(key), now);
        rows.apply(decision.writes);
        return decision.result;
      })
      .immediate();
    await this.durable();
    return taken;
  }

  async getConversation(key: ConversationKey): Promise<ConversationState | null> {
    return reads.getConversation(this.sql, key);
  }

  async setBotState(key: ConversationKey, state: BotState, reason: string, now: number): Promise<void> {
    writes.setBotState(this.sql, key, { state, reason, now });
    await this.durable();
  }

  async bumpEmptyStreak(key: ConversationKey): Promise<number> {
    const streak = writes.bumpEmptyStreak(this.sql, key);
    await this.durable();
    return streak;
  }

  async recentBotReplies(key: ConversationKey, limit: number): Promise<string[]> {
    return reads.recentBotReplies(this.sql, key, limit);
  }

  async lastTurn(key: ConversationKey): Promise<{ id: string; state: string; error: string | null; createdAt: number; finishedAt: number | null } | null> {
    return reads.lastTurn(this.sql, key);
  }

  async getInboxSettings(inboxId: number): Promise<Record<string, unknown> | null> {
    return reads.getInboxSettings(this.sql, inboxId);
  }

  async saveInboxSettings(inboxId: number, settings: Record<string, unknown>, now: number): Promise<void> {
    writes.saveInboxSettings(this.sql, inboxId, settings, now);
    await this.durable();
  }

  async listInboxSettings(): Promise<Array<{ inboxId: number; settings: Record<string, unknown> }>> {
    return reads.listInboxSettings(this.sql);
  }

  async getSession(key: ConversationKey): Promise<SessionRecord | null> {
    return reads.getSession(this.sql, key);
  }

  async saveSession(key: ConversationKey, s: { sessionId: string; mode: SessionMode; generation: number }, now: number): Promise<SessionRecord> {
    writes.saveSession(this.sql, key, s, now);
    await this.durable();
    return reads.getSession(this.sql, key)!;
  }

  async listSessions(filter: Partial<ConversationKey> = {}): Promise<SessionRecord[]> {
    return reads.listSessions(this.sql, filter);
  }

  async planParts(turnId: string, reply: string | null, parts: Array<{ part: number; content: string; private: boolean }>): Promise<OutboxPart[]> {
    this.db.transaction(() => writes.planParts(this.sql, turnId, reply, parts)).immediate();
    await this.durable();
    return reads.getOutbox(this.sql, turnId);
  }

  async setPartState({ turnId, part }: PartRef, { state, now, chatwootMessageId = null }: PartStateChange): Promise<boolean> {
    const moved = writes.setPartState(this.sql, turnId, part, { state, now, chatwootMessageId });
    // `posting` must be on disk before the POST leaves: it is what stops a second post after a crash.
    await this.durable();
    return moved;
  }

  async getOutbox(turnId: string): Promise<OutboxPart[]> {
    return reads.getOutbox(this.sql, turnId);
  }

  async finishTurn(turnId: string, outcome: TurnOutcome, now: number, error?: string): Promise<void> {
    this.db.transaction(() => writes.finishTurn(this.sql, turnId, outcome, { now, error: error ?? null })).immediate();
    await this.durable();
  }

  async eraseTextsBefore(cutoff: number): Promise<ErasedCounts> {
    const erased = this.db.transaction(() => privacy.eraseTextsBefore(this.sql, cutoff)).immediate();
    await this.durable();
    return erased;
  }

  async conversationsOfContact(contactId: number): Promise<ConversationKey[]> {
    return privacy.conversationsOfContact(this.sql, contactId);
  }

  async forgetConversation(key: ConversationKey, opts: { now: number; stopTurns: boolean }): Promise<ForgetPass | null> {
    const pass = this.db.transaction(() => privacy.forgetConversation(this.sql, key, opts)).immediate();
    await this.durable();
    return pass;
  }

  async recordHermesLatency(turnId: string, ms: number): Promise<void> {
    // Not awaited to disk: a figure for the panel, written once per turn while the customer waits for
    // the reply. It reaches the disk with the turn's next durable write (planParts); a crash before
    // that loses only the figure, and each turn would otherwise pay one more WAL sync.
    panel.recordHermesLatency(this.sql, turnId, ms);
  }

  async panelView(key: ConversationKey, turns: number): Promise<PanelRows> {
    // One read transaction, so the counts and the turns agree with each other.
    return this.db.transaction(() => panel.panelView(this.sql, key, turns))();
  }

  async handOffNow(key: ConversationKey, reason: string, now: number): Promise<{ turnId: string }> {
    const planned = this.db
      .transaction(() => {
        const rows = sqliteRows(this.sql);
        const decision = decideHandOffNow(rows.turnRows(key), { reason, now });
        rows.apply(decision.writes);
        return decision.result;
      })
      .immediate();
    await this.durable();
    return planned;
  }

  async getDashboardKeyHash(accountId: number): Promise<string | null> {
    return panel.getDashboardKeyHash(this.sql, accountId);
  }

  async saveDashboardKeyHash(accountId: number, keyHash: string, now: number): Promise<void> {
    panel.saveDashboardKeyHash(this.sql, accountId, keyHash, now);
    await this.durable();
  }
}
