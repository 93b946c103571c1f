/** WhatsApp takes 4,096 characters per text; we stay a little below for Chatwoot's own additions. */
export const MAX_PART_LENGTH = 4000;

/**
 * Splits a reply into parts of at most `max` characters, preferring paragraph breaks, then line
 * breaks, then sentence ends, then spaces; a hard cut only for a single unbroken run of text.
 * Parts keep their order and their text; only the whitespace at the cut is dropped.
 */
export function splitReply(text: string, max = MAX_PART_LENGTH): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = findCut(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    if (head) parts.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** Boundaries by preference; each pattern matches the whitespace to cut at (the head ends before it). */
const BOUNDARIES = [/\n[ \t]*\n\s*/g, /\n\s*/g, /(?<=[.!?…]["')\]]*)\s+/g, /(?<=[;:,])\s+/g, /\s+/g];

function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  // A break in the first third would leave a run of tiny messages; prefer a weaker boundary later on.
  const minimum = Math.floor(max / 3);
  for (const pattern of BOUNDARIES) {
    let best = -1;
    for (const m of window.matchAll(pattern)) if (m.index >= minimum && m.index <= max) best = m.index;
    if (best > 0) return best;
  }
  return max;
}
