import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeChatwoot, type FakeChatwoot } from '../fakes/fake-chatwoot.js';
import { startFakeHermes, type FakeHermes } from '../fakes/fake-hermes.js';
import { loadFixture } from '../helpers/shared.js';
import { postWebhook } from '../helpers/sign.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { e2eStoreKind, testStoreLocation, type TestStoreLocation } from '../helpers/postgres.js';
import { BOT_TOKEN, botEnv, customerMessage, freePort, HERMES_KEY, SECRET } from './harness.js';
import { startBotProcess, type BotProcess } from './process.js';

/** The bot as a real process: crashes (kill -9) and deploys (SIGTERM) must lose nothing and repeat nothing. */
let chatwoot: FakeChatwoot;
let hermes: FakeHermes;
let dataDir: string;
let location: TestStoreLocation;
let port: number;
const running: BotProcess[] = [];

beforeEach(async () => {
  port = await freePort();
  chatwoot = await startFakeChatwoot({ botToken: BOT_TOKEN, echo: { webhookUrl: `http://127.0.0.1:${port}/chatwoot/webhook`, secret: SECRET } });
  hermes = await startFakeHermes({ apiKey: HERMES_KEY });
  dataDir = mkdtempSync(join(tmpdir(), 'cwhb-life-'));
  location = await testStoreLocation(e2eStoreKind(), dataDir);
});
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all([chatwoot.close(), hermes.close()]);
  rmSync(dataDir, { recursive: true, force: true });
  await location.cleanup();
});

async function start(extra: Record<string, string> = {}): Promise<BotProcess> {
  const p = await startBotProcess({ ...botEnv({ port, chatwootUrl: chatwoot.url, hermesUrl: hermes.url, dataDir }), ...location.env, HERMES_TIMEOUT_MS: '15000', ...extra });
  running.push(p);
  return p;
}

const send = (id: number, text: string) => {
  const body = loadFixture('message_created-incoming-text');
  body.created_at = new Date().toISOString();
  customerMessage(id, text)(body);
  return postWebhook(`http://127.0.0.1:${port}/chatwoot/webhook`, body, SECRET);
};
const replies = () => chatwoot.messages(1, 1042, { private: false });

describe('crash (kill -9)', () => {
  it('a message accepted just before the crash is answered after the restart, once', async () => {
    const first = await start({ DEBOUNCE_MS: '1500' });
    expect((await send(1, 'Oi, ainda estão abertos?')).body).toEqual({ status: 'accepted' });
    first.child.kill('SIGKILL');
    await first.exited;
    expect(hermes.completions()).toHaveLength(0);

    await start();
    await waitUntil(() => replies().length === 1, { timeoutMs: 10_000 });
    await sleep(500);
    expect(replies().map((m) => m.content)).toEqual(['Resposta 1: Oi, ainda estão abertos?']);
    expect(hermes.runs).toBe(1);
  });

  it('a crash while Hermes works: the restarted bot asks again under the same Idempotency-Key, answers once', async () => {
    hermes.setDelay(1500);
    const first = await start();
    await send(2, 'Qual o prazo de entrega?');
    await waitUntil(() => hermes.activeRuns === 1);
    first.child.kill('SIGKILL');
    await first.exited;

    await start();
    // On Postgres the killed instance's job stays locked until it is found dead (quickMs 6 s, checked
    // every 2 s heartbeat), then a poll (2 s) and Hermes (1.5 s) again: 10–13 s measured, so 10 s was
    // a coin toss on a loaded machine (seen in CI). SQLite answers in about 3 s.
    await waitUntil(() => replies().length === 1, { timeoutMs: 20_000 });
    await sleep(500);
    const keys = hermes.completions().map((c) => c.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(hermes.runs).toBe(1);
    expect(replies()).toHaveLength(1);
  }, 35_000);
});

describe('SIGTERM (deploys, Heroku\'s daily restart)', () => {
  it('finishes the in-flight turn, still acknowledges webhooks while draining, exits 0; the next process answers the rest', async () => {
    hermes.setDelay(1200);
    const first = await start();
    await send(3, 'Primeira pergunta');
    await waitUntil(() => hermes.activeRuns === 1);
    const stopAt = Date.now();
    first.child.kill('SIGTERM');
    await sleep(100);
    // Still acknowledged (and stored durably) while draining.
    expect((await send(4, 'Segunda pergunta, durante o deploy')).body).toEqual({ status: 'accepted' });
    expect(await first.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(25_000);
    expect(replies().map((m) => m.content)).toEqual(['Resposta 1: Primeira pergunta']);
    expect(first.logs.some((l) => l.msg === 'stopped cleanly')).toBe(true);
    // Chatwoot's echo of the reply the drain posted reached the bot: a delivery failing for good would
    // have made Chatwoot open the conversation, and the bot would never answer it again.
    await waitUntil(() => chatwoot.deliveries.every((d) => d.outcome !== 'in_flight'), { timeoutMs: 10_000 });
    expect(chatwoot.deliveries.filter((d) => d.outcome === 'failed').map((d) => d.failure)).toEqual([]);

    await start();
    await waitUntil(() => replies().length === 2, { timeoutMs: 10_000 });
    expect(replies()[1]?.content).toBe('Resposta 2: Segunda pergunta, durante o deploy');
  });

  it('hands a turn that outlasts the grace to the next process instead of dropping it', async () => {
    hermes.setDelay(3000);
    const first = await start({ SHUTDOWN_GRACE_MS: '300' });
    await send(5, 'Pergunta demorada');
    await waitUntil(() => hermes.activeRuns === 1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(replies()).toHaveLength(0);
    expect(first.logs.some((l) => l.msg === 'turn released for the next process (shutting down)')).toBe(true);

    await start();
    await waitUntil(() => replies().length === 1, { timeoutMs: 15_000 });
    await sleep(300);
    expect(replies().map((m) => m.content)).toEqual(['Resposta 1: Pergunta demorada']);
    expect(hermes.runs).toBe(1);
  });
});
