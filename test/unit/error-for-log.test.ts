import { describe, expect, it } from 'vitest';
import { ChatwootError } from '../../src/chatwoot/errors.js';
import { HermesError } from '../../src/hermes/client.js';
import { errorForLog } from '../../src/util/error-for-log.js';

describe('errorForLog', () => {
  it("keeps only class, kind and status of an answer's error, whose text may echo the customer", () => {
    const chatwoot = new ChatwootError('Chatwoot POST /api/v1/accounts/1/conversations/5/messages answered 422: content "Meu CPF é 123.456.789-09" is invalid', 422, false);
    expect(errorForLog(chatwoot)).toBe('ChatwootError (HTTP 422)');
    const hermes = new HermesError('incomplete', 'Hermes reported an incomplete run (finish_reason error, context overflow on "Meu CPF é 123.456.789-09")', 200);
    expect(errorForLog(hermes)).toBe('HermesError incomplete (HTTP 200)');
  });

  it('keeps errors without an answer whole: they name the cause, not content', () => {
    expect(errorForLog(new HermesError('timeout', 'Hermes did not answer within HERMES_TIMEOUT_MS'))).toBe('HermesError: Hermes did not answer within HERMES_TIMEOUT_MS');
    expect(errorForLog(new Error('SQLITE_BUSY: database is locked'))).toBe('Error: SQLITE_BUSY: database is locked');
    expect(errorForLog({ any: 'object' })).toBe('non-error thrown');
  });
});
