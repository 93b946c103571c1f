import { existsSync } from 'node:fs';
import { envSchema, NO_WEBHOOK_AUTH, type Env } from './schema.js';

export interface Config {
  port: number;
  publicUrl: string | undefined;
  chatwoot: { url: string; botToken: string; webhookSecret: string | undefined; webhookToken: string | undefined };
  hermes: { url: string; apiKey: string; instructions: string | undefined; timeoutMs: number };
  /** poolMax (DATABASE_POOL_MAX) and ssl (DATABASE_SSL) apply to Postgres only; absent means their defaults. */
  store: { databaseUrl: string | undefined; dataDir: string; poolMax?: number; ssl?: Env['DATABASE_SSL'] };
  turns: {
    debounceMs: number;
    debounceMaxMs: number;
    maxConcurrent: number;
    fallbackMessage: string | undefined;
    sessionPolicy: 'conversation' | 'reset-on-resolve';
  };
  /** On SIGTERM, how long in-flight turns may finish before they are handed to the next process. */
  shutdownGraceMs: number;
  /** Days after which stored texts are erased (RETENTION_DAYS; ids stay, see store.ts PrivacyStore). */
  retentionDays: number;
  logLevel: Env['LOG_LEVEL'];
  /** METRICS_TOKEN: the bearer token GET /metrics requires; undefined = /metrics is open. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Configuration is incomplete or invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet these in the environment or in a .env file (see .env.example and the README\'s Configuration table).',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a typed Config. Collects every problem before failing so an operator
 * fixes them in one go; messages name the variable, never its value (values may be secrets).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'configuration');
      const message = issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
      const missing = env[name] === undefined || env[name]?.trim() === '';
      return issue.code === 'invalid_type' && missing ? `${name} is required` : message;
    });
    // zod skips the cross-field checks when a field fails; run the secret check anyway so one start lists everything.
    if (!env.CHATWOOT_WEBHOOK_SECRET?.trim() && !env.WEBHOOK_TOKEN?.trim()) problems.push(NO_WEBHOOK_AUTH);
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    chatwoot: {
      url: e.CHATWOOT_URL,
      botToken: e.CHATWOOT_BOT_TOKEN,
      webhookSecret: e.CHATWOOT_WEBHOOK_SECRET,
      webhookToken: e.WEBHOOK_TOKEN,
    },
    hermes: { url: e.HERMES_URL, apiKey: e.HERMES_API_KEY, instructions: e.HERMES_INSTRUCTIONS, timeoutMs: e.HERMES_TIMEOUT_MS },
    store: { databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR, poolMax: e.DATABASE_POOL_MAX, ssl: e.DATABASE_SSL },
    turns: {
      debounceMs: e.DEBOUNCE_MS,
      debounceMaxMs: e.DEBOUNCE_MAX_MS,
      maxConcurrent: e.MAX_CONCURRENT_TURNS,
      fallbackMessage: e.FALLBACK_MESSAGE,
      sessionPolicy: e.SESSION_POLICY,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    retentionDays: e.RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
  };
}

/** Loads `.env` from the working directory into process.env (values already set win), if the file exists. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
