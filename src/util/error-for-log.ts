/**
 * An error as the log may show it at info and above: ids, kinds and statuses, never text that may
 * quote a customer. Chatwoot's and Hermes' errors (ChatwootError, HermesError) append the answer's
 * error text to their message, and an answer can echo what was sent (a 422 quoting the message
 * content, a Hermes run error quoting the prompt): for those only the class, kind and HTTP status
 * are kept. Their messages without a status (network failures, timeouts) name the cause, not the
 * content, and stay whole, as do every other error's (the store's, the bot's own).
 */
export function errorForLog(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : 'non-error thrown';
  const e = error as Error & { status?: unknown; kind?: unknown };
  const fromAnswer = (e.name === 'ChatwootError' || e.name === 'HermesError') && typeof e.status === 'number';
  if (!fromAnswer) return String(error);
  return `${e.name}${typeof e.kind === 'string' ? ` ${e.kind}` : ''} (HTTP ${String(e.status)})`;
}
