import { performance } from 'node:perf_hooks';
import type { Context } from 'koa';
import { classify, type Classified } from '../chatwoot/events.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from '../conversation/scheduler.js';
import type { DebouncePolicy, Store } from '../store/store.js';
import { authenticateWebhook, type WebhookAuth } from './authenticate.js';
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
 * over 5 s, so every authentic event is answered 2xx — ignored ones too — and 200 means stored.
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

    const now = Date.now();
    let result;
    try {
      const settings = await deps.settings.forInbox(inboxOf(event));
      if (!settings.enabled) return ignore(`bot disabled for inbox ${inboxOf(event) ?? '?'} (inbox-config enabled=false)`);
      if (event.kind === 'customer_message' && event.labels?.includes(settings.botOffLabel)) {
        return ignore(`conversation has the label ${settings.botOffLabel}`);
      }
      if (event.kind === 'command') {
        await deps.commands.run(event, now);
        info({ command: event.command.command }, 'event accepted');
        ctx.body = { status: 'accepted' };
        return;
      }
      const policy: DebouncePolicy = { debounceMs: settings.debounceMs, debounceMaxMs: settings.debounceMaxMs, voiceWaitMs: settings.voiceWaitMs };
      result = await deps.store.accept({ ...event, deliveryId }, policy, now);
      if (result.outcome === 'ignored') return ignore(result.reason);
      if (result.outcome === 'stored') await deps.reactions.afterStored(event, settings);
    } catch (error) {
      // Not stored, so not acknowledged: Chatwoot retries (429/500 only), then opens the conversation
      // for humans. That is the safe outcome; a 200 here would lose the customer's message.
      log.error({ ...fields(), err: String(error) }, 'event could not be stored');
      ctx.status = 503;
      ctx.body = { error: 'temporarily unable to store the event' };
      return;
    }
    if (result.outcome === 'duplicate') {
      info({}, 'duplicate event');
      ctx.body = { status: 'duplicate' };
      return;
    }
    if (result.dueAt !== null) deps.scheduler.notify(event.key, result.dueAt);
    if (log.isLevelEnabled('info')) info({ note: result.note, dueInMs: result.dueAt === null ? undefined : result.dueAt - now }, 'event accepted');
    ctx.body = { status: 'accepted' };
  };
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
