/**
 * A store that fails or hangs for a few seconds must cost Chatwoot a retry, not the conversation.
 *
 * Chatwoot (v4.15.1) retries a bot webhook only on HTTP 429 and 500, 3 attempts 3 s apart; any other
 * status, and a timeout (5 s), is final and opens the pending conversation for humans
 * (lib/webhooks/trigger.rb, app/jobs/agent_bots/webhook_job.rb). Every test here delivers through the
 * fake Chatwoot's copy of those rules (harness.deliver) and fails on a bot that answers 503, or that
 * holds the webhook while the store hangs: Chatwoot would have opened the conversation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../src/backend/backend.js';
import type { Store } from '../../src/store/store.js';
import { fillDisk, mountTmpfs, unmount } from '../helpers/disk.js';
import { createTestSchema, e2eStoreKind, testStoreLocation, type TestStoreLocation } from '../helpers/postgres.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

const kind = e2eStoreKind();
const cleanups: Array<() => Promise<void> | void> = [];
let h: Harness | undefined;
afterEach(async () => {
  // First the things that break the link (a frozen proxy would hold the pool's end), then the bot.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function later(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

const publicReplies = (conversation: number) => h!.chatwoot.messages(1, conversation, { private: false });

/** Waits until the conversation got exactly one reply, and checks a little later that no second one came. */
async function answeredOnce(conversation: number): Promise<void> {
  await waitUntil(() => publicReplies(conversation).length >= 1, { timeoutMs: 15_000 });
  await sleep(500);
  expect(publicReplies(conversation)).toHaveLength(1);
}

/** A first message, answered: the store worked before the outage. */
async function warmUp(): Promise<void> {
  const first = await h!.deliver('message_created-incoming-text', customerMessage(7001, 'Olá', 2001));
  expect(first).toMatchObject({ outcome: 'delivered', status: 200 });
  await answeredOnce(2001);
}

