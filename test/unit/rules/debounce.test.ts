import { describe, expect, it } from 'vitest';
import { awaitsTranscript, pendingDueAt, withTranscript } from '../../../src/rules/debounce.js';
import { inboxOf } from '../../../src/domain/intake.js';
import { finishTurnEffects } from '../../../src/rules/take-turn.js';
import { customer, key, status } from './fixtures.js';

describe('pendingDueAt (the debounce of the messages waiting for a turn)', () => {
  const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };
  const m = (receivedAt: number, awaitingTranscript = false) => ({ receivedAt, awaitingTranscript });
  it.each([
    ['nothing waits', [], 5000, policy, null],
    ['one message: DEBOUNCE_MS after it', [m(1000)], 1000, policy, 3000],
    ['the newest message pushes it back', [m(1000), m(4000)], 4000, policy, 6000],
    ['never past DEBOUNCE_MAX_MS after the oldest', [m(0), m(9000)], 9000, policy, 10_000],
    ['a cap below the debounce is the debounce', [m(0)], 0, { debounceMs: 3000, debounceMaxMs: 1000 }, 3000],
    ['a voice note without transcript holds the turn, bounded', [m(0, true)], 0, { ...policy, voiceWaitMs: 15_000 }, 15_000],
    ['…measured from the newest voice note', [m(0, true), m(3000, true)], 3000, { ...policy, voiceWaitMs: 15_000 }, 18_000],
    ['no voice wait configured: plain debounce', [m(0, true)], 0, policy, 2000],
  ])('%s', (_name, pending, now, p, expected) => {
    expect(pendingDueAt(pending, now, p)).toBe(expected);
  });
});

describe('voice notes', () => {
  it.each([
    [[{ file_type: 'audio', transcribed_text: '' }], true],
    [[{ file_type: 'audio', transcribed_text: '  ' }], true],
    [[{ file_type: 'audio' }], true],
    [[{ file_type: 'audio', transcribed_text: 'oi' }], false],
    [[{ file_type: 'image' }], false],
    [[], false],
  ])('%j awaits a transcript: %s', (attachments, expected) => {
    expect(awaitsTranscript(attachments)).toBe(expected);
  });

  it('puts the transcript on the audio attachment only', () => {
    expect(withTranscript([{ file_type: 'image', data_url: 'i' }, { file_type: 'audio', data_url: 'a', transcribed_text: '' }], 'olá')).toEqual([
      { file_type: 'image', data_url: 'i' },
      { file_type: 'audio', data_url: 'a', transcribed_text: 'olá' },
    ]);
  });
});

describe('inboxOf', () => {
  it('reads the inbox from the event, or from a customer message, else null', () => {
    expect(inboxOf(customer(1))).toBe(7);
    expect(inboxOf(status('open'))).toBe(7);
    expect(inboxOf({ kind: 'transcript', deliveryId: null, key, status: 'pending', messageId: 1, transcript: 't' })).toBeNull();
  });
});

describe('finishTurnEffects', () => {
  it.each([
    ['delivered', 'answered', true],
    ['handed_off', 'failed', false],
    ['skipped', 'skipped', false],
  ] as const)('%s leaves the messages %s (counts for the session: %s)', (outcome, messageState, delivered) => {
    expect(finishTurnEffects(outcome)).toEqual({ messageState, delivered });
  });
});
