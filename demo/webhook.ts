/**
 * A customer's WhatsApp message as Chatwoot delivers it to an agent bot: a `message_created` body
 * (Message#webhook_data, chatwoot.md §3), signed with the bot's secret over "<timestamp>.<raw body>".
 */
import { postWebhook, type WebhookResponse } from '../test/helpers/sign.js';
import { ACCOUNT_ID, INBOX, type Customer } from './script.js';

export function incomingMessage(customer: Customer, messageId: number, text: string): Record<string, unknown> {
  const now = new Date();
  const contact = {
    additional_attributes: {},
    custom_attributes: {},
    email: null,
    id: customer.contactId,
    identifier: null,
    name: customer.name,
    phone_number: customer.phone,
    thumbnail: '',
    blocked: false,
  };
  const account = { id: ACCOUNT_ID, name: 'Acme Bakery' };
  return {
    account,
    additional_attributes: {},
    content_attributes: {},
    content_type: 'text',
    content: text,
    conversation: {
      additional_attributes: {},
      can_reply: true,
      channel: 'Channel::Whatsapp',
      contact_inbox: { contact_id: customer.contactId, inbox_id: INBOX.id, source_id: customer.phone.slice(1) },
      id: customer.conversationId,
      inbox_id: INBOX.id,
      messages: [{ id: messageId, content: text, account_id: ACCOUNT_ID, inbox_id: INBOX.id, conversation_id: customer.conversationId, message_type: 0, private: false, sender_type: 'Contact', sender_id: customer.contactId }],
      labels: [],
      meta: { sender: { ...contact, type: 'contact' }, assignee: null, assignee_type: null, team: null, hmac_verified: false },
      status: 'pending',
      account,
    },
    created_at: now.toISOString(),
    id: messageId,
    inbox: INBOX,
    message_type: 'incoming',
    private: false,
    sender: { account, ...contact },
    source_id: `wamid.demo-${customer.conversationId}-${messageId}`,
    event: 'message_created',
  };
}

export function deliver(webhookUrl: string, body: unknown, secret: string): Promise<WebhookResponse> {
  return postWebhook(webhookUrl, body, secret);
}
