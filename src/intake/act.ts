import type { AgentCommands } from '../conversation/commands.js';
import type { Reactions } from '../conversation/reactions.js';
import type { InboxSettingsProvider } from '../conversation/settings.js';
import type { ConversationKey } from '../domain/conversation.js';
import type { Classified } from '../domain/events.js';
import { inboxOf } from '../domain/intake.js';
import type { DebouncePolicy, EventStore } from '../store/store.js';
import type { IntakeOutcome } from './outcome.js';

/** Whoever runs turns: told when a stored event makes one due, so it need not poll the store. */
export interface TurnWaker {
  notify(key: ConversationKey, dueAt: number): void;
}

/** What intake's policy uses, each by the role it plays (nothing here needs the whole Store). */
export interface IntakePolicyDeps {
  store: EventStore;
  scheduler: TurnWaker;
  settings: Pick<InboxSettingsProvider, 'forInbox'>;
  commands: Pick<AgentCommands, 'run'>;
  reactions: Pick<Reactions, 'afterStored'>;
}

/**
 * Everything an authentic, classified event makes the bot do before it is acknowledged: the inbox's
 * settings (enabled, the bot-off label), an agent command, the durable write, and what follows a write
 * (the turn's wake-up, reactions). It runs to its end even when the caller has stopped waiting (see
 * the store deadline in receive.ts): a write that lands late still schedules its turn.
 */
export async function actOn(deps: IntakePolicyDeps, event: Exclude<Classified, { kind: 'ignore' }>, delivery: { deliveryId: string | null; receivedAt: number }): Promise<IntakeOutcome> {
  const now = delivery.receivedAt;
  const settings = await deps.settings.forInbox(inboxOf(event));
  if (!settings.enabled) return { status: 'ignored', reason: `bot disabled for inbox ${inboxOf(event) ?? '?'} (inbox-config enabled=false)` };
  if (event.kind === 'customer_message' && event.labels?.includes(settings.botOffLabel)) {
    return { status: 'ignored', reason: `conversation has the label ${settings.botOffLabel}` };
  }
  if (event.kind === 'command') {
    await deps.commands.run(event, now);
    return { status: 'accepted', command: event.command.command };
  }
  const policy: DebouncePolicy = { debounceMs: settings.debounceMs, debounceMaxMs: settings.debounceMaxMs, voiceWaitMs: settings.voiceWaitMs };
  const result = await deps.store.accept({ ...event, deliveryId: delivery.deliveryId }, policy, now);
  if (result.outcome === 'ignored') return { status: 'ignored', reason: result.reason };
  if (result.outcome === 'duplicate') return { status: 'duplicate' };
  await deps.reactions.afterStored(event, settings);
  if (result.dueAt !== null) deps.scheduler.notify(event.key, result.dueAt);
  return { status: 'accepted', note: result.note, dueInMs: result.dueAt === null ? undefined : result.dueAt - now };
}
