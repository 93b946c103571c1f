import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { PgScheduler } from '../scheduler/postgres/scheduler.js';
import type { PgSchedulerTimings } from '../scheduler/postgres/timings.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';
import { createPool, DEFAULT_POOL_MAX, poolShapes, QUERY_TIMEOUT_MS, resolveTarget, workerSchemaFor, type PostgresOptions } from '../store/postgres/connection.js';
import { PostgresStore } from '../store/postgres.js';
import type { Backend } from './types.js';
import { migratePostgres } from './postgres-migrate.js';

export interface PostgresBackend extends Backend {
  readonly store: PostgresStore;
  createScheduler(opts: SchedulerOptions & { timings?: Partial<PgSchedulerTimings> }): PgScheduler;
  /** The work pool (the store's turns and the job queue), for SQL outside the store and the queue (tests). */
  readonly pool: pg.Pool;
  /** The webhook's own pool (accept, inbox settings, the readiness ping). */
  readonly intakePool: pg.Pool;
  readonly schemas: { store: string | undefined; worker: string };
  /** This process among the instances sharing the database (its connections' application_name). */
  readonly instanceId: string;
}

/** How long closing the store under a running queue (a test, an error path) lets the queue's turns finish. */
const CLOSE_DRAIN_MS = 1000;

/**
 * Migrates the bot's schema and graphile-worker's (under an advisory lock, on a pool of its own whose
 * statements may wait long: for another instance's migration), then opens the webhook's pool and the
 * work pool (the store's turns and the job queue), whose sizes add up to DATABASE_POOL_MAX
 * (store/postgres/connection.ts poolShapes); builds the store on them and, when asked, the scheduler.
 * Closing the store drains the scheduler first: graphile-worker holds a connection for LISTEN while it
 * runs, and pool.end() waits for every one.
 */
export async function openPostgresBackend(opts: PostgresOptions, log: Logger): Promise<PostgresBackend> {
  const target = resolveTarget(opts);
  const poolMax = opts.poolMax ?? DEFAULT_POOL_MAX;
  const instanceId = `i-${process.pid}-${randomBytes(4).toString('hex')}`;
  const schemas = { store: target.schema, worker: workerSchemaFor(target.schema) };
  // Two connections (migrate.ts), closed before the others open: the process stays within poolMax.
  const migrating = createPool(target, { max: 2, queryTimeoutMs: QUERY_TIMEOUT_MS, connectionTimeoutMs: 10_000 }, log, instanceId);
  try {
    await migratePostgres(migrating, schemas, log);
  } finally {
    await migrating.end().catch(() => undefined);
  }
  const shapes = poolShapes(poolMax);
  const pool = createPool(target, shapes.work, log, instanceId);
  const intakePool = createPool(target, shapes.intake, log, instanceId);
  log.info({ store: 'postgres', db: target.label, schema: schemas.store ?? '(default)', poolMax, intakeConnections: shapes.intake.max, tls: target.ssl !== false }, 'store opened');

  const schedulers: PgScheduler[] = [];
  const store = new PostgresStore({ intake: intakePool, work: pool }, async () => {
    for (const scheduler of schedulers) await scheduler.drain(CLOSE_DRAIN_MS).catch(() => undefined);
    await Promise.all([pool.end(), intakePool.end()]);
  });
  return {
    store,
    pool,
    intakePool,
    schemas,
    instanceId,
    createScheduler(schedulerOpts) {
      const scheduler = new PgScheduler({ ...schedulerOpts, queue: { pool, workerSchema: schemas.worker, instanceId }, log });
      schedulers.push(scheduler);
      return scheduler;
    },
  };
}
