import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { repoRoot } from '../helpers/shared.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migrate (Heroku release phase)', () => {
  it('creates the store with only the store settings set: it runs before the bot is installed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-migrate-'));
    const out: string[] = [];
    const code = await runCli(['migrate'], { env: { DATA_DIR: 'state' }, cwd: dir, out: (t) => out.push(t), err: (t) => out.push(t), log: pino({ level: 'silent' }) });
    expect(code).toBe(0);
    expect(out).toEqual([`✓ Store ready: SQLite in ${join(dir, 'state')}.`]);
    expect(existsSync(join(dir, 'state'))).toBe(true);
    const store = SqliteStore.open(join(dir, 'state'));
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it('is what the Procfile runs in the release phase, next to the web process', () => {
    dir = mkdtempSync(join(tmpdir(), 'cwhb-migrate-'));
    const procfile = readFileSync(join(repoRoot(), 'Procfile'), 'utf8');
    expect(procfile).toMatch(/^web: node( --[a-z-]+=\d+)* dist\/src\/main\.js$/m);
    expect(procfile).toMatch(/^release: node dist\/src\/cli\/index\.js migrate$/m);
  });
});
