import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, keyMatches, panelUrl, parsePanelUrl } from '../../../src/dashboard/key.js';
import { RateLimiter } from '../../../src/dashboard/rate-limit.js';
import { toPanelView, withoutQuotes } from '../../../src/dashboard/view.js';
import { attribution, reportedAgentSchema, toReportedAgent } from '../../../src/dashboard/agent.js';
import { decideHandOffNow } from '../../../src/rules/handoff-now.js';
import type { PanelRows } from '../../../src/domain/panel.js';

describe('panel keys', () => {
  it('are 256 random bits, matched against their digest only', () => {
    const key = generateKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateKey()).not.toBe(key);
    expect(keyMatches(key, hashKey(key))).toBe(true);
    expect(keyMatches(generateKey(), hashKey(key))).toBe(false);
    expect(keyMatches(`${key}x`, hashKey(`${key}x`))).toBe(false); // not a key's shape
    expect(keyMatches(key, 'not-hex')).toBe(false);
  });

  it('travel in the app URL fragment, and are read back from it', () => {
    const url = panelUrl('https://bot.example.com/', 4, 'k'.repeat(43));
    expect(url).toBe(`https://bot.example.com/dashboard/#account=4&key=${'k'.repeat(43)}`);
    expect(parsePanelUrl(url)).toEqual({ base: 'https://bot.example.com', accountId: 4, key: 'k'.repeat(43) });
    expect(parsePanelUrl('https://bot.example.com/other/#account=4&key=k')).toBeNull();
  });
});

describe('rate limiter', () => {
  it('counts per client in fixed windows', () => {
    const limiter = new RateLimiter({ max: 2, windowMs: 1000 });
    expect([limiter.take('a', 0), limiter.take('a', 10), limiter.take('a', 20), limiter.take('b', 20)]).toEqual([true, true, false, true]);
    expect(limiter.retryAfterS('a', 500)).toBe(1);
    expect(limiter.take('a', 1000)).toBe(true);
    expect(limiter.count('a', 1000)).toBe(1);
  });
});

describe('what the panel shows', () => {
  it('drops what a reason quotes', () => {
    expect(withoutQuotes('the customer asked for a human: "quero falar com alguém, meu CPF é 1"')).toBe('the customer asked for a human');
    expect(withoutQuotes('Blocked a reply from Hermes (loop): loop: 93% similar to an earlier bot reply "Olá"')).toBe('Blocked a reply from Hermes (loop): loop: 93% similar to an earlier bot reply');
    expect(withoutQuotes('Blocked a reply (prompt_leak): x.\n---\nsecret prompt')).toBe('Blocked a reply (prompt_leak): x');
    expect(withoutQuotes('a'.repeat(300))).toHaveLength(200);
    expect(withoutQuotes('🤖 Bot handed this conversation to the team: an agent asked for it')).toBe('an agent asked for it');
  });

  const rows = (patch: Partial<PanelRows> = {}): PanelRows => ({
    conversation: { botState: 'active', stateReason: null, stateChangedAt: null, lastStatus: 'pending', dueAt: 5000 },
    waiting: 2,
    session: null,
    turns: [],
    lastIssue: null,
    ...patch,
  });
  const key = { accountId: 1, conversationId: 9 };

  it('says who speaks and why, and when waiting messages will be answered', () => {
    expect(toPanelView(key, rows(), 1000)).toMatchObject({ speaker: { who: 'bot', why: 'the conversation is pending: the bot answers' }, waiting: { messages: 2, answerAt: 5000 } });
    const open = rows({ conversation: { ...rows().conversation!, lastStatus: 'open' } });
    expect(toPanelView(key, open, 1000).speaker.why).toBe('the conversation is open: the bot answers only pending ones');
    const handed = rows({ conversation: { ...rows().conversation!, botState: 'handed_off', stateReason: 'the customer asked for a human: "x"', stateChangedAt: 900 } });
    expect(toPanelView(key, handed, 1000)).toMatchObject({ speaker: { who: 'handed_off', why: 'the customer asked for a human', since: 900 }, waiting: { answerAt: null } });
    expect(toPanelView(key, rows({ conversation: null, waiting: 0 }), 1000).speaker.who).toBe('bot');
  });
});

describe('the agent as the frame reports them', () => {
  it('is cleaned of line breaks and markup, and attributed as unverified', () => {
    const agent = toReportedAgent(reportedAgentSchema.parse({ id: 3, name: 'Ana\n`x` <b>[y]', email: 'ana@x' }));
    expect(agent).toEqual({ id: 3, name: 'Ana x b y', email: 'ana@x' });
    expect(attribution(agent)).toBe("From the bot panel, by Ana x b y (ana@x, agent 3), as Chatwoot's page reported them to the panel: the bot cannot verify who pressed the button.");
    expect(toReportedAgent(undefined)).toEqual({ id: null, name: 'an unnamed agent', email: null });
  });
});

describe('hand off now (rule)', () => {
  it('silences the bot and plans a turn due now whose only part is the note, guarded by the version read', () => {
    const conversation = { botState: 'active' as const, leftPendingAt: null, dueAt: null, inboxId: 7, version: 4 };
    const d = decideHandOffNow({ key: { accountId: 1, conversationId: 9 }, conversation, openTurn: null, candidates: [] }, { reason: 'r', now: 100 });
    expect(d.result).toEqual({ turnId: 'cw-1-9-panel-100' });
    expect(d.writes).toEqual([
      { kind: 'conversation', key: { accountId: 1, conversationId: 9 }, expectedVersion: 4, patch: { botState: 'handed_off', stateReason: 'r', stateChangedAt: 100, leftPendingAt: null, dueAt: 100, updatedAt: 100 } },
      { kind: 'turn', id: 'cw-1-9-panel-100', key: { accountId: 1, conversationId: 9 }, inboxId: 7, messageIds: [], createdAt: 100 },
      { kind: 'outboxPlanned', turnId: 'cw-1-9-panel-100', key: { accountId: 1, conversationId: 9 }, part: 901, content: '🤖 Bot handed this conversation to the team: r', private: true },
    ]);
  });
});