describe('a store that hangs past Chatwoot’s timeout', () => {
  it('answers 500 within about 4 s; the write, finished late, is kept once and the retry is a duplicate', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cwhb-hang-'));
    const location = await testStoreLocation(kind, dataDir);
    later(async () => {
      await location.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const real = await openBackend({ databaseUrl: location.env.DATABASE_URL, dataDir, poolMax: 6 }, pino({ level: 'silent' }));
    // The first accept writes, then takes 5 s to say so (a stalled disk sync, an answer lost on the way back).
    let held = 0;
    const store = withSlowAccept(real.store, () => (held++ === 0 ? 5000 : 0));
    h = await startHarness({ dataDir, location, backend: { store, createScheduler: (opts) => real.createScheduler(opts) } });
    later(() => h!.close());

    const record = await h.deliver('message_created-incoming-text', customerMessage(7101, 'Oi, tudo bem?', 2101));
    expect(record).toMatchObject({ outcome: 'delivered', status: 200, openedConversation: false });
    expect(record.attempts.map((a) => a.status)).toEqual([500, 200]);
    // Answered before Chatwoot's 5 s timeout, which it would not have retried.
    expect(record.attempts[0]!.ms).toBeGreaterThanOrEqual(3900);
    expect(record.attempts[0]!.ms).toBeLessThan(4800);
    expect(h.chatwoot.conversation(1, 2101).status).toBe('pending');
    await answeredOnce(2101);
    expect(h.hermes.completions()).toHaveLength(1);
    expect(h.chatwoot.violations()).toEqual([]);
  }, 30_000);
});

describe.runIf(kind === 'sqlite')('SQLite: a full disk', () => {
  it('answers 500 while the disk is full, /readyz 503; once there is room the last retry is stored, without a restart', async (ctx) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cwhb-full-'));
    later(() => rmSync(dataDir, { recursive: true, force: true }));
    const notMounted = mountTmpfs(dataDir, '8m');
    if (notMounted !== null) {
      loudSkip(`full-disk test needs root and mount(8) for a tmpfs (${notMounted})`);
      ctx.skip();
      return;
    }
    later(() => unmount(dataDir));
    h = await startHarness({ dataDir });
    later(() => h!.close());
    await warmUp();
    await sleep(300); // the echo of the reply is delivered before the disk fills

    const freeRoom = fillDisk(dataDir);
    const delivering = h.deliver('message_created-incoming-text', customerMessage(7102, 'Ainda aí?', 2102));
    // Two attempts refused (a 500 each: SQLITE_FULL rolled the write back), the disk still full between them…
    await waitUntil(() => (h!.chatwoot.deliveries.find((d) => d.conversationId === 2102)?.attempts.length ?? 0) >= 2, { timeoutMs: 8000 });
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
    // …then room again, before Chatwoot's third and last attempt.
    freeRoom();
    const record = await delivering;
    expect(record).toMatchObject({ outcome: 'delivered', status: 200, openedConversation: false });
    expect(record.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(h.chatwoot.conversation(1, 2102).status).toBe('pending');
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    await answeredOnce(2102);
    expect(h.hermes.completions()).toHaveLength(2);
  }, 40_000);
});

describe.runIf(kind === 'postgres')('Postgres: the database out of reach', () => {
  async function behindProxy(): Promise<TcpProxy> {
    const schema = await createTestSchema();
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(schema.url).port || 5432) });
    const url = new URL(schema.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'cwhb-pgout-'));
    const location: TestStoreLocation = { kind: 'postgres', env: { DATA_DIR: dataDir, DATABASE_URL: url.toString(), DATABASE_POOL_MAX: '6' }, cleanup: () => schema.drop() };
    later(async () => {
      await location.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    h = await startHarness({ dataDir, location });
    later(() => h!.close());
    later(() => proxy.close()); // runs before the bot's close: cuts the frozen sockets the pool still holds
    return proxy;
  }

  it('refusing connections: 500 while it is down, the last retry stored once it is back', async () => {
    const proxy = await behindProxy();
    await warmUp();
    await proxy.refuse();
    const delivering = h!.deliver('message_created-incoming-text', customerMessage(7103, 'Alô?', 2103));
    await waitUntil(() => (h!.chatwoot.deliveries.find((d) => d.conversationId === 2103)?.attempts.length ?? 0) >= 2, { timeoutMs: 8000 });
    await proxy.accept();
    const record = await delivering;
    expect(record).toMatchObject({ outcome: 'delivered', status: 200, openedConversation: false });
    expect(record.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(h!.chatwoot.conversation(1, 2103).status).toBe('pending');
    await answeredOnce(2103);
  }, 40_000);

  it('silently dropping: 500 before Chatwoot’s 5 s, and the pool does not stay on the dead connections', async () => {
    const proxy = await behindProxy();
    await warmUp();
    proxy.freeze();
    const delivering = h!.deliver('message_created-incoming-text', customerMessage(7104, 'Tem alguém?', 2104));
    await waitUntil(() => (h!.chatwoot.deliveries.find((d) => d.conversationId === 2104)?.attempts.length ?? 0) >= 1, { timeoutMs: 8000 });
    // New connections get through again; the frozen ones stay dead, and the pool held some of them idle.
    proxy.thaw();
    const record = await delivering;
    expect(record).toMatchObject({ outcome: 'delivered', status: 200, openedConversation: false });
    expect(record.attempts[0]).toMatchObject({ status: 500 });
    // It hung (no error came back) until the bot gave up on it: at the webhook's bound (2 s, its own
    // pool: store/postgres/connection.ts poolShapes), before the 4 s the chaos suite allows.
    expect(record.attempts[0]!.ms).toBeGreaterThanOrEqual(1900);
    expect(record.attempts[0]!.ms).toBeLessThan(3500);
    expect(record.attempts.at(-1)).toMatchObject({ status: 200 });
    expect(h!.chatwoot.conversation(1, 2104).status).toBe('pending');
    await answeredOnce(2104);
  }, 40_000);
});

/** The store, with `accept` answering `holdMs()` later than it wrote. */
function withSlowAccept(store: Store, holdMs: () => number): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'accept') {
        return async (...args: Parameters<Store['accept']>) => {
          const result = await target.accept(...args);
          const hold = holdMs();
          if (hold > 0) await sleep(hold);
          return result;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function loudSkip(why: string): void {
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!!! TEST SKIPPED: ${why}.\n!!! It did NOT run.\n${line}\n\n`);
}
