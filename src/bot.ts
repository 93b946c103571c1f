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
import { PanelAccess } from './dashboard/access.js';
import { PanelActions } from './dashboard/actions.js';
import { loadPanelAssets } from './dashboard/assets.js';
import { createApp } from './http/app.js';
import { createHttpServer } from './http/server.js';
import { STORE_WAIT_MS } from './http/deadline.js';
import { createIntake, type Intake } from './intake/receive.js';
import type { Logger } from './logger.js';
import { BotMetrics } from './metrics/metrics.js';
import { openBackend, type Backend } from './backend/backend.js';
import { TurnAdmission } from './scheduler/admission.js';
import { eventLoopLoad } from './scheduler/loop-load.js';
import type { Scheduler } from './scheduler/scheduler.js';
import type { Store } from './store/store.js';
import { pruneStore, type PruneResult } from './store/housekeeping.js';

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;
/**
 * After a drain that finished turns, the listener stays open this long: Chatwoot echoes each posted
 * reply as a webhook a moment later (Sidekiq), and an echo that finds no listener is a failed delivery,
 * on which Chatwoot opens the conversation and the bot is off it for good (seen in 4 of 6 `docker stop`
 * runs of scripts/test-docker.ts before this). 20 s drain + 2 s + 2 s close stays inside Heroku's 30 s.
 */
const ECHO_LINGER_MS = 2000;

export interface Bot {
  app: Koa;
  /** Intake without HTTP: what the webhook calls once a request is authentic (tests and tools may call it). */
  intake: Intake;
  store: Store;
  scheduler: Scheduler;
  /** This bot's metrics (its own registry, served at GET /metrics). */
  metrics: BotMetrics;
  /** Starts the scheduler (resuming stored work) and listens on `port` (0 = any free port). */
  listen(port: number, host?: string): Promise<Server>;
  /**
   * Graceful stop: webhooks are still acknowledged (and stored for the next process) while in-flight
   * turns finish; after `graceMs` (SHUTDOWN_GRACE_MS) the rest are aborted and left to the next process.
   * Heroku sends SIGKILL 30 s after SIGTERM, so the default 20 s leaves room to close cleanly.
   */
  stop(graceMs?: number): Promise<void>;
  /** One prune cycle now (run every 6 hours after listen): old delivery ids, and retention (RETENTION_DAYS). */
  prune(now?: number): Promise<PruneResult>;
}

/** The composition root: config → backend (store + its scheduler) → clients → turn runner → intake → HTTP app. */
export async function createBot(config: Config, log: Logger, overrides: { backend?: Backend; hermesRetryBaseMs?: number } = {}): Promise<Bot> {
  const backend = overrides.backend ?? (await openBackend(config.store, log));
  const { store } = backend;
  // One registry per bot, passed to whoever records: never prom-client's global one (see metrics/metrics.ts).
  const metrics = new BotMetrics({ store });
  const chatwoot = new ChatwootClient({ baseUrl: config.chatwoot.url, botToken: config.chatwoot.botToken });
  const hermes = new HermesClients({ log, metrics, ...(overrides.hermesRetryBaseMs !== undefined ? { baseDelayMs: overrides.hermesRetryBaseMs } : {}) });
  const sessions = new SessionRunner(store);
  const settings = new InboxSettingsProvider(store, config, log);
  const outbox = new Outbox({ store, chatwoot, metrics });
  const handoff = new Handoff({ store, chatwoot, outbox, log, metrics });
  // Up to MAX_CONCURRENT_TURNS turns; of those, fewer use the event loop at once while it is saturated: acks come first (issue 13).
  const admission = new TurnAdmission({ max: config.turns.maxConcurrent, load: eventLoopLoad });
  const turns = new TurnRunner({ store, chatwoot, sessions, hermes, outbox, handoff, settings, log, metrics, hermesTimeoutMs: config.hermes.timeoutMs, admission });
  let stopping = false;
  const worker = { store, turns, log, metrics, stopping: () => stopping };
  const scheduler = backend.createScheduler({ work: (key, signal) => workConversation(worker, key, signal), concurrency: config.turns.maxConcurrent, admission });
  const intake = createIntake({
    store,
    scheduler,
    log,
    settings,
    commands: new AgentCommands({ store, chatwoot, sessions, log }),
    reactions: new Reactions({ chatwoot, sessions, log }),
    storeWaitMs: STORE_WAIT_MS,
    metrics,
  });
  const dashboard = {
    store,
    access: new PanelAccess(store),
    actions: new PanelActions({ store, sessions, chatwoot, scheduler, log }),
    assets: loadPanelAssets(),
    chatwootUrl: config.chatwoot.url,
    log,
  };
  const app = createApp({ intake, store, log, metrics, metricsToken: config.metricsToken, auth: { secret: config.chatwoot.webhookSecret, token: config.chatwoot.webhookToken }, dashboard });

  let server: Server | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    app,
    intake,
    store,
    scheduler,
    metrics,
    async listen(port, host) {
      metrics.start();
      admission.start();
      await scheduler.start();
      const prune = () => pruneStore(store, { now: Date.now(), retentionDays: config.retentionDays, log }).catch((error) => log.warn({ err: String(error) }, 'prune failed'));
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
      server = createHttpServer(app).listen(port, host);
      await new Promise<void>((resolve, reject) => {
        server!.once('listening', resolve);
        server!.once('error', reject);
      });
      // Every customer can ask the model for any tool Hermes gives it: warn when that reaches the host.
      void warnAboutToolsets(hermes.for(config.hermes.url, config.hermes.apiKey), config.hermes.url, log);
      return server;
    },
    prune(now = Date.now()) {
      return pruneStore(store, { now, retentionDays: config.retentionDays, log });
    },
    async stop(graceMs = config.shutdownGraceMs) {
      stopping = true;
      if (pruneTimer) clearInterval(pruneTimer);
      const postedWhileDraining = scheduler.stats().running > 0;
      await scheduler.drain(graceMs);
      if (server && postedWhileDraining) await new Promise((r) => setTimeout(r, ECHO_LINGER_MS));
      admission.close();
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]);
        server.closeAllConnections();
      }
      metrics.stop();
      await store.close();
    },
  };
}
