import { CliError, type Command } from '../command.js';
import { MARK } from '../format.js';
import { withStore } from '../store.js';

export const migrate: Command = {
  name: 'migrate',
  summary: "Create or upgrade the bot's store (the Procfile's release phase runs it)",
  synopsis: '',
  details: [
    'Opens the store named by DATABASE_URL (Postgres) or DATA_DIR (SQLite), which applies any pending',
    'migration, then closes it. Needs only those two settings, so it can run before the bot is installed.',
    'The bot also migrates at start; running it first keeps a new release from starting on an old schema.',
  ].join('\n'),
  options: {},
  async run(io, args) {
    if (args.positionals.length > 0) throw new CliError(`migrate takes no arguments (got "${args.positionals.join(' ')}")`, 2);
    return withStore(io, { mustExist: false }, async ({ store, where }) => {
      await store.ping();
      io.out(`${MARK.ok} Store ready: ${where}.`);
      return 0;
    });
  },
};
