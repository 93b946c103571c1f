import type { ConversationKey } from '../domain/conversation.js';
import type { StoredEvent } from '../domain/intake.js';
import type { AcceptSnapshot, TurnSnapshot } from './rows.js';
import type { Write } from './writes.js';

/** `sync`: inside the caller's transaction (SQLite); `async`: a database across the network (Postgres). */
type Out<M extends 'sync' | 'async', T> = M extends 'sync' ? T : Promise<T>;

/**
 * What a store implements to run the conversation rules: load the rows a rule reads, and apply the
 * writes it decided (false: the conversation changed since it was read, nothing was written). The
 * store runs load → decide → apply atomically in its own way (a transaction, an optimistic check).
 */
export interface RuleRowAccess<M extends 'sync' | 'async'> {
  acceptRows(event: StoredEvent): Out<M, AcceptSnapshot>;
  turnRows(key: ConversationKey): Out<M, TurnSnapshot>;
  apply(writes: Write[]): Out<M, boolean>;
}
