import type pg from 'pg';

/**
 * What the job queue runs on: the process's one pool (shared with the store, so DATABASE_POOL_MAX
 * bounds every connection of the process), graphile-worker's schema and this instance's id (its
 * connections' application_name, how the others tell it is alive: worker-registry.ts). The backend
 * that opens the pool hands this over (backend/postgres.ts); the store never exposes it.
 */
export interface QueueConnection {
  pool: pg.Pool;
  workerSchema: string;
  instanceId: string;
}
