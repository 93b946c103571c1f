/**
 * Messages Chatwoot creates by itself when an automation rule runs (app/services/automation_rules/
 * action_service.rb, v4.15.1). They go through Messages::MessageBuilder with a nil user, so they have
 * no sender; only "send message" and "add private note" carry `automation_rule_id`, "send attachment"
 * does not. None of them is a human reply (Message#human_response? needs a User or external_echo).
 */
import type { ChatwootState } from './state.js';
import type { ConversationState, StoredMessage } from './types.js';

export interface AutomationAction {
  content?: string | null;
  ruleId?: number;
  private?: boolean;
  /** "send attachment": content nil, one file, no automation_rule_id. */
  attachment?: boolean;
}

export function createAutomationMessage(
  state: ChatwootState,
  conv: ConversationState,
  action: AutomationAction,
  renderOutgoing: (conv: ConversationState, content: string, sender: StoredMessage['sender']) => string,
): StoredMessage {
  const ruleId = action.ruleId ?? 1;
  const sender: StoredMessage['sender'] = { kind: 'none', id: 0, name: '' };
  const content = action.attachment ? null : (action.content ?? 'Olá! Recebemos sua mensagem.');
  const stored = state.addMessage(conv, {
    // Outgoing, so rendered like any other (a welcome "Olá {{contact.first_name}}" is how rules greet).
    content: content === null ? null : renderOutgoing(conv, content, sender),
    private: action.private === true,
    message_type: 'outgoing',
    content_type: 'text',
    content_attributes: action.attachment ? {} : { automation_rule_id: ruleId },
    sender,
    source_id: null,
    echo_id: null,
    template_params: null,
  });
  if (action.attachment) {
    stored.attachments = [
      {
        id: stored.id + 500000,
        message_id: stored.id,
        file_type: 'image',
        account_id: conv.accountId,
        extension: null,
        data_url: `https://chat.acme.example/rails/active_storage/blobs/redirect/automation-${stored.id}/welcome.png`,
        thumb_url: `https://chat.acme.example/rails/active_storage/representations/redirect/automation-${stored.id}/welcome.png`,
        file_size: 20480,
        width: null,
        height: null,
      },
    ];
  }
  return stored;
}
