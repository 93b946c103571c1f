import { describe, expect, it } from 'vitest';
import { hostileBodies, plainBody, HOSTILE_FIRST_CONVERSATION } from '../../../chaos/lib/hostile.js';
import { BODY_LIMIT_BYTES } from '../../../chaos/lib/payload-paths.js';
import { classify } from '../../../src/chatwoot/events.js';
import { storableJson } from '../../../src/chatwoot/storable-json.js';

/** What the bot makes of a body short of the store: a customer's message to the bot, or not. */
function verdict(raw: Buffer): string {
  if (raw.length > BODY_LIMIT_BYTES) return 'over the limit';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not an object';
  const storable = storableJson(parsed);
  if (!storable.ok) return 'too deep';
  const event = classify(storable.value);
  return event.kind === 'customer_message' && event.status === 'pending' ? 'customer message' : `${event.kind}: ${'reason' in event ? event.reason : ''}`;
}

describe('the bad-input fault’s hostile bodies', () => {
  const bodies = hostileBodies(600, 1234);

  it('are what their family says: valid ones a pending customer message, invalid ones not', () => {
    const wrong = bodies
      .filter((b) => (verdict(b.raw) === 'customer message') !== (b.family === 'valid'))
      .map((b) => `${b.kind} (${b.family}): ${verdict(b.raw)} ${b.raw.toString('utf8').slice(0, 300)}`);
    expect(wrong).toEqual([]);
  });

  it('cover every kind, each in its own conversation outside the workload’s', () => {
    expect(new Set(bodies.map((b) => b.kind)).size).toBeGreaterThanOrEqual(12);
    expect(bodies.map((b) => b.conversationId)).toEqual(bodies.map((_, i) => HOSTILE_FIRST_CONVERSATION + i));
    expect(verdict(plainBody(HOSTILE_FIRST_CONVERSATION + 600))).toBe('customer message');
  });

  it('are the same for the same seed (but for the time they are sent at)', () => {
    const shape = (seed: number) => hostileBodies(50, seed).map((b) => `${b.kind} ${b.family} ${b.raw.length}`);
    expect(shape(99)).toEqual(shape(99));
    expect(shape(99)).not.toEqual(shape(100));
  });
});
