import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, afterEach, expect, it, vi } from 'vitest';
import type { ConversationKey } from '../../src/domain/conversation.js';
import { createLogger } from '../../src/logger.js';
import { decideAccept } from '../../src/rules/accept.js';
import { applyWrites } from '../../src/store/postgres/apply.js';
import { decideOnPostgres } from '../../src/store/postgres/decide.js';
import { loadAcceptSnapshot } from '../../src/store/postgres/snapshots.js';
import { queueNameFor, queueNameSql } from '../../src/scheduler/postgres/queue-name.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.js';
import { openPostgresBackend } from '../../src/backend/postgres.js';
import type { PostgresStore } from '../../src/store/postgres.js';
import type { StoredEvent } from '../../src/store/store.js';
import { createTestSchema, describePostgres, type TestSchema } from '../helpers/postgres.js';

/**
 * How Postgres applies the TypeScript rules (store/postgres/decide.ts): a decision is written only
 * if the conversation is still as it was read, and the races of several instances on one
 * conversation end as on one.
 */
const log = createLogger('silent');
const key: ConversationKey = { accountId: 1, conversationId: 1042 };
const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };
const customer = (messageId: number): StoredEvent => ({
  kind: 'customer_message',
  deliveryId: `d-${messageId}`,
  key,
  status: 'pending',
  message: { messageId, inboxId: 7, contactId: 3120, contactName: null, text: `m${messageId}`, attachments: [], createdAt: null },
});

