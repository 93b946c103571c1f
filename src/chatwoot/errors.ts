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
