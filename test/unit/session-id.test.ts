import { describe, expect, it } from 'vitest';
import { stableSessionId } from '../../src/hermes/session.js';
import { debouncedDueAt } from '../../src/rules/debounce.js';
import { turnIdFor } from '../../src/rules/turn-id.js';

describe('stableSessionId', () => {
  it('is deterministic per (account, conversation)', () => {
    expect(stableSessionId({ accountId: 1, conversationId: 1042 })).toBe('chatwoot-1-1042');
    expect(stableSessionId({ accountId: 1, conversationId: 1042 })).toBe(stableSessionId({ accountId: 1, conversationId: 1042 }));
  });

  it('never gives two conversations or accounts the same id', () => {
    const ids = new Set<string>();
    for (let a = 1; a <= 30; a++) for (let c = 1; c <= 30; c++) ids.add(stableSessionId({ accountId: a, conversationId: c }));
    expect(ids.size).toBe(900);
    // The classic concatenation trap: 1 + 11 vs 11 + 1.
    expect(stableSessionId({ accountId: 1, conversationId: 11 })).not.toBe(stableSessionId({ accountId: 11, conversationId: 1 }));
  });

  it('adds a generation after a reset and stays within Hermes\' safe characters', () => {
    expect(stableSessionId({ accountId: 2, conversationId: 7 }, 3)).toBe('chatwoot-2-7-g3');
    expect(stableSessionId({ accountId: 2, conversationId: 7 }, 3)).toMatch(/^[A-Za-z0-9-]{1,256}$/);
  });
});

describe('turnIdFor', () => {
  it('depends on the set of message ids, not their order', () => {
    const key = { accountId: 1, conversationId: 1042 };
    expect(turnIdFor(key, [58233, 58231])).toBe(turnIdFor(key, [58231, 58233]));
    expect(turnIdFor(key, [58231])).not.toBe(turnIdFor(key, [58231, 58233]));
    expect(turnIdFor({ accountId: 2, conversationId: 1042 }, [58231])).not.toBe(turnIdFor(key, [58231]));
  });
});

describe('debouncedDueAt', () => {
  const policy = { debounceMs: 2000, debounceMaxMs: 10_000 };
  it('waits DEBOUNCE_MS after the newest message', () => {
    expect(debouncedDueAt(1000, 1000, policy)).toBe(3000);
    expect(debouncedDueAt(1000, 4000, policy)).toBe(6000);
  });
  it('never waits longer than DEBOUNCE_MAX_MS after the first', () => {
    expect(debouncedDueAt(1000, 10_500, policy)).toBe(11_000);
  });
  it('is immediate with debounce 0', () => {
    expect(debouncedDueAt(1000, 5000, { debounceMs: 0, debounceMaxMs: 0 })).toBe(1000);
  });
});
