import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ConversationKey } from '../../src/domain/conversation.js';
import { openPostgresBackend, type PostgresBackend } from '../../src/backend/postgres.js';
import { createLogger } from '../../src/logger.js';
import { collectIdleQueues } from '../../src/scheduler/postgres/queue-gc.js';
import type { PgScheduler } from '../../src/scheduler/postgres/scheduler.js';
import type { PgSchedulerTimings } from '../../src/scheduler/postgres/timings.js';
import type { PostgresStore } from '../../src/store/postgres.js';
import type { StoredEvent } from '../../src/store/store.js';
import { createTestSchema, describePostgres, type TestSchema } from '../helpers/postgres.js';
import { sleep, waitUntil } from '../helpers/wait.js';

/**
 * The Postgres scheduler in one process: two "instances" (each its own pool, scheduler and workers)
 * on one schema, with a turn function that records what ran when. Short timings keep it quick; the
 * three-process test (three-instances.test.ts) runs the production defaults.
 */
const log = createLogger('silent');
const FAST: Partial<PgSchedulerTimings> = { heartbeatMs: 200, quickMs: 600, staleMs: 3000, reconcileMs: 300, pollMs: 200 };
const policy = { debounceMs: 150, debounceMaxMs: 1000 };

interface Instance {
  store: PostgresStore;
  scheduler: PgScheduler;
}

interface Journal {
  /** Per conversation: the message ids of each finished turn, in the order they finished. */
  turns: Map<string, number[][]>;
  active: Set<string>;
  overlaps: number;
}

