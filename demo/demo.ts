/**
 * `npm run demo`: the real bot (createBot, its store, scheduler and clients) between the test suite's
 * simulated Chatwoot and simulated Hermes, all on 127.0.0.1. Plays SCRIPT and prints each step:
 * the webhook in, the Hermes session used, the reply out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createBot, type Bot } from '../src/bot.js';
import { loadConfig } from '../src/config/index.js';
import { WEBHOOK_PATH } from '../src/http/app.js';
import { startFakeChatwoot, type FakeChatwoot } from '../test/fakes/fake-chatwoot.js';
import { startFakeHermes, type FakeHermes } from '../test/fakes/fake-hermes.js';
import { chatwootSpecPath } from '../test/helpers/shared.js';
import { waitUntil } from '../test/helpers/wait.js';
import { bakeryAgent } from './agent.js';
import { ACCOUNT_ID, INBOX, JOAO, MARIA, SCRIPT, type Customer } from './script.js';
import { deliver, incomingMessage } from './webhook.js';

const SECRET = 'demo-webhook-secret';
const BOT_TOKEN = 'demo-bot-token';
const HERMES_KEY = 'demo-hermes-key';

export interface DemoOptions {
  out(line: string): void;
  /** Check every request to the simulated Chatwoot against Chatwoot's OpenAPI spec (default: when the spec is there). */
  validate?: boolean;
  /** The bot's own logs (JSON on stdout), silent by default. */
  logLevel?: string;
}

