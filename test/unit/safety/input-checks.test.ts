import { describe, expect, it } from 'vitest';
import { checkInput, INPUT_CHECKS, MAX_TURN_ATTEMPTS, type InputCheckContext, type InputMessage } from '../../../src/safety/input-checks.js';
import { DEFAULT_HANDOFF_KEYWORDS } from '../../../src/safety/customer-keywords.js';

const now = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 60 * 60 * 1000;

function msg(text: string, writtenAt: number | null = now - HOUR, receivedAt = now - HOUR): InputMessage {
  return { text, createdAt: writtenAt === null ? null : new Date(writtenAt).toISOString(), receivedAt };
}

const ctx: InputCheckContext = { attempt: 1, now, handoffKeywords: DEFAULT_HANDOFF_KEYWORDS, replyPlanned: false };

describe('checkInput: each check alone', () => {
  it('lets an ordinary, recent, first attempt through', () => {
    expect(checkInput([msg('Qual o horário de vocês?')], ctx)).toBeNull();
  });

  it(`hands off with the fallback after ${MAX_TURN_ATTEMPTS} attempts, not before`, () => {
    expect(checkInput([msg('oi')], { ...ctx, attempt: MAX_TURN_ATTEMPTS })).toBeNull();
    expect(checkInput([msg('oi')], { ...ctx, attempt: MAX_TURN_ATTEMPTS + 1 })).toEqual({
      kind: 'too_many_attempts',
      reason: `the turn failed ${MAX_TURN_ATTEMPTS} times (the bot restarted while answering)`,
      logReason: `the turn failed ${MAX_TURN_ATTEMPTS} times (the bot restarted while answering)`,
      say: 'fallback',
    });
  });

  it('hands off with the hand-off message when any message of the turn asks for a human, quoting it', () => {
    const verdict = checkInput([msg('oi'), msg('quero falar com um atendente')], ctx);
    expect(verdict).toEqual({
      kind: 'asks_for_human',
      reason: 'the customer asked for a human: "quero falar com um atendente"',
      logReason: "the customer asked for a human (keyword 'atendente')",
      say: 'handoff_message',
    });
  });

  it('names only the keyword for the log, never the words around it', () => {
    const verdict = checkInput([msg('Meu CPF é 123.456.789-09, quero falar com um atendente')], ctx);
    expect(verdict?.reason).toContain('123.456.789-09');
    expect(verdict?.logReason).toBe("the customer asked for a human (keyword 'atendente')");
  });

  it("uses the inbox's own keywords, not the defaults, when it has them", () => {
    expect(checkInput([msg('quero um atendente')], { ...ctx, handoffKeywords: ['gerente'] })).toBeNull();
    expect(checkInput([msg('chama o gerente')], { ...ctx, handoffKeywords: ['gerente'] })?.kind).toBe('asks_for_human');
  });

  it('quotes at most 200 characters of the request', () => {
    const long = `atendente ${'x'.repeat(500)}`;
    const verdict = checkInput([msg(long)], ctx);
    expect(verdict?.reason).toBe(`the customer asked for a human: "${long.slice(0, 200)}"`);
  });

  it('hands off without a customer message when the newest message is 24 h old (WhatsApp would refuse the text)', () => {
    const verdict = checkInput([msg('oi', now - 30 * HOUR), msg('alô?', now - 24 * HOUR)], ctx);
    expect(verdict).toMatchObject({ kind: 'outside_reply_window', say: 'nothing' });
    expect(verdict?.reason).toMatch(/older than 24 hours/);
  });

  it('judges the window by the newest message of the turn', () => {
    expect(checkInput([msg('oi', now - 30 * HOUR), msg('alô?', now - HOUR)], ctx)).toBeNull();
  });

  it("takes the receipt time when Chatwoot's created_at is missing or unreadable", () => {
    expect(checkInput([msg('oi', null, now - 25 * HOUR)], ctx)?.kind).toBe('outside_reply_window');
    expect(checkInput([msg('oi', null, now - HOUR)], ctx)).toBeNull();
    expect(checkInput([{ text: 'oi', createdAt: 'not a date', receivedAt: now - HOUR }], ctx)).toBeNull();
  });
});

describe('checkInput: order (first match wins)', () => {
  const stale = now - 48 * HOUR;

  it('runs attempts, then the request for a human, then the reply window', () => {
    expect(INPUT_CHECKS.map((c) => c.name)).toEqual(['tooManyAttempts', 'asksForHuman', 'outsideWindow']);
  });

  it('too many attempts wins over a request for a human and a closed window', () => {
    const verdict = checkInput([msg('quero um atendente', stale, stale)], { ...ctx, attempt: MAX_TURN_ATTEMPTS + 1 });
    expect(verdict?.kind).toBe('too_many_attempts');
  });

  it('a request for a human wins over a closed window (the team learns what the customer wanted)', () => {
    const verdict = checkInput([msg('quero um atendente', stale, stale)], ctx);
    expect(verdict?.kind).toBe('asks_for_human');
  });
});

describe('checkInput: a turn whose reply is already planned', () => {
  const planned = { ...ctx, replyPlanned: true };

  it('keeps the decision taken when Hermes was asked: neither keywords nor the window re-decide it', () => {
    const stale = now - 48 * HOUR;
    expect(checkInput([msg('quero um atendente', stale, stale)], planned)).toBeNull();
  });

  it('still stops a turn that keeps failing', () => {
    expect(checkInput([msg('oi')], { ...planned, attempt: MAX_TURN_ATTEMPTS + 1 })?.kind).toBe('too_many_attempts');
  });
});
