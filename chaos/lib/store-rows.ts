/**
 * Customer messages the store holds per conversation, read straight from the database (not through
 * the bot), for conversations from `first` on: what the bad-input fault checks its bodies against.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreLease } from '../../bench/lib/stores.js';
import { resolveTarget } from '../../src/store/postgres/connection.js';
import { withClient } from '../../test/helpers/postgres.js';

const QUERY = (table: string, p: string) => `SELECT conversation_id AS c, COUNT(*) AS n FROM ${table} WHERE conversation_id >= ${p} AND role = 'customer' GROUP BY conversation_id`;

export async function customerRows(lease: StoreLease, first: number): Promise<Map<number, number>> {
  const rows: Array<{ c: number | string; n: number | string }> = [];
  if (lease.env.DATABASE_URL) {
    const target = resolveTarget({ connectionString: lease.env.DATABASE_URL });
    rows.push(...(await withClient(target.connectionString, async (c) => (await c.query(QUERY(`${target.schema ?? 'public'}.messages`, '$1'), [first])).rows)));
  } else {
    const db = new Database(join(lease.env.DATA_DIR!, 'chatwoot-hermes-bot.sqlite'), { readonly: true, fileMustExist: true });
    try {
      rows.push(...(db.prepare(QUERY('messages', '?')).all(first) as typeof rows));
    } finally {
      db.close();
    }
  }
  return new Map(rows.map((r) => [Number(r.c), Number(r.n)]));
}
