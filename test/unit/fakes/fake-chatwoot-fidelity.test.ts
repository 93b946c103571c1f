/** The fake answers and renders as Chatwoot v4.15.1's code does (the file named in each test). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeChatwoot, type FakeChatwoot, type FakeChatwootOptions } from '../../fakes/fake-chatwoot.js';

const conv = '/api/v1/accounts/1/conversations/1042';
let fake: FakeChatwoot;
let hook: Server | undefined;
const received: any[] = [];
afterEach(async () => {
  await fake.close();
  await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
  hook = undefined;
  received.length = 0;
});

async function start(opts: FakeChatwootOptions = {}, withEcho = false): Promise<FakeChatwoot> {
  if (withEcho) {
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => (received.push(JSON.parse(raw)), res.writeHead(200).end()));
    });
    await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
    opts = { ...opts, echo: { webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, secret: 's' } };
  }
  fake = await startFakeChatwoot(opts);
  return fake;
}

async function call(path: string, body?: unknown, method = 'POST') {
  const res = await fetch(fake.url + path, {
    method,
    headers: { 'api-access-token': 'bot-token', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

describe('fake Chatwoot: answers as the controllers and views do', () => {
  it('toggle_status answers {"payload": …} only (toggle_status.json.jbuilder: the empty meta block is dropped)', async () => {
    await start();
    fake.setConversation(1, 1042, { status: 'open' });
    const snoozeUntil = 1_800_000_000;
    const res = await call(`${conv}/toggle_status`, { status: 'snoozed', snoozed_until: snoozeUntil });
    expect(res).toEqual({
      status: 200,
      json: { payload: { success: true, conversation_id: 1042, current_status: 'snoozed', snoozed_until: new Date(snoozeUntil * 1000).toISOString() } },
    });
  });

  it('an unknown team_id answers 200 null and clears the team (assignments_controller#set_team)', async () => {
    await start({ teams: [{ id: 2, name: 'Suporte' }] });
    expect(await call(`${conv}/assignments`, { team_id: 2 })).toMatchObject({ status: 200, json: { id: 2, name: 'team 2', account_id: 1 } });
    expect(fake.conversation(1, 1042).teamId).toBe(2);
    expect(await call(`${conv}/assignments`, { team_id: 99 })).toEqual({ status: 200, json: null });
    expect(fake.conversation(1, 1042).teamId).toBeNull();
  });

  it('message 422s read "Validation failed: …" (messages_controller#create rescues RecordInvalid into {error})', async () => {
    await start({ messageRateLimit: 1 });
    expect((await call(`${conv}/messages`, { content: 'um' })).status).toBe(200);
    expect(await call(`${conv}/messages`, { content: 'x'.repeat(150_001) })).toEqual({
      status: 422,
      json: { error: 'Validation failed: Too many messages, Content is too long (maximum is 150000 characters)' },
    });
  });
});

describe('fake Chatwoot: Liquid in outgoing content (liquidable.rb)', () => {
  it('stores and echoes replies and private notes rendered; incoming messages are not rendered', async () => {
    await start({}, true);
    const reply = await call(`${conv}/messages`, { content: 'Olá {{contact.first_name}}! `{{contact.name}}` {{ nada }}' });
    expect(reply.json.content).toBe('Olá Cliente! `{{contact.name}}` ');
    const note = await call(`${conv}/messages`, { content: 'Nota: {{ conversation.display_id }} em {{inbox.name}}', private: true });
    expect(note.json.content).toBe('Nota: 1042 em WhatsApp Vendas');
    const customer = fake.customerMessage(1, 1042, { content: 'eu digitei {{contact.name}}' });
    expect(customer.content).toBe('eu digitei {{contact.name}}');
    await fake.waitFor((f) => f.echoes.filter((e) => e.status === 200).length === 3);
    expect(received.map((r) => [r.message_type, r.private, r.content])).toEqual([
      ['outgoing', false, 'Olá Cliente! `{{contact.name}}` '],
      ['outgoing', true, 'Nota: 1042 em WhatsApp Vendas'],
      ['incoming', false, 'eu digitei {{contact.name}}'],
    ]);
    expect(fake.violations()).toEqual([]);
  });

  it('reports a Liquid tag it cannot render instead of guessing', async () => {
    await start();
    await call(`${conv}/messages`, { content: '{% if contact.name %}oi{% endif %}' });
    expect(fake.violations()).toEqual([expect.stringContaining("fake-chatwoot cannot render Liquid tag 'if'")]);
  });

  it('webhooks carry the content normalised (WebhookContentNormalizer: no hard-break backslashes, no trailing newlines)', async () => {
    await start({}, true);
    await call(`${conv}/messages`, { content: 'linha 1\\\nlinha 2\n\n' });
    await fake.waitFor((f) => f.echoes.some((e) => e.status === 200));
    expect(fake.messages(1, 1042)[0]!.content).toBe('linha 1\\\nlinha 2\n\n');
    expect(received[0].content).toBe('linha 1\nlinha 2');
  });
});

describe('fake Chatwoot: updates Chatwoot sends by itself', () => {
  it('a voice note: message_created, then at once a message_updated with an empty transcript (enterprise), then Captain\'s', async () => {
    await start({}, true);
    const voice = fake.customerMessage(1, 1042, { audio: true });
    fake.transcribe(1, 1042, voice.id, 'quero dois pães');
    await fake.waitFor((f) => f.echoes.filter((e) => e.status === 200).length === 3);
    expect(received.map((r) => [r.event, r.id, r.content, r.attachments[0].file_type, r.attachments[0].transcribed_text])).toEqual([
      ['message_created', voice.id, null, 'audio', ''],
      ['message_updated', voice.id, null, 'audio', ''],
      ['message_updated', voice.id, null, 'audio', 'quero dois pães'],
    ]);
    expect(received[0].sender).not.toHaveProperty('type');
  });

  it('a community build sends no empty-transcript update', async () => {
    await start({ edition: 'community' }, true);
    fake.customerMessage(1, 1042, { audio: true });
    await fake.waitFor((f) => f.echoes.some((e) => e.status === 200));
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.echoes.map((e) => e.event)).toEqual(['message_created']);
  });

  it("a delivery WhatsApp refused: message_updated with content_attributes.external_error for the bot's message", async () => {
    await start({}, true);
    const posted = await call(`${conv}/messages`, { content: 'Fora da janela' });
    fake.failDelivery(1, 1042, posted.json.id);
    await fake.waitFor((f) => f.echoes.filter((e) => e.status === 200).length === 2);
    expect(received[1]).toMatchObject({
      event: 'message_updated',
      id: posted.json.id,
      message_type: 'outgoing',
      content: 'Fora da janela',
      content_attributes: { external_error: '131047: Re-engagement message' },
      sender: { type: 'agent_bot' },
    });
  });

  it('automation messages have no sender; only "send message" carries automation_rule_id', async () => {
    await start({}, true);
    fake.automationMessage(1, 1042, { content: 'Bem-vindo, {{contact.first_name}}!', ruleId: 7 });
    fake.automationMessage(1, 1042, { attachment: true });
    await fake.waitFor((f) => f.echoes.filter((e) => e.status === 200).length === 2);
    expect(received[0]).toMatchObject({ message_type: 'outgoing', sender: null, content: 'Bem-vindo, Cliente!', content_attributes: { automation_rule_id: 7 } });
    expect(received[1]).toMatchObject({ message_type: 'outgoing', sender: null, content: null, content_attributes: {}, attachments: [{ file_type: 'image' }] });
    expect(received[1].conversation.messages[0]).toMatchObject({ sender_type: null, sender_id: null });
  });
});
