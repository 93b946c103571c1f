import type { ChatwootClient } from '../chatwoot/client.js';
import { applyStateCommand, type StateCommandDeps } from '../conversation/commands.js';
import { logKey, type ConversationKey } from '../domain/conversation.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Store } from '../store/store.js';
import { attribution, describeAgent, type ReportedAgent } from './agent.js';

export const PANEL_ACTIONS = ['pause', 'resume', 'reset', 'handoff'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

export interface PanelActionDeps extends StateCommandDeps {
  store: Pick<Store, 'setBotState' | 'handOffNow'>;
  chatwoot: Pick<ChatwootClient, 'postMessage'>;
  scheduler: Pick<Scheduler, 'notify'>;
  log: Logger;
}

/** `posted`/`failed`: the private note, posted now; `planned`: the hand-off's note, posted by its turn. */
export type NoteOutcome = 'posted' | 'failed' | 'planned';

/**
 * The panel's buttons. Pause, resume and reset do exactly what `/bot pause|resume|reset` does
 * (conversation/commands.ts); "hand off now" plans a hand-off that the scheduler runs through the one
 * hand-off path (conversation/handoff.ts). Each leaves a private note naming the agent as Chatwoot's
 * page reported them, so the team sees who did what, and whose word that is.
 */
export class PanelActions {
  constructor(private readonly deps: PanelActionDeps) {}

  async run(req: { key: ConversationKey; action: PanelAction; agent: ReportedAgent; now: number }): Promise<NoteOutcome> {
    const { key, action, agent, now } = req;
    const { log } = this.deps;
    log.info({ ...logKey(key), action, agentId: agent.id }, 'bot panel action');
    if (action === 'handoff') {
      const reason = `an agent asked for it from the bot panel: ${describeAgent(agent)}, as Chatwoot's page reported them (not verified by the bot)`;
      await this.deps.store.handOffNow(key, reason, now);
      this.deps.scheduler.notify(key, now);
      return 'planned';
    }
    const reply = await applyStateCommand(this.deps, { key, command: action, via: 'bot panel', now });
    try {
      await this.deps.chatwoot.postMessage(key, { content: `${reply}\n\n${attribution(agent)}`, private: true });
      return 'posted';
    } catch (error) {
      log.warn({ ...logKey(key), action, err: String(error) }, 'could not post the bot panel note');
      return 'failed';
    }
  }
}
