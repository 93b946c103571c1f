import { createBot } from './bot.js';
import { ConfigError, loadConfig, loadDotEnv } from './config/index.js';
import { createLogger } from './logger.js';

/** Process entry: `npm start` / Procfile `web:`. Exits non-zero with one clear message on bad config. */
async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const bot = await createBot(config, log);
  await bot.listen(config.port);
  log.info({ port: config.port, store: bot.store.kind }, 'chatwoot-hermes-bot listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight turns, still acknowledging webhooks');
    bot
      .stop()
      .then(() => {
        log.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error) => {
        log.error({ err: String(error) }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`chatwoot-hermes-bot failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
