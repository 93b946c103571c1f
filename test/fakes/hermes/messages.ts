/**
 * Reading the `messages` of a chat completion as the Hermes API server does (hermes.md §4): system
 * entries form the ephemeral system prompt, the last user entry is the new input, everything before it
 * is body history (used only when no session header is sent).
 */
import { apiError, type HermesReply } from './responses.js';
import type { ChatEntry } from './types.js';

export interface ParsedChat {
  system: string | null;
  /** Non-system entries before the new input. */
  history: ChatEntry[];
  userContent: unknown;
  userText: string;
  /** Text of the first user entry: with the system prompt it derives the header-less session id. */
  firstUserText: string;
}

const TEXT_PARTS = new Set(['text', 'input_text']);
const IMAGE_PARTS = new Set(['image_url', 'input_image']);

/** Text of a message content: the string, or its text parts joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p): p is { type: string; text: string } => typeof p === 'object' && p !== null && TEXT_PARTS.has(p.type) && typeof p.text === 'string')
    .map((p) => p.text)
    .join('\n');
}

function unsupportedPart(content: unknown): string | null {
  if (!Array.isArray(content)) return null;
  for (const part of content) {
    const type = typeof part === 'object' && part !== null ? (part as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || (!TEXT_PARTS.has(type) && !IMAGE_PARTS.has(type))) return String(type);
  }
  return null;
}

export function parseChat(messages: unknown): { ok: true; chat: ParsedChat } | { ok: false; reply: HermesReply } {
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, reply: apiError(400, "'messages' must be a non-empty list", 'invalid_request_error', 'invalid_messages') };
  }
  const systemParts: string[] = [];
  const entries: ChatEntry[] = [];
  for (const m of messages) {
    if (typeof m !== 'object' || m === null || typeof (m as ChatEntry).role !== 'string') {
      return { ok: false, reply: apiError(400, 'Each message must be an object with a role', 'invalid_request_error', 'invalid_messages') };
    }
    const { role, content } = m as ChatEntry;
    if (content !== null && content !== undefined && typeof content !== 'string' && !Array.isArray(content)) {
      return { ok: false, reply: apiError(400, 'Message content must be a string or a list of parts', 'invalid_request_error', 'invalid_content') };
    }
    const bad = unsupportedPart(content);
    if (bad !== null) {
      return { ok: false, reply: apiError(400, `Unsupported content part type: ${bad}`, 'invalid_request_error', 'unsupported_content_type') };
    }
    if (role === 'system' || role === 'developer') systemParts.push(contentText(content));
    else entries.push({ role, content });
  }
  const lastUser = entries.map((e) => e.role).lastIndexOf('user');
  if (lastUser === -1) {
    return { ok: false, reply: apiError(400, 'No user message found in messages', 'invalid_request_error', 'invalid_messages') };
  }
  const user = entries[lastUser]!;
  const first = entries.find((e) => e.role === 'user')!;
  return {
    ok: true,
    chat: {
      system: systemParts.length > 0 ? systemParts.join('\n') : null,
      history: entries.slice(0, lastUser),
      userContent: user.content,
      userText: contentText(user.content),
      firstUserText: contentText(first.content),
    },
  };
}
