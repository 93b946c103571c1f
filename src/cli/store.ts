import { existsSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { openStore } from '../backend/backend.js';
import type { Store } from '../store/store.js';
import { CliError, type CliIo } from './command.js';
import { describeStore, inDirectory, storeConfigFromEnv } from './env.js';

export interface OpenedStore {
  store: Store;
  config: Config['store'];
  /** "SQLite in /srv/bot/data", "Postgres at db:5432/bot". */
  where: string;
}

/**
 * Opens the bot's store (running pending migrations, as the bot does at start).
 * `mustExist`: read-only commands refuse to create an empty SQLite store in a folder where the bot
 * never ran (someone at a laptop, the bot on a server): they say where they looked instead.
 */
export async function openCliStore(io: CliIo, opts: { mustExist: boolean }): Promise<OpenedStore> {
  const config = inDirectory(storeConfigFromEnv(io.env), io.cwd);
  const where = describeStore(config);
  if (opts.mustExist && !config.databaseUrl && !existsSync(config.dataDir)) {
    throw new CliError(
      `No store found: ${config.dataDir} does not exist. Run this command where the bot runs, with the same DATA_DIR or DATABASE_URL.`,
    );
  }
  try {
    return { store: await openStore(config, io.log), config, where };
  } catch (error) {
    throw new CliError(`Cannot open the store (${where}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `fn` with the store open and always closes it. */
export async function withStore<T>(io: CliIo, opts: { mustExist: boolean }, fn: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openCliStore(io, opts);
  try {
    return await fn(opened);
  } finally {
    await opened.store.close();
  }
}
