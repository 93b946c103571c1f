/**
 * Chatwoot's refusals as sentences an account admin can act on. Chatwoot answers most of them with
 * 401 and a short `error` text (access_token_auth_helper.rb, base controllers, Pundit); the text tells
 * which case it is.
 */
export interface FailedCall {
  /** null: no HTTP answer at all. */
  status: number | null;
  body: unknown;
  /** Network error code or message when status is null. */
  networkReason?: string;
}

export interface CallContext {
  chatwootUrl: string;
  accountId: number;
  /** What a 404 means for this call ("account 1 has no inbox 99"). */
  notFound?: string;
  /** Which token was used, for the sentences ("this token", "CHATWOOT_BOT_TOKEN"). */
  tokenName?: string;
}

export function chatwootErrorText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as { error?: unknown; message?: unknown; errors?: unknown };
  const text = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : Array.isArray(b.errors) ? b.errors.map(String).join(', ') : '';
  return text.slice(0, 200);
}

export function explainAdminFailure(call: FailedCall, ctx: CallContext): string {
  const token = ctx.tokenName ?? 'This token';
  const account = `account ${ctx.accountId}`;
  if (call.status === null) {
    return `Cannot reach Chatwoot at ${ctx.chatwootUrl} (${call.networkReason ?? 'no answer'}). Check CHATWOOT_URL and that this machine can reach it.`;
  }
  const text = chatwootErrorText(call.body);
  if (call.status === 401 || call.status === 403) {
    if (/invalid access token/i.test(text)) {
      return `${token} is not a valid Chatwoot access token. Use an administrator's access token (Chatwoot → Profile settings → Access Token).`;
    }
    if (/not authorized for bots/i.test(text)) {
      return `${token} is an agent bot's token; this needs an administrator's own access token (Chatwoot → Profile settings → Access Token).`;
    }
    if (/access this account/i.test(text)) {
      return `${token} has no access to ${account}. Check the account id (the number after /app/accounts/ in Chatwoot's address; CHATWOOT_ACCOUNT_ID or --account).`;
    }
    // "You are not authorized to do this action" (Pundit), or a plain 403: an agent, not an administrator.
    return `${token} is not an administrator of ${account}: only administrators can manage bots and inboxes.`;
  }
  if (call.status === 404) {
    return ctx.notFound ?? `Chatwoot at ${ctx.chatwootUrl} answered "not found": check CHATWOOT_URL (the address you open Chatwoot at) and the account id ${ctx.accountId}.`;
  }
  if (call.status === 422) return `Chatwoot refused the change${text ? `: ${text}` : ''}.`;
  if (call.status === 429) return 'Chatwoot is rate-limiting this address (429); wait a minute and try again.';
  if (call.status >= 500) return `Chatwoot failed (${call.status}); try again later, or check Chatwoot's logs.`;
  return `Chatwoot answered ${call.status}${text ? `: ${text}` : ''}.`;
}
