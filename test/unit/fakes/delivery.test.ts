/**
 * The fake Chatwoot delivers webhooks as Chatwoot v4.15.1 does (lib/webhooks/trigger.rb,
 * app/jobs/agent_bots/webhook_job.rb): these tests pin each rule against a scripted receiver.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeChatwoot, type FakeChatwoot } from '../../fakes/fake-chatwoot.js';
import { BOT_FAILURE_ACTIVITY } from '../../fakes/chatwoot/delivery.js';
import { flatHeaders, readBody, sendEmpty, startLoopbackServer, type LoopbackServer } from '../../fakes/common/http.js';
import { freePort } from '../../helpers/net.js';
import { loadFixture } from '../../helpers/shared.js';
import { chatwootSignature } from '../../helpers/sign.js';

const SECRET = 'delivery-secret';

/** A bot that answers each POST with the next scripted status ('hang' = never answers). */
async function scriptedBot(script: Array<number | 'hang'>) {
  const seen: Array<{ headers: Record<string, string>; body: string }> = [];
  const server = await startLoopbackServer(async (req, res) => {
    seen.push({ headers: flatHeaders(req), body: (await readBody(req)).toString('utf8') });
    const next = script.shift() ?? 200;
    if (next === 'hang') return; // keeps the request open until the client gives up
    sendEmpty(res, next);
  });
  return { server, seen, url: `${server.url}/chatwoot/webhook` };
}

let fake: FakeChatwoot | undefined;
let bot: LoopbackServer | undefined;
afterEach(async () => {
  await fake?.close();
  await bot?.close();
  fake = undefined;
  bot = undefined;
});

async function setUp(script: Array<number | 'hang'>, opts: { fast?: boolean; keepPending?: boolean; url?: string } = {}) {
  const scripted = await scriptedBot(script);
  bot = scripted.server;
  fake = await startFakeChatwoot({
    delivery: { webhookUrl: opts.url ?? scripted.url, secret: SECRET },
    ...(opts.fast === false ? {} : { deliveryTiming: { retryWaitMs: 50, timeoutMs: 400 } }),
    ...(opts.keepPending ? { keepPendingOnBotFailure: true } : {}),
  });
  return scripted;
}

const message = () => loadFixture('message_created-incoming-text') as Record<string, unknown>;

describe("fake Chatwoot's webhook delivery", () => {
  it("retries 500 and 429 three attempts in all, 3 s apart, same delivery id, fresh timestamp and signature, same bytes", async () => {
    const { seen } = await setUp([500, 429, 200], { fast: false });
    const record = await fake!.deliver(message(), { deliveryId: 'd-1' });
    expect(record).toMatchObject({ outcome: 'delivered', status: 200, deliveryId: 'd-1', openedConversation: false });
    expect(record.attempts.map((a) => a.status)).toEqual([500, 429, 200]);
    const gaps = record.attempts.slice(1).map((a, i) => a.at - (record.attempts[i]!.at + record.attempts[i]!.ms));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(2990);
    expect(seen.map((s) => s.headers['x-chatwoot-delivery'])).toEqual(['d-1', 'd-1', 'd-1']);
    expect(new Set(seen.map((s) => s.body)).size).toBe(1);
    const timestamps = seen.map((s) => Number(s.headers['x-chatwoot-timestamp']));
    expect(timestamps[2]! - timestamps[0]!).toBeGreaterThanOrEqual(5);
    for (const s of seen) expect(s.headers['x-chatwoot-signature']).toBe(chatwootSignature(s.body, SECRET, Number(s.headers['x-chatwoot-timestamp'])));
    expect(fake!.conversation(1, 1042).status).toBe('pending');
  }, 15_000);

  it('fails at once on any other status (a 503 too) and opens the pending conversation with the activity', async () => {
    await setUp([503]);
    const record = await fake!.deliver(message());
    expect(record).toMatchObject({ outcome: 'failed', failure: 'HTTP 503', openedConversation: true });
    expect(record.attempts).toHaveLength(1);
    const conv = fake!.conversation(1, 1042);
    expect(conv.status).toBe('open');
    expect(conv.history).toEqual([expect.objectContaining({ from: 'pending', to: 'open', by: 'system' })]);
    expect(conv.activities.map((a) => a.content)).toEqual([BOT_FAILURE_ACTIVITY]);
  });

  it('opens the conversation after the third retryable failure', async () => {
    await setUp([500, 500, 500, 200]);
    const record = await fake!.deliver(message());
    expect(record).toMatchObject({ outcome: 'failed', failure: 'HTTP 500 after 3 attempts', openedConversation: true });
    expect(record.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
  });

  it('never retries a timeout', async () => {
    await setUp(['hang', 200]);
    const record = await fake!.deliver(message());
    expect(record).toMatchObject({ outcome: 'failed', failure: 'timeout', status: null, error: 'timeout', openedConversation: true });
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]!.ms).toBeGreaterThanOrEqual(390);
  });

  it('never retries a refused connection', async () => {
    await setUp([], { url: `http://127.0.0.1:${await freePort()}/chatwoot/webhook` });
    const record = await fake!.deliver(message());
    expect(record).toMatchObject({ outcome: 'failed', failure: 'connection error', openedConversation: true });
    expect(record.attempts).toHaveLength(1);
  });

  it('leaves the conversation pending with keep_pending_on_bot_failure, and leaves conversations that are not pending alone', async () => {
    await setUp([503, 503]);
    fake!.accountSettings.keep_pending_on_bot_failure = true;
    expect(await fake!.deliver(message())).toMatchObject({ outcome: 'failed', openedConversation: false });
    expect(fake!.conversation(1, 1042).status).toBe('pending');
    fake!.accountSettings.keep_pending_on_bot_failure = false;
    fake!.setConversation(1, 1042, { status: 'snoozed' });
    expect(await fake!.deliver(message())).toMatchObject({ outcome: 'failed', openedConversation: false });
    expect(fake!.conversation(1, 1042).status).toBe('snoozed');
  });

  it('opens nothing when a conversation event fails for good (only message_created / message_updated are handled)', async () => {
    await setUp([503]);
    const record = await fake!.deliver(loadFixture('conversation_status_changed-open') as Record<string, unknown>);
    expect(record).toMatchObject({ outcome: 'failed', failure: 'HTTP 503', messageId: null, openedConversation: false });
    expect(fake!.conversation(1, 1042).status).toBe('pending');
    expect(fake!.conversation(1, 1042).activities).toEqual([]);
  });
});
