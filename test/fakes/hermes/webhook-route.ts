/**
 * Sessions the older Captain → Hermes setup left behind (hermes.md §10), stored the way Hermes' gateway
 * stores any routed chat, so the bot's migration can be tested against the same mapping:
 * - gateway/platforms/webhook.py builds the source: chat_type "webhook", user_id `webhook:<route>`; the
 *   captain-webhook plugin rewrote chat_id to `webhook:<route>:session:<conversation_id>`;
 * - gateway/session.py `build_session_key` (non-DM, group_sessions_per_user) turns it into
 *   `agent:main:webhook:webhook:<chat_id>:<user_id>`, and `_get_or_create_session_impl` maps that key to
 *   a session id `YYYYMMDD_HHMMSS_<8 hex>` and writes a state.db row (source, user_id, session_key,
 *   chat_id, chat_type);
 * - webhook.py `_render_prompt` with no prompt template makes the user message
 *   "Webhook event '<type>' on route '<route>':" + the payload as indented JSON; a Chatwoot body has no
 *   event type field Hermes reads, so the type is "unknown".
 */
import { randomBytes } from 'node:crypto';
import type { SessionStore } from './sessions.js';
import type { WebhookConversationSeed } from './types.js';

function gatewaySessionId(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}_${randomBytes(4).toString('hex')}`;
}

export function renderDefaultPrompt(route: string, payload: Record<string, unknown>): string {
  return `Webhook event 'unknown' on route '${route}':\n\n\`\`\`json\n${JSON.stringify(payload, null, 2).slice(0, 4000)}\n\`\`\``;
}

export function seedWebhookConversation(store: SessionStore, routing: Map<string, string>, seed: WebhookConversationSeed) {
  const chatId = `webhook:${seed.route}:session:${String(seed.payload.conversation_id)}`;
  const userId = `webhook:${seed.route}`;
  const sessionKey = `agent:main:webhook:webhook:${chatId}:${userId}`;
  const startedAt = seed.startedAt ?? Math.floor(Date.now() / 1000) - 86_400;
  let sessionId = gatewaySessionId(startedAt);
  while (store.sessions.has(sessionId)) sessionId = gatewaySessionId(startedAt);
  const history = seed.exchanges.flatMap(([user, assistant], i) => [
    { role: 'user', content: renderDefaultPrompt(seed.route, { ...seed.payload, message: user, message_id: Number(seed.payload.message_id ?? 0) + i }) },
    { role: 'assistant', content: assistant },
  ]);
  store.sessions.set(sessionId, {
    history,
    turns: seed.exchanges.length,
    parentId: null,
    rotatedTo: null,
    source: 'webhook',
    origin: 'webhook',
    userId,
    chatId,
    sessionKey,
    startedAt,
    lastActive: startedAt + 60 * seed.exchanges.length,
    endedAt: null,
    endReason: null,
  });
  routing.set(sessionKey, sessionId);
  return { sessionId, chatId, sessionKey };
}