await describePostgres('Postgres store: the rules in TypeScript', () => {
  let schema: TestSchema;
  let a: PostgresStore;
  let b: PostgresStore;
  /** a's webhook pool (where accept runs), for running a rule's steps by hand. */
  let aPool: pg.Pool;

  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    await schema?.drop();
  });
  beforeEach(async () => {
    const open = () => openPostgresBackend({ connectionString: schema.url, poolMax: 6 }, log);
    const [backendA, backendB] = await Promise.all([open(), open()]);
    [a, b, aPool] = [backendA.store, backendB.store, backendA.intakePool];
    await schema.truncate();
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps no business logic in the database: the schema has no functions', async () => {
    const functions = await schema.withClient(async (c) => (await c.query(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`, [schema.name])).rows);
    expect(functions).toEqual([]);
  });

  it('writes nothing of a decision made on rows another writer changed since', async () => {
    await a.accept(customer(1), policy, 1000);
    const stale = decideAccept(await loadAcceptSnapshot(aPool, customer(2)), customer(2), policy, 1500);
    await b.accept(customer(3), policy, 1600);
    expect(await applyWrites(aPool, stale.writes)).toBe(false);
    const held = await schema.withClient(async (c) => (await c.query(`SELECT message_id FROM ${schema.name}.messages ORDER BY message_id`)).rows.map((r) => Number(r.message_id)));
    expect(held).toEqual([1, 3]);
    // Decided again on fresh rows, it applies.
    expect(await a.accept(customer(2), policy, 1700)).toEqual({ outcome: 'stored', dueAt: 3700 });
  });

  it('stops racing after two lost tries: the conversation row is locked and the rule decides once more', async () => {
    await a.accept(customer(1), policy, 1000);
    const loads: string[] = [];
    let bump = 0;
    // Whether another connection could lock the conversation row right now (NOWAIT: 55P03 when it is held).
    const rowLocked = () =>
      schema.withClient(async (c) => {
        try {
          await c.query(`SELECT 1 FROM ${schema.name}.conversations WHERE account_id = 1 AND conversation_id = 1042 FOR UPDATE NOWAIT`);
          return false;
        } catch (error) {
          if ((error as { code?: string }).code === '55P03') return true;
          throw error;
        }
      });
    const result = await decideOnPostgres(aPool, key, {
      load: async (rows) => {
        const locked = await rowLocked();
        loads.push(locked ? 'locked' : 'optimistic');
        const snapshot = await rows.acceptRows(customer(2));
        // Another instance writes the conversation between every unlocked read and its write.
        if (!locked) await b.setBotState(key, 'active', `racing ${++bump}`, 1100);
        return snapshot;
      },
      decide: (snapshot) => decideAccept(snapshot, customer(2), policy, 1500),
    });
    expect(loads).toEqual(['optimistic', 'optimistic', 'locked']);
    expect(result).toEqual({ outcome: 'stored', dueAt: 3500 });
    expect((await a.takeTurn(key, 99_999)).turn?.messages.map((m) => m.messageId)).toEqual([1, 2]);
  });

  /** The statements `fn` sends through a's webhook pool (accept's statements all go there). */
  async function statementsOf<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
    const spy = vi.spyOn(aPool, 'query');
    try {
      const result = await fn();
      return { result, statements: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }
  const version = () => schema.withClient(async (c) => Number((await c.query(`SELECT version FROM ${schema.name}.conversations WHERE account_id = 1 AND conversation_id = 1042`)).rows[0]?.version));

  it("decides a customer's message in one round trip on what this instance wrote last, and a duplicate too", async () => {
    expect(await statementsOf(() => a.accept(customer(1), policy, 1000))).toEqual({ result: { outcome: 'stored', dueAt: 3000 }, statements: 1 });
    expect(await statementsOf(() => a.accept(customer(2), policy, 1500))).toEqual({ result: { outcome: 'stored', dueAt: 3500 }, statements: 1 });
    // A redelivery: the guard finds the message stored, and the same statement brings back the rows that say so.
    expect(await statementsOf(() => a.accept(customer(2), policy, 1600))).toEqual({ result: { outcome: 'duplicate' }, statements: 1 });
    expect(await version()).toBe(2);
  });

  it('a hint gone stale (another instance wrote, a turn took the messages) is caught by the guard: the rule decides again on the rows the write brought back', async () => {
    const slow = { debounceMs: 2000, debounceMaxMs: 2500 };
    await a.accept(customer(1), slow, 0);
    // b's message counts from 0: decided on a's hint alone (only message 1 waiting), a's next would be due at 0 + 2500 too, so look at the rows.
    await b.accept(customer(2), slow, 100);
    expect(await statementsOf(() => a.accept(customer(3), slow, 200))).toEqual({ result: { outcome: 'stored', dueAt: 2200 }, statements: 2 });
    expect((await b.takeTurn(key, 99_999)).turn?.messages.map((m) => m.messageId)).toEqual([1, 2, 3]);
    // The turn took 1–3: decided on a's hint (1 and 3 waiting since 0), message 4 would be due at 2500, not 9000 + 2000.
    expect(await statementsOf(() => a.accept(customer(4), slow, 9000))).toEqual({ result: { outcome: 'stored', dueAt: 11_000 }, statements: 2 });
  });

  it("a guess whose decision writes nothing is not trusted (no guard checks it): the rule reads, then decides", async () => {
    const loads: string[] = [];
    const result = await decideOnPostgres(aPool, key, {
      load: async (rows) => {
        loads.push('read');
        return rows.acceptRows(customer(1));
      },
      decide: (snapshot) => (snapshot.conversation?.forgotten ? { result: 'forgotten (guessed)', writes: [] } : { result: `read: ${snapshot.conversation === null ? 'new' : 'known'}`, writes: [] }),
      guess: { conversation: { botState: 'active', leftPendingAt: null, dueAt: null, inboxId: 7, version: 9, forgotten: true }, deliverySeen: false, message: null, waiting: [], echoCandidates: [], failedPart: null },
    });
    expect({ result, loads }).toEqual({ result: 'read: new', loads: ['read'] });
  });

  it('retention that skips a held message grows its conversation\'s version (what waits changed: a hint of it must miss)', async () => {
    await a.setBotState(key, 'human', 'an agent replied', 500);
    expect(await a.accept(customer(1), policy, 1000)).toMatchObject({ outcome: 'stored', dueAt: null });
    // The conversation itself was written after the cutoff: retention leaves its row's texts alone.
    await a.setBotState(key, 'human', 'an agent replied', 3000);
    const before = await version();
    await a.eraseTextsBefore(2000);
    const held = await schema.withClient(async (c) => (await c.query(`SELECT state FROM ${schema.name}.messages WHERE message_id = 1`)).rows[0]?.state);
    expect({ held, grew: (await version()) - before }).toEqual({ held: 'skipped', grew: 1 });
  });

  it('two instances taking the turn of one conversation at once take one turn: the other resumes it', async () => {
    for (const id of [1, 2, 3]) await a.accept(customer(id), policy, 0);
    const taken = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).takeTurn(key, 60_000)));
    const turns = taken.map((t) => t.turn!);
    expect(new Set(turns.map((t) => t.id)).size).toBe(1);
    expect(turns.map((t) => t.attempt).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const t of turns) expect(t.messages.map((m) => m.messageId)).toEqual([1, 2, 3]);
  });

  it('a turn finishing while messages arrive loses none of them', async () => {
    await a.accept(customer(1), policy, 0);
    const first = (await a.takeTurn(key, 5000)).turn!;
    const arrivals = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).accept(customer(10 + i), policy, 6000 + i));
    await Promise.all([...arrivals, b.finishTurn(first.id, 'delivered', 6005)]);
    const next = (await a.takeTurn(key, 99_999)).turn!;
    expect(next.id).not.toBe(first.id);
    expect(next.messages.map((m) => m.messageId)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(await a.lastTurn(key)).toMatchObject({ id: next.id, state: 'running' });
  });

  it("names a conversation's job queue in SQL exactly as queueNameFor does", async () => {
    const keys = [key, { accountId: 12, conversationId: 3 }, { accountId: 1, conversationId: 23 }];
    const names = await schema.withClient(async (c) =>
      (await c.query(`SELECT ${queueNameSql('k.a', 'k.c')} AS name FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(a, c, i) ORDER BY k.i`, [keys.map((k) => k.accountId), keys.map((k) => k.conversationId)])).rows.map((r) => r.name),
    );
    expect(names).toEqual(keys.map(queueNameFor));
  });

  it('upgrades in place a database written by the PL/pgSQL functions of version 2: its waiting work is taken as before', async () => {
    const old = await createTestSchema();
    try {
      await old.withClient(async (c) => {
        await c.query(`CREATE SCHEMA ${old.name}`);
        await c.query(`SET search_path TO ${old.name}`);
        await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version <= 2)) {
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)', [m.version, m.name]);
        }
        // What a bot of the previous release stored: a customer's message waiting for its turn.
        const event = { kind: 'customer_message', deliveryId: 'old-1', accountId: 1, conversationId: 1042, status: 'pending', inboxId: 7, messageId: 1, messageInboxId: 7, contactId: 3120, contactName: null, text: 'm1', attachments: [], createdAt: null, awaitingTranscript: false };
        await c.query('SELECT * FROM chb_accept($1::jsonb, $2, $3::jsonb)', [JSON.stringify(event), 1000, JSON.stringify(policy)]);
      });
      const store = (await openPostgresBackend({ connectionString: old.url, poolMax: 3 }, log)).store;
      try {
        expect(await store.accept(customer(2), policy, 1500)).toEqual({ outcome: 'stored', dueAt: 3500 });
        expect((await store.takeTurn(key, 99_999)).turn?.messages.map((m) => m.messageId)).toEqual([1, 2]);
        const left = await old.withClient(async (c) => (await c.query(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`, [old.name])).rows);
        expect(left).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await old.drop();
    }
  });
});
