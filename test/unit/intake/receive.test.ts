import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatwootClient } from '../../../src/chatwoot/client.js';
import { loadConfig } from '../../../src/config/index.js';
import { AgentCommands } from '../../../src/conversation/commands.js';
import { Reactions } from '../../../src/conversation/reactions.js';
import { InboxSettingsProvider } from '../../../src/conversation/settings.js';
import type { ConversationKey } from '../../../src/domain/conversation.js';
import { SessionRunner } from '../../../src/hermes/session.js';
import { StoreUnavailableError } from '../../../src/intake/errors.js';
import { createIntake, type Intake, type IntakeDeps } from '../../../src/intake/receive.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import type { EventStore } from '../../../src/store/store.js';
import { startFakeChatwoot, type FakeChatwoot } from '../../fakes/fake-chatwoot.js';
import { loadFixture } from '../../helpers/shared.js';

/**
 * Intake without HTTP: `receive(payload, delivery)` on a real SQLite store, the real inbox settings,
 * `/bot` commands and reactions, and the fake Chatwoot (contract-checked) where a reaction calls it.
 * Only the scheduler is a recorder: intake's part is to wake it, not to run turns.
 */

const CONVERSATION: ConversationKey = { accountId: 1, conversationId: 1042 };
const DEBOUNCE_MS = 2000;

let dir: string;
let store: SqliteStore;
let chatwoot: FakeChatwoot;
let wakes: Array<{ key: ConversationKey; dueAt: number }>;
let logs: Array<Record<string, unknown>>;
let sessions: SessionRunner;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cwhb-intake-'));
  store = await SqliteStore.open(dir);
  chatwoot = await startFakeChatwoot({ botToken: 'bot-token' });
  sessions = new SessionRunner(store);
  wakes = [];
  logs = [];
});

afterEach(async () => {
  await store.close();
  await chatwoot.close();
  rmSync(dir, { recursive: true, force: true });
});

function intake(overrides: Partial<IntakeDeps> = {}, env: Record<string, string> = {}): Intake {
  const config = loadConfig({
    CHATWOOT_URL: chatwoot.url,
    CHATWOOT_BOT_TOKEN: 'bot-token',
    CHATWOOT_WEBHOOK_SECRET: 'unused-here',
    HERMES_URL: 'http://127.0.0.1:9',
    HERMES_API_KEY: 'unused-here',
    DATA_DIR: dir,
    DEBOUNCE_MS: String(DEBOUNCE_MS),
    ...env,
  });
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const client = new ChatwootClient({ baseUrl: chatwoot.url, botToken: 'bot-token' });
  return createIntake({
    store,
    scheduler: { notify: (key, dueAt) => void wakes.push({ key, dueAt }) },
    settings: new InboxSettingsProvider(store, config, log),
    commands: new AgentCommands({ store, chatwoot: client, sessions, log }),
    reactions: new Reactions({ chatwoot: client, sessions, log }),
    log,
    ...overrides,
  });
}

/** A fixture as of now (the shared ones were written in June 2026), changed by `mutate`. */
function payload(fixture: string, mutate?: (body: any) => void): Record<string, unknown> {
  const body = loadFixture(fixture);
  if (typeof body.created_at === 'string') body.created_at = new Date().toISOString();
  mutate?.(body);
  return body;
}

const customerText = () => payload('message_created-incoming-text');
const at = (receivedAt: number, deliveryId: string | null = null) => ({ deliveryId, receivedAt });

describe('receive: a customer message', () => {
  it('is stored, wakes the scheduler at the debounced due time, and is logged with ids but not its text', async () => {
    const now = Date.now();
    const outcome = await intake().receive(customerText(), at(now, 'd-1'));

    expect(outcome).toEqual({ status: 'accepted', note: undefined, dueInMs: DEBOUNCE_MS });
    expect(wakes).toEqual([{ key: CONVERSATION, dueAt: now + DEBOUNCE_MS }]);
    expect(await store.listDue()).toEqual([{ key: CONVERSATION, dueAt: now + DEBOUNCE_MS }]);
    const turn = await store.takeTurn(CONVERSATION, now + DEBOUNCE_MS);
    expect(turn.turn?.messages.map((m) => [m.messageId, m.text])).toEqual([[58231, 'Olá! Vocês abrem no sábado?']]);

    const line = logs.find((l) => l.msg === 'event accepted');
    expect(line).toMatchObject({ event: 'message_created', kind: 'customer_message', delivery: 'd-1', account: 1, conversation: 1042, inbox: 7, messageId: 58231, dueInMs: DEBOUNCE_MS });
    expect(typeof line?.ms).toBe('number');
    expect(JSON.stringify(logs)).not.toContain('sábado');
  });

  it('received again (Chatwoot retried it) is a duplicate: stored once, no second wake-up', async () => {
    const now = Date.now();
    const receive = intake();
    await receive.receive(customerText(), at(now, 'd-1'));
    const again = await receive.receive(customerText(), at(now + 300, 'd-2'));

    expect(again).toEqual({ status: 'duplicate' });
    expect(wakes).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'duplicate event')).toHaveLength(1);
    expect((await store.takeTurn(CONVERSATION, now + 60_000)).turn?.messages).toHaveLength(1);
  });

  it('in a conversation humans have open is ignored by the rules, with their reason', async () => {
    const outcome = await intake().receive(payload('message_created-incoming-text', (b) => (b.conversation.status = 'open')), at(Date.now()));
    expect(outcome).toEqual({ status: 'ignored', reason: 'conversation is open: humans own it' });
    expect(wakes).toEqual([]);
    expect(await store.listDue()).toEqual([]);
  });
});

