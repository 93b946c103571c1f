/**
 * Signed `message_created` deliveries, built the way Chatwoot builds them (test/helpers/sign.ts):
 * the shared fixture with fresh ids, HMAC-SHA256 over "<timestamp>.<raw body>", a new
 * X-Chatwoot-Delivery each time. The JSON is serialised once as a template; each request only fills
 * in ids and text, so building one costs microseconds and the generator stays light.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { loadFixture } from '../../test/helpers/shared.js';
import type { HttpResult } from './http-load.js';

export const WEBHOOK_PATH = '/chatwoot/webhook';

const MID = '"@@MID@@"';
const CID = '"@@CID@@"';
const CONTACT = '"@@CONTACT@@"';
const TEXT = '@@TEXT@@';
const SOURCE = '@@SOURCE@@';
const CREATED_ISO = '@@CREATED_ISO@@';
const CREATED_UNIX = '"@@CREATED_UNIX@@"';

export interface CustomerMessage {
  conversationId: number;
  messageId: number;
  text: string;
}

export class WebhookFactory {
  private readonly template: string;
  private readonly host: string;

  constructor(
    readonly port: number,
    private readonly secret: string,
    fixture = 'message_created-incoming-text',
  ) {
    const body = loadFixture(fixture);
    body.id = MID.slice(1, -1);
    body.content = TEXT;
    body.source_id = SOURCE;
    // Sent now, as Chatwoot does: the bot hands off messages older than WhatsApp's 24-hour window.
    body.created_at = CREATED_ISO;
    body.conversation.id = CID.slice(1, -1);
    body.conversation.contact_inbox.contact_id = CONTACT.slice(1, -1);
    const first = body.conversation.messages[0];
    first.id = MID.slice(1, -1);
    first.content = TEXT;
    first.processed_message_content = TEXT;
    first.conversation_id = CID.slice(1, -1);
    first.source_id = SOURCE;
    first.created_at = CREATED_UNIX.slice(1, -1);
    first.sender_id = CONTACT.slice(1, -1);
    first.sender.id = CONTACT.slice(1, -1);
    body.conversation.meta.sender.id = CONTACT.slice(1, -1);
    body.sender.id = CONTACT.slice(1, -1);
    this.template = JSON.stringify(body);
    this.host = `127.0.0.1:${port}`;
  }

  /** The JSON body of a customer's message (for tests of the factory itself). */
  body(m: CustomerMessage): string {
    const text = JSON.stringify(m.text).slice(1, -1);
    // Replacer functions, not strings: in a replacement string `$&`, `$'`, `$\`` and `$$` are
    // patterns, so a text containing them would be spliced with pieces of the template.
    const fill = (template: string, marker: string, value: string) => template.replaceAll(marker, () => value);
    let body = this.template;
    body = fill(body, MID, String(m.messageId));
    body = fill(body, CID, String(m.conversationId));
    body = fill(body, CONTACT, String(100_000 + m.conversationId));
    body = fill(body, SOURCE, `wamid.bench-${m.conversationId}-${m.messageId}`);
    body = fill(body, CREATED_ISO, new Date().toISOString());
    body = fill(body, CREATED_UNIX, String(Math.floor(Date.now() / 1000)));
    return fill(body, TEXT, text);
  }

  /** The whole HTTP/1.1 request, signed now, ready to write to a socket. */
  request(m: CustomerMessage): Buffer {
    const body = Buffer.from(this.body(m), 'utf8');
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', this.secret).update(`${timestamp}.`).update(body).digest('hex');
    const head =
      `POST ${WEBHOOK_PATH} HTTP/1.1\r\n` +
      `host: ${this.host}\r\n` +
      'content-type: application/json\r\n' +
      'accept: application/json\r\n' +
      'user-agent: bench\r\n' +
      `x-chatwoot-delivery: ${randomUUID()}\r\n` +
      `x-chatwoot-timestamp: ${timestamp}\r\n` +
      `x-chatwoot-signature: sha256=${signature}\r\n` +
      `content-length: ${body.length}\r\n` +
      'connection: keep-alive\r\n\r\n';
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }
}

/** A 200 whose body says the event was stored counts; anything else (ignored, duplicate, 4xx/5xx) is an error. */
export function classifyAck(r: HttpResult): { name: string; ok: boolean } {
  if (r.status !== 200) return { name: `http ${r.status}`, ok: false };
  const m = /"status"\s*:\s*"([a-z_]+)"/.exec(r.body);
  const name = m ? m[1]! : 'unparsed';
  return { name, ok: name === 'accepted' };
}

/** Customer texts that differ enough that the bot's loop guard never mistakes replies for a loop. */
const SENTENCES = [
  'Bom dia, quero saber o horário de funcionamento da loja',
  'Vocês entregam no bairro Centro ainda hoje',
  'Perfeito, muito obrigada pela ajuda de vocês',
  'Qual forma de pagamento aceitam para encomendas grandes',
  'Meu pedido chegou com a caixa amassada e faltando um item',
  'Posso trocar o tamanho da camiseta que comprei semana passada',
];

/** A customer sentence tagged with where it belongs, e.g. "… #c12m3" (parsed back out of replies). */
export function taggedText(conversationId: number, seq: number, variant = seq): string {
  return `${SENTENCES[variant % SENTENCES.length]} #c${conversationId}m${seq}`;
}

/** Every (conversation, seq) tag in a reply, in order of appearance. */
export function tagsIn(text: string): Array<{ conversationId: number; seq: number }> {
  return [...text.matchAll(/#c(\d+)m(\d+)/g)].map((m) => ({ conversationId: Number(m[1]), seq: Number(m[2]) }));
}