await describePostgres('Postgres scheduler (graphile-worker) across instances', () => {
  let schema: TestSchema;
  let instances: Instance[] = [];
  const open = (poolMax: number) => openPostgresBackend({ connectionString: schema.url, poolMax }, log);
  let journal: Journal;
  let delivery = 0;
  let messageId = 0;

  beforeAll(async () => {
    schema = await createTestSchema();
    await (await open(2)).store.close(); // migrate once
  });
  afterEach(async () => {
    await Promise.all(instances.map(async (i) => i.scheduler.drain(1000).finally(() => i.store.close())));
    instances = [];
  });
  afterAll(async () => {
    await schema?.drop();
  });

  async function start(opts: { work?: (store: PostgresStore) => (key: ConversationKey, signal: AbortSignal) => Promise<{ nextDueAt: number | null }>; concurrency?: number } = {}): Promise<Instance & { backend: PostgresBackend }> {
    const backend = await open(6);
    const store = backend.store;
    const scheduler = backend.createScheduler({ work: (opts.work ?? recordingWork)(store), concurrency: opts.concurrency ?? 4, timings: FAST });
    await scheduler.start();
    const instance = { store, scheduler, backend };
    instances.push(instance);
    return instance;
  }

  /** Like workConversation: take turns until nothing is due; a turn "answers" in 10–40 ms. */
  const recordingWork = (store: PostgresStore) => async (key: ConversationKey, signal: AbortSignal) => {
    const id = `${key.accountId}/${key.conversationId}`;
    while (!signal.aborted) {
      const taken = await store.takeTurn(key, Date.now());
      if (!taken.turn) return { nextDueAt: taken.nextDueAt };
      if (journal.active.has(id)) journal.overlaps++;
      journal.active.add(id);
      await sleep(10 + Math.random() * 30);
      journal.active.delete(id);
      await store.finishTurn(taken.turn.id, 'delivered', Date.now());
      const list = journal.turns.get(id) ?? [];
      list.push(taken.turn.messages.map((m) => m.messageId));
      journal.turns.set(id, list);
    }
    return { nextDueAt: Date.now() };
  };

  async function say(instance: Instance, key: ConversationKey, debounce = policy): Promise<number> {
    const id = ++messageId;
    const event: StoredEvent = {
      kind: 'customer_message',
      deliveryId: `d-${++delivery}`,
      key,
      status: 'pending',
      message: { messageId: id, inboxId: 7, contactId: 1, contactName: null, text: `m${id}`, attachments: [], createdAt: null },
    };
    const result = await instance.store.accept(event, debounce, Date.now());
    if (result.outcome === 'stored' && result.dueAt !== null) instance.scheduler.notify(key, result.dueAt);
    return id;
  }

  const answered = () => [...journal.turns.values()].reduce((n, turns) => n + turns.flat().length, 0);

  const fresh = async () => {
    await schema.truncate();
    journal = { turns: new Map(), active: new Set(), overlaps: 0 };
  };

  it('runs each conversation one turn at a time, in order, debounced across instances', async () => {
    await fresh();
    const a = await start();
    const b = await start();
    const sent = new Map<string, number[]>();
    const keys = Array.from({ length: 30 }, (_, i): ConversationKey => ({ accountId: 1, conversationId: 100 + i }));
    // Four messages per conversation, alternating instances, the first three inside one debounce window.
    // A window of 600 ms: a round of 30 accepts at once took over 150 ms on a loaded 2-core machine
    // (cold pools), and the first conversations' bursts were then answered message by message.
    const burst = { debounceMs: 600, debounceMaxMs: 3000 };
    for (let round = 0; round < 4; round++) {
      if (round === 3) await sleep(1000);
      await Promise.all(
        keys.map(async (key, i) => {
          const id = await say((i + round) % 2 ? a : b, key, burst);
          sent.set(`1/${key.conversationId}`, [...(sent.get(`1/${key.conversationId}`) ?? []), id]);
        }),
      );
      await sleep(30);
    }
    await waitUntil(() => answered() === 120, { timeoutMs: 15_000, describe: () => `answered ${answered()} of 120` });
    expect(journal.overlaps).toBe(0);
    for (const [id, messages] of sent) {
      const turns = journal.turns.get(id)!;
      expect(turns.flat()).toEqual(messages); // every message once, in order
      expect(turns.length).toBeLessThan(4); // the burst was answered together (debounce)
    }
  });

  it('retries a turn that failed with graphile-worker\'s backoff', async () => {
    await fresh();
    let failures = 0;
    const a = await start({
      work: (store) => async (key, signal) => {
        if (failures++ === 0) throw new Error('database hiccup');
        return recordingWork(store)(key, signal);
      },
    });
    const key = { accountId: 1, conversationId: 900 };
    const id = await say(a, key);
    const started = Date.now();
    await waitUntil(() => answered() === 1, { timeoutMs: 10_000 });
    expect(journal.turns.get('1/900')).toEqual([[id]]);
    // The first retry comes after e^1 ≈ 2.7 s.
    expect(Date.now() - started).toBeGreaterThan(2000);
  });

  it('frees the jobs of a worker whose instance died, and its queue, for a live instance', async () => {
    await fresh();
    const writer = (await open(2)).store;
    const key = { accountId: 1, conversationId: 901 };
    // A dead instance: its job and queue locked by a worker whose heartbeat stopped long ago.
    const id = await say({ store: writer, scheduler: { notify: () => undefined } as unknown as PgScheduler }, key);
    await schema.withClient(async (c) => {
      const w = `${schema.name}_worker`;
      await c.query(`SELECT ${w}.add_job('turn', '{"accountId":1,"conversationId":901}'::json, queue_name := 'conv:1:901', job_key := 'conv:1:901')`);
      await c.query(`INSERT INTO ${schema.name}.queue_workers (worker_id, instance_id, seen_at) VALUES ('worker-dead', 'i-dead', now() - interval '1 hour')`);
      await c.query(`UPDATE ${w}._private_jobs SET locked_by = 'worker-dead', locked_at = now() - interval '10 minutes', attempts = 1`);
      await c.query(`UPDATE ${w}._private_job_queues SET locked_by = 'worker-dead', locked_at = now() - interval '10 minutes'`);
    });
    await writer.close();
    const started = Date.now();
    await start();
    await waitUntil(() => answered() === 1, { timeoutMs: 10_000 });
    expect(journal.turns.get('1/901')).toEqual([[id]]);
    // Its instance has no session left: freed after quickMs of our own health (0.6 s here, 6 s in production).
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('leaves a slow instance (sessions open, heartbeat late) alone until its heartbeat is stale', async () => {
    await fresh();
    const slowBackend = await open(2);
    const slowInstance = slowBackend.store;
    try {
      await slowInstance.ping(); // it has a session open, as a live process does
      const key = { accountId: 1, conversationId: 906 };
      const id = await say({ store: slowInstance, scheduler: { notify: () => undefined } as unknown as PgScheduler }, key);
      await schema.withClient(async (c) => {
        const w = `${schema.name}_worker`;
        await c.query(`SELECT ${w}.add_job('turn', '{"accountId":1,"conversationId":906}'::json, queue_name := 'conv:1:906', job_key := 'conv:1:906')`);
        await c.query(`INSERT INTO ${schema.name}.queue_workers (worker_id, instance_id, seen_at) VALUES ('worker-slow', $1, now())`, [slowBackend.instanceId]);
        await c.query(`UPDATE ${w}._private_jobs SET locked_by = 'worker-slow', locked_at = now(), attempts = 1`);
        await c.query(`UPDATE ${w}._private_job_queues SET locked_by = 'worker-slow', locked_at = now()`);
      });
      const started = Date.now();
      await start();
      await sleep(1800); // well past quickMs (0.6 s): a process with sessions is not taken for dead
      expect(answered()).toBe(0);
      await waitUntil(() => answered() === 1, { timeoutMs: 8000 });
      expect(journal.turns.get('1/906')).toEqual([[id]]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000); // staleMs here
    } finally {
      await slowInstance.close();
    }
  });

  it('re-queues stored work whose wake-up never reached the queue (process died in between)', async () => {
    await fresh();
    const a = await start();
    const key = { accountId: 1, conversationId: 902 };
    const silent = { store: a.store, scheduler: { notify: () => undefined } as unknown as PgScheduler };
    const id = await say(silent, key);
    await waitUntil(() => answered() === 1, { timeoutMs: 5000 });
    expect(journal.turns.get('1/902')).toEqual([[id]]);
  });

  it('hands a draining instance\'s conversations to the others', async () => {
    await fresh();
    const slow = (store: PostgresStore) => async (key: ConversationKey, signal: AbortSignal) => {
      const taken = await store.takeTurn(key, Date.now());
      if (!taken.turn) return { nextDueAt: taken.nextDueAt };
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return { nextDueAt: Date.now() }; // released: the turn stays open for the next worker
    };
    const a = await start({ work: slow, concurrency: 2 });
    const key = { accountId: 1, conversationId: 903 };
    const id = await say(a, key);
    await waitUntil(() => a.scheduler.stats().running === 1, { timeoutMs: 5000 });
    await start();
    await a.scheduler.drain(200);
    await waitUntil(() => answered() === 1, { timeoutMs: 5000 });
    expect(journal.turns.get('1/903')).toEqual([[id]]);
    const last = await a.store.lastTurn(key);
    expect(last).toMatchObject({ state: 'delivered' });
  });

  it('garbage-collects the queues of idle conversations only', async () => {
    await fresh();
    const a = await start();
    const idle = { accountId: 1, conversationId: 904 };
    const busy = { accountId: 1, conversationId: 905 };
    await say(a, idle);
    await waitUntil(() => answered() === 1, { timeoutMs: 5000 });
    await a.scheduler.drain(1000);
    await say(a, busy); // stored, due, its wake-up queued through the store's pool below
    const queues = () =>
      schema.withClient(async (c) => (await c.query(`SELECT queue_name FROM ${schema.name}_worker._private_job_queues ORDER BY queue_name`)).rows.map((r) => r.queue_name));
    await schema.withClient((c) => c.query(`SELECT ${schema.name}_worker.add_job('turn', '{}'::json, queue_name := 'conv:1:905', job_key := 'conv:1:905', run_at := now() + interval '1 hour')`));
    expect(await queues()).toEqual(['conv:1:904', 'conv:1:905']);
    expect(await collectIdleQueues(a.backend.pool, a.backend.schemas.worker, 60_000)).toBe(0); // not idle for long enough yet
    expect(await collectIdleQueues(a.backend.pool, a.backend.schemas.worker, -1)).toBe(1);
    expect(await queues()).toEqual(['conv:1:905']);
  });
});
