import { performance } from 'node:perf_hooks';
import type { Context } from 'koa';
import { storableJson } from '../chatwoot/storable-json.js';
import { StoreUnavailableError } from '../intake/errors.js';
import type { Intake } from '../intake/receive.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { authenticateWebhook, type WebhookAuth } from './authenticate.js';

export interface WebhookDeps {
  intake: Pick<Intake, 'receive'>;
  auth: WebhookAuth;
  log: Logger;
  /** Counts the requests refused before intake (bad signature, not JSON); intake counts the rest. */
  metrics?: Pick<BotMetrics, 'event'> | undefined;
}

/**
 * POST /chatwoot/webhook: the transport only. Raw body → authentic (authenticate.ts) → a JSON object
 * made storable (chatwoot/storable-json.ts) → intake (intake/receive.ts) → its outcome as the HTTP
 * answer. Never waits on Hermes or Chatwoot.
 *
 * Chatwoot opens (hands to humans) any pending conversation whose delivery fails or takes over 5 s,
 * so every authentic event is answered 2xx — ignored ones too — and 200 means stored. When the store
 * fails or hangs, intake says so (StoreUnavailableError) and the answer is a 500, which Chatwoot
 * retries: 500, not 503, because Chatwoot retries only 429 and 500 (3 attempts, 3 s apart,
 * lib/webhooks/trigger.rb); any other status is final and opens the conversation.
 *
 * The body arrives as the raw text (koa-bodyparser in text mode): the signature is checked over
 * exactly it, before any parsing.
 */
export function webhookHandler(deps: WebhookDeps) {
  const { log, intake } = deps;
  return async (ctx: Context): Promise<void> => {
    const startedAt = performance.now();
    const rawBody = (ctx.request as { body?: unknown }).body;
    if (typeof rawBody !== 'string') {
      deps.metrics?.event('unread', 'refused', 'bad_body');
      ctx.status = 400;
      ctx.body = { error: 'expected a JSON body (Content-Type: application/json)' };
      return;
    }
    const auth = authenticateWebhook(ctx, rawBody, deps.auth);
    if (!auth.ok) {
      log.warn({ reason: auth.reason, delivery: ctx.get('x-chatwoot-delivery') || undefined }, 'webhook refused');
      deps.metrics?.event('unread', 'refused', 'bad_signature');
      ctx.status = 401;
      ctx.body = { error: 'invalid or missing webhook signature', reason: auth.reason };
      return;
    }
    const body = readPayload(rawBody);
    if (!body.ok) {
      deps.metrics?.event('unread', 'refused', 'bad_body');
      ctx.status = 400;
      ctx.body = { error: body.error };
      return;
    }
    const payload = body.payload;

    try {
      const outcome = await intake.receive(payload, { deliveryId: ctx.get('x-chatwoot-delivery') || null, receivedAt: Date.now(), startedAt });
      ctx.body = outcome.status === 'ignored' ? { status: 'ignored', reason: outcome.reason } : { status: outcome.status };
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Not stored, so not acknowledged (intake has logged why, with the event's fields).
      ctx.status = 500;
      ctx.body = { error: error.why === 'timed_out' ? 'the store did not answer in time' : 'temporarily unable to store the event' };
    }
  };
}

/** An authentic body as the JSON object intake takes, made storable (chatwoot/storable-json.ts), or why not (a 400). */
function readPayload(rawBody: string): { ok: true; payload: object } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { ok: false, error: 'body is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'body must be a JSON object' };
  const storable = storableJson(parsed);
  return storable.ok ? { ok: true, payload: storable.value as object } : { ok: false, error: `body ${storable.reason}` };
}
