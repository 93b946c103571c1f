/**
 * Token auth as Chatwoot v4.15 does it (access_token_auth_helper.rb): the token comes from the
 * `api_access_token` header (Rails also reads `api-access-token`), bot tokens only reach
 * BOT_ACCESSIBLE_ENDPOINTS, and a bot acts only in its own account.
 */
import type { IncomingMessage } from 'node:http';
import { ADMIN_USER, type Actor } from './presenters.js';
import type { ChatwootState } from './state.js';

export type AuthResult = { ok: true; actor: Actor } | { ok: false; status: number; body: { error: string } };

export const INVALID_TOKEN = { error: 'Invalid Access Token' };
export const NOT_FOR_BOTS = { error: 'Access to this endpoint is not authorized for bots' };
export const BOT_WRONG_ACCOUNT = { error: 'Bot is not authorized to access this account' };
export const USER_WRONG_ACCOUNT = { error: 'You are not authorized to access this account' };

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
