import type { Context } from 'koa';
import { tokenMatches, verifyChatwootSignature } from '../chatwoot/signature.js';

export interface WebhookAuth {
  /** The agent bot's signing secret (Chatwoot >= 4.13). */
  secret: string | undefined;
  /** A shared token in the webhook URL's query, for Chatwoot < 4.13, which does not sign. */
  token: string | undefined;
}

/**
 * Decides whether a webhook came from our Chatwoot, from the raw bytes and headers only: nothing in
 * the payload is read before this says yes. A valid signature or the configured URL token suffices.
 */
export function authenticateWebhook(ctx: Context, rawBody: Buffer | string, auth: WebhookAuth): { ok: true; via: 'signature' | 'token' } | { ok: false; reason: string } {
  let reason = 'no credentials configured';
  if (auth.secret) {
    const verdict = verifyChatwootSignature({
      rawBody,
      signature: ctx.get('x-chatwoot-signature') || undefined,
      timestamp: ctx.get('x-chatwoot-timestamp') || undefined,
      secret: auth.secret,
    });
    if (verdict.ok) return { ok: true, via: 'signature' };
    reason = verdict.reason;
  }
  if (auth.token) {
    const given = typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
    if (tokenMatches(given, auth.token)) return { ok: true, via: 'token' };
    reason = auth.secret ? reason : given ? 'wrong webhook token' : 'missing webhook token';
  }
  return { ok: false, reason };
}
