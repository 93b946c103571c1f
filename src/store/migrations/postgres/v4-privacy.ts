import type { PostgresMigration } from './migration.js';

/**
 * Version 4: erasure on request (`forget`). `forgotten_at` marks a conversation whose personal data
 * was erased: from then on the store keeps no new text of it (its events are ignored), its outbox
 * refuses to post, and a turn still in flight in a running bot finds the mark and writes nothing
 * back (store/postgres/privacy.ts). Retention needs no column: it blanks texts in place.
 */
export const V4_PRIVACY: PostgresMigration = {
  version: 4,
  name: 'privacy',
  sql: `
ALTER TABLE conversations ADD COLUMN forgotten_at BIGINT;
-- forget --contact finds a contact's conversations (the events carry the contact id).
CREATE INDEX conversations_by_contact ON conversations (contact_id) WHERE contact_id IS NOT NULL;
`,
};
