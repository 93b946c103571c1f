import type { ConversationKey } from '../../domain/conversation.js';
import { addErased, type ErasedCounts, type ForgetPass } from '../../domain/privacy.js';
import { HermesError, type HermesClient } from '../../hermes/client.js';
import { stableSessionId } from '../../hermes/session.js';
import type { SessionRecord, Store } from '../../store/store.js';

/** What `forget` did to one conversation. */
export interface ForgetReport {
  key: ConversationKey;
  /** When an earlier run forgot it (null: this run did). */
  forgottenBefore: number | null;
  erased: ErasedCounts;
  /** Turns a bot was still running when the wait was over: ended here; their Hermes run may still write its session. */
  stoppedTurns: number;
  /** Each Hermes session id of the conversation and what became of it. */
  sessions: Array<{ sessionId: string; outcome: 'deleted' | 'absent' | 'failed'; problem?: string }>;
  /** The inbox sends X-Hermes-Session-Key (contactMemory): Hermes keeps memory the API cannot erase. */
  contactMemoryKey: string | null;
}

export interface ForgetDeps {
  store: Pick<Store, 'forgetConversation' | 'getConversation' | 'getInboxSettings'>;
  /** The Hermes API server of an inbox: its own hermesUrl/hermesApiKey, or HERMES_URL/HERMES_API_KEY. */
  hermesFor(stored: Record<string, unknown> | null): HermesClient;
  /** How long to wait for a running bot to end a turn in flight (HERMES_TIMEOUT_MS and a margin). */
  waitMs: number;
  pollMs?: number;
}

/**
 * Erases one conversation the bot knows; null when its store holds nothing of it.
 *
 * The bot that runs the conversation's turns is another process: the store is how it is told. The
 * first pass marks the conversation forgotten and blanks its texts; from then on the running bot
 * ignores its events, plans nothing for it and its outbox refuses to post. A turn already asking
 * Hermes then ends by itself (skipped: "bot is paused"); this waits for that (up to `waitMs`), so its
 * Hermes run has finished writing the session before the session is deleted, then runs a last pass
 * that ends whatever still runs (a bot that died mid-turn) and blanks anything written meanwhile.
 */
export async function forgetConversation(deps: ForgetDeps, key: ConversationKey, now: () => number = Date.now): Promise<ForgetReport | null> {
  const { store } = deps;
  const first = await store.forgetConversation(key, { now: now(), stopTurns: false });
  if (!first) return null;
  let pass: ForgetPass = first;
  let erased = first.erased;
  const until = now() + deps.waitMs;
  while (pass.runningTurns > 0 && now() < until) {
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 250));
    pass = (await store.forgetConversation(key, { now: now(), stopTurns: false }))!;
    erased = addErased(erased, pass.erased);
  }
  const last = (await store.forgetConversation(key, { now: now(), stopTurns: true }))!;
  erased = addErased(erased, last.erased);

  const conversation = await store.getConversation(key);
  const stored = conversation?.inboxId != null ? await store.getInboxSettings(conversation.inboxId) : null;
  const hermes = deps.hermesFor(stored);
  const sessions: ForgetReport['sessions'] = [];
  for (const sessionId of sessionIds(key, last.session)) {
    try {
      sessions.push({ sessionId, outcome: await hermes.deleteSession(sessionId) });
    } catch (error) {
      sessions.push({ sessionId, outcome: 'failed', problem: error instanceof HermesError ? error.message : String(error) });
    }
  }
  const contactMemoryKey = stored?.contactMemory === true && conversation?.contactId != null ? `chatwoot-${key.accountId}-contact-${conversation.contactId}` : null;
  return { key, forgottenBefore: first.forgottenBefore, erased, stoppedTurns: last.stoppedTurns, sessions, contactMemoryKey };
}

/**
 * Every Hermes session the conversation used. The bot's own ids are `chatwoot-<account>-<conversation>`
 * plus `-g<n>` after each reset (hermes/session.ts), so all generations are known; a strict build's
 * server-issued id is known only for the current one.
 */
function sessionIds(key: ConversationKey, session: SessionRecord | null): string[] {
  if (!session) return [stableSessionId(key)];
  const ours = Array.from({ length: session.generation + 1 }, (_, g) => stableSessionId(key, g));
  return session.mode === 'header' ? ours : [...new Set([session.sessionId, ...ours])];
}