export interface DemoResult {
  ok: boolean;
  /** Requests to Chatwoot that broke its contract (empty when valid, or when not validated). */
  violations: string[];
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { out } = opts;
  const validate = opts.validate ?? contractAvailable();
  const dataDir = mkdtempSync(join(tmpdir(), 'chatwoot-hermes-bot-demo-'));
  let chatwoot: FakeChatwoot | undefined;
  let hermes: FakeHermes | undefined;
  let bot: Bot | undefined;
  try {
    chatwoot = await startFakeChatwoot({ botToken: BOT_TOKEN, validate, inboxId: INBOX.id, botName: 'Hermes Assistant' });
    chatwoot.addInbox({ id: INBOX.id, name: INBOX.name, channel_type: 'Channel::Whatsapp' });
    hermes = await startFakeHermes({ apiKey: HERMES_KEY, reply: bakeryAgent, delayMs: 120 });
    const config = loadConfig({
      CHATWOOT_URL: chatwoot.url,
      CHATWOOT_BOT_TOKEN: BOT_TOKEN,
      CHATWOOT_WEBHOOK_SECRET: SECRET,
      HERMES_URL: hermes.url,
      HERMES_API_KEY: HERMES_KEY,
      HERMES_INSTRUCTIONS: 'You are the WhatsApp assistant of Acme Bakery. Answer briefly and kindly.',
      DATA_DIR: dataDir,
      // Answer at once: the demo sends one message at a time (a real inbox waits DEBOUNCE_MS for bursts).
      DEBOUNCE_MS: '0',
      DEBOUNCE_MAX_MS: '0',
      LOG_LEVEL: opts.logLevel ?? 'silent',
    });
    bot = await createBot(config, pino({ level: config.logLevel }), { hermesRetryBaseMs: 50 });
    const port = ((await bot.listen(0, '127.0.0.1')).address() as AddressInfo).port;
    const webhookUrl = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;

    out('chatwoot-hermes-bot demo: the real bot between a simulated Chatwoot and a simulated Hermes,');
    out('all on 127.0.0.1 (nothing leaves this machine).');
    out('');
    out(`  bot                   ${webhookUrl}`);
    out(`  Chatwoot (simulated)  ${chatwoot.url}`);
    out(`  Hermes (simulated)    ${hermes.url}`);
    out('');
    out(`Two WhatsApp customers write to ${INBOX.name} at the same time:`);
    out(`${first(MARIA)} in conversation ${MARIA.conversationId}, ${first(JOAO)} in conversation ${JOAO.conversationId}.`);

    const sent = new Map<number, number>();
    for (const [i, step] of SCRIPT.entries()) {
      const c = step.from;
      const messageId = 58231 + i;
      out('');
      out(`${i + 1}. ${first(c)} · conversation ${c.conversationId}`);
      const res = await deliver(webhookUrl, incomingMessage(c, messageId, step.text), SECRET);
      out(`   → webhook in   message_created #${messageId} "${step.text}" → ${res.status} ${(res.body as { status?: string } | null)?.status ?? ''}`.trimEnd());
      const expected = (sent.get(c.conversationId) ?? 0) + 1;
      sent.set(c.conversationId, expected);
      const replies = () => chatwoot!.messages(ACCOUNT_ID, c.conversationId, { private: false });
      await waitUntil(() => replies().length === expected, { timeoutMs: 15_000, describe: () => `no reply in conversation ${c.conversationId}` });
      const call = hermes.completions().filter((r) => r.status === 200).at(-1)!;
      const sessionId = call.sessionIdSent ?? call.sessionIdReturned ?? '?';
      const turn = hermes.sessions.get(sessionId)?.turns ?? 0;
      out(`   ↔ Hermes       session ${sessionId}, turn ${turn}${turn === 1 ? ' (a new session for this conversation)' : ' (the same session as before)'}`);
      out(`   ← reply out    "${replies().at(-1)!.content}"`);
    }

    // A turn is counted when it is finished, a moment after its reply reached Chatwoot.
    const turnsCounted = async () => (await bot!.store.listSessions({ accountId: ACCOUNT_ID })).reduce((n, s) => n + s.turnCount, 0);
    await waitUntil(async () => (await turnsCounted()) === SCRIPT.length, { timeoutMs: 5000, describe: () => 'the bot did not finish its turns' });
    const sessions = await bot.store.listSessions({ accountId: ACCOUNT_ID });
    const separate = isolated(hermes, MARIA, JOAO);
    const violations = validate ? chatwoot.violations() : [];
    out('');
    out(`Result: ${sent.size} conversations, ${new Set(sessions.map((s) => s.sessionId)).size} Hermes sessions.`);
    for (const s of sessions) out(`  conversation ${s.key.conversationId} → session ${s.sessionId} (${s.turnCount} turns)`);
    out(
      separate
        ? '✓ Each conversation kept one session from start to end; neither session saw the other customer\'s messages.'
        : '✗ The sessions were mixed up: one conversation\'s messages reached the other\'s session.',
    );
    if (validate) {
      const count = chatwoot.requests.length;
      out(violations.length === 0 ? `✓ The bot's ${count} requests to Chatwoot all match Chatwoot's OpenAPI contract.` : `✗ ${violations.length} requests broke Chatwoot's contract:\n  ${violations.join('\n  ')}`);
    }
    out('');
    out('Next: README → Quick start connects a real Chatwoot and Hermes.');
    return { ok: separate && violations.length === 0 && sessions.length === sent.size, violations };
  } finally {
    await bot?.stop(500).catch(() => undefined);
    await Promise.all([chatwoot?.close(), hermes?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function first(c: Customer): string {
  return c.name.split(' ')[0]!;
}

/** Neither session's history holds a word the other customer wrote. */
function isolated(hermes: FakeHermes, a: Customer, b: Customer): boolean {
  const history = (c: Customer) => JSON.stringify(hermes.sessions.get(`chatwoot-${ACCOUNT_ID}-${c.conversationId}`)?.history ?? null);
  const wrote = (c: Customer) => SCRIPT.filter((s) => s.from === c).map((s) => s.text);
  return history(a) !== 'null' && history(b) !== 'null' && !wrote(b).some((t) => history(a).includes(t)) && !wrote(a).some((t) => history(b).includes(t));
}

/** The contract lives in the project's shared folder, next to the repository; a bare clone may not have it. */
function contractAvailable(): boolean {
  try {
    chatwootSpecPath();
    return true;
  } catch {
    return false;
  }
}
