/**
 * The Postgres store while the database is out of reach (the chaos suite's store-refused and
 * store-silent faults, issue 13), through a TCP proxy the test freezes: the webhook's statements
 * answer within their bound even when the work pool is busy or hung, a statement on a dead connection
 * is abandoned and its transaction run again on a fresh one, and jobs locked by a fetch whose answer
 * was lost are unlocked.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openPostgresBackend, type PostgresBackend } from '../../src/backend/postgres.js';
import type { ConversationKey } from '../../src/domain/conversation.js';
import { createLogger } from '../../src/logger.js';
import { WorkerRegistry } from '../../src/scheduler/postgres/worker-registry.js';
import { createPool, INTAKE_QUERY_TIMEOUT_MS, poolShapes, resolveTarget } from '../../src/store/postgres/connection.js';
import { withTransaction } from '../../src/store/postgres/tx.js';
import type { StoredEvent } from '../../src/store/store.js';
import { createTestSchema, describePostgres, type TestSchema } from '../helpers/postgres.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { sleep } from '../helpers/wait.js';

const log = createLogger('silent');
const policy = { debounceMs: 300, debounceMaxMs: 1500 };

await describePostgres('Postgres store with the database out of reach', () => {
  let schema: TestSchema;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    schema = await createTestSchema();
    await (await openPostgresBackend({ connectionString: schema.url, poolMax: 2 }, log)).store.close(); // migrate once
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  afterAll(async () => {
    await schema?.drop();
  });

  /** A backend whose connections go through a proxy the test can cut. */
  async function behindProxy(poolMax = 6): Promise<{ backend: PostgresBackend; proxy: TcpProxy }> {
    const url = new URL(schema.url);
    const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const backend = await openPostgresBackend({ connectionString: url.toString(), poolMax }, log);
    cleanups.push(() => backend.store.close());
    cleanups.push(() => proxy.close()); // first: cuts the frozen sockets the pools still hold
    return { backend, proxy };
  }

  let messageId = 5000;
  const customer = (key: ConversationKey): StoredEvent => {
    const id = ++messageId;
    return {
      kind: 'customer_message',
      deliveryId: `outage-${id}`,
      key,
      status: 'pending',
      message: { messageId: id, inboxId: 7, contactId: 1, contactName: null, text: `m${id}`, attachments: [], createdAt: null },
    };
  };

  it('the webhook has a pool of its own: half of DATABASE_POOL_MAX, the rest for the work', () => {
    expect(poolShapes(10)).toMatchObject({ intake: { max: 5 }, work: { max: 5 } });
    expect(poolShapes(6)).toMatchObject({ intake: { max: 3 }, work: { max: 3 } });
    expect(poolShapes(4)).toMatchObject({ intake: { max: 2 }, work: { max: 2 } });
    expect(poolShapes(2)).toMatchObject({ intake: { max: 1 }, work: { max: 1 } });
    expect(poolShapes(10).intake.queryTimeoutMs).toBeLessThan(poolShapes(10).work.queryTimeoutMs);
  });

  it('accept does not wait behind the work pool: every work connection busy, the webhook is answered at once', async () => {
    const { backend } = await behindProxy();
    const key = { accountId: 1, conversationId: 9101 };
    // Every connection of the work pool held by a slow statement (as turns hung on a dead link).
    const work = poolShapes(6).work.max;
    const busy = Array.from({ length: work }, () => backend.pool.query({ text: 'SELECT pg_sleep(2)', query_timeout: 10_000 } as pg.QueryConfig));
    await sleep(200);
    const started = performance.now();
    expect(await backend.store.accept(customer(key), policy, Date.now())).toMatchObject({ outcome: 'stored' });
    await backend.store.ping();
    expect(performance.now() - started).toBeLessThan(1000);
    await Promise.all(busy);
  });

  it('a frozen link: accept fails within the intake bound, well before 4 s; after the thaw the retry is stored once', async () => {
    const { backend, proxy } = await behindProxy();
    const key = { accountId: 1, conversationId: 9102 };
    expect(await backend.store.accept(customer(key), policy, Date.now())).toMatchObject({ outcome: 'stored' }); // pools warm
    proxy.freeze();
    const event = customer(key);
    const started = performance.now();
    await expect(backend.store.accept(event, policy, Date.now())).rejects.toThrow();
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(INTAKE_QUERY_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(3000);
    await expect(backend.store.ping()).rejects.toThrow();
    proxy.thaw();
    // The frozen connections stay dead for good: the retry must not be handed one of them.
    const retried = performance.now();
    expect(await backend.store.accept(event, policy, Date.now())).toMatchObject({ outcome: 'stored' });
    expect(performance.now() - retried).toBeLessThan(1000);
    expect(await backend.store.accept(event, policy, Date.now())).toMatchObject({ outcome: 'duplicate' });
    const { rows } = await backend.pool.query('SELECT count(*)::int AS n FROM messages WHERE message_id = $1', [event.kind === 'customer_message' ? event.message.messageId : 0]);
    expect(rows[0].n).toBe(1);
  }, 20_000);

  it('a transaction whose connection froze before COMMIT runs again on a fresh connection, once, without waiting for 65 s', async () => {
    const url = new URL(schema.url);
    const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    cleanups.push(() => proxy.close());
    url.host = `127.0.0.1:${proxy.port}`;
    const pool = createPool(resolveTarget({ connectionString: url.toString() }), { max: 2, queryTimeoutMs: 800, connectionTimeoutMs: 1000 }, log, 'test');
    cleanups.push(() => pool.end());
    await pool.query('CREATE TABLE IF NOT EXISTS outage_probe (id int PRIMARY KEY)');
    let tries = 0;
    const started = performance.now();
    const done = withTransaction(pool, async (c) => {
      if (++tries === 1) {
        proxy.freeze(); // this connection is dead from now on; thawed for new ones before the bound ends
        setTimeout(() => proxy.thaw(), 300);
      }
      await c.query('INSERT INTO outage_probe (id) VALUES ($1)', [tries]);
      return tries;
    });
    expect(await done).toBe(2);
    // The bound, then the ROLLBACK failing at once on the closed socket (not a second bound), then the retry.
    expect(performance.now() - started).toBeLessThan(1600);
    const { rows } = await pool.query<{ id: number }>('SELECT id FROM outage_probe');
    expect(rows.map((r) => r.id)).toEqual([2]);
  });

  it('jobs locked by a fetch whose answer was lost are unlocked; what the worker locked after it stays its own', async () => {
    const { backend } = await behindProxy();
    const w = `"${backend.schemas.worker}"`;
    const registry = new WorkerRegistry(backend.pool, backend.schemas.worker, backend.instanceId);
    const add = async (queue: string) =>
      Number((await backend.pool.query(`SELECT id FROM ${w}.add_job('probe', '{}'::json, queue_name => $1)`, [queue])).rows[0].id);
    const [lost, later, other] = [await add('q-lost'), await add('q-later'), await add('q-other')];
    const lockAt = async (id: number, worker: string, at: number) => {
      await backend.pool.query(`UPDATE ${w}._private_jobs SET locked_by = $1, locked_at = to_timestamp($2 / 1000.0) WHERE id = $3`, [worker, at, id]);
      await backend.pool.query(
        `UPDATE ${w}._private_job_queues SET locked_by = $1, locked_at = to_timestamp($2 / 1000.0) WHERE id = (SELECT job_queue_id FROM ${w}._private_jobs WHERE id = $3)`,
        [worker, at, id],
      );
    };
    const failedAt = Date.now();
    await lockAt(lost, 'worker-a', failedAt - 5000); // its getJob's answer never came back
    await lockAt(later, 'worker-a', failedAt + 2000); // its next getJob, after the failure
    await lockAt(other, 'worker-b', failedAt - 5000); // another worker's, in hand
    expect(await registry.releaseUnreceived([{ workerId: 'worker-a', before: failedAt }])).toBe(1);
    const { rows } = await backend.pool.query(
      `SELECT j.id, j.locked_by AS job, q.locked_by AS queue FROM ${w}._private_jobs j JOIN ${w}._private_job_queues q ON q.id = j.job_queue_id ORDER BY j.id`,
    );
    expect(rows.map((r) => [Number(r.id), r.job, r.queue])).toEqual([
      [lost, null, null],
      [later, 'worker-a', 'worker-a'],
      [other, 'worker-b', 'worker-b'],
    ]);
  });
});
