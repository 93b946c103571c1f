import type { ChatwootClient } from '../chatwoot/client.js';
import type { AgentCommandEvent } from '../domain/events.js';
import type { SessionRunner } from '../hermes/session.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { logKey } from '../domain/conversation.js';
import { errorForLog } from '../util/error-for-log.js';

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
    const { store, sessions } = this.deps;
    const { key } = event;
    let reply: string;
    switch (event.command.command) {
      case 'pause':
        await store.setBotState(key, 'paused', 'paused by an agent (/bot pause)', now);
        reply = '🤖 Bot paused in this conversation. Send `/bot resume` to let it answer again.';
        break;
      case 'resume':
        await store.setBotState(key, 'active', 'resumed by an agent (/bot resume)', now);
        reply = '🤖 Bot resumed: it answers the customer\'s next message while the conversation is pending.';
        break;
      case 'reset': {
        const session = await sessions.reset(key, now);
        reply = `🤖 New Hermes session for this conversation: ${session.sessionId}. Hermes starts without the earlier context.`;
        break;
      }
      case 'status':
        reply = await this.status(event);
        break;
      default:
        reply = '🤖 Unknown command. Use `/bot pause`, `/bot resume`, `/bot reset` or `/bot status`.';
    }
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
