import { randomUUID } from 'node:crypto';
import { signChatwootPayload } from '../../chatwoot/signature.js';

/**
 * The test events doctor posts to the running bot. The event name is none Chatwoot sends, so the bot
 * authenticates it and then answers `{"status": "ignored"}` without storing anything.
 */
export const PROBE_EVENT = 'chatwoot_hermes_bot_doctor_probe';

/** Compact ASCII JSON: survives a proxy that re-encodes JSON, so only the secret can make it fail. */
export function plainProbe(id: string): string {
  return JSON.stringify({ event: PROBE_EVENT, id, note: 'A signed test event from chatwoot-hermes-bot doctor; the bot ignores it.' });
}

/**
 * A body written the way Chatwoot writes its payloads (Ruby's to_json via ActiveSupport): raw UTF-8,
 * `<`, `>` and `&` escaped as \u003c, \u003e, \u0026, floats such as 1.0 kept. A proxy that parses
 * and re-serialises JSON, or re-encodes the text, changes these bytes, and the signature (computed over
 * the exact bytes) no longer matches: every real webhook would then be refused.
 */
export function chatwootStyleProbe(id: string): string {
  return `{"event":"${PROBE_EVENT}","id":"${id}","content":"Olá! Ação \\u003cb\\u003econfirmada\\u003c/b\\u003e \\u0026 até já 👍","score":1.0,"meta":{}}`;
}

/** Headers as lib/webhooks/trigger.rb sends them: `sha256=` HMAC over "<timestamp>.<body>". */
export function probeHeaders(body: string, secret: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'x-chatwoot-delivery': randomUUID() };
  if (secret) {
    const ts = String(Math.floor(Date.now() / 1000));
    headers['x-chatwoot-timestamp'] = ts;
    headers['x-chatwoot-signature'] = signChatwootPayload(secret, ts, body);
  }
  return headers;
}
