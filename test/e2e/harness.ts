import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type DestinationStream } from 'pino';
import { createLogger } from '../../src/logger.js';
import { createBot, type Bot } from '../../src/bot.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { startFakeChatwoot, type DeliveryRecord, type FakeChatwoot, type FakeChatwootOptions } from '../fakes/fake-chatwoot.js';
import { startFakeHermes, type FakeHermes, type FakeHermesOptions } from '../fakes/fake-hermes.js';
import { freePort } from '../helpers/net.js';
import { loadFixture } from '../helpers/shared.js';
import { e2eStoreKind, testStoreLocation, type TestStoreLocation } from '../helpers/postgres.js';
import { postWebhook, type PostWebhookOptions, type WebhookResponse } from '../helpers/sign.js';

export const SECRET = 'e2e-webhook-secret';
export const BOT_TOKEN = 'bot-token';
export const HERMES_KEY = 'hermes-key';

export interface HarnessOptions {
  env?: Record<string, string>;
  chatwoot?: Omit<FakeChatwootOptions, 'echo' | 'delivery'> & { echo?: boolean; statusEvents?: boolean };
  hermes?: FakeHermesOptions;
  /** Reuse a store (restart tests) instead of a fresh SQLite directory. */
  dataDir?: string;
  /** Reuse another harness's store location (restart tests; works for both stores). */
  location?: TestStoreLocation;
  /** Run on this store and its scheduler (a store wrapped to misbehave) instead of opening `location`'s. */
  backend?: Backend;
  /** Writes the bot's log here, through the production logger (createLogger), at `logLevel` (default info). */
  logStream?: DestinationStream;
  logLevel?: string;
}

export interface Harness {
  bot: Bot;
  url: string;
  chatwoot: FakeChatwoot;
  hermes: FakeHermes;
  config: Config;
  dataDir: string;
  /** Where the bot keeps its state: SQLite in dataDir, or a fresh Postgres schema (E2E_STORE=postgres). */
  location: TestStoreLocation;
  /** Posts a shared fixture (optionally changed), signed as Chatwoot signs. */
  send(fixture: string, mutate?: (body: any) => void, opts?: { deliveryId?: string }): Promise<WebhookResponse>;
  post(body: unknown, opts?: PostWebhookOptions): Promise<WebhookResponse>;
  /**
   * Delivers a shared fixture (optionally changed) as Chatwoot would: retried on 429/500 only, 3
   * attempts 3 s apart, same delivery id, 5 s timeout never retried; on a final failure of a message
   * event Chatwoot opens the pending conversation (see the record's attempts and openedConversation,
   * and chatwoot.conversation(…).status / .activities).
   */
  deliver(fixture: string, mutate?: (body: any) => void, opts?: { deliveryId?: string }): Promise<DeliveryRecord>;
  /** Stops the bot (graceful), keeps the fakes running. */
  stopBot(graceMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The environment a test bot runs with: the fakes' URLs and credentials, no debounce. */
export function botEnv(o: { port: number; chatwootUrl: string; hermesUrl: string; dataDir: string }): Record<string, string> {
  return {
    PORT: String(o.port),
    CHATWOOT_URL: o.chatwootUrl,
    CHATWOOT_BOT_TOKEN: BOT_TOKEN,
    CHATWOOT_WEBHOOK_SECRET: SECRET,
    HERMES_URL: o.hermesUrl,
    HERMES_API_KEY: HERMES_KEY,
    DATA_DIR: o.dataDir,
    DEBOUNCE_MS: '0',
  };
}

export { freePort };

/**
 * The real app on a random port, between a fake Chatwoot (which validates every request against the
 * OpenAPI contract and echoes the bot's posts back as signed webhooks, like Chatwoot) and a fake
 * Hermes (history per X-Hermes-Session-Id).
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { echo = true, statusEvents = false, ...chatwootOpts } = opts.chatwoot ?? {};
  const chatwoot = await startFakeChatwoot({
    botToken: BOT_TOKEN,
    ...chatwootOpts,
    delivery: { webhookUrl: `${url}/chatwoot/webhook`, secret: SECRET },
    ...(echo ? { echo: { webhookUrl: `${url}/chatwoot/webhook`, secret: SECRET, statusEvents } } : {}),
  });
  const hermes = await startFakeHermes({ apiKey: HERMES_KEY, ...opts.hermes });
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cwhb-e2e-'));
  const location = opts.location ?? (await testStoreLocation(e2eStoreKind(), dataDir));
  const config = loadConfig({
    ...botEnv({ port, chatwootUrl: chatwoot.url, hermesUrl: hermes.url, dataDir }),
    ...location.env,
    DEBOUNCE_MAX_MS: '0',
    HERMES_TIMEOUT_MS: '5000',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const log = opts.logStream ? createLogger(opts.logLevel ?? 'info', opts.logStream) : pino({ level: config.logLevel });
  let bot = await createBot(config, log, { hermesRetryBaseMs: 20, ...(opts.backend ? { backend: opts.backend } : {}) });
  await bot.listen(port, '127.0.0.1');
  let stopped = false;

  const post = (body: unknown, o: PostWebhookOptions = {}) => postWebhook(`${url}/chatwoot/webhook`, body, SECRET, o);
  return {
    get bot() {
      return bot;
    },
    url,
    chatwoot,
    hermes,
    config,
    dataDir,
    location,
    send(fixture, mutate, o) {
      return post(freshFixture(fixture, mutate), o ?? {});
    },
    deliver(fixture, mutate, o) {
      return chatwoot.deliver(freshFixture(fixture, mutate), o);
    },
    post,
    async stopBot(graceMs = 2000) {
      if (stopped) return;
      stopped = true;
      await bot.stop(graceMs);
    },
    async close() {
      if (!stopped) await bot.stop(500);
      stopped = true;
      await Promise.all([chatwoot.close(), hermes.close()]);
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (!opts.location) await location.cleanup();
    },
  };
}

/** A shared fixture as of now, changed by `mutate`. */
function freshFixture(fixture: string, mutate?: (body: any) => void): any {
  const body = loadFixture(fixture);
  // The fixtures were written in June 2026; a message that old is outside WhatsApp's 24-hour window.
  if (typeof body.created_at === 'string') body.created_at = new Date().toISOString();
  mutate?.(body);
  return body;
}

/** A customer message in conversation `conversationId` with message id `id` (changes the shared fixture). */
export function customerMessage(id: number, text: string, conversationId = 1042, accountId = 1): (body: any) => void {
  return (body) => {
    body.id = id;
    body.content = text;
    body.conversation.id = conversationId;
    body.account.id = accountId;
    body.conversation.messages[0].id = id;
    body.conversation.messages[0].content = text;
    body.source_id = `wamid.test-${accountId}-${conversationId}-${id}`;
  };
}
