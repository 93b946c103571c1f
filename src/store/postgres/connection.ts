import pg from 'pg';
import type { Logger } from '../../logger.js';
import { DeadLinkAwareClient } from './dead-link.js';

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
 * Client-side limit for a statement that may run long (migrations, housekeeping, an import): the
 * server's statement_timeout (60 s) cannot end a query whose connection is dead (a link that silently
 * drops packets, a NAT or proxy that lost the connection): without this it would wait for TCP's
 * retransmission timeout (~15 min) and hold its pool slot.
 */
export const QUERY_TIMEOUT_MS = 65_000;
/**
 * The bound of every other statement of the turns and the job queue: they take milliseconds (p99
 * under 50 ms at 500 webhooks/s), so one without an answer after 5 s is on a dead connection, which
 * is then closed (dead-link.ts) and the statement failed, for the job queue to retry. With the 65 s
 * bound, a silent 5 s outage left the turns caught in it hanging for a minute.
 */
export const WORK_QUERY_TIMEOUT_MS = 5000;
/**
 * The webhook's statements (accept, getInboxSettings, the readiness ping): Chatwoot must get its 500
 * within 4 s (http/deadline.ts), after up to 1 s waiting for a connection. They take milliseconds
 * (p99 under 50 ms at 500 webhooks/s); 2 s leaves room for a machine short of CPU, where a tighter
 * bound would close healthy connections.
 */
export const INTAKE_QUERY_TIMEOUT_MS = 2000;
/**
 * TCP keepalive on every connection, first probe after 10 s idle (libuv then probes every second,
 * 10 times): an idle connection to a peer that vanished is found dead in ~20 s instead of pg's
 * default (0 = the system's 2 hours).
 */
export const KEEPALIVE_IDLE_MS = 10_000;

/** What a pool is for: its size, how long its statements may go unanswered, how long to wait for a connection. */
export interface PoolShape {
  max: number;
  queryTimeoutMs: number;
  connectionTimeoutMs: number;
}

/**
 * The webhook gets its own pool (half of DATABASE_POOL_MAX, at least 2 when there are 4), so its
 * statements never queue behind the turns' and the job queue's: in the silent-outage chaos run every
 * connection of the shared pool was held by a hung turn statement and webhooks waited 3 s for a slot.
 * Half, not less: each accept is a commit that waits for the WAL to reach the disk, and commits in
 * flight at once share one flush; measured (bench ack, Postgres, 500 webhooks/s, 2-core machine), 3
 * of 10 connections gave ack p50 623 ms / p99 1.4 s, 10 gave 10 ms / 49 ms. The rest is the work
 * pool's (the store's turn statements and graphile-worker), which turns use only between Hermes calls.
 */
export function poolShapes(poolMax: number): { intake: PoolShape; work: PoolShape } {
  const intake = poolMax >= 4 ? Math.max(2, Math.round(poolMax / 2)) : 1;
  return {
    // 1 s for a connection: a new one whose handshake does not come back leaves time for a statement.
    intake: { max: intake, queryTimeoutMs: INTAKE_QUERY_TIMEOUT_MS, connectionTimeoutMs: 1000 },
    work: { max: Math.max(1, poolMax - intake), queryTimeoutMs: WORK_QUERY_TIMEOUT_MS, connectionTimeoutMs: 3000 },
  };
}

/** The idle connections of each pool (pg-pool keeps its own list private; its events are public). */
const idleConnections = new WeakMap<pg.Pool, Set<pg.PoolClient>>();

/**
 * A pool of the process (backend/postgres.ts opens the intake's and the work's, whose sizes add up to
 * DATABASE_POOL_MAX). Timeouts keep a stuck query or an abandoned transaction from holding a
 * conversation's row lock (and with it every instance's work on that conversation) for long; a
 * statement unanswered within the shape's bound closes its connection (dead-link.ts).
 */
export function createPool(target: Target, shape: PoolShape, log: Logger, instanceId: string): pg.Pool {
  const pool = new pg.Pool({
    Client: DeadLinkAwareClient,
    connectionString: target.connectionString,
    ssl: target.ssl,
    max: shape.max,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    application_name: applicationNameFor(instanceId),
    // Waiting for a connection (a free slot, or a new one whose handshake does not come back) ends in
    // an error the webhook answers with 500 — before Chatwoot's 5 s, so Chatwoot retries.
    connectionTimeoutMillis: shape.connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    query_timeout: shape.queryTimeoutMs,
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
  pool.on('connect', (client) => {
    client.on('error', (error) => log.debug({ err: error.message, db: target.label }, 'Postgres connection error'));
    // The others went idle over the same link: see dropIdleConnections.
    (client as unknown as DeadLinkAwareClient).onDeadLink = () => {
      const dropped = dropIdleConnections(pool);
      log.warn({ db: target.label, boundMs: shape.queryTimeoutMs, droppedIdle: dropped }, 'a Postgres statement got no answer in time: its connection is closed');
    };
  });
  // An idle client losing its connection (failover, restart) is reported here; unhandled it would crash.
  pool.on('error', (error) => {
    if (!(error instanceof DroppedConnectionError)) log.warn({ err: error.message, db: target.label }, 'idle Postgres connection lost; the pool reconnects');
  });
  return pool;
}

/**
 * Closes the pool's idle connections, for when one query found the network to Postgres dead: the
 * others went idle over the same link, and the pool hands out the most recently used first, so each
 * would cost the next caller a timeout (three in a row are all of Chatwoot's retries). They leave the
 * pool at once and their sockets are destroyed; the pool opens fresh ones on demand.
 */
export function dropIdleConnections(pool: pg.Pool): number {
  const idle = idleConnections.get(pool);
  if (!idle) return 0;
  const clients = [...idle];
  idle.clear();
  for (const client of clients) {
    // The pool's idle listener takes it out now. A destroyed socket reports its close only on a later
    // turn of the loop, and until then the pool hands the connection out: seen with three idle
    // connections, the very next statement got one and failed with "Connection terminated unexpectedly".
    client.emit('error', new DroppedConnectionError());
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
  return clients.length;
}

/** What an idle connection closed by dropIdleConnections reports to its pool (logged once, by the caller). */
export class DroppedConnectionError extends Error {
  constructor() {
    super('idle connection closed: another statement found the link to Postgres dead');
    this.name = 'DroppedConnectionError';
  }
}
