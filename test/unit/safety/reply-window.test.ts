import { describe, expect, it } from 'vitest';
import { outsideReplyWindow, WHATSAPP_REPLY_WINDOW_MS } from '../../../src/safety/reply-window.js';

const now = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 60 * 60 * 1000;

describe('outsideReplyWindow', () => {
  it('is 24 hours by default', () => {
    expect(WHATSAPP_REPLY_WINDOW_MS).toBe(24 * HOUR);
  });

  it.each([
    ['one hour ago (number)', now - HOUR, false],
    ['one hour ago (Date)', new Date(now - HOUR), false],
    ['just under 24 h', now - 24 * HOUR + 1, false],
    ['exactly 24 h', now - 24 * HOUR, true],
    ['25 h ago', new Date(now - 25 * HOUR), true],
    ['no customer message known', null, true],
    ['invalid date', new Date('not a date'), true],
    ['in the future (clock skew)', now + 5 * 60 * 1000, false],
  ] as const)('%s → %s', (_name, at, expected) => {
    expect(outsideReplyWindow(at, now)).toBe(expected);
  });

  it('honours a custom window (safety margin)', () => {
    expect(outsideReplyWindow(now - 23.5 * HOUR, now, 23 * HOUR)).toBe(true);
    expect(outsideReplyWindow(now - 22 * HOUR, now, 23 * HOUR)).toBe(false);
  });
});
