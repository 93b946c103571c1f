import { describe, expect, it } from 'vitest';
import * as safety from '../../../src/safety/index.js';

describe('src/safety/index.ts', () => {
  it.each([
    'checkReply',
    'isAmbiguousShortAnswer',
    'findTechnicalError',
    'stripGatewayStatus',
    'findPromptLeak',
    'tokenize',
    'jaccard',
    'lastQuestion',
    'wantsHuman',
    'outsideReplyWindow',
  ])('re-exports %s', (name) => {
    expect(typeof (safety as Record<string, unknown>)[name]).toBe('function');
  });

  it('re-exports the constants the caller needs', () => {
    expect(safety.EMPTY_REPLIES_BEFORE_HANDOFF).toBe(2);
    expect(safety.DEFAULT_HANDOFF_MARKER).toBe('[HANDOFF]');
    expect(safety.DEFAULT_HANDOFF_KEYWORDS).toContain('atendente');
  });
});
