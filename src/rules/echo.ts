import type { AcceptResult, StoredEvent } from '../domain/intake.js';
import type { RuleContext } from './context.js';

/**
 * Chatwoot's echo of the bot's own message — a reply, or a private note such as a hand-off's — is a
 * second witness that a part was delivered (see the outbox): a part that carries the echoed Chatwoot id is posted; failing that, the oldest part left
 * in `posting` (a crash between POST and answer) with exactly the echoed text is.
 */
export function decideEcho(ctx: RuleContext, event: Extract<StoredEvent, { kind: 'bot_echo' }>): AcceptResult {
  const candidates = ctx.snapshot.echoCandidates;
  const byId = candidates.filter((c) => c.chatwootMessageId === event.messageId && c.state !== 'posted');
  for (const c of byId) ctx.writes.push({ kind: 'outboxPosted', turnId: c.turnId, part: c.part, chatwootMessageId: event.messageId, postedAt: c.postedAt ?? ctx.now });
  if (byId.length > 0) return { outcome: 'stored', dueAt: null };
  // A note and a reply with the same words are different messages: the echo says which it is.
  const ambiguous = candidates.find((c) => c.state === 'posting' && c.content === event.content && c.private === event.private);
  if (!ambiguous) return { outcome: 'stored', dueAt: null };
  ctx.writes.push({ kind: 'outboxPosted', turnId: ambiguous.turnId, part: ambiguous.part, chatwootMessageId: event.messageId, postedAt: ctx.now });
  return { outcome: 'stored', dueAt: null, note: 'echo confirmed an ambiguous post' };
}
