import { performance } from 'node:perf_hooks';
import type { Context } from 'koa';
import { classify } from '../chatwoot/events.js';
import { type Classified } from '../domain/events.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { DebouncePolicy, Store } from '../store/store.js';
import { authenticateWebhook, type WebhookAuth } from './authenticate.js';
import { STORE_WAIT_MS, withinDeadline, type Settled } from './deadline.js';
import type { AgentCommands } from '../conversation/commands.js';
import type { Reactions } from '../conversation/reactions.js';
import type { InboxSettingsProvider } from '../conversation/settings.js';

export interface IntakeDeps {
  store: Store;
  scheduler: Scheduler;
  log: Logger;
  auth: WebhookAuth;
  settings: InboxSettingsProvider;
  commands: AgentCommands;
  reactions: Reactions;
}

/**
 * POST /chatwoot/webhook. Authenticate, classify, store durably, answer: never waits on Hermes or
 * Chatwoot. Chatwoot opens (hands to humans) any pending conversation whose delivery fails or takes
 * over 5 s, so every authentic event is answered 2xx — ignored ones too — and 200 means stored. When
 * the store fails or hangs, the answer is a 500 within STORE_WAIT_MS, which Chatwoot retries.
 *
 * This runs for every webhook, so it does only what it must: the body arrives as the raw text
 * (koa-bodyparser in text mode; the signature is checked over exactly it, before any parsing), and
 * log objects are built only when their level is on.
 */
export function webhookHandler(deps: IntakeDeps) {
  const { log } = deps;
  return async (ctx: Context): Promise<void> => {
    const started = performance.now();
    const rawBody = (ctx.request as { body?: unknown }).body;
    if (typeof rawBody !== 'string') {
      ctx.status = 400;
      ctx.body = { error: 'expected a JSON body (Content-Type: application/json)' };
      return;
    }
    const auth = authenticateWebhook(ctx, rawBody, deps.auth);
    if (!auth.ok) {
      log.warn({ reason: auth.reason, delivery: ctx.get('x-chatwoot-delivery') || undefined }, 'webhook refused');
      ctx.status = 401;
      ctx.body = { error: 'invalid or missing webhook signature', reason: auth.reason };
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody);
    } catch {
      ctx.status = 400;
      ctx.body = { error: 'body is not valid JSON' };
      return;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      ctx.status = 400;
      ctx.body = { error: 'body must be a JSON object' };
      return;
    }

    const deliveryId = ctx.get('x-chatwoot-delivery') || null;
    const event = classify(payload);
    const fields = () => logFields(event, (payload as { event?: unknown }).event, deliveryId, (payload as { inbox?: { id?: unknown } }).inbox?.id);
    const info = (extra: Record<string, unknown>, message: string) => {
      if (log.isLevelEnabled('info')) log.info({ ...fields(), ...extra, ms: elapsed(started) }, message);
    };
    const ignore = (reason: string) => {
      info({ reason }, 'event ignored');
      ctx.body = { status: 'ignored', reason };
    };
    if (event.kind === 'ignore') return ignore(event.reason);

    const work = storeEvent(deps, event, deliveryId, Date.now());
    let settled: Settled<StoreOutcome>;
    try {
      settled = await withinDeadline(work, STORE_WAIT_MS);
    } catch (error) {
      // Not stored, so not acknowledged. 500, not 503: Chatwoot retries only 429 and 500 (3 attempts,
      // 3 s apart, lib/webhooks/trigger.rb); any other status is final and opens the conversation.
      log.error({ ...fields(), err: String(error), ms: elapsed(started) }, 'event could not be stored');
      ctx.status = 500;
      ctx.body = { error: 'temporarily unable to store the event' };
      return;
    }
    if (!settled.done) {
      // The store hangs. Answer a retryable 500 before Chatwoot's 5 s timeout (which it never retries).
      // The write goes on: it is one transaction, so it either happens whole or not at all. If it
      // happens, storeEvent still schedules the turn, and Chatwoot's retry is found duplicate (by the
      // message id or the delivery id) instead of being stored twice.
      log.error({ ...fields(), ms: elapsed(started) }, 'the store did not answer in time: answered 500 so that Chatwoot retries');
      work.then(
        (outcome) => log.warn({ ...fields(), outcome: outcome.kind, ms: elapsed(started) }, 'event stored after its webhook was answered 500; the retry will be a duplicate'),
        (error: unknown) => log.error({ ...fields(), err: String(error), ms: elapsed(started) }, 'event could not be stored'),
      );
      ctx.status = 500;
      ctx.body = { error: 'the store did not answer in time' };
      return;
    }
    const outcome = settled.value;
    switch (outcome.kind) {
      case 'ignored':
        return ignore(outcome.reason);
      case 'duplicate':
        info({}, 'duplicate event');
        ctx.body = { status: 'duplicate' };
        return;
      default:
        if (log.isLevelEnabled('info')) info(outcome.log, 'event accepted');
        ctx.body = { status: 'accepted' };
    }
  };
}

