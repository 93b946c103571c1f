import { createHmac, timingSafeEqual } from 'node:crypto';

/** Chatwoot's replay window: it has no replay protection of its own, so the ±300 s bound is ours. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Verifies an AgentBot webhook as Chatwoot >= 4.13 signs it (lib/webhooks/trigger.rb):
 * `sha256=` + hex HMAC-SHA256(secret, "<X-Chatwoot-Timestamp>.<raw body>").
 * Works on the exact raw bytes; a re-serialised body would not match.
 */
export function verifyChatwootSignature(input: {
  rawBody: Buffer | string;
  signature: string | undefined;
  timestamp: string | undefined;
  secret: string;
  nowSeconds?: number;
}): VerifyResult {
  const { signature, timestamp, secret } = input;
  if (!signature) return { ok: false, reason: 'missing X-Chatwoot-Signature' };
  if (!timestamp) return { ok: false, reason: 'missing X-Chatwoot-Timestamp' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed X-Chatwoot-Timestamp' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'stale X-Chatwoot-Timestamp (outside ±300 s)' };
  }
  const expected = Buffer.from(signChatwootPayload(secret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  // timingSafeEqual needs equal lengths; the length itself is not secret (always 71 for a valid one).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true };
}

export function signChatwootPayload(secret: string, timestamp: string | number, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

/** Constant-time comparison for the URL token used with Chatwoot < 4.13, which does not sign. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = createHmac('sha256', 'token-compare').update(given).digest();
  const b = createHmac('sha256', 'token-compare').update(expected).digest();
  return timingSafeEqual(a, b);
}
