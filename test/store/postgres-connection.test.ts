/**
 * The pool's defences against a link to Postgres that breaks (src/store/postgres/connection.ts),
 * through a TCP proxy the test cuts. The webhook-level behaviour is in test/e2e/store-outage.test.ts.
 */
import type pg from 'pg';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createPool, dropIdleConnections, resolveTarget, type PoolShape } from '../../src/store/postgres/connection.js';
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

  it('after a statement finds the link dead, the next statement does not get one of the idle connections that went dead with it', async () => {
    const { pool, proxy } = await poolBehindProxy({ max: 4, queryTimeoutMs: 500, connectionTimeoutMs: 500 });
    try {
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
      for (const c of clients) c.release();
      proxy.freeze();
      await expect(pool.query('SELECT 1')).rejects.toThrow('Query read timeout');
      // New connections get through again; the frozen ones stay dead, as after a real outage.
      proxy.thaw();
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]!.one).toBe(1);
    } finally {
      await proxy.close();
      await pool.end();
    }
  });
});
