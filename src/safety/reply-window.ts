/**
 * WhatsApp's customer-service window (chatwoot.md §8): free text may be sent only within 24 h of the
 * customer's last incoming message; outside it Meta requires an approved template and Chatwoot reports
 * "Template not found or invalid template name". Pure: the clock comes in as `now`.
 */

export const WHATSAPP_REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * True when a free-text reply can no longer be sent: no known customer message (null or an invalid date),
 * or `now` is `windowMs` or more after it (the window is closed at exactly 24 h). A timestamp in the future
 * (clock skew) counts as inside. Pass a smaller `windowMs` to keep a safety margin for slow turns.
 */
export function outsideReplyWindow(
  lastCustomerMessageAt: Date | number | null,
  now: number,
  windowMs: number = WHATSAPP_REPLY_WINDOW_MS,
): boolean {
  if (lastCustomerMessageAt === null) return true;
  const at = lastCustomerMessageAt instanceof Date ? lastCustomerMessageAt.getTime() : lastCustomerMessageAt;
  if (!Number.isFinite(at) || !Number.isFinite(now)) return true;
  return now - at >= windowMs;
}
