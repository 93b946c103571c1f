import type { Attachment } from '../domain/events.js';
import type { ContentPart, UserContent } from '../hermes/client.js';
import { cleanContactName } from './contact-name.js';
import type { TurnMessage } from '../store/store.js';

/**
 * Builds the ONE user message of a turn. With a session header Hermes treats only the last user
 * entry as new input, so a burst of customer messages must travel together, in order — and so must
 * the hand-back context: what a human and the customer said while the bot was silent, so Hermes'
 * memory matches what the customer saw.
 * Images become image_url parts (Chatwoot's data_url is public); other media become a line of text.
 */
export function composeUserContent(messages: TurnMessage[], context: TurnMessage[] = []): UserContent {
  const lines: string[] = [];
  const images: ContentPart[] = [];
  if (context.length > 0) {
    lines.push('[While a human colleague handled this conversation, these messages were exchanged:]');
    for (const m of context) lines.push(`${m.role === 'agent' ? 'Agent' : 'Customer'}: ${m.text || describeAll(m.attachments)}`);
    lines.push('[The conversation is back with you. The customer now writes:]');
  }
  for (const m of messages) {
    if (m.text) lines.push(m.text);
    for (const a of m.attachments) {
      const described = describeAttachment(a);
      if (described.image) images.push({ type: 'image_url', image_url: { url: described.image } });
      if (described.line) lines.push(described.line);
    }
  }
  const text = lines.join('\n');
  if (images.length === 0) return text;
  return [{ type: 'text', text: text || '[The customer sent an image without a caption.]' }, ...images];
}

/** The customer's own words of a turn, for the guards (what did they just say?). */
export function customerText(messages: TurnMessage[]): string {
  return messages
    .map((m) => m.text || describeAll(m.attachments))
    .filter(Boolean)
    .join('\n');
}

function describeAll(attachments: Attachment[]): string {
  return attachments.map((a) => describeAttachment(a).line ?? '[image]').join(' ');
}

function describeAttachment(a: Attachment): { line?: string; image?: string } {
  const url = a.data_url ?? undefined;
  switch (a.file_type) {
    case 'image':
      return url ? { image: url } : { line: '[The customer sent an image that could not be loaded.]' };
    case 'audio':
      if (a.transcribed_text && a.transcribed_text.trim()) return { line: `[Voice message, transcribed:] ${a.transcribed_text.trim()}` };
      return { line: `[The customer sent a voice message that could not be transcribed${url ? `: ${url}` : ''}.]` };
    case 'location': {
      const where = a.coordinates_lat != null && a.coordinates_long != null ? `${a.coordinates_lat}, ${a.coordinates_long}` : 'unknown coordinates';
      return { line: `[Location shared: ${where}${a.fallback_title ? ` (${a.fallback_title})` : ''}]` };
    }
    case 'contact':
      return { line: `[Contact card shared: ${a.fallback_title ?? 'no details'}]` };
    default: {
      const kind = a.file_type ?? 'file';
      const type = a.content_type ?? a.extension ?? 'unknown type';
      const name = a.data_url ? decodeURIComponent(a.data_url.split('?')[0]!.split('/').pop() ?? '') : '';
      return { line: `[The customer sent a ${kind}${name ? ` "${name}"` : ''} (${type})${url ? `: ${url}` : ''}]` };
    }
  }
}

/**
 * The turn's system message: the inbox's instructions, and the customer's first name when it is a
 * real one (lessons.md A.10: placeholders such as "cliente" or "WhatsApp", names with digits or emoji
 * are dropped, so the agent never greets anyone as "Olá, 5511…").
 */
export function systemMessage(instructions: string | undefined, contactName: string | null): string | null {
  const firstName = cleanContactName(contactName);
  const parts = [instructions?.trim(), firstName ? `The customer's first name is ${firstName}.` : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join('\n\n') : null;
}
