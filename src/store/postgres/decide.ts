import type pg from 'pg';
import { conversationKeyString, type ConversationKey } from '../../domain/conversation.js';
import type { Decision } from '../../rules/context.js';
import type { ConversationRow } from '../../rules/rows.js';
import { WriteConflictError } from '../write-columns.js';
import type { RuleRowAccess } from '../../rules/row-access.js';
import { applyOrReload } from './apply.js';
import type { SnapshotQuery } from './params.js';
import { postgresRows } from './snapshots.js';
import { isRetryable, withTransaction } from './tx.js';

/** Optimistic tries before the conversation row is locked instead. */
const OPTIMISTIC_ATTEMPTS = 2;
const LOCKED_ATTEMPTS = 2;
/** Two inserts of one key at once (a message, a delivery id): the loser decides again and finds the row. */
const UNIQUE_VIOLATION = '23505';

/** A conversation rule as decideOnPostgres runs it. */
export interface PostgresRule<S, R> {
  load: (rows: RuleRowAccess<'async'>) => Promise<S>;
  decide: (snapshot: S) => Decision<R>;
  /** The same rows as `load`, as SQL the write carries: a lost race then brings them back in its own round trip. */
  reload?: SnapshotQuery<S>;
  /** A snapshot to decide on without reading (accept-hints.ts); trusted only through the guarded write. */
  guess?: S | null;
  /** Told each decision that was written, with the conversation row as the write left it. */
  written?: (snapshot: S, decision: Decision<R>, conversation: ConversationRow | null) => void;
}

/**
 * Runs a conversation rule on Postgres: read the rows it needs (one statement), decide in
 * TypeScript, write the decision (one statement, applied only if the conversation's version is still
 * the one read; store/postgres/apply.ts). Two round trips, no lock held between them; one when the
 * rule comes with a guess that holds, as a customer's next message does (accept-hints.ts).
 *
 * When another writer came first, the rule runs again on fresh rows (those the failed write brought
 * back, given `reload`). After OPTIMISTIC_ATTEMPTS it stops racing: a transaction locks the
 * conversation row (FOR UPDATE), reads, decides and writes, so a busy conversation (many webhooks at
 * once across instances) still makes progress. A decision that writes nothing costs the read only.
 * A guess that was wrong is not a lost race: it does not count as an attempt.
 */
export async function decideOnPostgres<S, R>(pool: pg.Pool, key: ConversationKey, rule: PostgresRule<S, R>): Promise<R> {
  // Each statement is bounded by its pool (the webhook's has the short bound: connection.ts poolShapes).
  let guess = rule.guess ?? null;
  let fresh: S | null = null;
  for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
    const guessed = fresh === null && guess !== null;
    const snapshot = fresh ?? guess ?? (await rule.load(postgresRows(pool)));
    [guess, fresh] = [null, null];
    const decision = rule.decide(snapshot);
    if (decision.writes.length === 0) {
      if (!guessed) return decision.result;
      attempt--; // nothing checks a decision that writes nothing: read, then decide
      continue;
    }
    try {
      const outcome = await applyOrReload(pool, decision.writes, rule.reload);
      if (outcome.applied) {
        rule.written?.(snapshot, decision, outcome.conversation);
        return decision.result;
      }
      fresh = outcome.fresh;
      if (guessed) attempt--;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  return decideLocked(pool, key, rule);
}

/** The last resort of a conversation many writers race for: lock its row, read, decide, write. */
async function decideLocked<S, R>(pool: pg.Pool, key: ConversationKey, rule: PostgresRule<S, R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, async (client) => {
        await client.query('SELECT 1 FROM conversations WHERE account_id = $1 AND conversation_id = $2 FOR UPDATE', [key.accountId, key.conversationId]);
        const rows = postgresRows(client);
        const decision = rule.decide(await rule.load(rows));
        // Only a conversation row created meanwhile by another writer can refuse this write (there was no row to lock).
        if (decision.writes.length > 0 && !(await rows.apply(decision.writes))) throw new WriteConflictError(`conversation ${conversationKeyString(key)}`);
        return decision.result;
      });
    } catch (error) {
      if (attempt < LOCKED_ATTEMPTS && (isConflict(error) || error instanceof WriteConflictError)) continue;
      throw error;
    }
  }
}

function isConflict(error: unknown): boolean {
  return isRetryable(error) || (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}
