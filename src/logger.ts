import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens travel in headers and config;
 * listing them here means a careless `log.info({ headers })` still cannot leak one.
 */
const REDACT = [
  'headers.api_access_token',
  'headers["api-access-token"]',
  'headers.authorization',
  'headers["x-chatwoot-signature"]',
  '*.headers.api_access_token',
  '*.headers["api-access-token"]',
  '*.headers.authorization',
  'config.chatwoot.botToken',
  'config.chatwoot.webhookSecret',
  'config.chatwoot.webhookToken',
  'config.hermes.apiKey',
  'config.store.databaseUrl',
  'config.metricsToken',
  'botToken',
  'apiKey',
  'secret',
  'token',
  'access_token',
  'password',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'chatwoot-hermes-bot' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
