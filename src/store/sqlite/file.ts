import { join } from 'node:path';

/**
 * The embedded store's file in DATA_DIR. In a file of its own so the CLI can check that a store exists
 * (before a command could create an empty one) without loading the native SQLite addon.
 */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'chatwoot-hermes-bot.sqlite');
}
