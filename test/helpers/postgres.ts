/**
 * Postgres for tests: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the
 * server; each test file gets a database of its own on it and each store a fresh schema there, so
 * runs (and parallel files) never see each other's rows or NOTIFYs. All dropped afterwards.
 *
 * Without a reachable server the Postgres suites are skipped with a loud notice, never silently;
 * with REQUIRE_POSTGRES=1 (set by .ci/run once the server answered) they fail instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe } from 'vitest';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';
const PREFIX = 'chb_t_';
/** Schemas left by runs that were killed before their cleanup: dropped once they are this old. */
const STALE_AFTER_S = 6 * 60 * 60;

let probed: Promise<string | null> | undefined;

/** null when the test database answers; else why not. Creates the database if the server lacks it. */
export function postgresUnavailable(): Promise<string | null> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<string | null> {
  try {
    await withClient(TEST_DATABASE_URL, (c) => c.query('SELECT 1'));
    return null;
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') {
      try {
        const url = new URL(TEST_DATABASE_URL);
        const name = url.pathname.slice(1);
        url.pathname = '/postgres';
        await withClient(url.toString(), (c) => c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`));
        return null;
      } catch (createError) {
        return `database missing and could not be created: ${(createError as Error).message}`;
      }
    }
    return (error as Error).message || String(error);
  }
}

/** `describe` that runs only with Postgres, and says so loudly when it cannot. */
export async function describePostgres(name: string, fn: () => void): Promise<void> {
  const reason = await postgresUnavailable();
  if (reason === null) {
    describe(name, fn);
    return;
  }
  if (process.env.REQUIRE_POSTGRES === '1') {
    throw new Error(`REQUIRE_POSTGRES=1 but Postgres at ${redact(TEST_DATABASE_URL)} is unreachable: ${reason}`);
  }
  const line = '!'.repeat(100);
  process.stderr.write(
    `\n${line}\n!!! POSTGRES TESTS SKIPPED: "${name}"\n!!! ${redact(TEST_DATABASE_URL)} is unreachable (${reason}).\n` +
      `!!! Start PostgreSQL or set TEST_DATABASE_URL; these tests did NOT run.\n${line}\n\n`,
  );
  describe.skip(`${name} [SKIPPED: no Postgres]`, fn);
}

export interface TestSchema {
  name: string;
  /** The test database with ?schema=<name>: what a bot process gets as DATABASE_URL. */
  url: string;
  /** Runs `fn` on a connection to the schema's database (tables are `<name>.table`). */
  withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T>;
  /** Empties the bot's tables and the job queue (a fresh store without re-running migrations). */
  truncate(): Promise<void>;
  /** Drops the schema and its job-queue schema. */
  drop(): Promise<void>;
}

/**
 * A new, empty schema name (the store creates the schema itself when it opens), in a database of
 * this test process's own: graphile-worker announces migrations with a NOTIFY that reaches every
 * schema of a database (and stops their workers), so parallel test files must not share one.
 */
export async function createTestSchema(): Promise<TestSchema> {
  const database = await processDatabase();
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(database);
  url.searchParams.set('schema', name);
  const worker = `${name}_worker`;
  const on = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(database, fn);
  return {
    name,
    url: url.toString(),
    withClient: on,
    truncate: () =>
      on(async (c) => {
        await c.query(
          `TRUNCATE ${name}.deliveries, ${name}.conversations, ${name}.messages, ${name}.turns, ${name}.outbox, ${name}.sessions, ${name}.inbox_settings, ${name}.queue_workers`,
        );
        await c.query(`TRUNCATE ${worker}._private_jobs, ${worker}._private_job_queues CASCADE`);
      }),
    drop: () =>
      on(async (c) => {
        await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        await c.query(`DROP SCHEMA IF EXISTS ${worker} CASCADE`);
      }),
  };
}

let database: Promise<string> | undefined;
let createdDatabase: string | undefined;

/** This process's test database (created on first use, dropped after the file's tests). */
function processDatabase(): Promise<string> {
  database ??= (async () => {
    await dropStale();
    const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${process.pid}_${randomBytes(3).toString('hex')}`;
    try {
      await withClient(TEST_DATABASE_URL, (c) => c.query(`CREATE DATABASE ${name}`));
    } catch (error) {
      // A role without CREATEDB: schemas in the shared database still keep the data apart.
      if ((error as { code?: string }).code === '42501') return TEST_DATABASE_URL;
      throw error;
    }
    createdDatabase = name;
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    return url.toString();
  })();
  return database;
}

/** Drops this process's test database (the afterAll below; scripts outside vitest call it themselves). */
export async function dropProcessDatabase(): Promise<void> {
  if (!createdDatabase) return;
  const name = createdDatabase;
  createdDatabase = undefined;
  database = undefined;
  await withClient(TEST_DATABASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
}

// Registered by every test file that imports this helper (vitest evaluates it once per file).
if (process.env.VITEST) afterAll(dropProcessDatabase);

/** Databases and schemas left by runs that were killed before their cleanup. */
async function dropStale(): Promise<void> {
  const cutoff = Date.now() / 1000 - STALE_AFTER_S;
  const born = (name: string) => Number(/^chb_t_(\d+)_/.exec(name)?.[1]);
  await withClient(TEST_DATABASE_URL, async (c) => {
    const { rows: dbs } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'chb\\_t\\_%'`);
    for (const { datname } of dbs) if (born(datname) < cutoff) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    const { rows: schemas } = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'chb\\_t\\_%'`);
    for (const { nspname } of schemas) if (born(nspname) < cutoff) await c.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`).catch(() => undefined);
  });
}

/** One short-lived connection (tests' admin work stays off the pools under test). */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid TEST_DATABASE_URL)';
  }
}

export type StoreKind = 'sqlite' | 'postgres';

/** Where a test bot keeps its state: environment to merge into its config, and how to clean up. */
export interface TestStoreLocation {
  kind: StoreKind;
  /** DATA_DIR, plus DATABASE_URL (a fresh schema) for Postgres. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * The store the end-to-end suites use: E2E_STORE (set per vitest project, see vitest.config.ts),
 * SQLite by default.
 */
export function e2eStoreKind(): StoreKind {
  return process.env.E2E_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

/** A fresh store location of `kind`: SQLite in `dataDir`, or a new Postgres schema (dropped by cleanup). */
export async function testStoreLocation(kind: StoreKind, dataDir: string): Promise<TestStoreLocation> {
  if (kind === 'sqlite') return { kind, env: { DATA_DIR: dataDir }, cleanup: async () => undefined };
  const schema = await createTestSchema();
  return { kind, env: { DATA_DIR: dataDir, DATABASE_URL: schema.url, DATABASE_POOL_MAX: '6' }, cleanup: () => schema.drop() };
}
