import type pg from 'pg';
import type { ConversationKey } from '../../domain/conversation.js';
import type { Decision } from '../../rules/context.js';
import { WriteConflictError } from '../write-columns.js';
import type { RuleRowAccess } from '../../rules/row-access.js';
import { timeBounded } from './connection.js';
import type { Queryable } from './queryable.js';
import { postgresRows } from './snapshots.js';
import { isRetryable, withTransaction } from './tx.js';

/** Optimistic tries before the conversation row is locked instead. */
const OPTIMISTIC_ATTEMPTS = 2;
const LOCKED_ATTEMPTS = 2;
/** Two inserts of one key at once (a message, a delivery id): the loser decides again and finds the row. */
const UNIQUE_VIOLATION = '23505';

/**
 * Runs a conversation rule on Postgres: read the rows it needs (one statement), decide in
 * TypeScript, write the decision (one statement, applied only if the conversation's version is still
 * the one read; store/postgres/apply.ts). Two round trips, no lock held between them.
 *
 * When another writer came first, the rule runs again on fresh rows. After OPTIMISTIC_ATTEMPTS it
 * stops racing: a transaction locks the conversation row (FOR UPDATE), reads, decides and writes, so
 * a busy conversation (many webhooks at once across instances) still makes progress. A decision that
 * writes nothing costs the read only.
 */
export async function decideOnPostgres<S, R>(
  pool: pg.Pool,
  key: ConversationKey,
  rule: { load: (rows: RuleRowAccess<'async'>) => Promise<S>; decide: (snapshot: S) => Decision<R> },
  opts: { queryTimeoutMs?: number } = {},
): Promise<R> {
  // The webhook's calls give up in time (connection.ts timeBounded); the locked fallback, rare, does not.
  const db: Queryable = opts.queryTimeoutMs === undefined ? pool : timeBounded(pool, opts.queryTimeoutMs);
  for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
    const rows = postgresRows(db);
    const decision = rule.decide(await rule.load(rows));
    if (decision.writes.length === 0) return decision.result;
    try {
      if (await rows.apply(decision.writes)) return decision.result;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, async (client) => {
        await client.query('SELECT 1 FROM conversations WHERE account_id = $1 AND conversation_id = $2 FOR UPDATE', [key.accountId, key.conversationId]);
        const rows = postgresRows(client);
        const decision = rule.decide(await rule.load(rows));
        // Only a conversation row created meanwhile by another writer can refuse this write (there was no row to lock).
        if (decision.writes.length > 0 && !(await rows.apply(decision.writes))) throw new WriteConflictError(`conversation ${key.accountId}/${key.conversationId}`);
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
