/**
 * What scripts rely on: --version, usage errors (exit 2, usage on stderr, stdout empty), inbox-config
 * writes that refuse to create a store nobody reads, and secrets read from standard input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { repoRoot } from '../helpers/shared.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cwhb-script-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const VERSION = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** runCli with only DATA_DIR; `stdin` stands for what a pipe would give (undefined: no standard input). */
async function cli(argv: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const code = await runCli(argv, {
    env: { DATA_DIR: 'data' },
    cwd: dir,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    log: pino({ level: 'silent' }),
    ...(stdin === undefined ? {} : { readSecret: async (prompt: string) => (prompts.push(prompt), stdin) }),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), prompts };
}

async function storedSettings(inboxId: number): Promise<unknown> {
  const store = SqliteStore.open(join(dir, 'data'));
  try {
    return await store.getInboxSettings(inboxId);
  } finally {
    await store.close();
  }
}

describe('usage', () => {
  it('--version prints the package version alone', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: VERSION, stderr: '' });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('help <unknown> exits 2 with the usage on stderr and nothing on stdout; help <command> still answers', async () => {
    const res = await cli(['help', 'instal']);
    expect(res).toMatchObject({ code: 2, stdout: '' });
    expect(res.stderr).toContain('✗ No help for "instal": there is no such command.');
    expect(res.stderr).toContain('Usage: chatwoot-hermes-bot <command> [options]');
    expect(await cli(['help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: chatwoot-hermes-bot <command>'), stderr: '' });
    expect(await cli(['help', 'inbox-config'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: chatwoot-hermes-bot inbox-config/) });
  });
});

describe('inbox-config: no new store by accident', () => {
  it('a write where no store exists refuses, creates nothing and says how to create one on purpose', async () => {
    const res = await cli(['inbox-config', '7', 'enabled=false']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `✗ No store found: ${join(dir, 'data')} does not exist. Run this command where the bot runs, with the same DATA_DIR or DATABASE_URL, or pass --create to start a new store here.`,
    );
    expect(existsSync(join(dir, 'data'))).toBe(false);

    // An empty DATA_DIR holds no store either.
    mkdirSync(join(dir, 'data'));
    expect((await cli(['inbox-config', '7', 'enabled=false'])).stderr).toContain(`No store found: ${join(dir, 'data')} holds no chatwoot-hermes-bot.sqlite.`);
    expect(existsSync(join(dir, 'data', 'chatwoot-hermes-bot.sqlite'))).toBe(false);
  });

  it('--create makes the store and says so; later writes name the store they wrote to', async () => {
    const created = await cli(['inbox-config', '7', 'enabled=false', '--create']);
    expect(created.code).toBe(0);
    expect(created.stdout.split('\n').slice(0, 2)).toEqual([
      `✓ Created a new store: SQLite in ${join(dir, 'data')}.`,
      `✓ Saved the settings of inbox 7 (SQLite in ${join(dir, 'data')}); the running bot applies them within 5 s.`,
    ]);
    const next = await cli(['inbox-config', '7', 'debounceMs=3000']);
    expect(next.code).toBe(0);
    expect(next.stdout).not.toContain('Created a new store');
    expect(next.stdout).toContain(`✓ Saved the settings of inbox 7 (SQLite in ${join(dir, 'data')})`);
    expect(await storedSettings(7)).toEqual({ enabled: false, debounceMs: 3000 });
  });
});

describe('inbox-config: secrets from standard input', () => {
  it('hermesApiKey=- stores what standard input holds, prints it nowhere', async () => {
    const res = await cli(['inbox-config', '7', 'hermesUrl=http://10.0.0.5:8642', 'hermesApiKey=-', '--create'], 'k-from-stdin-7');
    expect(res.code).toBe(0);
    expect(res.prompts).toEqual(['hermesApiKey (not shown): ']);
    expect(`${res.stdout}\n${res.stderr}`).not.toContain('k-from-stdin-7');
    expect(res.stdout).toContain('  hermesApiKey=(set, hidden)');
    expect(res.stderr).toBe('');
    expect(await storedSettings(7)).toEqual({ hermesUrl: 'http://10.0.0.5:8642', hermesApiKey: 'k-from-stdin-7' });
  });

  it('refuses empty or several-line input and a second "-", saving nothing; warns about a key on the command line', async () => {
    await cli(['inbox-config', '7', 'debounceMs=3000', '--create']);
    const empty = await cli(['inbox-config', '7', 'hermesApiKey=-'], '');
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringContaining('hermesApiKey=- found nothing on standard input; nothing was saved') });
    const lines = await cli(['inbox-config', '7', 'hermesApiKey=-'], 'one\ntwo');
    expect(lines).toMatchObject({ code: 2, stderr: expect.stringContaining('read several lines') });
    const twice = await cli(['inbox-config', '7', 'hermesApiKey=-', 'hermesApiKey=-'], 'k');
    expect(twice).toMatchObject({ code: 2, stderr: expect.stringContaining('Only one setting can be read from standard input') });
    const noStdin = await cli(['inbox-config', '7', 'hermesApiKey=-']);
    expect(noStdin).toMatchObject({ code: 2, stderr: expect.stringContaining('reads standard input, which is not available here') });
    expect(await storedSettings(7)).toEqual({ debounceMs: 3000 });

    const literal = await cli(['inbox-config', '7', 'hermesApiKey=typed-key']);
    expect(literal.code).toBe(0);
    expect(literal.stderr).toBe(
      `! hermesApiKey was given on the command line, where shell history and the process list keep it. Next time pipe it: printf '%s' "$KEY" | chatwoot-hermes-bot inbox-config <inbox-id> hermesApiKey=-`,
    );
    expect((await cli(['inbox-config', '7', 'hermesApiKey='])).stderr).toBe('');
  });

  // Generous timeouts: starting tsx twice takes seconds on a quiet machine and far longer on a loaded one.
  it('as a real process: a piped key (with its final newline) is stored without the newline; --version', async () => {
    const tsx = join(repoRoot(), 'node_modules', '.bin', 'tsx');
    const entry = join(repoRoot(), 'src', 'cli', 'index.ts');
    const env = { PATH: process.env.PATH ?? '', DATA_DIR: join(dir, 'data') };
    const piped = spawnSync(tsx, [entry, 'inbox-config', '7', 'hermesApiKey=-', '--create'], { cwd: dir, encoding: 'utf8', env, input: 'k-piped-7\n', timeout: 50_000 });
    expect({ status: piped.status, stderr: piped.stderr }).toEqual({ status: 0, stderr: '' });
    expect(piped.stdout).not.toContain('k-piped-7');
    const version = spawnSync(tsx, [entry, '--version'], { cwd: dir, encoding: 'utf8', env, timeout: 50_000 });
    expect({ status: version.status, stdout: version.stdout }).toEqual({ status: 0, stdout: `${VERSION}\n` });
    expect(await storedSettings(7)).toEqual({ hermesApiKey: 'k-piped-7' });
  }, 120_000);
});
