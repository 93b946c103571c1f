import type pg from 'pg';
import { ident } from '../../store/postgres/connection.js';
import type { Row } from '../../store/postgres/rows.js';
import { withTransaction } from '../../store/postgres/tx.js';
import { queueNameFor, queueNameSql } from './queue-name.js';

/**
 * Deletes the job queues of conversations that have been idle for `idleMs`. graphile-worker keeps a
 * row per named queue forever, and 0.16 locks every available queue row each time a worker looks for
 * a job (sql/getJob.js, "strategy 2"): with one queue per conversation that would grow without bound.
 *
 * graphile-worker's own cleanup (GC_JOB_QUEUES) is not used: it can delete a queue between the two
 * statements of an add_jobs that is joining it, and the job would then never run (its queue id points
 * nowhere). Here the conversation rows are locked first (FOR UPDATE, skipping rows in use), and only a
 * second statement — whose snapshot sees every job added before the locks — deletes their unused
 * queues. Every path that adds a job holds its conversation row at least share-locked (wakeup.ts), so
 * none can be half-way. A conversation with work due, an unfinished turn or a recent event is never
 * touched. Reads graphile-worker's private tables (0.16: _private_job_queues, _private_jobs).
 */
export async function collectIdleQueues(pool: pg.Pool, workerSchema: string, idleMs: number, batch = 500): Promise<number> {
  const w = ident(workerSchema);
  return withTransaction(pool, async (c) => {
    const { rows } = await c.query<Row>(
      `SELECT c.account_id, c.conversation_id FROM conversations c
         JOIN ${w}._private_job_queues q ON q.queue_name = ${queueNameSql('c.account_id', 'c.conversation_id')}
        WHERE q.locked_at IS NULL AND c.due_at IS NULL AND c.updated_at < $1::bigint
          AND NOT EXISTS (SELECT 1 FROM turns t WHERE t.account_id = c.account_id AND t.conversation_id = c.conversation_id AND t.state = 'running')
        LIMIT $2
          FOR UPDATE OF c SKIP LOCKED`,
      [Date.now() - idleMs, batch],
    );
    if (rows.length === 0) return 0;
    const { rowCount } = await c.query(
      `DELETE FROM ${w}._private_job_queues q
        WHERE q.queue_name = ANY ($1::text[]) AND q.locked_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM ${w}._private_jobs j WHERE j.job_queue_id = q.id)`,
      [rows.map((r) => queueNameFor({ accountId: Number(r.account_id), conversationId: Number(r.conversation_id) }))],
    );
    return rowCount ?? 0;
  });
}
