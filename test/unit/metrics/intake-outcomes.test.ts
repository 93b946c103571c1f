import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/intake/errors.js';
import { createIntake, type IntakeDeps } from '../../../src/intake/receive.js';
import type { EventKind, EventOutcome, EventReason } from '../../../src/metrics/labels.js';
import { loadFixture } from '../../helpers/shared.js';

/**
 * What intake counts when the store cannot record an event: `refused`, so Chatwoot retries (the
 * e2e test, test/e2e/metrics.test.ts, counts the other outcomes through real webhooks).
 */

type Counted = [EventKind, EventOutcome, EventReason | ''];

function intakeWith(accept: IntakeDeps['store']['accept'], storeWaitMs?: number): { receive: ReturnType<typeof createIntake>['receive']; counted: Counted[] } {
  const counted: Counted[] = [];
  const intake = createIntake({
    store: { accept },
    scheduler: { notify: () => undefined },
    settings: { forInbox: async () => ({ enabled: true, botOffLabel: 'bot-off', debounceMs: 0, debounceMaxMs: 0, voiceWaitMs: 0 }) } as unknown as IntakeDeps['settings'],
    commands: { run: async () => 'done' },
    reactions: { afterStored: async () => undefined },
    log: pino({ level: 'silent' }),
    metrics: { event: (kind, outcome, reason = '') => void counted.push([kind, outcome, reason]) },
    ...(storeWaitMs !== undefined ? { storeWaitMs } : {}),
  });
  return { receive: (payload, delivery) => intake.receive(payload, delivery), counted };
}

const delivery = { deliveryId: 'd-1', receivedAt: Date.now() };

describe('intake counts a refused event', () => {
  it('as store_failed when the store rejects the write', async () => {
    const { receive, counted } = intakeWith(() => Promise.reject(new Error('SQLITE_FULL')));
    await expect(receive(loadFixture('message_created-incoming-text'), delivery)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(counted).toEqual([['customer_message', 'refused', 'store_failed']]);
  });

  it('as store_timed_out when the store does not answer within the wait', async () => {
    const { receive, counted } = intakeWith(() => new Promise(() => undefined), 20);
    await expect(receive(loadFixture('message_created-incoming-text'), delivery)).rejects.toMatchObject({ why: 'timed_out' });
    expect(counted).toEqual([['customer_message', 'refused', 'store_timed_out']]);
  });

  it('and an event ignored on arrival as unhandled, with its reason kind, without asking the store', async () => {
    const { receive, counted } = intakeWith(() => Promise.reject(new Error('not called')));
    const outcome = await receive(loadFixture('message_created-private-note'), delivery);
    expect(outcome).toMatchObject({ status: 'ignored' });
    expect(counted).toEqual([['unhandled', 'ignored', 'private_note']]);
  });
});
