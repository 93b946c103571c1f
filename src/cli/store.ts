import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Config } from '../config/index.js';
import { openStore } from '../backend/backend.js';
import { sqliteFile } from '../store/sqlite/file.js';
import type { Store } from '../store/store.js';
import { CliError, type CliIo } from './command.js';
import { describeStore, inDirectory, storeConfigFromEnv } from './env.js';

export interface OpenedStore {
  store: Store;
  config: Config['store'];
  /** "SQLite in /srv/bot/data", "Postgres at db:5432/bot". */
  where: string;
  /** True when this command created the SQLite file (it did not exist before). Postgres: always false. */
  created: boolean;
}

export interface StoreOpening {
  /** Refuse, rather than create, a SQLite store that does not exist yet. */
  mustExist: boolean;
  /** Added to the refusal: how to create one on purpose (e.g. "or pass --create …"). */
  createHint?: string;
}

/**
 * Opens the bot's store (running pending migrations, as the bot does at start).
 * `mustExist`: refuse to create an empty SQLite store where the bot never ran (someone at a laptop,
 * the bot on a server: a write would land in a ./data no bot reads): say where we looked instead.
 * The SQLite file, not DATA_DIR, is the test: an empty folder holds no store.
 */
export async function openCliStore(io: CliIo, opts: StoreOpening): Promise<OpenedStore> {
  const config = inDirectory(storeConfigFromEnv(io.env), io.cwd);
  const where = describeStore(config);
  const missing = !config.databaseUrl && !existsSync(sqliteFile(config.dataDir));
  if (opts.mustExist && missing) {
    const why = existsSync(config.dataDir) ? `${config.dataDir} holds no ${basename(sqliteFile(config.dataDir))}` : `${config.dataDir} does not exist`;
    throw new CliError(
      `No store found: ${why}. Run this command where the bot runs, with the same DATA_DIR or DATABASE_URL${opts.createHint ? `, ${opts.createHint}` : ''}.`,
    );
  }
  try {
    return { store: await openStore(config, io.log), config, where, created: missing };
  } catch (error) {
    throw new CliError(`Cannot open the store (${where}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `fn` with the store open and always closes it. */
export async function withStore<T>(io: CliIo, opts: StoreOpening, fn: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openCliStore(io, opts);
  try {
    return await fn(opened);
  } finally {
    await opened.store.close();
  }
}
