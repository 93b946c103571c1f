/**
 * The store could not durably record an authentic event, so intake does not acknowledge it: the
 * caller must refuse the delivery in a way that makes Chatwoot send it again (HTTP 500: Chatwoot
 * retries only 429 and 500, lib/webhooks/trigger.rb). `timed_out`: the store did not answer within
 * the caller's budget; the write goes on, and if it lands, the retry is found duplicate.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    readonly why: 'failed' | 'timed_out',
    options?: { cause?: unknown },
  ) {
    super(why === 'timed_out' ? 'the store did not answer in time' : 'the store could not record the event', options);
  }
}
