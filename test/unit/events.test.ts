import { describe, expect, it } from 'vitest';
import { classify } from '../../src/chatwoot/events.js';
import { loadFixture } from '../helpers/shared.js';

const key = { accountId: 1, conversationId: 1042 };

describe('classify: what starts a turn', () => {
  it('a customer text in a pending conversation is a customer message', () => {
    const c = classify(loadFixture('message_created-incoming-text'));
    expect(c).toMatchObject({ kind: 'customer_message', key, status: 'pending', message: { messageId: 58231, inboxId: 7, contactId: 3120, text: 'Olá! Vocês abrem no sábado?' } });
  });

  it('accepts the integer message_type 0 as incoming', () => {
    const body = loadFixture('message_created-incoming-text');
    body.message_type = 0;
    expect(classify(body).kind).toBe('customer_message');
  });

  it('fields a newer Chatwoot adds, at any level, neither refuse the event nor change it; attachments keep theirs', () => {
    const body = loadFixture('message_created-incoming-image');
    body.future_field = { nested: true };
    body.sender.future_field = 1;
    body.conversation.future_field = [1, 2];
    body.conversation.meta.sender.future_field = 'x';
    body.attachments[0].future_field = 'kept';
    const plain = classify(loadFixture('message_created-incoming-image'));
    if (plain.kind !== 'customer_message') throw new Error(`fixture classified as ${plain.kind}`);
    const attachments = plain.message.attachments.map((a, i) => (i === 0 ? { ...a, future_field: 'kept' } : a));
    expect(classify(body)).toEqual({ ...plain, message: { ...plain.message, attachments } });
  });

  it('an image with caption and a voice note without text both start a turn', () => {
    const image = classify(loadFixture('message_created-incoming-image'));
    expect(image).toMatchObject({ kind: 'customer_message', message: { text: 'Segue o comprovante' } });
    const audio = classify(loadFixture('message_created-incoming-audio'));
    expect(audio.kind).toBe('customer_message');
    if (audio.kind === 'customer_message') {
      expect(audio.message.text).toBe('');
      expect(audio.message.attachments[0]?.file_type).toBe('audio');
    }
  });
});

describe('classify: takeover and echoes', () => {
  it('an agent reply is a takeover by an agent', () => {
    expect(classify(loadFixture('message_created-outgoing-agent'))).toMatchObject({ kind: 'takeover', by: 'agent', key, messageId: 58236 });
  });
  it('a reply typed on the WhatsApp phone (sender null) is a takeover by phone', () => {
    expect(classify(loadFixture('message_created-outgoing-phone-echo'))).toMatchObject({ kind: 'takeover', by: 'phone', key, messageId: 58237 });
  });
  // Message#human_response? (app/models/message.rb): outgoing, no automation_rule_id, no campaign_id,
  // and a User sender or external_echo present.
  const phoneEcho = (mutate: (b: any) => void) => {
    const body = loadFixture('message_created-outgoing-phone-echo');
    mutate(body);
    return classify(body);
  };
  it("an automation rule's \"send message\" (sender null, automation_rule_id, no external_echo) is not a takeover", () => {
    expect(phoneEcho((b) => (b.content_attributes = { automation_rule_id: 3 }))).toMatchObject({
      kind: 'ignore',
      reason: 'outgoing message from an automation rule: not a human reply',
      messageId: 58237,
    });
  });
  it("an automation's \"send attachment\" (sender null, content null, no content_attributes) is not a takeover", () => {
    expect(phoneEcho((b) => ((b.content_attributes = {}), (b.content = null)))).toMatchObject({
      kind: 'ignore',
      reason: 'outgoing message without a sender and without external_echo: not a human reply',
    });
  });
  it('external_echo must be present: false or an empty string is not a phone echo', () => {
    for (const value of [false, '', null]) {
      expect(phoneEcho((b) => (b.content_attributes = { external_echo: value }))).toMatchObject({ kind: 'ignore' });
    }
    expect(phoneEcho((b) => (b.content_attributes = { external_echo: 'true' }))).toMatchObject({ kind: 'takeover', by: 'phone' });
  });
  it('an automation_rule_id wins even over a user sender or external_echo; so does a campaign_id', () => {
    expect(phoneEcho((b) => (b.content_attributes = { external_echo: true, automation_rule_id: 9 }))).toMatchObject({ kind: 'ignore' });
    const agent = loadFixture('message_created-outgoing-agent');
    agent.additional_attributes = { campaign_id: 2 };
    expect(classify(agent)).toMatchObject({ kind: 'ignore', reason: 'outgoing campaign message: not a human reply' });
  });
  it("the bot's own reply comes back as an echo, never as a turn", () => {
    expect(classify(loadFixture('message_created-outgoing-bot'))).toMatchObject({ kind: 'bot_echo', key, messageId: 58232, private: false });
  });
});

