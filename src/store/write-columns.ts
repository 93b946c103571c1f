import type { ConversationPatch } from '../rules/writes.js';

/** The conversations column behind each field a rule may set (both stores use the same names). */
export const CONVERSATION_COLUMNS: { readonly [F in keyof Required<ConversationPatch>]: string } = {
  inboxId: 'inbox_id',
  lastStatus: 'last_status',
  updatedAt: 'updated_at',
  contactId: 'contact_id',
  contactName: 'contact_name',
  lastCustomerAt: 'last_customer_at',
  dueAt: 'due_at',
  botState: 'bot_state',
  stateReason: 'state_reason',
  stateChangedAt: 'state_changed_at',
  leftPendingAt: 'left_pending_at',
};

/** The patch's fields that are set, as [column, value], in a stable order (so SQL texts repeat and statements are reused). */
export function patchColumns(patch: ConversationPatch): Array<[string, unknown]> {
  return (Object.keys(CONVERSATION_COLUMNS) as Array<keyof ConversationPatch>).filter((f) => patch[f] !== undefined).map((f) => [CONVERSATION_COLUMNS[f], patch[f]]);
}

/** A rule's write did not apply: another writer changed the conversation since it was read. The store decides again. */
export class WriteConflictError extends Error {
  constructor(readonly what: string) {
    super(`conflicting write: ${what} changed since it was read`);
    this.name = 'WriteConflictError';
  }
}
