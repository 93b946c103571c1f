/**
 * Sign and send webhooks the way Chatwoot does (chatwoot.md §2, lib/webhooks/trigger.rb):
 * HMAC-SHA256 keyed with the bot secret over "<timestamp>.<raw body>", hex, prefixed "sha256=".
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface SignOptions {
  /** Unix seconds; default now. Chatwoot recomputes it on every attempt. */
  timestamp?: number;
  /** X-Chatwoot-Delivery; default a random UUID. Chatwoot reuses it across retries of one delivery. */
  deliveryId?: string;
}

/** The signature value alone: `sha256=<hex>`. */
export function chatwootSignature(rawBody: string, secret: string, timestamp: number): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

/** Headers of a Chatwoot bot webhook delivery (lower-case names, as a server sees them). */
export function signChatwoot(rawBody: string, secret: string, opts: SignOptions = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-chatwoot-delivery': opts.deliveryId ?? randomUUID(),
    'x-chatwoot-timestamp': String(timestamp),
    'x-chatwoot-signature': chatwootSignature(rawBody, secret, timestamp),
  };
}

export interface PostWebhookOptions extends SignOptions {
  /** Send these exact bytes instead of JSON.stringify(payload) (e.g. to test raw-byte verification). */
  rawBody?: string;
  /** Extra or overriding headers (e.g. a tampered signature). */
  headers?: Record<string, string>;
  /** Abort the request (used by fakes on close). */
  signal?: AbortSignal;
}

export interface WebhookResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** Parse a response body as JSON when possible; otherwise the text, or null when empty. */
export async function readResponseBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** POST a signed Chatwoot webhook to `url` and return the status, parsed body and headers. */
export async function postWebhook(
  url: string,
  payload: unknown,
  secret: string,
  opts: PostWebhookOptions = {},
): Promise<WebhookResponse> {
  const rawBody = opts.rawBody ?? JSON.stringify(payload);
  const headers = { ...signChatwoot(rawBody, secret, opts), ...opts.headers };
  const res = await fetch(url, { method: 'POST', headers, body: rawBody, signal: opts.signal ?? null });
  return { status: res.status, body: await readResponseBody(res), headers: res.headers };
}
