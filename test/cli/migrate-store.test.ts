import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openStore } from '../../src/backend/backend.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { StoredEvent } from '../../src/store/store.js';
import { createTestSchema, describePostgres, dropProcessDatabase, type TestSchema } from '../helpers/postgres.js';

const log = pino({ level: 'silent' });
let dir: string;
let schema: TestSchema;

async function cli(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env, cwd: dir, out: (t) => out.push(t), err: (t) => err.push(t), log });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

afterAll(() => dropProcessDatabase());

await describePostgres('migrate-store', () => {
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-migrate-store-'));
    schema = await createTestSchema();
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await schema.drop();
  });

  it('copies sessions, waiting work and settings into an empty Postgres store, once', async () => {
    const sqlite = SqliteStore.open(join(dir, 'data'));
    const key = { accountId: 1, conversationId: 1042 };
    await sqlite.saveSession(key, { sessionId: 'chatwoot-1-1042', mode: 'header', generation: 0 }, 1000);
    const message: StoredEvent = { kind: 'customer_message', deliveryId: 'd-1', key, status: 'pending', message: { messageId: 58231, inboxId: 7, contactId: 3120, contactName: 'Maria Souza', text: 'Oi', attachments: [], createdAt: null } };
    const statusChange: StoredEvent = { kind: 'status', deliveryId: 'd-2', key, status: 'pending', inboxId: 7 };
    await sqlite.accept(message, { debounceMs: 0, debounceMaxMs: 0 }, 2000);
    await sqlite.accept(statusChange, { debounceMs: 0, debounceMaxMs: 0 }, 2000);
    await sqlite.saveInboxSettings(7, { instructions: 'Seja breve.' }, 3000);
    await sqlite.close();

    const env = { DATA_DIR: 'data', DATABASE_URL: schema.url };
    const first = await cli(env, 'migrate-store');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sessions\s+1/);
    expect(first.stdout).not.toContain(schema.url);

    const pg = await openStore({ databaseUrl: schema.url, dataDir: join(dir, 'data') }, log);
    try {
      expect(await pg.getSession(key)).toMatchObject({ sessionId: 'chatwoot-1-1042' });
      expect(await pg.getInboxSettings(7)).toEqual({ instructions: 'Seja breve.' });
      expect((await pg.listDue()).map((d) => d.key)).toEqual([key]);
      // Chatwoot's retries after the move are still recognised: the message by its id, the status change by its delivery id.
      expect(await pg.accept(message, { debounceMs: 0, debounceMaxMs: 0 }, 4000)).toEqual({ outcome: 'duplicate' });
      expect(await pg.accept(statusChange, { debounceMs: 0, debounceMaxMs: 0 }, 4000)).toEqual({ outcome: 'duplicate' });
    } finally {
      await pg.close();
    }

    const again = await cli(env, 'migrate-store');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Nothing was copied');
    expect(again.stderr).toContain('not empty');
  });

  it('needs DATABASE_URL', async () => {
    SqliteStore.open(join(dir, 'data')).close();
    const res = await cli({ DATA_DIR: 'data' }, 'migrate-store');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('DATABASE_URL is not set');
  });
});
