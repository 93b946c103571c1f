/**
 * The bot panel in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens the fake Chatwoot's conversation screen, which frames the panel exactly as Chatwoot's
 * Frame.vue does (the app URL `install` registered, the appContext postMessage protocol), against the
 * running bot over real HTTP and the fake Hermes. Skipped loudly without Chromium; fails under CI=1
 * or REQUIRE_BROWSER=1 (test/helpers/browser.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { ChatwootAdmin } from '../../src/cli/chatwoot-admin.js';
import { ensurePanelApp } from '../../src/cli/panel-app.js';
import { describeBrowser, launchChromium } from '../helpers/browser.js';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

/** The panel polls every 3 s: a change shows within one poll (and a page load). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 8000, interval: 100 });
const AGENT = { id: 7, name: 'Ana Lima', email: 'ana@acme.example' };
const WAITING_INBOX = 8;

describeBrowser('the bot panel in Chatwoot (headless Chromium)', () => {
  let h: Harness;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let panel: FrameLocator;

  const notes = (conversation = 1042) => h.chatwoot.messages(1, conversation, { private: true }).map((m) => m.content ?? '');
  const badge = () => panel.locator('#speaker');
  const open = async (conversation: number) => {
    await page.goto(`${h.chatwoot.url}/app/accounts/1/conversations/${conversation}`);
    panel = page.frameLocator('iframe');
  };

  beforeAll(async () => {
    h = await startHarness({ chatwoot: { statusEvents: true } });
    // What `install` does: the account's key in the store, the Dashboard App in Chatwoot.
    const admin = new ChatwootAdmin(h.chatwoot.url, 'admin-token', 1);
    await ensurePanelApp({ admin, store: h.bot.store }, { publicUrl: h.url, rotate: false, now: Date.now() });
    await h.bot.store.saveInboxSettings(WAITING_INBOX, { debounceMs: 600_000 }, Date.now());
    h.chatwoot.signIn(AGENT);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  }, 30_000);

  afterAll(async () => {
    await chromium?.close();
    await h?.close();
  });

  it('shows the bot answering, with its Hermes session, turns and latency', async () => {
    h.hermes.setDelay(120);
    await h.send('message_created-incoming-text', customerMessage(501, 'Oi, vocês abrem sábado?'));
    await waitUntil(() => h.chatwoot.messages(1, 1042, { private: false }).length === 1);
    await open(1042);
    await eventually(() => badge().textContent()).toBe('Bot answers');
    await eventually(() => panel.locator('#session').textContent()).toBe('chatwoot-1-1042');
    await eventually(() => panel.locator('#turns').textContent()).toBe('1 turn answered in this session');
    const latency = await panel.locator('#latency li').first().getAttribute('aria-label');
    expect(latency).toMatch(/^Hermes took \d+ ms/);
    expect(Number(/took (\d+) ms/.exec(latency!)![1])).toBeGreaterThanOrEqual(120);
    // The panel shows the bot's state, not what was said.
    expect(await panel.locator('body').textContent()).not.toContain('sábado');
  });

  it('pause, resume and reset work and each leaves a private note naming the agent as the frame reported them', async () => {
    await open(1042);
    await eventually(() => badge().textContent()).toBe('Bot answers');
    await panel.getByRole('button', { name: 'Pause the bot' }).click();
    await eventually(() => badge().textContent()).toBe('Paused');
    expect(await panel.locator('#speaker-why').textContent()).toBe('paused by an agent (bot panel)');
    await waitUntil(() => notes().some((n) => n.startsWith('🤖 Bot paused')));
    const paused = notes().find((n) => n.startsWith('🤖 Bot paused'))!;
    expect(paused).toContain("by Ana Lima (ana@acme.example, agent 7), as Chatwoot's page reported them to the panel: the bot cannot verify who pressed the button.");

    await panel.getByRole('button', { name: 'Resume (hand back to the bot)' }).click();
    await eventually(() => badge().textContent()).toBe('Bot answers');
    await waitUntil(() => notes().some((n) => n.startsWith('🤖 Bot resumed') && n.includes('Ana Lima')));

    // By keyboard: focus the reset button and press Enter.
    await panel.getByRole('button', { name: 'Reset Hermes session' }).focus();
    await page.keyboard.press('Enter');
    await eventually(() => panel.locator('#session').textContent()).toBe('chatwoot-1-1042-g1');
    await waitUntil(() => notes().some((n) => n.startsWith('🤖 New Hermes session for this conversation: chatwoot-1-1042-g1') && n.includes('Ana Lima')));
    expect(await panel.locator('#status').textContent()).toMatch(/Reset Hermes session: done/);
  });

  it('shows messages waiting and when the bot will answer them', async () => {
    await h.send('message_created-incoming-text', (body) => {
      customerMessage(601, 'Primeira', 2001)(body);
      body.inbox.id = WAITING_INBOX;
      body.conversation.inbox_id = WAITING_INBOX;
    });
    await h.send('message_created-incoming-text', (body) => {
      customerMessage(602, 'Segunda', 2001)(body);
      body.inbox.id = WAITING_INBOX;
      body.conversation.inbox_id = WAITING_INBOX;
    });
    await open(2001);
    await eventually(() => panel.locator('#waiting').textContent()).toBe('2');
    expect(await panel.locator('#answer-at').textContent()).toMatch(/^the bot answers in (9|10) min$/);
    expect(await panel.locator('#session').textContent()).toBe('none yet');
  });

  it('hand off now opens the conversation through the one hand-off path, its note naming the agent', async () => {
    await open(2001);
    await eventually(() => badge().textContent()).toBe('Bot answers');
    await panel.getByRole('button', { name: 'Hand off now' }).click();
    await eventually(() => badge().textContent()).toBe('Handed off');
    await waitUntil(() => h.chatwoot.conversation(1, 2001).status === 'open');
    await eventually(() => panel.locator('#speaker-why').textContent()).toMatch(/^an agent asked for it from the bot panel: Ana Lima/);
    expect(h.chatwoot.conversation(1, 2001).labels).toContain('bot-handoff');
    const note = notes(2001).find((n) => n.startsWith('🤖 Bot handed this conversation to the team: '))!;
    expect(note).toContain("an agent asked for it from the bot panel: Ana Lima (ana@acme.example, agent 7), as Chatwoot's page reported them (not verified by the bot)");
    await eventually(() => panel.locator('#issue').textContent()).toBe(
      "Hand-off: an agent asked for it from the bot panel: Ana Lima (ana@acme.example, agent 7), as Chatwoot's page reported them (not verified by the bot)",
    );
    // The messages that waited are the team's now: the bot's turn for them ends without a word.
    await eventually(() => panel.locator('#waiting').textContent()).toBe('0');
    expect(h.chatwoot.messages(1, 2001, { private: false })).toEqual([]);
    expect(await panel.getByRole('button', { name: 'Hand off now' }).isDisabled()).toBe(true);
  });

  it('shows a human who took over, and a blocked reply with its reason', async () => {
    h.hermes.setReply(() => '⚡ Interrupting current task…');
    await h.send('message_created-incoming-text', customerMessage(701, 'Olá?', 3001));
    await waitUntil(() => notes(3001).some((n) => n.startsWith('🤖 Blocked a reply from Hermes')));
    await open(3001);
    await eventually(() => panel.locator('#issue').textContent()).toMatch(/^Blocked reply: Blocked a reply from Hermes \(gateway_status\): gateway status line$/);
    await h.send('message_created-outgoing-agent', (body) => {
      body.conversation.id = 3001;
      body.id = 702;
    });
    await eventually(() => badge().textContent()).toBe('Human took over');
  });

  it('refuses a wrong key: the panel says so and the API answers 401', async () => {
    const app = [...h.chatwoot.dashboardApps.values()][0]!;
    const good = app.content[0]!.url;
    app.content[0]!.url = good.replace(/key=[^&]+/, `key=${'A'.repeat(43)}`);
    try {
      await open(1042);
      await eventually(() => panel.locator('#problem').textContent()).toMatch(/The bot refused this panel's key/);
      expect(await badge().textContent()).toBe('Waiting for Chatwoot…');
      const res = await fetch(`${h.url}/dashboard/api/accounts/1/conversations/1042`, { headers: { 'x-panel-key': 'A'.repeat(43) } });
      expect(res.status).toBe(401);
    } finally {
      app.content[0]!.url = good;
    }
  });

  it('sent Chatwoot only requests its contract allows (Dashboard Apps included)', () => {
    expect(h.chatwoot.violations()).toEqual([]);
  });
});
