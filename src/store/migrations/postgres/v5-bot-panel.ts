import type { PostgresMigration } from './migration.js';

/**
 * Version 5: the bot panel (src/dashboard/). Each account's panel key as a SHA-256 digest (the key
 * itself lives only in the Dashboard App's URL in Chatwoot), and how long Hermes took to answer each
 * turn (the panel shows the last few).
 */
export const V5_BOT_PANEL: PostgresMigration = {
  version: 5,
  name: 'bot panel',
  sql: `
CREATE TABLE dashboard_keys (
  account_id BIGINT PRIMARY KEY,
  key_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
ALTER TABLE turns ADD COLUMN hermes_ms BIGINT;
`,
};
