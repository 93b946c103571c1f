import { ChatwootError } from './errors.js';

/**
 * What a bot token may do depends on the Chatwoot release. BOT_ACCESSIBLE_ENDPOINTS
 * (app/controllers/concerns/access_token_auth_helper.rb) lets a bot read a conversation (`show`) and
 * read or write its labels only since v4.14.2 (PR #14655); v4.13.0–v4.14.1 answer 401
 * "Access to this endpoint is not authorized for bots" there, for a perfectly valid token.
 */
export const BOT_RIGHTS_SINCE = '4.14.2';

/** Chatwoot refused the call because the caller is a bot, not because the token is wrong. */
export function refusedToBots(error: unknown): boolean {
  return error instanceof ChatwootError && error.status === 401 && /not authorized for bots/i.test(error.message);
}
