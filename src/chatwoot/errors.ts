/** A failed Chatwoot call, described without the token or the response body's secrets. */
export class ChatwootError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChatwootError';
  }
}

/**
 * Chatwoot refused the connection on every attempt (ECONNREFUSED: nothing listened, not a byte of the
 * request left this host), so it provably stored nothing: posting again later cannot duplicate.
 * A reset or timeout mid-request proves nothing of the kind and stays a plain ChatwootError.
 */
export class ChatwootUnreachableError extends ChatwootError {
  constructor(message: string) {
    super(message, null, true);
    this.name = 'ChatwootUnreachableError';
  }
}