type StoreOutcome = { kind: 'ignored'; reason: string } | { kind: 'duplicate' } | { kind: 'accepted'; log: Record<string, unknown> };

/**
 * Everything an authentic event makes the bot do before it is acknowledged: the inbox's settings,
 * an agent command, the durable write, and what follows a write (the turn's scheduling, reactions).
 * It runs to its end even when the webhook has already been answered (see the deadline above).
 */
async function storeEvent(deps: IntakeDeps, event: Exclude<Classified, { kind: 'ignore' }>, deliveryId: string | null, now: number): Promise<StoreOutcome> {
  const settings = await deps.settings.forInbox(inboxOf(event));
  if (!settings.enabled) return { kind: 'ignored', reason: `bot disabled for inbox ${inboxOf(event) ?? '?'} (inbox-config enabled=false)` };
  if (event.kind === 'customer_message' && event.labels?.includes(settings.botOffLabel)) {
    return { kind: 'ignored', reason: `conversation has the label ${settings.botOffLabel}` };
  }
  if (event.kind === 'command') {
    await deps.commands.run(event, now);
    return { kind: 'accepted', log: { command: event.command.command } };
  }
  const policy: DebouncePolicy = { debounceMs: settings.debounceMs, debounceMaxMs: settings.debounceMaxMs, voiceWaitMs: settings.voiceWaitMs };
  const result = await deps.store.accept({ ...event, deliveryId }, policy, now);
  if (result.outcome === 'ignored') return { kind: 'ignored', reason: result.reason };
  if (result.outcome === 'duplicate') return { kind: 'duplicate' };
  await deps.reactions.afterStored(event, settings);
  if (result.dueAt !== null) deps.scheduler.notify(event.key, result.dueAt);
  return { kind: 'accepted', log: { note: result.note, dueInMs: result.dueAt === null ? undefined : result.dueAt - now } };
}

function inboxOf(event: Exclude<Classified, { kind: 'ignore' }>): number | null {
  switch (event.kind) {
    case 'customer_message':
      return event.message.inboxId;
    case 'takeover':
    case 'status':
    case 'command':
      return event.inboxId;
    default:
      return null;
  }
}

function logFields(event: Classified, name: unknown, deliveryId: string | null, inbox: unknown): Record<string, unknown> {
  return {
    event: typeof name === 'string' ? name : undefined,
    kind: event.kind,
    delivery: deliveryId ?? undefined,
    account: event.key?.accountId,
    conversation: event.key?.conversationId,
    inbox: typeof inbox === 'number' ? inbox : event.kind === 'status' || event.kind === 'takeover' || event.kind === 'command' ? event.inboxId : undefined,
    messageId: event.kind === 'customer_message' ? event.message.messageId : 'messageId' in event ? event.messageId : undefined,
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
