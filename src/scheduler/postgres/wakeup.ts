import type pg from 'pg';
import type { ConversationKey } from '../../domain/conversation.js';
import { ident } from '../../store/postgres/connection.js';
import { prepared } from '../../store/postgres/params.js';
import type { Row } from '../../store/postgres/rows.js';
import { queueNameFor, queueNameSql, TURN_MAX_ATTEMPTS, TURN_TASK } from './queue-name.js';

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
  // Prepared (planned once per connection): a wake-up is queued for nearly every webhook.
  const { rows } = await pool.query<Row>(
    prepared(
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
    ),
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