describe('receive: the inbox policy, before anything is stored', () => {
  it('an inbox switched off with inbox-config: ignored, nothing stored', async () => {
    await store.saveInboxSettings(7, { enabled: false }, Date.now());
    const outcome = await intake().receive(customerText(), at(Date.now(), 'd-1'));

    expect(outcome).toEqual({ status: 'ignored', reason: 'bot disabled for inbox 7 (inbox-config enabled=false)' });
    expect(await store.getConversation(CONVERSATION)).toBeNull();
    expect(wakes).toEqual([]);
    expect(logs.find((l) => l.msg === 'event ignored')).toMatchObject({ reason: 'bot disabled for inbox 7 (inbox-config enabled=false)', conversation: 1042 });
  });

  it('a conversation with the bot-off label: ignored, nothing stored', async () => {
    const outcome = await intake().receive(payload('message_created-incoming-text', (b) => (b.conversation.labels = ['vip', 'bot-off'])), at(Date.now()));
    expect(outcome).toEqual({ status: 'ignored', reason: 'conversation has the label bot-off' });
    expect(await store.getConversation(CONVERSATION)).toBeNull();
  });

  it('an event classification drops (a plain private note) never reaches the store or Chatwoot', async () => {
    const failing: EventStore = { accept: () => Promise.reject(new Error('must not be called')) };
    const outcome = await intake({ store: failing }).receive(payload('message_created-private-note'), at(Date.now(), 'd-1'));
    expect(outcome).toEqual({ status: 'ignored', reason: 'private note' });
    expect(chatwoot.requests).toEqual([]);
    expect(logs.find((l) => l.msg === 'event ignored')).toMatchObject({ kind: 'ignore', messageId: 58235, delivery: 'd-1' });
  });
});

describe('receive: agent commands and reactions', () => {
  it('`/bot pause` in a private note pauses the conversation and answers the agent with a private note', async () => {
    const outcome = await intake().receive(payload('message_created-private-note', (b) => (b.content = '/bot pause')), at(Date.now()));

    expect(outcome).toEqual({ status: 'accepted', command: 'pause' });
    expect((await store.getConversation(CONVERSATION))?.botState).toBe('paused');
    await chatwoot.waitFor((f) => f.messages(1, 1042, { private: true }).length === 1);
    expect(chatwoot.messages(1, 1042, { private: true })[0]!.content).toContain('Bot paused');
    // Paused: the customer's next message is kept as context and wakes nothing.
    expect(await intake().receive(customerText(), at(Date.now()))).toEqual({ status: 'accepted', note: 'bot silenced (paused): kept as context', dueInMs: undefined });
    expect(wakes).toEqual([]);
    expect(chatwoot.violations()).toEqual([]);
  });

  it('a human reply in a pending conversation is stored as a takeover, and the conversation is opened in Chatwoot', async () => {
    const outcome = await intake().receive(payload('message_created-outgoing-agent'), at(Date.now(), 'd-1'));

    expect(outcome).toMatchObject({ status: 'accepted' });
    expect((await store.getConversation(CONVERSATION))?.botState).toBe('human');
    await chatwoot.waitFor((f) => f.conversation(1, 1042).status === 'open');
    expect(chatwoot.violations()).toEqual([]);
  });

  it('with SESSION_POLICY=reset-on-resolve, a resolved conversation gets a new Hermes session', async () => {
    const first = await store.saveSession(CONVERSATION, { sessionId: 'the-first-session', mode: 'header', generation: 0 }, Date.now());
    const outcome = await intake({}, { SESSION_POLICY: 'reset-on-resolve' }).receive(payload('conversation_resolved'), at(Date.now(), 'd-1'));

    expect(outcome).toMatchObject({ status: 'accepted' });
    const now = await store.getSession(CONVERSATION);
    expect(now?.generation).toBe(first.generation + 1);
    expect(now?.sessionId).not.toBe(first.sessionId);
  });
});

describe('receive: a store that cannot write', () => {
  it('a failing write rejects with StoreUnavailableError (failed) and wakes nothing', async () => {
    const full: EventStore = { accept: () => Promise.reject(new Error('SQLITE_FULL: database or disk is full')) };
    const error = await intake({ store: full }).receive(customerText(), at(Date.now(), 'd-1')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ why: 'failed' });
    expect(wakes).toEqual([]);
    expect(logs.find((l) => l.msg === 'event could not be stored')).toMatchObject({ delivery: 'd-1', conversation: 1042, err: 'Error: SQLITE_FULL: database or disk is full' });
  });

  it('a write slower than storeWaitMs rejects (timed_out) in time; landing later, it still wakes the scheduler, and the retry is a duplicate', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: EventStore = { accept: async (...args) => (await gate, store.accept(...args)) };
    const receive = intake({ store: slow, storeWaitMs: 100 });
    const now = Date.now();

    const started = performance.now();
    const error = await receive.receive(customerText(), at(now, 'd-1')).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ why: 'timed_out' });
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(2000);
    expect(wakes).toEqual([]);

    release();
    await expect.poll(() => wakes).toEqual([{ key: CONVERSATION, dueAt: now + DEBOUNCE_MS }]);
    await expect.poll(() => logs.some((l) => l.msg === 'event stored after it was refused for lateness; the retry will be a duplicate')).toBe(true);
    expect(await receive.receive(customerText(), at(now + 3000, 'd-1'))).toEqual({ status: 'duplicate' });
  });

  it('without storeWaitMs (a caller with no deadline) a slow write is waited for', async () => {
    const slow: EventStore = { accept: async (...args) => (await new Promise((r) => setTimeout(r, 150)), store.accept(...args)) };
    expect(await intake({ store: slow }).receive(customerText(), at(Date.now()))).toMatchObject({ status: 'accepted', dueInMs: DEBOUNCE_MS });
  });
});
