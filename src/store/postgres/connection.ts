import pg from 'pg';
import type { Logger } from '../../logger.js';

/**
 * TLS towards Postgres. `auto` (default): none for a server on this machine, else TLS without
 * certificate verification — what Heroku Postgres needs (its certificates are not signed by a public
 * CA; Heroku's own docs use sslmode=require). `require` forces that, `verify-full` also checks the
 * certificate and host name, `disable` turns TLS off.
 */
export type SslSetting = 'auto' | 'disable' | 'require' | 'verify-full';
export const SSL_SETTINGS: readonly SslSetting[] = ['auto', 'disable', 'require', 'verify-full'];

export interface PostgresOptions {
  /** A postgres:// URL. `?schema=name` puts the bot's tables there; `?sslmode=` is honoured under `ssl: auto`. */
  connectionString: string;
  /** Schema for the bot's tables (overrides `?schema=`); its job queue goes to `<schema>_worker`. */
  schema?: string;
  /** Connections per process, job queue included (default 10: small Heroku plans allow 20 in all). */
  poolMax?: number;
  ssl?: SslSetting;
}

export interface Target {
  /** The URL pg receives: without the parameters this module interprets itself. */
  connectionString: string;
  schema: string | undefined;
  ssl: false | { rejectUnauthorized: boolean };
  /** host:port/database, for logs (never the user or password). */
  label: string;
}

export const DEFAULT_POOL_MAX = 10;
const WORKER_SCHEMA_DEFAULT = 'graphile_worker';
/** Lower-case identifiers only: they are spliced into SQL and the `-c search_path` startup option. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);

/** Reads the URL and the settings into what the pool needs. Throws on a malformed URL or schema name. */
export function resolveTarget(opts: PostgresOptions): Target {
  let url: URL;
  try {
    url = new URL(opts.connectionString);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// (got ${url.protocol}//)`);
  }
  const params = url.searchParams;
  const schema = opts.schema ?? (params.get('schema') || undefined);
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error('the Postgres schema name must be lower-case letters, digits and underscores (at most 50), starting with a letter or underscore');
  }
  const sslmode = params.get('sslmode');
  // pg would let these override the ssl option given to it; the decision is made here instead.
  for (const name of ['schema', 'sslmode', 'ssl', 'uselibpqcompat']) params.delete(name);
  const socket = params.get('host')?.startsWith('/') ?? false;
  const host = url.hostname;
  return {
    connectionString: url.toString(),
    schema,
    ssl: decideSsl(opts.ssl ?? 'auto', sslmode, socket || LOCAL_HOSTS.has(host)),
    label: `${host || 'localhost'}:${url.port || '5432'}${url.pathname}`,
  };
}

function decideSsl(setting: SslSetting, sslmode: string | null, local: boolean): Target['ssl'] {
  const noVerify = { rejectUnauthorized: false };
  if (setting === 'disable') return false;
  if (setting === 'require') return noVerify;
  if (setting === 'verify-full') return { rejectUnauthorized: true };
  switch (sslmode) {
    case 'disable':
      return false;
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    case 'require':
    case 'no-verify':
      return noVerify;
    default:
      // allow / prefer / none: node-postgres cannot fall back from TLS to plain, so pick by host.
      return local ? false : noVerify;
  }
}

/** Where the job queue lives: its own schema, next to the bot's tables. */
export function workerSchemaFor(schema: string | undefined): string {
  return schema === undefined ? WORKER_SCHEMA_DEFAULT : `${schema}_worker`;
}

/** A double-quoted SQL identifier (names are validated by SCHEMA_NAME; quoting is belt and braces). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * One pool per process, shared by the store and the job queue, so DATABASE_POOL_MAX bounds the
 * process's connections. Timeouts keep a stuck query or an abandoned transaction from holding a
 * conversation's row lock (and with it every instance's work on that conversation) for long.
 */
/**
 * Every connection of an instance carries its id in application_name, so the others can tell a
 * killed process (no session left in pg_stat_activity) from a slow one (worker-registry.ts).
 */
export function applicationNameFor(instanceId: string): string {
  return `chatwoot-hermes-bot ${instanceId}`;
}

export function createPool(target: Target, poolMax: number, log: Logger, instanceId: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    ssl: target.ssl,
    max: poolMax,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    application_name: applicationNameFor(instanceId),
    // The webhook's 200 waits on a connection: fail fast (503, Chatwoot retries) rather than hang.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    statement_timeout: 60_000,
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle client losing its connection (failover, restart) is reported here; unhandled it would crash.
  pool.on('error', (error) => log.warn({ err: error.message, db: target.label }, 'idle Postgres connection lost; the pool reconnects'));
  return pool;
}
