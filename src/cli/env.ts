import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import type { Config } from '../config/index.js';
import { envSchema } from '../config/schema.js';
import { CliError, type CliIo } from './command.js';
import { manifestSetting } from './manifest.js';

type Shape = typeof envSchema.shape;
export type SettingName = keyof Shape;

/**
 * One setting, validated by the config loader's own rule. Commands read only what they need:
 * `install` runs before the bot token exists, `migrate` (Heroku's release phase) before anything but
 * the database is configured.
 */
export function readSetting<K extends SettingName>(env: CliIo['env'], name: K): z.output<Shape[K]> {
  const parsed = envSchema.shape[name].safeParse(env[name]);
  if (parsed.success) return parsed.data as z.output<Shape[K]>;
  const issue = parsed.error.issues[0];
  const missing = env[name] === undefined || env[name]?.trim() === '';
  const what = manifestSetting(name)?.description;
  const problem = missing ? `${name} is not set` : `${name}: ${issue?.message ?? 'invalid value'}`;
  throw new CliError(what ? `${problem}. ${name} is ${lowerFirst(what)}` : problem);
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** The store settings alone, exactly as loadConfig builds them (a test compares the two on the manifest's examples). */
export function storeConfigFromEnv(env: CliIo['env']): Config['store'] {
  return {
    databaseUrl: readSetting(env, 'DATABASE_URL'),
    dataDir: readSetting(env, 'DATA_DIR'),
    poolMax: readSetting(env, 'DATABASE_POOL_MAX'),
    ssl: readSetting(env, 'DATABASE_SSL'),
  };
}

/** DATA_DIR relative to the command's working directory (tests run commands in other folders). */
export function inDirectory(store: Config['store'], cwd: string): Config['store'] {
  return { ...store, dataDir: isAbsolute(store.dataDir) ? store.dataDir : resolve(cwd, store.dataDir) };
}

/** Where the store is, for people: never the database credentials. */
export function describeStore(store: Config['store']): string {
  if (!store.databaseUrl) return `SQLite in ${store.dataDir}`;
  try {
    const url = new URL(store.databaseUrl);
    return `Postgres at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return 'Postgres (DATABASE_URL)';
  }
}
