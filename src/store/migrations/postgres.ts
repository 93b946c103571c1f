import type { PostgresMigration } from './postgres/migration.js';
import { V1_INITIAL } from './postgres/v1-initial.js';
import { V2_STORE_FUNCTIONS } from './postgres/v2-store-functions.js';
import { V3_RULES_IN_TYPESCRIPT } from './postgres/v3-rules-in-typescript.js';
import { V4_PRIVACY } from './postgres/v4-privacy.js';
import { V5_BOT_PANEL } from './postgres/v5-bot-panel.js';

/**
 * Versioned schema for the Postgres store: the same versions, names and tables as
 * migrations/sqlite.ts, in Postgres types (epoch milliseconds and Chatwoot ids as BIGINT, JSON as
 * JSONB, flags as BOOLEAN). A new version is added to both lists (one file per version here), never
 * edited in place. The schema holds no business logic: the rules are TypeScript (src/rules/);
 * versions 1 and 2 created functions that mirrored them, version 3 drops them.
 *
 * Postgres only: `queue_workers`, the registry of job-queue workers and their heartbeats, which lets
 * a live instance free the jobs of a dead one (scheduler/postgres/). SQLite has no queue.
 */
export const POSTGRES_MIGRATIONS: PostgresMigration[] = [V1_INITIAL, V2_STORE_FUNCTIONS, V3_RULES_IN_TYPESCRIPT, V4_PRIVACY, V5_BOT_PANEL];
