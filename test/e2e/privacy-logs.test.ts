/**
 * Logs travel to log drains and third parties, so at info and above they carry ids, kinds and
 * reasons only: never what a customer wrote, a reply, a name, a phone number or an attachment's URL
 * (issue #16). Whole conversations run through the real app — a reply, a customer asking for a human
 * while giving an ID number, a blocked reply, an undelivered reply, a /bot command, a voice note — and
 * every line the production logger wrote is scanned. Private notes to the team may quote the
 * customer: they stay in Chatwoot (checked too, so the scenarios provably carried the data).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/shared.js';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  const violations = h?.chatwoot.violations() ?? [];
  await h?.close();
  expect(violations).toEqual([]);
});

const CPF = '123.456.789-09';
const texts = {
  reply: 'Meu pedido 4471 chegou quebrado, moro na Rua das Flores 123',
  handoff: `Meu CPF é ${CPF}, quero falar com um atendente`,
  blocked: 'Qual o saldo do meu cartão final 5521?',
};
/** What Hermes answers in the conversation whose reply is blocked: a technical error quoting a number. */
const BLOCKED_REPLY = 'HTTP 500: Internal Server Error while reading account 99887766 of Maria Souza';

describe('the log at info level carries no customer data', () => {
  it('across a reply, a hand-off with an ID number, a blocked reply, an undelivered reply, a /bot command and a voice note', async () => {
    const lines: string[] = [];
    h = await startHarness({ logStream: { write: (line: string) => void lines.push(line) }, logLevel: 'info' });
    h.hermes.setReply(({ userText, system }) => (userText.includes('cartão') ? BLOCKED_REPLY : `Resposta: ${userText} ${system?.includes('Maria') ? '(para Maria)' : ''}`));
    const notes = (conversation: number) => h.chatwoot.messages(1, conversation, { private: true }).map((m) => m.content ?? '');
    const replies = (conversation: number) => h.chatwoot.messages(1, conversation, { private: false }).map((m) => m.content ?? '');

    // A reply (the fake Hermes echoes the customer's words and name into it).
    await h.send('message_created-incoming-text', customerMessage(701, texts.reply, 2001));
    await waitUntil(() => replies(2001).length === 1);
    expect(replies(2001)[0]).toContain('Rua das Flores');

    // The customer asks for a human while giving an ID number: the team's note quotes it, the log must not.
    await h.send('message_created-incoming-text', customerMessage(702, texts.handoff, 2002));
    await waitUntil(() => h.chatwoot.conversation(1, 2002).status === 'open');
    expect(notes(2002).join('\n')).toContain(CPF);

    // A blocked reply (a technical error) hands off; the note quotes it.
    await h.send('message_created-incoming-text', customerMessage(703, texts.blocked, 2003));
    await waitUntil(() => h.chatwoot.conversation(1, 2003).status === 'open');
    expect(notes(2003).join('\n')).toContain('99887766');

    // WhatsApp did not deliver the bot's reply of 2001: the note quotes the undelivered text.
    h.chatwoot.failDelivery(1, 2001, h.chatwoot.messages(1, 2001, { private: false })[0]!.id);
    await waitUntil(() => h.chatwoot.conversation(1, 2001).status === 'open');
    expect(notes(2001).join('\n')).toContain('Rua das Flores');

    // An agent's /bot command in a private note.
    await h.send('message_created-private-note', (b) => {
      b.content = '/bot status';
      b.id = 704;
    });
    await waitUntil(() => notes(1042).some((n) => n.startsWith('🤖 Bot status')));

    // A voice note and its transcript (conversation 1042, the fixtures' own).
    await h.send('message_created-incoming-audio');
    await h.send('message_updated-audio-transcribed');
    await waitUntil(() => replies(1042).length === 1);
    const audio = loadFixture('message_updated-audio-transcribed');
    const transcript: string = audio.attachments[0].transcribed_text;
    const audioUrl: string = audio.attachments[0].data_url;
    expect(h.hermes.completions().some((c) => JSON.stringify(c.body).includes(transcript.slice(0, 30)))).toBe(true);

    await waitUntil(() => lines.some((l) => l.includes('"conversation":1042') && l.includes('turn delivered')));
    const log = lines.join('');
    // The scenarios were logged (ids, kinds and reasons)…
    expect(log).toContain("the customer asked for a human (keyword 'atendente')");
    expect(log).toContain('reply blocked (technical_error)');
    expect(log).toContain('conversation handed to humans');
    // …and nothing a customer wrote or is, nor what Hermes answered them.
    const personal = [
      texts.reply,
      'Rua das Flores',
      CPF,
      '123.456.789',
      texts.blocked,
      'cartão final',
      '99887766',
      'Maria',
      'Souza',
      '5511987654321',
      transcript.slice(0, 25),
      'comprovante',
      audioUrl,
      'active_storage',
      'chat.acme.example',
      'Resposta:',
    ];
    for (const needle of personal) expect({ needle, found: log.includes(needle) }).toEqual({ needle, found: false });
    // Every line is info or above here: the scan covers what a production log (LOG_LEVEL=info) holds.
    expect(lines.length).toBeGreaterThan(10);
    // Six conversations end to end: generous for a loaded CI machine (19 s seen under load, 1.5 s idle).
  }, 60_000);
});
