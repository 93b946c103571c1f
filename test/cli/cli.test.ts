import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';
import { repoRoot } from '../helpers/shared.js';
import { botEnv, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('chatwoot-hermes-bot', () => {
  it('--help lists every command; each command has --help', async () => {
    w = await startCliWorld();
    const help = await w.run(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['install', 'inboxes', 'enable', 'disable', 'inbox-config', 'doctor', 'sessions', 'migrate']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const command of COMMANDS) {
      const res = await w.run([command.name, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^Usage: chatwoot-hermes-bot ${command.name}`));
      expect(res.stdout).toContain('-h, --help');
      expect((await w.run(['help', command.name])).stdout).toBe(res.stdout);
    }
    expect(w.chatwoot.requests).toHaveLength(0);
  });

  it('answers wrong usage with exit code 2 and a pointer to --help', async () => {
    w = await startCliWorld();
    expect(await w.run([])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Usage: chatwoot-hermes-bot <command>') });
    expect(await w.run(['instal'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command "instal"') });
    expect(await w.run(['inboxes', '--acount', '1'])).toMatchObject({ code: 2, stderr: '✗ unknown option --acount. See: chatwoot-hermes-bot inboxes --help' });
    expect(await w.run(['inboxes', '--account'])).toMatchObject({ code: 2, stderr: expect.stringContaining('option --account') });
    expect(await w.run(['doctor', 'now'])).toMatchObject({ code: 2 });
  });

  it('prints no secret from any command except install, once', async () => {
    w = await startCliWorld();
    const first = await w.run(['install']);
    const env = { ...botEnv(w), WEBHOOK_TOKEN: 'webhook-token-1234567890' };
    expect(first.stdout).toContain(env.CHATWOOT_BOT_TOKEN);
    await w.run(['inbox-config', '7', 'hermesApiKey=inbox-hermes-key', '--create']);
    const secrets = [env.CHATWOOT_BOT_TOKEN, env.CHATWOOT_WEBHOOK_SECRET, env.WEBHOOK_TOKEN, 'admin-token', 'wrong-admin-token', 'hermes-key', 'inbox-hermes-key'];
    const runs = [
      ['install'],
      ['install', '--write-env'],
      ['inboxes'],
      ['enable', '7'],
      ['inbox-config', '7'],
      ['doctor'],
      ['doctor', '--token', 'wrong-admin-token'],
      ['sessions'],
      ['disable', '7'],
      ['migrate'],
    ];
    for (const argv of runs) {
      const res = await w.run(argv, env);
      for (const secret of secrets) expect({ argv, leaked: res.all.includes(secret) }).toEqual({ argv, leaked: false });
    }
    expect(w.chatwoot.violations()).toEqual([]);
  });

  it('runs as a real process: reads .env from the working directory, prints, exits with the code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwhb-bin-'));
    try {
      writeFileSync(join(dir, '.env'), 'DATA_DIR=state\n');
      const tsx = join(repoRoot(), 'node_modules', '.bin', 'tsx');
      const entry = join(repoRoot(), 'src', 'cli', 'index.ts');
      const ok = spawnSync(tsx, [entry, 'migrate'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 });
      expect({ status: ok.status, stdout: ok.stdout, stderr: ok.stderr }).toEqual({ status: 0, stdout: `✓ Store ready: SQLite in ${join(dir, 'state')}.\n`, stderr: '' });
      const bad = spawnSync(tsx, [entry, 'sessions', 'reset', '1'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('usage: chatwoot-hermes-bot sessions reset');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
