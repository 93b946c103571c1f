import type pg from 'pg';
import { ident } from '../../store/postgres/connection.js';

/** Jobs not running, due now (`waiting`) or later (`scheduled`), for the scheduler's stats(). */
export async function countQueuedJobs(pool: pg.Pool, workerSchema: string): Promise<{ waiting: number; scheduled: number }> {
  const { rows } = await pool.query<{ waiting: number; scheduled: number }>(
    `SELECT count(*) FILTER (WHERE run_at <= now())::int AS waiting, count(*) FILTER (WHERE run_at > now())::int AS scheduled
       FROM ${ident(workerSchema)}.jobs WHERE locked_at IS NULL AND attempts < max_attempts`,
  );
  return { waiting: rows[0]?.waiting ?? 0, scheduled: rows[0]?.scheduled ?? 0 };
}
