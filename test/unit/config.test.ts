import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const valid = {
  CHATWOOT_URL: 'https://chat.acme.example/',
  CHATWOOT_BOT_TOKEN: 'bot-token-secret-value',
  CHATWOOT_WEBHOOK_SECRET: 'signing-secret-value',
  HERMES_URL: 'http://127.0.0.1:8642',
  HERMES_API_KEY: 'hermes-key-secret-value',
};

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      port: 3000,
      chatwoot: { url: 'https://chat.acme.example' },
      hermes: { timeoutMs: 120_000, instructions: undefined },
      store: { dataDir: './data', databaseUrl: undefined },
      turns: { debounceMs: 2000, debounceMaxMs: 10_000, maxConcurrent: 8, fallbackMessage: undefined, sessionPolicy: 'conversation' },
      shutdownGraceMs: 20_000,
      logLevel: 'info',
    });
  });

  it('lists every problem at once, with how to fix it', () => {
    expect(problems({ PORT: 'abc', CHATWOOT_URL: 'not a url', DEBOUNCE_MS: '-1' })).toEqual(
      expect.arrayContaining([
        'PORT must be a whole number',
        'CHATWOOT_URL must be a full URL such as https://example.com',
        'CHATWOOT_BOT_TOKEN is required',
        'HERMES_URL is required',
        'HERMES_API_KEY is required',
        'DEBOUNCE_MS must be at least 0',
        expect.stringContaining('CHATWOOT_WEBHOOK_SECRET: set it to the agent bot\'s "Webhook Secret"'),
      ]),
    );
  });

  it('refuses to start without a way to authenticate webhooks', () => {
    const { CHATWOOT_WEBHOOK_SECRET: _, ...rest } = valid;
    expect(problems(rest)).toEqual([expect.stringContaining('Unauthenticated webhooks are refused')]);
    expect(loadConfig({ ...rest, WEBHOOK_TOKEN: 'a-long-random-token-123' }).chatwoot.webhookToken).toBe('a-long-random-token-123');
    expect(problems({ ...rest, WEBHOOK_TOKEN: 'short' })).toEqual(['WEBHOOK_TOKEN must be at least 16 characters']);
  });

  it('never puts a secret value in its message', () => {
    try {
      loadConfig({ ...valid, HERMES_URL: 'nope', DEBOUNCE_MAX_MS: '5', DEBOUNCE_MS: '10' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      const message = (error as Error).message;
      for (const secret of [valid.CHATWOOT_BOT_TOKEN, valid.CHATWOOT_WEBHOOK_SECRET, valid.HERMES_API_KEY]) expect(message).not.toContain(secret);
      expect(message).toContain('DEBOUNCE_MAX_MS (5) must not be below DEBOUNCE_MS (10)');
    }
  });

  it('METRICS_TOKEN: optional (empty = /metrics open), at least 16 characters, never in a message', () => {
    expect(loadConfig(valid).metricsToken).toBeUndefined();
    expect(loadConfig({ ...valid, METRICS_TOKEN: '  ' }).metricsToken).toBeUndefined();
    expect(loadConfig({ ...valid, METRICS_TOKEN: 'a-long-metrics-token' }).metricsToken).toBe('a-long-metrics-token');
    const found = problems({ ...valid, METRICS_TOKEN: 'short-secret' });
    expect(found).toEqual(['METRICS_TOKEN must be at least 16 characters']);
    expect(found.join(' ')).not.toContain('short-secret');
  });

  it('rejects unknown session policies and log levels', () => {
    expect(problems({ ...valid, SESSION_POLICY: 'forever', LOG_LEVEL: 'loud' })).toHaveLength(2);
  });
});
