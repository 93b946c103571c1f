import { existsSync } from 'node:fs';
import type { PostgresStore } from '../../store/postgres.js';
import { CliError, type Command } from '../command.js';
import { MARK } from '../format.js';
import { withStore } from '../store.js';

export const migrateStore: Command = {
  name: 'migrate-store',
  summary: 'Copy the embedded SQLite store (DATA_DIR) into an empty Postgres store (DATABASE_URL)',
  synopsis: '',
  details: [
    'Moving from one instance on SQLite to Postgres (Heroku, several instances). Stop the SQLite bot first,',
    'then run this where its DATA_DIR is, with DATABASE_URL set. In one transaction it copies the Hermes',
    'sessions (conversations keep their memory), who speaks in each conversation, waiting messages and',
    'unfinished turns, the outbox (nothing is posted twice), recent delivery ids and per-inbox settings.',
    'It refuses a Postgres store that already holds a bot\'s data. Then start the bot with DATABASE_URL.',
  ].join('\n'),
  options: {},
  async run(io, args) {
    if (args.positionals.length > 0) throw new CliError(`migrate-store takes no arguments (got "${args.positionals.join(' ')}")`, 2);
    return withStore(io, { mustExist: true }, async ({ store, config, where }) => {
      if (store.kind !== 'postgres') throw new CliError('DATABASE_URL is not set: it names the Postgres store to copy into.', 2);
      if (!existsSync(config.dataDir)) throw new CliError(`No embedded store at ${config.dataDir}: set DATA_DIR to the SQLite bot's data directory.`);
      let counts;
      try {
        counts = await (store as PostgresStore).importSqlite(config.dataDir);
      } catch (error) {
        throw new CliError(`Nothing was copied: ${error instanceof Error ? error.message : String(error)}`);
      }
      io.out(`${MARK.ok} Copied SQLite in ${config.dataDir} into ${where}:`);
      for (const [table, n] of Object.entries(counts)) io.out(`    ${table.padEnd(16)} ${n}`);
      io.out('Start the bot with DATABASE_URL set; keep the SQLite directory as a backup.');
      return 0;
    });
  },
};