describe('classify: status events', () => {
  it('conversation_status_changed carries the new status', () => {
    expect(classify(loadFixture('conversation_status_changed-open'))).toMatchObject({ kind: 'status', key, status: 'open', inboxId: 7 });
  });
  it('conversation_resolved carries resolved', () => {
    expect(classify(loadFixture('conversation_resolved'))).toMatchObject({ kind: 'status', key, status: 'resolved' });
  });
  it('conversation_updated counts only when the status changed', () => {
    const body = loadFixture('conversation_status_changed-open');
    body.event = 'conversation_updated';
    body.changed_attributes = [{ labels: { previous_value: [], current_value: ['vip'] } }];
    expect(classify(body)).toMatchObject({ kind: 'ignore', reason: 'conversation_updated without a status change' });
    body.changed_attributes = [{ status: { previous_value: 'pending', current_value: 'open' } }];
    expect(classify(body)).toMatchObject({ kind: 'status', status: 'open' });
  });
  it('conversation_updated assigning a user is a takeover by assignment; unassigning is not', () => {
    const body = loadFixture('conversation_status_changed-open');
    body.event = 'conversation_updated';
    body.status = 'pending';
    body.changed_attributes = [{ assignee_id: { previous_value: null, current_value: 12 } }];
    expect(classify(body)).toEqual({ kind: 'takeover', key, status: 'pending', inboxId: 7, by: 'assignment', assigneeId: 12 });
    body.changed_attributes = [{ assignee_id: { previous_value: 12, current_value: null } }];
    expect(classify(body)).toMatchObject({ kind: 'ignore', reason: 'conversation_updated without a status change' });
    // Assigning the bot itself changes assignee_agent_bot_id, not assignee_id.
    body.changed_attributes = [{ assignee_agent_bot_id: { previous_value: null, current_value: 4 } }];
    expect(classify(body)).toMatchObject({ kind: 'ignore' });
  });
});

describe('classify: everything else is acknowledged and ignored with a reason', () => {
  const cases: Array<[string, (b: any) => void, string]> = [
    ['private note', () => {}, 'private note'],
    ['template', (b) => ((b.message_type = 'template'), (b.private = false)), 'template message (greeting / out of office)'],
    ['activity', (b) => ((b.message_type = 2), (b.private = false)), 'activity message'],
  ];
  it.each(cases)('%s', (_name, mutate, reason) => {
    const body = loadFixture('message_created-private-note');
    mutate(body);
    expect(classify(body)).toMatchObject({ kind: 'ignore', reason });
  });

  it('a message_updated with external_error on the bot\'s own reply is a failed delivery; on a note or an agent\'s reply it is not', () => {
    const body = loadFixture('message_created-outgoing-bot');
    body.event = 'message_updated';
    body.content_attributes = { external_error: '131047: Re-engagement message' };
    expect(classify(body)).toEqual({ kind: 'delivery_failed', key, status: body.conversation.status, messageId: 58232, error: '131047: Re-engagement message' });
    body.private = true;
    expect(classify(body)).toMatchObject({ kind: 'ignore' });
    const agent = loadFixture('message_created-outgoing-agent');
    agent.event = 'message_updated';
    agent.content_attributes = { external_error: 'x' };
    expect(classify(agent)).toMatchObject({ kind: 'ignore' });
  });

  it("the bot's own private note is its echo (a hand-off note's witness), not an ignored note", () => {
    const body = loadFixture('message_created-private-note');
    body.sender = { id: 4, name: 'Assistente Acme', type: 'agent_bot' };
    expect(classify(body)).toMatchObject({ kind: 'bot_echo', key, messageId: body.id, content: body.content, private: true });
  });

  it('a customer message in an open conversation keeps its status (the store decides: ignore, or hand-back context)', () => {
    const body = loadFixture('message_created-incoming-text');
    body.conversation.status = 'open';
    expect(classify(body)).toMatchObject({ kind: 'customer_message', status: 'open' });
  });

  it('an incoming message not written by the contact', () => {
    const body = loadFixture('message_created-incoming-text');
    body.sender = { id: 12, name: 'Ana', type: 'user' };
    expect(classify(body)).toMatchObject({ kind: 'ignore', reason: 'incoming message not written by the contact' });
  });

  it('an incoming message with neither text nor attachments', () => {
    const body = loadFixture('message_created-incoming-text');
    body.content = '   ';
    expect(classify(body)).toMatchObject({ kind: 'ignore', reason: 'incoming message without text or attachments' });
  });

  it('message_updated with a voice transcript is a transcript; receipts are ignored', () => {
    const transcript = classify(loadFixture('message_updated-audio-transcribed'));
    expect(transcript).toMatchObject({ kind: 'transcript', key, messageId: 58234 });
    if (transcript.kind === 'transcript') expect(transcript.transcript.length).toBeGreaterThan(0);
    const receipt = loadFixture('message_updated-audio-transcribed');
    receipt.attachments[0].transcribed_text = '';
    expect(classify(receipt)).toMatchObject({ kind: 'ignore', reason: 'message_updated without a new transcript (receipts, edits) does not start a turn' });
  });

  it('unknown events and malformed payloads', () => {
    expect(classify({ event: 'webwidget_triggered' })).toMatchObject({ kind: 'ignore', reason: 'event webwidget_triggered is not handled' });
    expect(classify({ event: 'message_created', id: 'x' })).toMatchObject({ kind: 'ignore' });
    expect(classify({})).toMatchObject({ kind: 'ignore', reason: 'event (none) is not handled' });
  });
});
