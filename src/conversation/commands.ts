import type { ChatwootClient } from '../chatwoot/client.js';
import type { AgentCommandEvent } from '../domain/events.js';
import type { SessionRunner } from '../hermes/session.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { logKey, type ConversationKey } from '../domain/conversation.js';
import { errorForLog } from '../util/error-for-log.js';

export type StateCommand = 'pause' | 'resume' | 'reset';

export interface StateCommandDeps {
  store: Pick<Store, 'setBotState'>;
  sessions: Pick<SessionRunner, 'reset'>;
}

/**
 * What pause, resume and reset do, for `/bot` notes and the bot panel alike (`via` names where the
 * agent asked, in the recorded reason). Answers the sentence the team reads in the private note.
 */
export async function applyStateCommand(deps: StateCommandDeps, req: { key: ConversationKey; command: StateCommand; via: string; now: number }): Promise<string> {
  const { key, now, via } = req;
  switch (req.command) {
    case 'pause':
      await deps.store.setBotState(key, 'paused', `paused by an agent (${via})`, now);
      return '🤖 Bot paused in this conversation. Send `/bot resume` to let it answer again.';
    case 'resume':
      await deps.store.setBotState(key, 'active', `resumed by an agent (${via})`, now);
      return "🤖 Bot resumed: it answers the customer's next message while the conversation is pending.";
    case 'reset': {
      const session = await deps.sessions.reset(key, now);
      return `🤖 New Hermes session for this conversation: ${session.sessionId}. Hermes starts without the earlier context.`;
    }
  }
}

/**
 * `/bot pause|resume|reset|status` in an agent's private note. State changes are store writes (done
 * before the webhook is answered); the answer to the agent is a private note, posted in the
 * background so intake never waits on Chatwoot.
 */
export class AgentCommands {
  constructor(
    private readonly deps: {
      store: Pick<Store, 'setBotState' | 'getConversation' | 'getSession' | 'lastTurn'>;
      chatwoot: Pick<ChatwootClient, 'postMessage'>;
      sessions: Pick<SessionRunner, 'reset'>;
      log: Logger;
    },
  ) {}

  async run(event: AgentCommandEvent, now = Date.now()): Promise<string> {
    const { key } = event;
    const { command } = event.command;
    let reply: string;
    if (command === 'pause' || command === 'resume' || command === 'reset') reply = await applyStateCommand(this.deps, { key, command, via: `/bot ${command}`, now });
    else if (command === 'status') reply = await this.status(event);
    else reply = '🤖 Unknown command. Use `/bot pause`, `/bot resume`, `/bot reset` or `/bot status`.';
    this.deps.log.info({ ...logKey(key), command: event.command.command, messageId: event.messageId }, 'agent command');
    void this.deps.chatwoot
      .postMessage(key, { content: reply, private: true })
      .catch((error) => this.deps.log.warn({ ...logKey(key), err: errorForLog(error) }, 'could not answer the agent command'));
    return reply;
  }

  private async status(event: AgentCommandEvent): Promise<string> {
    const { store } = this.deps;
    const [conversation, session, last] = await Promise.all([store.getConversation(event.key), store.getSession(event.key), store.lastTurn(event.key)]);
    const lines = [
      '🤖 Bot status',
      `State: ${conversation?.botState ?? 'active'}${conversation?.stateReason ? ` (${conversation.stateReason})` : ''}`,
      `Hermes session: ${session ? `${session.sessionId} (${session.mode === 'server' ? 'id issued by Hermes' : 'our id'}, generation ${session.generation})` : 'none yet'}`,
      `Turns answered: ${session?.turnCount ?? 0}`,
      `Last turn: ${last ? `${last.state}${last.error ? ` — ${last.error}` : ''}` : 'none'}`,
    ];
    return lines.join('\n');
  }
}
