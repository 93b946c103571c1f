import { z } from 'zod';

/**
 * The public configuration contract: every environment variable the bot reads.
 * Names are fixed (README, manifest.json and app.json list the same set; a test keeps them in step).
 */
const url = (what: string) =>
  z
    .string()
    .trim()
    .url({ message: `${what} must be a full URL such as https://example.com` })
    .transform((u) => u.replace(/\/+$/, ''));

const positiveInt = (name: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${name} must be a whole number` })
    .int({ message: `${name} must be a whole number` })
    .min(min, { message: `${name} must be at least ${min}` })
    .max(max, { message: `${name} must be at most ${max}` });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const NO_WEBHOOK_AUTH =
  'CHATWOOT_WEBHOOK_SECRET: set it to the agent bot\'s "Webhook Secret" (Chatwoot >= 4.13) or, for older Chatwoot, set WEBHOOK_TOKEN (a random string of 16+ characters, also appended to the bot URL as ?token=...). Unauthenticated webhooks are refused.';

export const envSchema = z
  .object({
    PORT: positiveInt('PORT', 1, 65535).default(3000),
    PUBLIC_URL: url('PUBLIC_URL').optional(),
    CHATWOOT_URL: url('CHATWOOT_URL'),
    CHATWOOT_BOT_TOKEN: z.string().trim().min(1, { message: 'CHATWOOT_BOT_TOKEN is required' }),
    CHATWOOT_WEBHOOK_SECRET: optionalText,
    WEBHOOK_TOKEN: optionalText,
    HERMES_URL: url('HERMES_URL'),
    HERMES_API_KEY: z.string().trim().min(1, { message: 'HERMES_API_KEY is required' }),
    HERMES_INSTRUCTIONS: optionalText,
    HERMES_TIMEOUT_MS: positiveInt('HERMES_TIMEOUT_MS', 1000, 3_600_000).default(120_000),
    DATABASE_URL: optionalText,
    DATABASE_POOL_MAX: positiveInt('DATABASE_POOL_MAX', 2, 100).default(10),
    DATABASE_SSL: z.enum(['auto', 'disable', 'require', 'verify-full'], { message: 'DATABASE_SSL must be auto, disable, require or verify-full' }).default('auto'),
    DATA_DIR: z.string().trim().min(1).default('./data'),
    DEBOUNCE_MS: positiveInt('DEBOUNCE_MS', 0, 600_000).default(2000),
    DEBOUNCE_MAX_MS: positiveInt('DEBOUNCE_MAX_MS', 0, 3_600_000).default(10_000),
    MAX_CONCURRENT_TURNS: positiveInt('MAX_CONCURRENT_TURNS', 1, 1000).default(8),
    FALLBACK_MESSAGE: optionalText,
    SESSION_POLICY: z.enum(['conversation', 'reset-on-resolve'], { message: 'SESSION_POLICY must be "conversation" or "reset-on-resolve"' }).default('conversation'),
    SHUTDOWN_GRACE_MS: positiveInt('SHUTDOWN_GRACE_MS', 0, 25_000).default(20_000),
    RETENTION_DAYS: positiveInt('RETENTION_DAYS', 1, 3650).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    METRICS_TOKEN: optionalText,
  })
  .superRefine((env, ctx) => {
    if (!env.CHATWOOT_WEBHOOK_SECRET && !env.WEBHOOK_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHATWOOT_WEBHOOK_SECRET'],
        message: NO_WEBHOOK_AUTH,
      });
    }
    if (env.WEBHOOK_TOKEN !== undefined && env.WEBHOOK_TOKEN.length < 16) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_TOKEN'], message: 'WEBHOOK_TOKEN must be at least 16 characters' });
    }
    if (env.METRICS_TOKEN !== undefined && env.METRICS_TOKEN.length < 16) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_TOKEN'], message: 'METRICS_TOKEN must be at least 16 characters' });
    }
    if (env.DEBOUNCE_MAX_MS < env.DEBOUNCE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEBOUNCE_MAX_MS'],
        message: `DEBOUNCE_MAX_MS (${env.DEBOUNCE_MAX_MS}) must not be below DEBOUNCE_MS (${env.DEBOUNCE_MS})`,
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Names whose values are secrets: never printed, never logged. */
export const SECRET_ENV = ['CHATWOOT_BOT_TOKEN', 'CHATWOOT_WEBHOOK_SECRET', 'WEBHOOK_TOKEN', 'HERMES_API_KEY', 'DATABASE_URL', 'METRICS_TOKEN'] as const;
