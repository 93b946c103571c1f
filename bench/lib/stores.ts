/**
 * Which stores the bench runs the bot on, and how each one is given to the app: SQLite always (a fresh
 * DATA_DIR per start); Postgres when TEST_DATABASE_URL answers, in a schema of its own per start
 * (`?schema=` in DATABASE_URL: the bot's tables there, its job queue in `<schema>_worker`), both dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type StoreName = 'sqlite' | 'postgres';

/** One app start's storage: environment for the app, and what to clean up afterwards. */
export interface StoreLease {
  env: Record<string, string>;
  /** Where the app runs (its DATA_DIR; no stray .env is read from there). */
  dir: string;
  release(): Promise<void>;
}

export interface StoreSpec {
  name: StoreName;
  /** The Postgres database the app writes to (its backends' CPU is counted as the store's), or null. */
  databaseName: string | null;
  lease(): Promise<StoreLease>;
}

export function sqliteStore(): StoreSpec {
  return {
    name: 'sqlite',
    databaseName: null,
    async lease() {
      const dir = mkdtempSync(join(tmpdir(), 'cwhb-bench-'));
      return { env: { DATA_DIR: dir }, dir, release: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  };
}

let schemaCounter = 0;

export function postgresStore(url: string): StoreSpec {
  return {
    name: 'postgres',
    databaseName: new URL(url).pathname.replace(/^\//, '') || 'postgres',
    async lease() {
      const dir = mkdtempSync(join(tmpdir(), 'cwhb-bench-pg-'));
      const schema = `bench_${process.pid}_${Date.now().toString(36)}_${++schemaCounter}`;
      // `?schema=` (not a search_path): the app then keeps its job queue in `<schema>_worker` too. With
      // the default queue schema shared by every start, one run's jobs (the ack scenario leaves 10,000
      // due in 10 minutes) stayed behind and slowed or flooded the runs after it.
      const appUrl = new URL(url);
      appUrl.searchParams.set('schema', schema);
      return {
        env: { DATABASE_URL: appUrl.toString(), DATA_DIR: dir },
        dir,
        release: async () => {
          rmSync(dir, { recursive: true, force: true });
          await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_worker CASCADE`)).catch(() => undefined);
        },
      };
    },
  };
}

/** null when Postgres answers at `url`, else why not. */
export async function postgresUnreachable(url: string): Promise<string | null> {
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
    return null;
  } catch (error) {
    return `${redactUrl(url)} unreachable: ${(error as Error).message}`;
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
