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
 * Every connection of an instance carries its id in application_name, so the others can tell a
 * killed process (no session left in pg_stat_activity) from a slow one (scheduler/postgres/worker-registry.ts).
 */
export function applicationNameFor(instanceId: string): string {
  return `chatwoot-hermes-bot ${instanceId}`;
}

/**
 * Client-side limit for any query: the server's statement_timeout (60 s) cannot end a query whose
 * connection is dead (a link that silently drops packets, a NAT or proxy that lost the connection):
 * without this the query waits for TCP's retransmission timeout (~15 min) and holds its pool slot.
 */
export const QUERY_TIMEOUT_MS = 65_000;
/**
 * TCP keepalive on every connection, first probe after 10 s idle (libuv then probes every second,
 * 10 times): an idle connection to a peer that vanished is found dead in ~20 s instead of pg's
 * default (0 = the system's 2 hours).
 */
export const KEEPALIVE_IDLE_MS = 10_000;

/** The idle connections of each pool (pg-pool keeps its own list private; its events are public). */
const idleConnections = new WeakMap<pg.Pool, Set<pg.PoolClient>>();

/**
 * One pool per process, shared by the store and the job queue, so DATABASE_POOL_MAX bounds the
 * process's connections. Timeouts keep a stuck query or an abandoned transaction from holding a
 * conversation's row lock (and with it every instance's work on that conversation) for long.
 */
export function createPool(target: Target, poolMax: number, log: Logger, instanceId: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    ssl: target.ssl,
    max: poolMax,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    application_name: applicationNameFor(instanceId),
    // Waiting for a connection (a free slot, or a new one whose handshake does not come back) ends in
    // an error the webhook answers with 500 — before Chatwoot's 5 s, so Chatwoot retries.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: 60_000,
    idle_in_transaction_session_timeout: 60_000,
  });
  const idle = new Set<pg.PoolClient>();
  idleConnections.set(pool, idle);
  // 'release' comes before a removal ('remove' then follows), so the set ends up right either way.
  pool.on('release', (error: Error | undefined, client: pg.PoolClient) => {
    if (!error) idle.add(client);
  });
  pool.on('acquire', (client) => idle.delete(client));
  pool.on('remove', (client) => idle.delete(client as pg.PoolClient));
  // A lost connection can emit 'error' twice (the socket's error, then its end: pg's client.js). A user
  // that removed its own listener after the first — graphile-worker releasing its LISTEN client does —
  // would let the second crash the process; this listener stays for the client's whole life.
  pool.on('connect', (client) => client.on('error', (error) => log.debug({ err: error.message, db: target.label }, 'Postgres connection error')));
  // An idle client losing its connection (failover, restart) is reported here; unhandled it would crash.
  pool.on('error', (error) => log.warn({ err: error.message, db: target.label }, 'idle Postgres connection lost; the pool reconnects'));
  return pool;
}

/**
 * Closes the pool's idle connections, for when one query found the network to Postgres dead: the
 * others went idle over the same link, and the pool hands out the most recently used first, so each
 * would cost the next caller a timeout (three in a row are all of Chatwoot's retries). Their sockets
 * are destroyed; pg reports each as lost, the pool drops it and opens fresh ones on demand.
 */
export function dropIdleConnections(pool: pg.Pool): number {
  const idle = idleConnections.get(pool);
  if (!idle) return 0;
  const clients = [...idle];
  idle.clear();
  for (const client of clients) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  return clients.length;
}

/** Whether `error` is pg's client-side query timeout (query_timeout): the connection is suspect. */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/**
 * A query on the webhook's path, given up client-side after `timeoutMs` so that the webhook can still
 * answer 500 in time (http/deadline.ts). The connection it ran on is dropped (pg-pool drops a client
 * released with an error), and so are the idle ones: a query that got no answer at all means the link
 * to Postgres is dead, and they went idle over it. Giving up does not undo the statement if it did
 * reach Postgres: each is one transaction, so it happened whole or not at all, and Chatwoot's retry
 * of a stored event is then found duplicate.
 */
export async function queryWithin<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[], timeoutMs: number): Promise<R[]> {
  return (await timeBounded(pool, timeoutMs).query<R>(text, values)).rows;
}

/**
 * The pool's `query`, each query given up after `timeoutMs` (then the idle connections are dropped,
 * as above): what the webhook's store calls run on.
 */
export function timeBounded(pool: pg.Pool, timeoutMs: number): Pick<pg.Pool, 'query'> {
  const query = async (text: string, values?: unknown[]) => {
    // query_timeout per query is read by pg's Client.query but missing from its QueryConfig type.
    const config = { text, values, query_timeout: timeoutMs } as pg.QueryConfig;
    try {
      return await pool.query(config);
    } catch (error) {
      if (isQueryTimeout(error)) dropIdleConnections(pool);
      throw error;
    }
  };
  return { query: query as pg.Pool['query'] };
}
