import type pg from 'pg';
import { applicationNameFor, ident } from '../../store/postgres/connection.js';
import type { Row } from '../../store/postgres/rows.js';
import { withTransaction } from '../../store/postgres/tx.js';

/**
 * Which graphile-worker workers are alive. graphile-worker 0.16 frees the jobs of a worker that died
 * only after 4 hours (sql/resetLockedAt.js: `locked_at < now() - interval '4 hours'`), far too long
 * for a customer waiting on WhatsApp. So every instance registers its workers before they take a job
 * (the `startWorker` hook, awaited before a worker's first getJob: dist/worker.js) and refreshes
 * their `seen_at` every few seconds; any live instance unlocks the jobs of dead workers with
 * graphile-worker's own force_unlock_workers (sql/000016.sql). A worker is dead when
 * - its heartbeat is older than `quickMs` and its instance has no session left in pg_stat_activity
 *   (a killed or crashed process: the database closed its connections at once), or
 * - its heartbeat is older than `staleMs`, sessions or not (a hung process, or one cut off from the
 *   database whose connections the server has not noticed yet).
 * Times are the database's, so instance clocks do not matter.
 */
export class WorkerRegistry {
  private readonly w: string;

  constructor(
    private readonly pool: pg.Pool,
    workerSchema: string,
    readonly instanceId: string,
  ) {
    this.w = ident(workerSchema);
  }

  async register(workerId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO queue_workers (worker_id, instance_id) VALUES ($1, $2)
       ON CONFLICT (worker_id) DO UPDATE SET instance_id = excluded.instance_id, seen_at = now()`,
      [workerId, this.instanceId],
    );
  }

  /**
   * Refreshes the heartbeat of these workers; returns those that were missing, i.e. declared dead by
   * another instance (their jobs may already run elsewhere). They are registered again.
   */
  async heartbeat(workerIds: string[]): Promise<string[]> {
    if (workerIds.length === 0) return [];
    const { rows } = await this.pool.query<Row>('UPDATE queue_workers SET seen_at = now() WHERE worker_id = ANY($1::text[]) RETURNING worker_id', [workerIds]);
    const seen = new Set(rows.map((r) => String(r.worker_id)));
    const missing = workerIds.filter((id) => !seen.has(id));
    for (const id of missing) await this.register(id);
    return missing;
  }

  /**
   * Frees what dead workers held: deletes the registrations of dead workers (see the class comment)
   * and unlocks their jobs and queues, and those of workers never registered that hold a lock longer
   * than `staleMs` (one that died before its registration committed). Returns the unlocked worker ids.
   */
  async sweep(quickMs: number, staleMs: number): Promise<string[]> {
    return withTransaction(this.pool, async (c) => {
      const { rows: gone } = await c.query<Row>(
        `DELETE FROM queue_workers q
          WHERE q.seen_at < now() - $2 * interval '1 millisecond'
             OR (q.seen_at < now() - $1 * interval '1 millisecond'
                 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = $3 || q.instance_id))
          RETURNING q.worker_id`,
        [quickMs, staleMs, applicationNameFor('')],
      );
      const { rows: unregistered } = await c.query<Row>(
        `SELECT DISTINCT j.locked_by AS worker_id FROM ${this.w}.jobs j
          WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - $1 * interval '1 millisecond'
            AND NOT EXISTS (SELECT 1 FROM queue_workers q WHERE q.worker_id = j.locked_by)`,
        [staleMs],
      );
      const dead = [...new Set([...gone, ...unregistered].map((r) => String(r.worker_id)))];
      if (dead.length > 0) await c.query(`SELECT ${this.w}.force_unlock_workers($1::text[])`, [dead]);
      return dead;
    });
  }

  /**
   * Unlocks queues locked (longer than `staleMs`) by a worker that holds no job in them. graphile-worker
   * locks and unlocks a job and its queue in one statement, so this happens only when a worker declared
   * dead came back and completed a job another worker had taken over in the meantime. Reads
   * graphile-worker's private tables (0.16: _private_job_queues, _private_jobs).
   */
  async unlockOrphanQueues(staleMs: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.w}._private_job_queues q SET locked_at = NULL, locked_by = NULL
        WHERE q.locked_at < now() - $1 * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM ${this.w}._private_jobs j WHERE j.job_queue_id = q.id AND j.locked_by = q.locked_by)`,
      [staleMs],
    );
    return rowCount ?? 0;
  }

  /**
   * Unlocks what each worker locked before `before` (ms, Node's clock: the queue runs with useNodeTime,
   * so graphile-worker stamps locked_at with it): the job a getJob locked whose answer never came back
   * (unreceived.ts). The worker's later jobs are locked after `before` and stay its own. Returns the
   * jobs unlocked.
   */
  async releaseUnreceived(claims: Array<{ workerId: string; before: number }>): Promise<number> {
    if (claims.length === 0) return 0;
    const { rows } = await this.pool.query<Row>(
      `WITH c AS (SELECT * FROM unnest($1::text[], $2::float8[]) AS c(worker_id, before_ms)),
       j AS (UPDATE ${this.w}._private_jobs jobs SET locked_at = NULL, locked_by = NULL FROM c
              WHERE jobs.locked_by = c.worker_id AND jobs.locked_at < to_timestamp(c.before_ms / 1000.0) RETURNING jobs.id),
       q AS (UPDATE ${this.w}._private_job_queues queues SET locked_at = NULL, locked_by = NULL FROM c
              WHERE queues.locked_by = c.worker_id AND queues.locked_at < to_timestamp(c.before_ms / 1000.0) RETURNING queues.id)
       SELECT (SELECT count(*) FROM j) AS jobs, (SELECT count(*) FROM q) AS queues`,
      [claims.map((c) => c.workerId), claims.map((c) => c.before)],
    );
    return Number(rows[0]?.jobs ?? 0);
  }

  /** Unlocks the jobs of workers this instance knows are gone (crashed inside the pool, or stopped). */
  async release(workerIds: string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await withTransaction(this.pool, async (c) => {
      await c.query(`SELECT ${this.w}.force_unlock_workers($1::text[])`, [workerIds]);
      await c.query('DELETE FROM queue_workers WHERE worker_id = ANY($1::text[])', [workerIds]);
    });
  }
}
