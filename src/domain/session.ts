/** A conversation's Hermes session, as the bot remembers it. */
import type { ConversationKey } from './conversation.js';

export type SessionMode = 'header' | 'server';

export interface SessionRecord {
  key: ConversationKey;
  sessionId: string;
  mode: SessionMode;
  generation: number;
  createdAt: number;
  lastUsedAt: number | null;
  turnCount: number;
}
