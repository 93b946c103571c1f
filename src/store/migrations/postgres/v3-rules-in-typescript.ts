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
`,
};
