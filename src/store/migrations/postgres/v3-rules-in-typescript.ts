import type { PostgresMigration } from './migration.js';

/**
 * Version 3: the conversation rules live in TypeScript only (src/rules/), for both stores. The store
 * loads the rows a rule reads, the rule decides, the store writes the result in one statement that
 * applies only if the conversation's `version` is still the one it read (store/postgres/apply.ts).
 * Every write to a conversation row grows its version.
 */
export const V3_RULES_IN_TYPESCRIPT: PostgresMigration = {
  version: 3,
  name: 'rules in TypeScript',
  sql: `
ALTER TABLE conversations ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- The functions of versions 1 and 2 mirrored SqliteStore's rules in PL/pgSQL; the rules are now
-- TypeScript only. A bot of an older release still running against this schema fails its writes
-- (Chatwoot retries the webhook) instead of writing without growing the version.
DROP FUNCTION chb_accept(JSONB, BIGINT, JSONB);
DROP FUNCTION chb_reschedule(BIGINT, BIGINT, BIGINT, JSONB);
DROP FUNCTION chb_pending_due(BIGINT, BIGINT, BIGINT, JSONB);
DROP FUNCTION chb_take_turn(BIGINT, BIGINT, BIGINT);
DROP FUNCTION chb_turn_messages(TEXT);
DROP FUNCTION chb_plan_parts(TEXT, TEXT, INTEGER[], TEXT[], BOOLEAN[]);
DROP FUNCTION chb_finish_turn(TEXT, TEXT, BIGINT, TEXT);
`,
};
