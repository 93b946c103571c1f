import type { Server } from 'node:http';
import type Koa from 'koa';
import { ChatwootClient } from './chatwoot/client.js';
import type { Config } from './config/index.js';
import { Handoff } from './conversation/handoff.js';
import { Outbox } from './conversation/outbox.js';
import { TurnRunner } from './conversation/turn.js';
import { workConversation } from './conversation/worker.js';
import { AgentCommands } from './conversation/commands.js';
import { Reactions } from './conversation/reactions.js';
import { InboxSettingsProvider } from './conversation/settings.js';
import { HermesClients } from './hermes/clients.js';
import { SessionRunner } from './hermes/session.js';
import { warnAboutToolsets } from './hermes/toolsets.js';
import { createApp } from './http/app.js';
import { STORE_WAIT_MS } from './http/deadline.js';
import { createIntake, type Intake } from './intake/receive.js';
import type { Logger } from './logger.js';
import { openBackend, type Backend } from './backend/backend.js';
import { TurnAdmission } from './scheduler/admission.js';
import { eventLoopLoad } from './scheduler/loop-load.js';
import type { Scheduler } from './scheduler/scheduler.js';
import type { Store } from './store/store.js';

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;
const KEEP_DELIVERIES_MS = 7 * 24 * 60 * 60 * 1000;

export interface Bot {
  app: Koa;
  /** Intake without HTTP: what the webhook calls once a request is authentic (tests and tools may call it). */
  intake: Intake;
  store: Store;
  scheduler: Scheduler;
  /** Starts the scheduler (resuming stored work) and listens on `port` (0 = any free port). */
  listen(port: number, host?: string): Promise<Server>;
  /**
   * Graceful stop: webhooks are still acknowledged (and stored for the next process) while in-flight
   * turns finish; after `graceMs` (SHUTDOWN_GRACE_MS) the rest are aborted and left to the next process.
   * Heroku sends SIGKILL 30 s after SIGTERM, so the default 20 s leaves room to close cleanly.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The composition root: config → backend (store + its scheduler) → clients → turn runner → intake → HTTP app. */
export async function createBot(config: Config, log: Logger, overrides: { backend?: Backend; hermesRetryBaseMs?: number } = {}): Promise<Bot> {
  const backend = overrides.backend ?? (await openBackend(config.store, log));
  const { store } = backend;
  const chatwoot = new ChatwootClient({ baseUrl: config.chatwoot.url, botToken: config.chatwoot.botToken });
  const hermes = new HermesClients({ log, ...(overrides.hermesRetryBaseMs !== undefined ? { baseDelayMs: overrides.hermesRetryBaseMs } : {}) });
  const sessions = new SessionRunner(store);
  const settings = new InboxSettingsProvider(store, config, log);
  const outbox = new Outbox({ store, chatwoot });
  const handoff = new Handoff({ store, chatwoot, outbox, log });
  // Up to MAX_CONCURRENT_TURNS turns; of those, fewer use the event loop at once while it is saturated: acks come first (issue 13).
  const admission = new TurnAdmission({ max: config.turns.maxConcurrent, load: eventLoopLoad });
  const turns = new TurnRunner({ store, chatwoot, sessions, hermes, outbox, handoff, settings, log, hermesTimeoutMs: config.hermes.timeoutMs, admission });
  let stopping = false;
  const worker = { store, turns, log, stopping: () => stopping };
  const scheduler = backend.createScheduler({ work: (key, signal) => workConversation(worker, key, signal), concurrency: config.turns.maxConcurrent, admission });
  const intake = createIntake({
    store,
    scheduler,
    log,
    settings,
    commands: new AgentCommands({ store, chatwoot, sessions, log }),
    reactions: new Reactions({ chatwoot, sessions, log }),
    storeWaitMs: STORE_WAIT_MS,
  });
  const app = createApp({ intake, store, log, auth: { secret: config.chatwoot.webhookSecret, token: config.chatwoot.webhookToken } });

  let server: Server | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    app,
    intake,
    store,
    scheduler,
    async listen(port, host) {
      admission.start();
      await scheduler.start();
      const prune = () => store.prune(Date.now() - KEEP_DELIVERIES_MS).catch((error) => log.warn({ err: String(error) }, 'prune failed'));
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
      server = app.listen(port, host);
      // Chatwoot waits at most 5 s for an answer; keep idle sockets longer than any proxy in between.
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('listening', resolve);
        server!.once('error', reject);
      });
      // Every customer can ask the model for any tool Hermes gives it: warn when that reaches the host.
      void warnAboutToolsets(hermes.for(config.hermes.url, config.hermes.apiKey), config.hermes.url, log);
      return server;
    },
    async stop(graceMs = config.shutdownGraceMs) {
      stopping = true;
      if (pruneTimer) clearInterval(pruneTimer);
      await scheduler.drain(graceMs);
      admission.close();
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]);
        server.closeAllConnections();
      }
      await store.close();
    },
  };
}
