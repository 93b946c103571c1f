/**
 * Assigning a conversation to a human agent is a takeover, like a reply from them: Chatwoot sends
 * conversation_updated with changed_attributes [{assignee_id: {previous_value, current_value}}]
 * (Conversation#notify_conversation_updation, AgentBotListener#conversation_updated) and nothing else
 * tells the bot. Chatwoot's own auto-assignment picks only open conversations
 * (auto_assignment/assignment_service.rb: `inbox.conversations.unassigned.open`), so a pending one is
 * assigned by a person.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.chatwoot.violations()).toEqual([]);
  await h.close();
});

const key = { accountId: 1, conversationId: 1042 };
const publicMessages = () => h.chatwoot.messages(1, 1042, { private: false }).map((m) => m.content);

/** What Chatwoot sends when an agent assigns conversation 1042 (still pending) to user 12. */
const assignedTo = (userId: number | null) => (b: any) => {
  b.event = 'conversation_updated';
  b.status = 'pending';
  b.meta.assignee = userId === null ? null : { id: userId, name: 'Ana Lima', available_name: 'Ana Lima', type: 'user' };
  b.meta.assignee_type = userId === null ? null : 'User';
  b.changed_attributes = [{ assignee_id: { previous_value: userId === null ? 12 : null, current_value: userId } }, { updated_at: { previous_value: '2026-06-17T14:18:00.000Z', current_value: '2026-06-17T14:18:45.702Z' } }];
};

describe('an assignment to a human agent', () => {
  it('while Hermes thinks: the reply is not posted, the bot goes quiet and opens the conversation', async () => {
    h = await startHarness({ hermes: { delayMs: 400 } });
    await h.send('message_created-incoming-text');
    await waitUntil(() => h.hermes.activeRuns === 1);
    const delivered = await h.deliver('conversation_status_changed-open', assignedTo(12));
    expect(delivered.outcome).toBe('delivered');
    await waitUntil(async () => (await h.bot.store.lastTurn(key))?.state === 'skipped');
    expect(publicMessages()).toEqual([]);
    const conversation = await h.bot.store.getConversation(key);
    expect(conversation).toMatchObject({ botState: 'human', stateReason: 'the conversation was assigned to an agent' });
    // openOnTakeover (default): Chatwoot shows the conversation as the team's.
    await waitUntil(() => h.chatwoot.conversation(1, 1042).status === 'open');
    // The customer's next message, still "pending" in its frozen payload, is not answered.
    await h.send('message_created-incoming-text', customerMessage(9001, 'Obrigada!'));
    await sleep(200);
    expect(h.hermes.completions()).toHaveLength(1);
  });

  it('an unassignment is not a takeover: the bot keeps answering', async () => {
    h = await startHarness();
    const res = await h.send('conversation_status_changed-open', assignedTo(null));
    expect(res.body).toEqual({ status: 'ignored', reason: 'conversation_updated without a status change' });
    await h.send('message_created-incoming-text');
    await waitUntil(() => publicMessages().length === 1);
    expect((await h.bot.store.getConversation(key))?.botState).toBe('active');
  });
});
