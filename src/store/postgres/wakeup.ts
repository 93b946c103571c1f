import type pg from 'pg';
import type { ConversationKey } from '../../domain/conversation.js';
import { ident } from './connection.js';
import type { Row } from './rows.js';

/**
 * The job that wakes a conversation's worker, as graphile-worker stores it. One task, `turn`, whose
 * payload is the conversation; the queue name and the job key are both the conversation:
 * - a named queue runs its jobs strictly one at a time, in order, across every instance: single flight
 *   and first in, first out per conversation;
 * - the job key in mode `replace` keeps at most one waiting job per conversation and moves its run_at
 *   to the latest due time (debounce, whichever instance received the messages). If the keyed job is
 *   running, graphile-worker queues a new one behind it instead (sql/000018.sql, add_jobs).
 */
export const TURN_TASK = 'turn';
/** graphile-worker's default. A job that throws is retried after its exponential backoff (e^n s, n ≤ 10). */
export const TURN_MAX_ATTEMPTS = 25;

const QUEUE_PREFIX = 'conv:';

/** Queue name and job key of a conversation. */
export function queueNameFor(key: ConversationKey): string {
  return `${QUEUE_PREFIX}${key.accountId}:${key.conversationId}`;
}

/** queueNameFor as a SQL expression over a row's account and conversation columns (for joins with graphile-worker's tables). */
export function queueNameSql(accountColumn: string, conversationColumn: string): string {
  return `'${QUEUE_PREFIX}' || ${accountColumn} || ':' || ${conversationColumn}`;
}

export function keyFromPayload(payload: unknown): ConversationKey | null {
  const p = payload as { accountId?: unknown; conversationId?: unknown } | null;
  if (!p || !Number.isSafeInteger(p.accountId) || !Number.isSafeInteger(p.conversationId)) return null;
  return { accountId: p.accountId as number, conversationId: p.conversationId as number };
}

export interface WakeRequest {
  key: ConversationKey;
  /** When the job should run; absent: at the conversation's due_at as the store holds it now. */
  runAt?: number;
}

/**
 * Adds (or moves) the wake-up jobs of several conversations in one statement (one round trip, one
 * NOTIFY). The due time is read from the store under a share lock on each conversation row, so the
 * newest due time wins whichever instance asks, and the queue garbage collector (queue-gc.ts), which
 * deletes a queue only under an exclusive lock on its conversation, cannot remove a queue a job is
 * joining: the lock is held until the statement, add_jobs included, commits.
 * Returns how many jobs were added or moved.
 */
export async function addWakeups(pool: pg.Pool, workerSchema: string, requests: WakeRequest[]): Promise<number> {
  const byName = new Map<string, WakeRequest>();
  for (const r of requests) byName.set(queueNameFor(r.key), r); // add_jobs refuses one key twice
  const wanted = [...byName.values()];
  if (wanted.length === 0) return 0;
  const w = ident(workerSchema);
  const { rows } = await pool.query<Row>(
    `WITH wanted AS (
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $6::text[]) AS w(account_id, conversation_id, run_at, name)
     ), due AS (
       SELECT c.account_id, c.conversation_id, c.due_at FROM conversations c JOIN wanted USING (account_id, conversation_id)
        ORDER BY c.account_id, c.conversation_id FOR SHARE OF c
     ), jobs AS (
       SELECT w.name, COALESCE(w.run_at, d.due_at) AS run_at,
              json_build_object('accountId', w.account_id, 'conversationId', w.conversation_id) AS payload
         FROM wanted w LEFT JOIN due d USING (account_id, conversation_id)
        WHERE COALESCE(w.run_at, d.due_at) IS NOT NULL
     )
     SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM jobs) THEN 0 ELSE (
       SELECT count(*)::int FROM ${w}.add_jobs(ARRAY(
         SELECT ROW($4::text, j.payload, j.name, to_timestamp(j.run_at / 1000.0), $5::int, j.name, NULL::int, NULL::text[])::${w}.job_spec FROM jobs j))
     ) END AS n`,
    [wanted.map((r) => r.key.accountId), wanted.map((r) => r.key.conversationId), wanted.map((r) => r.runAt ?? null), TURN_TASK, TURN_MAX_ATTEMPTS, wanted.map((r) => queueNameFor(r.key))],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Conversations with work the queue does not cover: a due time or an unfinished turn, and no job that
 * is running or will run (one waiting out a retry backoff counts: re-queueing it would defeat the
 * backoff). Normally empty; it fills when a process died between storing a message and queueing its
 * wake-up, after a job used up its attempts, or after data was imported (migrate-store). The scheduler
 * re-queues them (recovery within seconds).
 */
export async function findUnwoken(pool: pg.Pool, workerSchema: string, limit = 1000): Promise<WakeRequest[]> {
  const w = ident(workerSchema);
  const { rows } = await pool.query<Row>(
    `SELECT c.account_id, c.conversation_id, NULL::bigint AS run_at FROM conversations c
      WHERE c.due_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ${w}.jobs j WHERE j.key = ${queueNameSql('c.account_id', 'c.conversation_id')}
           AND (j.locked_at IS NOT NULL OR j.attempts < j.max_attempts))
     UNION
     SELECT t.account_id, t.conversation_id, (extract(epoch FROM now()) * 1000)::bigint FROM turns t
      WHERE t.state = 'running' AND NOT EXISTS (
        SELECT 1 FROM ${w}.jobs j WHERE j.key = ${queueNameSql('t.account_id', 't.conversation_id')}
           AND (j.locked_at IS NOT NULL OR j.attempts < j.max_attempts))
     LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    key: { accountId: Number(r.account_id), conversationId: Number(r.conversation_id) },
    ...(r.run_at == null ? {} : { runAt: Number(r.run_at) }),
  }));
}
