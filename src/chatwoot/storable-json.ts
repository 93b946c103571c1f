/**
 * A parsed webhook body made safe to keep, before anything reads it. The signature has already been
 * checked, but an authentic body can still carry what the stores cannot hold or what would break the
 * code that walks it:
 *
 * - U+0000 and lone surrogates (JSON allows both as \u escapes): Postgres refuses U+0000 in text and
 *   jsonb and lone surrogates in jsonb, so such an event would be answered 500 and retried for
 *   nothing. Both become U+FFFD (what a UTF-8 decoder makes of bytes it cannot read), on every store
 *   alike.
 * - Nesting deeper than MAX_PAYLOAD_DEPTH: JSON.stringify (the stores' jsonb/attachments) and any
 *   recursive walk overflow the stack long before the 1 MiB body limit (10,000 levels fit in 60 kB).
 *   Chatwoot's own bodies are under 10 levels deep; deeper ones are refused.
 * - An own `__proto__` key: harmless in JSON.parse's result, but a copy by assignment (zod's loose
 *   objects, a spread into a store row) would make it the copy's prototype. Chatwoot never sends one.
 */
export const MAX_PAYLOAD_DEPTH = 64;

const UNSTORABLE = /[\u0000\p{Cs}]/u;
const UNSTORABLE_ALL = /[\u0000\p{Cs}]/gu;

export type Storable = { ok: true; value: unknown } | { ok: false; reason: string };

/** `value` (a JSON.parse result, changed in place) with its strings storable, or why it is refused. */
export function storableJson(value: unknown): Storable {
  return walk(value, 0) ? { ok: true, value: fixString(value) } : { ok: false, reason: `nested deeper than ${MAX_PAYLOAD_DEPTH} levels` };
}

/** Fixes the strings below `value`; false when it is nested too deep (then `value` may be half fixed). */
function walk(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_PAYLOAD_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!walk(value[i], depth + 1)) return false;
      value[i] = fixString(value[i]);
    }
    return true;
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '__proto__')) delete record.__proto__;
  for (const key of Object.keys(record)) {
    if (!walk(record[key], depth + 1)) return false;
    const fixed = fixString(record[key]);
    if (UNSTORABLE.test(key)) {
      delete record[key];
      record[fixString(key) as string] = fixed;
    } else if (fixed !== record[key]) record[key] = fixed;
  }
  return true;
}

function fixString(value: unknown): unknown {
  if (typeof value !== 'string' || !UNSTORABLE.test(value)) return value;
  return value.replace(UNSTORABLE_ALL, '\ufffd');
}
