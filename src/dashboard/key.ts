import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The per-account panel key. Chatwoot gives a Dashboard App's frame no credential, so the app URL
 * that `install` registers carries one: `PUBLIC_URL/dashboard/#account=<id>&key=<key>`. In the
 * fragment, the key never reaches a server log or a proxy (browsers do not send fragments); the page
 * sends it with each API call in a header. The store keeps only its SHA-256 digest.
 */
export const KEY_BYTES = 32;
/** base64url of 32 bytes. */
const KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64url');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Whether `presented` is the key whose digest is `storedHash`. Digests of equal length are compared
 * in constant time, so the time taken says nothing about how much of a guess was right.
 */
export function keyMatches(presented: string, storedHash: string): boolean {
  if (!KEY_SHAPE.test(presented)) return false;
  const a = Buffer.from(hashKey(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const PANEL_PATH = '/dashboard/';

/** The app URL `install` registers in Chatwoot for an account. */
export function panelUrl(publicUrl: string, accountId: number, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${PANEL_PATH}#account=${accountId}&key=${key}`;
}

/** The account and key of an app URL, or null when it is not one of ours (doctor, install). */
export function parsePanelUrl(url: string): { base: string; accountId: number; key: string } | null {
  const m = /^(https?:\/\/.+?)\/dashboard\/#account=(\d+)&key=([A-Za-z0-9_-]+)$/.exec(url);
  return m ? { base: m[1]!, accountId: Number(m[2]), key: m[3]! } : null;
}
