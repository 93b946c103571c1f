import { performance } from 'node:perf_hooks';
import { classify } from '../chatwoot/events.js';
import type { Logger } from '../logger.js';
import { ignoreReasonKind } from '../metrics/labels.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { withinDeadline, type Settled } from '../util/deadline.js';
import { actOn, type IntakePolicyDeps } from './act.js';
import { StoreUnavailableError } from './errors.js';
import { intakeLogFields } from './log-fields.js';
import type { IntakeOutcome } from './outcome.js';

export interface IntakeDeps extends IntakePolicyDeps {
  log: Logger;
  /**
   * How long to wait for the store before giving up with StoreUnavailableError('timed_out'). The
   * webhook passes Chatwoot's budget (http/deadline.ts); a caller without one (a test, the benchmark)
   * leaves it out and waits for the real outcome, with no timer per event.
   */
  storeWaitMs?: number;
  /** Counts each event by kind and outcome (metrics/); absent in tests that do not look. */
  metrics?: Pick<BotMetrics, 'event'> | undefined;
}

/** One delivery of an event, as the transport saw it. */
export interface Delivery {
  /** X-Chatwoot-Delivery: the same across Chatwoot's retries of one delivery; null when absent. */
  deliveryId: string | null;
  /** Wall-clock ms when it arrived: the `now` of every rule the event goes through. */
  receivedAt: number;
  /** performance.now() when the request arrived, so the logged `ms` spans the whole answer (default: entry here). */
  startedAt?: number;
}

export interface Intake {
  /**
   * Takes an authentic webhook payload (a JSON object whose signature the caller has checked) and
   * returns what became of it. Rejects with StoreUnavailableError when it could not be recorded.
   */
  receive(payload: object, delivery: Delivery): Promise<IntakeOutcome>;
}

/**
 * Intake: classify (chatwoot/events.ts) → policy (act.ts) → outcome, logged once as
 * "event accepted" / "event ignored" / "duplicate event" with the time it took. Knows nothing of HTTP:
 * http/webhook.ts calls it after the signature and the JSON; tests and tools can call it directly.
 *
 * This runs for every webhook, so it does only what it must: log objects are built only when their
 * level is on, and an event ignored on classification never waits on anything.
 */
export function createIntake(deps: IntakeDeps): Intake {
  const { log, storeWaitMs, metrics } = deps;
  return {
    async receive(payload, delivery) {
      const started = delivery.startedAt ?? performance.now();
      const event = classify(payload);
      const fields = () => intakeLogFields(event, payload, delivery.deliveryId);
      const kind = event.kind === 'ignore' ? 'unhandled' : event.kind;
      const report = (outcome: IntakeOutcome): IntakeOutcome => {
        metrics?.event(kind, outcome.status, outcome.status === 'ignored' ? ignoreReasonKind(outcome.reason) : '');
        if (log.isLevelEnabled('info')) log.info({ ...fields(), ...outcome, ms: elapsed(started) }, MESSAGES[outcome.status]);
        return outcome;
      };
      if (event.kind === 'ignore') return report({ status: 'ignored', reason: event.reason });

      const work = actOn(deps, event, delivery);
      let settled: Settled<IntakeOutcome>;
      try {
        settled = storeWaitMs === undefined ? { done: true, value: await work } : await withinDeadline(work, storeWaitMs);
      } catch (error) {
        log.error({ ...fields(), err: String(error), ms: elapsed(started) }, 'event could not be stored');
        metrics?.event(kind, 'refused', 'store_failed');
        throw new StoreUnavailableError('failed', { cause: error });
      }
      if (!settled.done) {
        // The store hangs. The write goes on: it is one transaction, so it happens whole or not at
        // all. If it happens, actOn still schedules the turn, and Chatwoot's retry is found duplicate
        // (by the message id or the delivery id) instead of being stored twice.
        log.error({ ...fields(), ms: elapsed(started) }, 'the store did not answer in time: refused so that Chatwoot retries');
        work.then(
          (outcome) => log.warn({ ...fields(), outcome: outcome.status, ms: elapsed(started) }, 'event stored after it was refused for lateness; the retry will be a duplicate'),
          (error: unknown) => log.error({ ...fields(), err: String(error), ms: elapsed(started) }, 'event could not be stored'),
        );
        metrics?.event(kind, 'refused', 'store_timed_out');
        throw new StoreUnavailableError('timed_out');
      }
      return report(settled.value);
    },
  };
}

const MESSAGES: Record<IntakeOutcome['status'], string> = {
  accepted: 'event accepted',
  ignored: 'event ignored',
  duplicate: 'duplicate event',
};

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
