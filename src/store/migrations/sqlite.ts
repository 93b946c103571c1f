/**
 * Versioned schema for the embedded store. The Postgres store keeps the same tables and versions
 * (migrations/postgres.ts); a new version is added to both, never edited in place.
 */
export const SQLITE_MIGRATIONS: Array<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE deliveries (
  delivery_id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL
);
CREATE INDEX deliveries_received ON deliveries (received_at);

CREATE TABLE conversations (
  account_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  inbox_id INTEGER,
  contact_id INTEGER,
  contact_name TEXT,
  last_status TEXT,
  bot_state TEXT NOT NULL DEFAULT 'active',
  left_pending_at INTEGER,
  state_reason TEXT,
  state_changed_at INTEGER,
  due_at INTEGER,
  last_customer_at INTEGER,
  empty_streak INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
);
CREATE INDEX conversations_due ON conversations (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE messages (
  account_id INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  inbox_id INTEGER,
  role TEXT NOT NULL DEFAULT 'customer',
  text TEXT NOT NULL,
  attachments TEXT NOT NULL DEFAULT '[]',
  created_at TEXT,
  received_at INTEGER NOT NULL,
  awaiting_transcript INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  turn_id TEXT,
  PRIMARY KEY (account_id, message_id)
);
CREATE INDEX messages_by_conversation ON messages (account_id, conversation_id, state, message_id);
CREATE INDEX messages_by_turn ON messages (turn_id) WHERE turn_id IS NOT NULL;

CREATE TABLE turns (
  id TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  inbox_id INTEGER,
  message_ids TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  reply TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX turns_open ON turns (account_id, conversation_id) WHERE state = 'running';

CREATE TABLE outbox (
  turn_id TEXT NOT NULL,
  part INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  content TEXT NOT NULL,
  private INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  chatwoot_message_id INTEGER,
  attempted_at INTEGER,
  posted_at INTEGER,
  PRIMARY KEY (turn_id, part)
);
CREATE INDEX outbox_by_conversation ON outbox (account_id, conversation_id, state);

CREATE TABLE sessions (
  account_id INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  turn_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, conversation_id)
);

CREATE TABLE inbox_settings (
  inbox_id INTEGER PRIMARY KEY,
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'store functions',
    // Postgres only (its store writes became functions); SQLite's schema is unchanged. The version is
    // recorded here too so both stores stay at the same version (migrate-store checks that).
    sql: 'SELECT 1;',
  },
  {
    version: 3,
    name: 'rules in TypeScript',
    // The conversation rules run in TypeScript on both stores (src/rules/); every write to a
    // conversation row grows its version, which Postgres checks to apply a decision optimistically.
    sql: 'ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;',
  },
  {
    version: 4,
    name: 'privacy',
    // Erasure on request (forget): a forgotten conversation keeps no new text and posts nothing more.
    sql: `
ALTER TABLE conversations ADD COLUMN forgotten_at INTEGER;
CREATE INDEX conversations_by_contact ON conversations (contact_id) WHERE contact_id IS NOT NULL;
`,
  },
  {
    version: 5,
    name: 'bot panel',
    // The bot panel (src/dashboard/): each account's panel key, as a SHA-256 digest (the key itself
    // lives only in the Dashboard App's URL in Chatwoot), and how long Hermes took to answer each turn.
    sql: `
CREATE TABLE dashboard_keys (
  account_id INTEGER PRIMARY KEY,
  key_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
ALTER TABLE turns ADD COLUMN hermes_ms INTEGER;
`,
  },
];
