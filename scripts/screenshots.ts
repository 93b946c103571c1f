/**
 * `npm run screenshots`: pictures of the bot panel in its states, light and dark, for the README
 * (docs/bot-panel-*.png). The real bot between the test fakes, framed by the fake Chatwoot's
 * conversation screen in headless Chromium, as in test/e2e/dashboard-browser.test.ts; not a test.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ChatwootAdmin } from '../src/cli/chatwoot-admin.js';
import { ensurePanelApp } from '../src/cli/panel-app.js';
import { customerMessage, startHarness } from '../test/e2e/harness.js';
import { launchChromium } from '../test/helpers/browser.js';
import { waitUntil } from '../test/helpers/wait.js';

const OUT = join(import.meta.dirname, '..', 'docs');
/** Hermes' think time per turn, so the latency bars differ as they do in life. */
const DELAYS = [900, 2300, 1400, 3100];

const h = await startHarness({ chatwoot: { statusEvents: true } });
try {
  const admin = new ChatwootAdmin(h.chatwoot.url, 'admin-token', 1);
  await ensurePanelApp({ admin, store: h.bot.store }, { publicUrl: h.url, rotate: false, now: Date.now() });
  h.chatwoot.signIn({ id: 7, name: 'Ana Lima', email: 'ana@acme.example' });

  // Conversation 1042: four answered turns.
  for (const [i, delay] of DELAYS.entries()) {
    h.hermes.setDelay(delay);
    await h.send('message_created-incoming-text', customerMessage(100 + i, `Pergunta ${i + 1}`));
    await waitUntil(async () => (await h.bot.store.getSession({ accountId: 1, conversationId: 1042 }))?.turnCount === i + 1, { timeoutMs: 15_000 });
  }
  // Conversation 1043: answered once, then Hermes said something that must not reach the customer: handed off.
  h.hermes.setDelay(1200);
  await h.send('message_created-incoming-text', customerMessage(200, 'Oi', 1043));
  await waitUntil(() => h.chatwoot.messages(1, 1043, { private: false }).length === 1, { timeoutMs: 15_000 });
  h.hermes.setReply(() => 'HTTP 401: token is expired. Non-retryable error.');
  await h.send('message_created-incoming-text', customerMessage(201, 'Qual o prazo?', 1043));
  await waitUntil(() => h.chatwoot.conversation(1, 1043).status === 'open', { timeoutMs: 15_000 });
  // Conversation 1044: paused by an agent four minutes ago.
  await h.bot.store.setBotState({ accountId: 1, conversationId: 1044 }, 'paused', 'paused by an agent (bot panel)', Date.now() - 240_000);

  mkdirSync(OUT, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    const chromium = await launchChromium({ colorScheme: scheme });
    try {
      const page = await chromium.context.newPage();
      await page.setViewportSize({ width: 560, height: 760 });
      for (const [state, conversation] of [['bot', 1042], ['handed-off', 1043], ['paused', 1044]] as const) {
        await page.goto(`${h.chatwoot.url}/app/accounts/1/conversations/${conversation}`);
        const panel = page.frameLocator('iframe');
        await panel.locator('#speaker:not([data-who="unknown"])').waitFor();
        await page.waitForTimeout(300);
        const file = join(OUT, `bot-panel-${state}-${scheme}.png`);
        await page.screenshot({ path: file });
        console.log(`wrote ${file}`);
      }
    } finally {
      await chromium.close();
    }
  }
} finally {
  await h.close();
}
