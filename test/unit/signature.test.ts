import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signChatwootPayload, tokenMatches, verifyChatwootSignature } from '../../src/chatwoot/signature.js';

const secret = 'bot-secret-123';
const body = '{"event":"message_created","id":1}';
const now = 1_781_705_531;

// The formula from chatwoot.md §2, written out independently of the code under test.
const chatwootSigns = (ts: number, raw: string) => 'sha256=' + createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');

describe('verifyChatwootSignature', () => {
  it('accepts what Chatwoot signs', () => {
    expect(verifyChatwootSignature({ rawBody: body, signature: chatwootSigns(now, body), timestamp: String(now), secret, nowSeconds: now })).toEqual({ ok: true });
    expect(signChatwootPayload(secret, now, body)).toBe(chatwootSigns(now, body));
  });

  it('accepts the edges of the ±300 s window and refuses beyond', () => {
    for (const skew of [-300, 300]) {
      const ts = now + skew;
      expect(verifyChatwootSignature({ rawBody: body, signature: chatwootSigns(ts, body), timestamp: String(ts), secret, nowSeconds: now }).ok).toBe(true);
    }
    for (const skew of [-301, 301, -86_400]) {
      const ts = now + skew;
      expect(verifyChatwootSignature({ rawBody: body, signature: chatwootSigns(ts, body), timestamp: String(ts), secret, nowSeconds: now })).toEqual({
        ok: false,
        reason: 'stale X-Chatwoot-Timestamp (outside ±300 s)',
      });
    }
  });

  it('refuses a body-only HMAC (the mistake of chatwoot#13809)', () => {
    const bodyOnly = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
    expect(verifyChatwootSignature({ rawBody: body, signature: bodyOnly, timestamp: String(now), secret, nowSeconds: now }).ok).toBe(false);
  });

  it('refuses re-serialised JSON: the exact bytes are signed', () => {
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect(verifyChatwootSignature({ rawBody: pretty, signature: chatwootSigns(now, body), timestamp: String(now), secret, nowSeconds: now }).ok).toBe(false);
  });

  it.each([
    ['missing signature', undefined, String(now), 'missing X-Chatwoot-Signature'],
    ['missing timestamp', 'sha256=abc', undefined, 'missing X-Chatwoot-Timestamp'],
    ['malformed timestamp', 'sha256=abc', '12abc', 'malformed X-Chatwoot-Timestamp'],
    ['wrong length', 'sha256=abc', String(now), 'signature mismatch'],
    ['other secret', 'sha256=' + createHmac('sha256', 'other').update(`${now}.${body}`).digest('hex'), String(now), 'signature mismatch'],
    ['missing prefix', createHmac('sha256', secret).update(`${now}.${body}`).digest('hex'), String(now), 'signature mismatch'],
  ])('refuses %s', (_name, signature, timestamp, reason) => {
    expect(verifyChatwootSignature({ rawBody: body, signature, timestamp, secret, nowSeconds: now })).toEqual({ ok: false, reason });
  });
});

describe('tokenMatches', () => {
  it('matches only the exact token', () => {
    expect(tokenMatches('a-long-webhook-token', 'a-long-webhook-token')).toBe(true);
    expect(tokenMatches('a-long-webhook-toke', 'a-long-webhook-token')).toBe(false);
    expect(tokenMatches(undefined, 'a-long-webhook-token')).toBe(false);
    expect(tokenMatches('', 'a-long-webhook-token')).toBe(false);
  });
});
