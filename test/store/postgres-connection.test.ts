/**
 * The pool's defences against a link to Postgres that breaks (src/store/postgres/connection.ts),
 * through a TCP proxy the test cuts. The webhook-level behaviour is in test/e2e/store-outage.test.ts.
 */
import type pg from 'pg';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createPool, dropIdleConnections, openKeptConnections, resolveTarget, type PoolShape } from '../../src/store/postgres/connection.js';
import { describePostgres, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const log = createLogger('silent');

async function poolBehindProxy(shape: PoolShape = { max: 4, queryTimeoutMs: 1000, connectionTimeoutMs: 1000 }): Promise<{ pool: pg.Pool; proxy: TcpProxy }> {
  const url = new URL(TEST_DATABASE_URL);
  const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  return { pool: createPool(resolveTarget({ connectionString: url.toString() }), shape, log, 'test'), proxy };
}

await describePostgres('Postgres pool on a broken link', () => {
  it('a connection reset does not crash the process when the client’s user let go of it after the first error', async () => {
    const { pool, proxy } = await poolBehindProxy();
    try {
      const client = await pool.connect();
      // As graphile-worker does with its LISTEN client: handle one error, remove the handler, release later.
      const seen: string[] = [];
      const once = (error: Error) => {
        seen.push(error.message);
        client.removeListener('error', once);
      };
      client.on('error', once);
      await proxy.refuse({ reset: true });
      await waitUntil(() => seen.length === 1);
      // pg emits a second 'error' when the reset connection then ends: without a listener left it
      // would be an uncaught exception (vitest fails the run on one).
      await sleep(200);
      client.release(true);
    } finally {
      await proxy.close();
      await pool.end();
    }
  });

  it('dropIdleConnections closes the idle connections and takes them out of the pool at once; the pool opens fresh ones', async () => {
    const { pool, proxy } = await poolBehindProxy();
    try {
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
      const pids = clients.map((c) => (c as unknown as { processID: number }).processID);
      for (const c of clients) c.release();
      expect(pool.idleCount).toBe(3);
      expect(dropIdleConnections(pool)).toBe(3);
      // Out of the pool at once, not when their sockets report the close: the next statement must not get one.
      expect(pool.totalCount).toBe(0);
      const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(pids).not.toContain(rows[0]!.pid);
      expect(dropIdleConnections(pool)).toBe(1);
    } finally {
      await proxy.close();
      await pool.end();
    }
  });

  it('openKeptConnections opens the kept connections at once, and they stay idle in the pool', async () => {
    const shape: PoolShape = { max: 4, keepOpen: 3, queryTimeoutMs: 1000, connectionTimeoutMs: 1000 };
    const { pool, proxy } = await poolBehindProxy(shape);
    try {
      expect(await openKeptConnections(pool, shape)).toBeNull();
      expect(pool.totalCount).toBe(3);
      expect(pool.idleCount).toBe(3);
      // pg-pool arms no idle timer below `min` (its _isAboveMin): what keeps them open past 30 s idle.
      expect((pool as unknown as { options: { min: number } }).options.min).toBe(3);
    } finally {
      await proxy.close();
      await pool.end();
    }
  });

  it('openKeptConnections returns the error of a database it cannot reach, without throwing, and the pool still works later', async () => {
    const shape: PoolShape = { max: 2, keepOpen: 2, queryTimeoutMs: 1000, connectionTimeoutMs: 500 };
    const { pool, proxy } = await poolBehindProxy(shape);
    try {
      proxy.freeze();
      const error = await openKeptConnections(pool, shape);
      expect(error).toBeInstanceOf(Error);
      proxy.thaw();
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]!.one).toBe(1);
    } finally {
      await proxy.close();
      await pool.end();
    }
  });

  it('a dead link found by one pool drops the idle connections of the other pools over the same link', async () => {
    const shape: PoolShape = { max: 2, keepOpen: 2, queryTimeoutMs: 500, connectionTimeoutMs: 500 };
    const { pool, proxy } = await poolBehindProxy(shape);
    const url = new URL(TEST_DATABASE_URL);
    url.host = `127.0.0.1:${proxy.port}`;
    const other = createPool(resolveTarget({ connectionString: url.toString() }), shape, log, 'test');
    try {
      expect(await openKeptConnections(pool, shape)).toBeNull();
      expect(await openKeptConnections(other, shape)).toBeNull();
      proxy.freeze();
      await expect(pool.query('SELECT 1')).rejects.toThrow('Query read timeout');
      expect(other.totalCount).toBe(0);
      proxy.thaw();
      const { rows } = await other.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]!.one).toBe(1);
    } finally {
      await proxy.close();
      await Promise.all([pool.end(), other.end()]);
    }
  });
});
