/**
 * `npm run dev` prints logs people can read (pino-pretty, a dev dependency, behind a pipe), while the
 * process production runs (src/main.ts, compiled to dist/) keeps writing one JSON object per line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/shared.js';
import { waitUntil } from '../helpers/wait.js';

const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  // The whole process group: `npm run dev` is a shell, tsx's watcher, the bot and pino-pretty.
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(-child.pid, 'SIGINT');
    await exited;
  }
  child = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts `command` in a shell, in its own process group, as `npm run` would (node_modules/.bin on PATH). */
async function start(command: string): Promise<{ output: () => string }> {
  dir = mkdtempSync(join(tmpdir(), 'cwhb-dev-'));
  const env = {
    PATH: [join(repoRoot(), 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    // Unreachable on purpose: the bot starts without talking to either.
    CHATWOOT_URL: 'http://127.0.0.1:9',
    CHATWOOT_BOT_TOKEN: 'dev-bot-token',
    CHATWOOT_WEBHOOK_SECRET: 'dev-webhook-secret-123',
    HERMES_URL: 'http://127.0.0.1:9',
    HERMES_API_KEY: 'dev-hermes-key',
    DATA_DIR: join(dir, 'data'),
    PORT: String(await freePort()),
  };
  let text = '';
  child = spawn('sh', ['-c', command], { cwd: repoRoot(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { output: () => text };
}

describe('logs', () => {
  it('npm run dev: readable lines (time, level, message, fields below), no JSON', async () => {
    expect(pkg.devDependencies['pino-pretty']).toBeDefined();
    expect(pkg.dependencies['pino-pretty']).toBeUndefined();
    const dev = await start(pkg.scripts.dev!);
    await waitUntil(() => dev.output().includes('chatwoot-hermes-bot listening'), { timeoutMs: 45_000 });
    const lines = dev.output().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: chatwoot-hermes-bot listening$/));
    expect(lines).toContainEqual('    store: "sqlite"');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
  }, 60_000);

  it('production (src/main.ts without the pipe): one JSON object per line', async () => {
    const prod = await start('tsx src/main.ts');
    await waitUntil(() => prod.output().includes('chatwoot-hermes-bot listening'), { timeoutMs: 45_000 });
    const lines = prod.output().split('\n').filter((l) => l !== '');
    const listening = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'chatwoot-hermes-bot listening');
    expect(listening).toMatchObject({ level: 'info', service: 'chatwoot-hermes-bot', store: 'sqlite', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  }, 60_000);
});
