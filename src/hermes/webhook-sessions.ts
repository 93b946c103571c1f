import type { ConversationKey } from '../domain/conversation.js';
import type { Store } from '../store/store.js';
import { HermesError, type HermesClient } from './client.js';

/**
 * Moving from the older webhook-route setup (hermes.md §10) without losing what Hermes remembers.
 *
 * That setup posted every customer message to the Hermes webhook route `captain-inbox-<inbox>`; the
 * captain-webhook plugin made the chat id `webhook:<route>:session:<conversation id>`, and Hermes'
 * gateway mapped that chat to a session id of its own (gateway/session.py `build_session_key` →
 * `_get_or_create_session_impl`, ids like `20260714_101500_a1b2c3d4`). Sending the chat id as
 * X-Hermes-Session-Id would start an empty session; the stored session id continues the old one
 * (api_server.py `_handle_chat_completions` loads any session's history by id).
 *
 * The API does not show a session's chat id (`_session_response` leaves out chat_id and session_key),
 * so a conversation's session is found from what the API does show:
 * `GET /api/sessions?source=webhook` (`user_id` = `webhook:<route>`) and the session's first user
 * message (`GET /api/sessions/{id}/messages`), which is the Captain payload Hermes rendered
 * (`conversation_id`, `account_id`; webhook.py `_render_prompt`).
 */

const PAGE = 200;

export function webhookRoute(inboxId: number): string {
  return `captain-inbox-${inboxId}`;
}

export interface WebhookSession {
  sessionId: string;
  accountId: number | null;
  conversationId: number;
  lastActive: number;
  messageCount: number;
}

export interface FoundWebhookSessions {
  /** Per conversation id: its sessions, most recently active first. */
  byConversation: Map<number, WebhookSession[]>;
  /** Sessions of the route whose first message names no conversation (a custom prompt template). */
  unmatched: string[];
}

interface SessionRow {
  id?: unknown;
  user_id?: unknown;
  last_active?: unknown;
  started_at?: unknown;
  message_count?: unknown;
}

/** Every session of the route, read page by page (newest activity first, as Hermes lists them). */
export async function findWebhookSessions(hermes: HermesClient, route: string): Promise<FoundWebhookSessions> {
  const rows: SessionRow[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { status, data } = await hermes.getJson(`/api/sessions?source=webhook&limit=${PAGE}&offset=${offset}`);
    if (status === 404) throw new HermesError('bad_response', 'This Hermes has no sessions API (GET /api/sessions answered 404): upgrade Hermes Agent to v0.19 or later first');
    const page = (data as { data?: unknown; has_more?: unknown } | null) ?? {};
    if (status !== 200 || !Array.isArray(page.data)) throw new HermesError('bad_response', `GET /api/sessions answered ${status}`, status);
    rows.push(...(page.data as SessionRow[]).filter((r) => r.user_id === `webhook:${route}` && typeof r.id === 'string'));
    if (page.has_more !== true) break;
  }

  const byConversation = new Map<number, WebhookSession[]>();
  const unmatched: string[] = [];
  for (const row of rows) {
    const sessionId = row.id as string;
    const ids = await conversationOf(hermes, sessionId);
    if (!ids) {
      unmatched.push(sessionId);
      continue;
    }
    const found: WebhookSession = {
      sessionId,
      ...ids,
      lastActive: Number(row.last_active ?? row.started_at ?? 0),
      messageCount: Number(row.message_count ?? 0),
    };
    const list = byConversation.get(ids.conversationId) ?? [];
    list.push(found);
    byConversation.set(ids.conversationId, list.sort((a, b) => b.lastActive - a.lastActive));
  }
  return { byConversation, unmatched };
}

/** The conversation (and account) named by the session's first user message, the rendered payload. */
async function conversationOf(hermes: HermesClient, sessionId: string): Promise<{ conversationId: number; accountId: number | null } | null> {
  const { status, data } = await hermes.getJson(`/api/sessions/${encodeURIComponent(sessionId)}/messages`);
  if (status === 404) return null; // deleted meanwhile
  const messages = (data as { data?: unknown } | null)?.data;
  if (status !== 200 || !Array.isArray(messages)) throw new HermesError('bad_response', `GET /api/sessions/${sessionId}/messages answered ${status}`, status);
  const first = messages.find((m): m is { role: string; content: unknown } => typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'user');
  const text = typeof first?.content === 'string' ? first.content : JSON.stringify(first?.content ?? '');
  const conversation = /"conversation_id"\s*:\s*"?(\d+)"?/.exec(text);
  if (!conversation) return null;
  const account = /"account_id"\s*:\s*"?(\d+)"?/.exec(text);
  return { conversationId: Number(conversation[1]), accountId: account ? Number(account[1]) : null };
}

export interface ImportResult {
  /** Conversations that now continue their old session. */
  imported: Array<{ key: ConversationKey; sessionId: string; olderSessions: number }>;
  /** Conversations the bot already has a session for: left alone. */
  kept: ConversationKey[];
  /** Sessions that name no conversation or no account. */
  unmatched: string[];
}

/**
 * Stores, for each conversation of the route that the bot has no session for yet, the old session id
 * (mode "header", generation 0): its next turn sends that id and Hermes answers with the old history.
 * `accountId` is used when the payload has none. Idempotent: a second run keeps what the first stored.
 */
export async function importWebhookSessions(o: { hermes: HermesClient; store: Store; route: string; accountId: number | null; now?: number }): Promise<ImportResult> {
  const found = await findWebhookSessions(o.hermes, o.route);
  const result: ImportResult = { imported: [], kept: [], unmatched: [...found.unmatched] };
  for (const [conversationId, sessions] of found.byConversation) {
    const latest = sessions[0]!;
    const accountId = latest.accountId ?? o.accountId;
    if (accountId === null) {
      result.unmatched.push(...sessions.map((s) => s.sessionId));
      continue;
    }
    const key = { accountId, conversationId };
    if (await o.store.getSession(key)) {
      result.kept.push(key);
      continue;
    }
    await o.store.saveSession(key, { sessionId: latest.sessionId, mode: 'header', generation: 0 }, o.now ?? Date.now());
    result.imported.push({ key, sessionId: latest.sessionId, olderSessions: sessions.length - 1 });
  }
  return result;
}
