import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { PgScheduler } from '../scheduler/postgres/scheduler.js';
import type { PgSchedulerTimings } from '../scheduler/postgres/timings.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';
import { createPool, DEFAULT_POOL_MAX, resolveTarget, workerSchemaFor, type PostgresOptions } from '../store/postgres/connection.js';
import { PostgresStore } from '../store/postgres.js';
import type { Backend } from './types.js';
import { migratePostgres } from './postgres-migrate.js';

export interface PostgresBackend extends Backend {
  readonly store: PostgresStore;
  createScheduler(opts: SchedulerOptions & { timings?: Partial<PgSchedulerTimings> }): PgScheduler;
  /** The process's one pool, for SQL outside the store and the queue (tests). */
  readonly pool: pg.Pool;
  readonly schemas: { store: string | undefined; worker: string };
  /** This process among the instances sharing the database (its connections' application_name). */
  readonly instanceId: string;
}

/** How long closing the store under a running queue (a test, an error path) lets the queue's turns finish. */
const CLOSE_DRAIN_MS = 1000;

/**
 * Opens one pool for the store and the job queue, so DATABASE_POOL_MAX bounds the process's
 * connections; migrates the bot's schema and graphile-worker's (under an advisory lock); builds the
 * store on the pool and, when asked, the scheduler. Closing the store drains the scheduler first:
 * graphile-worker holds a connection for LISTEN while it runs, and pool.end() waits for every one.
 */
export async function openPostgresBackend(opts: PostgresOptions, log: Logger): Promise<PostgresBackend> {
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

  const schedulers: PgScheduler[] = [];
  const store = new PostgresStore(pool, async () => {
    for (const scheduler of schedulers) await scheduler.drain(CLOSE_DRAIN_MS).catch(() => undefined);
    await pool.end();
  });
  return {
    store,
    pool,
    schemas,
    instanceId,
    createScheduler(schedulerOpts) {
      const scheduler = new PgScheduler({ ...schedulerOpts, queue: { pool, workerSchema: schemas.worker, instanceId }, log });
      schedulers.push(scheduler);
      return scheduler;
    },
  };
}
