/**
 * README "Data the bot keeps" lists every table and column of the store with what personal data it
 * holds, why and for how long. This compares that inventory with the real tables of both stores
 * (as their migrations create them), so a new column cannot slip in undocumented (issue #16).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresBackend } from '../../src/backend/postgres.js';
import { createLogger } from '../../src/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { createTestSchema, describePostgres, type TestSchema } from '../helpers/postgres.js';
import { dumpStore } from '../helpers/store-dump.js';

/** `table.column` for every column the README's inventory names (between its markers). */
function documented(): Set<string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = /<!-- data-inventory:start -->([\s\S]*?)<!-- data-inventory:end -->/.exec(readme)?.[1];
  if (!section) throw new Error('README has no data-inventory table');
  const names = new Set<string>();
  for (const line of section.split('\n').filter((l) => /^\| `/.test(l))) {
    const [table, columns] = line.split('|').slice(1, 3).map((c) => c.trim());
    const t = /^`(\w+)`$/.exec(table!)?.[1];
    if (!t) throw new Error(`inventory row without a table name: ${line}`);
    for (const [, column] of columns!.matchAll(/`(\w+)`/g)) names.add(`${t}.${column}`);
  }
  return names;
}

/** The store's own columns (graphile-worker's job queue lives in its own schema and is described apart). */
function columnsOf(dump: Awaited<ReturnType<typeof dumpStore>>): string[] {
  return Object.entries(dump).flatMap(([table, t]) => t.columns.map((c) => `${table}.${c}`)).sort();
}

const inventory = documented();
const seen = new Set<string>();

describe('README data inventory: SQLite', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-inventory-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('documents every table and column of the SQLite store', async () => {
    await SqliteStore.open(dir).close();
    const columns = columnsOf(await dumpStore({ kind: 'sqlite', env: { DATA_DIR: dir }, cleanup: async () => undefined }));
    expect(columns.length).toBeGreaterThan(40);
    expect(columns.filter((c) => !inventory.has(c))).toEqual([]);
    columns.forEach((c) => seen.add(c));
  });
});

await describePostgres('README data inventory: Postgres', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('documents every table and column of the Postgres store, and names no column neither store has', async () => {
    const { store } = await openPostgresBackend({ connectionString: schema.url, poolMax: 2 }, createLogger('silent'));
    await store.close();
    const columns = columnsOf(await dumpStore({ kind: 'postgres', env: { DATABASE_URL: schema.url }, cleanup: async () => undefined }));
    expect(columns.filter((c) => !inventory.has(c))).toEqual([]);
    columns.forEach((c) => seen.add(c));
    // Both stores were read (this file's SQLite test ran first): the inventory names nothing that does not exist.
    expect(seen.has('messages.text') && seen.has('queue_workers.worker_id')).toBe(true);
    expect([...inventory].filter((c) => !seen.has(c))).toEqual([]);
  });
});
