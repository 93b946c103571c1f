import { runMigrations } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { POSTGRES_MIGRATIONS } from '../store/migrations/postgres.js';
import { ident } from '../store/postgres/connection.js';
import { graphileLogger } from '../scheduler/postgres/graphile-logger.js';

/**
 * Brings the database up to date: the bot's versioned migrations (recorded in schema_migrations, each
 * in its own transaction) and then graphile-worker's own. Runs at every start and in the `release:`
 * phase; a session advisory lock makes instances that start together take turns instead of racing.
 * Needs two pool connections: the lock is held on one while graphile-worker migrates on another.
 */
export async function migratePostgres(pool: pg.Pool, schemas: { store: string | undefined; worker: string }, log: Logger): Promise<number[]> {
  const client = await pool.connect();
  const lockKey = `chatwoot-hermes-bot migrations ${schemas.store ?? '(default)'} ${schemas.worker}`;
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      if (schemas.store) await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schemas.store)}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of POSTGRES_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`Postgres migration ${m.version} (${m.name}) failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        applied.push(m.version);
        log.info({ version: m.version, name: m.name }, 'Postgres migration applied');
      }
      await runMigrations({ pgPool: pool, schema: schemas.worker, logger: graphileLogger(log) });
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    // A client whose unlock failed may still hold the lock: destroy it rather than return it to the pool.
    client.release(broken);
  }
}
