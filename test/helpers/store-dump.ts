import { join } from 'node:path';
import Database from 'better-sqlite3';
import { resolveTarget } from '../../src/store/postgres/connection.js';
import { withClient, type TestStoreLocation } from './postgres.js';

/** Every table of a store with its columns and rows, read straight from the database (not through the store). */
export type StoreDump = Record<string, { columns: string[]; rows: Array<Record<string, unknown>> }>;

/**
 * Reads a test store's tables as they are on disk: SQLite's file in DATA_DIR, or the Postgres schema
 * of DATABASE_URL. For tests that must see every column (what is kept, and what the README says is).
 */
export async function dumpStore(location: TestStoreLocation): Promise<StoreDump> {
  if (location.kind === 'sqlite') {
    const db = new Database(join(location.env.DATA_DIR!, 'chatwoot-hermes-bot.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
      const dump: StoreDump = {};
      for (const t of tables) {
        const columns = (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name);
        dump[t] = { columns, rows: db.prepare(`SELECT * FROM ${t}`).all() as Array<Record<string, unknown>> };
      }
      return dump;
    } finally {
      db.close();
    }
  }
  const target = resolveTarget({ connectionString: location.env.DATABASE_URL! });
  const schema = target.schema ?? 'public';
  return withClient(target.connectionString, async (c) => {
    const { rows: cols } = await c.query<{ table_name: string; column_name: string }>(
      'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position',
      [schema],
    );
    const dump: StoreDump = {};
    for (const { table_name: t, column_name: col } of cols) (dump[t] ??= { columns: [], rows: [] }).columns.push(col);
    for (const t of Object.keys(dump)) dump[t]!.rows = (await c.query(`SELECT * FROM ${schema}.${t}`)).rows;
    return dump;
  });
}
