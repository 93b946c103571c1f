/**
 * Token auth as Chatwoot does it (access_token_auth_helper.rb): the token comes from the
 * `api_access_token` header (Rails also reads `api-access-token`), bot tokens only reach
 * BOT_ACCESSIBLE_ENDPOINTS — which grew in v4.14.2 (PR #14655) — and a bot acts only in its own account.
 */
import type { IncomingMessage } from 'node:http';
import { ADMIN_USER, type Actor } from './presenters.js';
import type { ChatwootState } from './state.js';

export type AuthResult = { ok: true; actor: Actor } | { ok: false; status: number; body: { error: string } };

export const INVALID_TOKEN = { error: 'Invalid Access Token' };
export const NOT_FOR_BOTS = { error: 'Access to this endpoint is not authorized for bots' };
export const BOT_WRONG_ACCOUNT = { error: 'Bot is not authorized to access this account' };
export const USER_WRONG_ACCOUNT = { error: 'You are not authorized to access this account' };

/** The Chatwoot releases the fake can play; they differ in what a bot token may do. */
export const CHATWOOT_VERSIONS = ['4.13.0', '4.14.0', '4.14.1', '4.14.2', '4.15.1'] as const;
export type ChatwootVersion = (typeof CHATWOOT_VERSIONS)[number];

/**
 * BOT_ACCESSIBLE_ENDPOINTS (controller → actions), as app/controllers/concerns/access_token_auth_helper.rb
 * has it at each tag. v4.13.0, v4.14.0 and v4.14.1 are identical; v4.14.2 added `show` and the labels
 * controller (PR #14655), unchanged in v4.15.1.
 */
const BEFORE_14655: Record<string, readonly string[]> = {
  conversations: ['toggle_status', 'toggle_typing_status', 'toggle_priority', 'create', 'update', 'custom_attributes'],
  'conversations/messages': ['create'],
  'conversations/assignments': ['create'],
};
const SINCE_14655: Record<string, readonly string[]> = {
  conversations: ['show', 'toggle_status', 'toggle_typing_status', 'toggle_priority', 'create', 'update', 'custom_attributes'],
  'conversations/messages': ['create'],
  'conversations/assignments': ['create'],
  'conversations/labels': ['index', 'create'],
};
export const BOT_ACCESSIBLE_ENDPOINTS: Record<ChatwootVersion, Record<string, readonly string[]>> = {
  '4.13.0': BEFORE_14655,
  '4.14.0': BEFORE_14655,
  '4.14.1': BEFORE_14655,
  '4.14.2': SINCE_14655,
  '4.15.1': SINCE_14655,
};

/** `controller#action` below api/v1/accounts, e.g. 'conversations/labels#index'. */
export type Endpoint = `${string}#${string}`;

/** Whether a bot token reaches this endpoint on that version (false for every admin-only endpoint). */
export function botAccessible(version: ChatwootVersion, endpoint: Endpoint): boolean {
  const [controller, action] = endpoint.split('#') as [string, string];
  return BOT_ACCESSIBLE_ENDPOINTS[version][controller]?.includes(action) ?? false;
}

/** '4.13' → '4.13.0'; a full version of the list stays as it is. */
export function chatwootVersion(value: string): ChatwootVersion {
  const full = /^\d+\.\d+$/.test(value) ? `${value}.0` : value;
  if (!(CHATWOOT_VERSIONS as readonly string[]).includes(full)) throw new Error(`fake-chatwoot cannot play Chatwoot ${value} (knows ${CHATWOOT_VERSIONS.join(', ')})`);
  return full as ChatwootVersion;
}

export interface AuthConfig {
  botToken: string;
  adminToken: string;
  accountId: number;
  botId: number;
  botName: string;
}

export function tokenOf(req: IncomingMessage): string | undefined {
  const value = req.headers['api_access_token'] ?? req.headers['api-access-token'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * @param botAllowed whether the route is in BOT_ACCESSIBLE_ENDPOINTS
 * @param accountId the account in the path, when there is one
 */
export function authenticate(
  req: IncomingMessage,
  config: AuthConfig,
  state: ChatwootState,
  botAllowed: boolean,
  accountId: number | null,
): AuthResult {
  const token = tokenOf(req);
  let actor: Actor | undefined;
  if (token && token === config.adminToken) actor = { kind: 'admin', ...ADMIN_USER };
  else if (token && token === config.botToken) actor = { kind: 'bot', id: config.botId, name: config.botName, accountId: config.accountId };
  else if (token) {
    const bot = state.botByToken(token);
    if (bot) actor = { kind: 'bot', id: bot.id, name: bot.name, accountId: bot.accountId };
  }
  if (!actor) return { ok: false, status: 401, body: INVALID_TOKEN };
  if (actor.kind === 'bot') {
    if (!botAllowed) return { ok: false, status: 401, body: NOT_FOR_BOTS };
    if (accountId !== null && accountId !== actor.accountId) return { ok: false, status: 401, body: BOT_WRONG_ACCOUNT };
  } else if (accountId !== null && accountId !== config.accountId) {
    return { ok: false, status: 401, body: USER_WRONG_ACCOUNT };
  }
  return { ok: true, actor };
}
