import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/shared.js';

/**
 * The embedded backend must not load pg or graphile-worker (about 10 MiB resident on a 512 MB dyno
 * for nothing): openBackend imports the Postgres side only when DATABASE_URL is set. A child process
 * records every module it resolves, opens each backend, and reports which of the two were loaded.
 */
const PROBE = `
import { registerHooks } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const m = /node_modules\\/(pg|graphile-worker)\\//.exec(result.url);
    if (m) seen.add(m[1]);
    return result;
  },
});
const { openBackend } = await import('./src/backend/backend.ts');
const { pino } = await import('pino');
const backend = await openBackend({ databaseUrl: process.env.PROBE_DATABASE_URL || undefined, dataDir: mkdtempSync(join(tmpdir(), 'cwhb-lazy-')) }, pino({ level: 'silent' })).catch(() => null);
await backend?.store.close();
console.log(JSON.stringify([...seen].sort()));
`;

function loadedWith(databaseUrl: string): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    cwd: repoRoot(),
    env: { ...process.env, PROBE_DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
}

describe('openBackend loads the Postgres side only when it is used', () => {
  it('embedded store: neither pg nor graphile-worker is loaded', () => {
    expect(loadedWith('')).toEqual([]);
  }, 30_000);

  it('DATABASE_URL set: both are (the probe proves it can see them)', () => {
    // Port 1 refuses at once: opening fails after the modules were loaded, which is all this needs.
    expect(loadedWith('postgres://nobody@127.0.0.1:1/none')).toEqual(['graphile-worker', 'pg']);
  }, 30_000);
});
