/**
 * How the HTTP clients (Chatwoot, Hermes, the CLI's admin client) word what went wrong on the wire,
 * the same way for all three.
 */
import type { AxiosResponse } from 'axios';

export function networkReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? 'network error';
}

/** A 3xx, explained: the bot does not follow redirects, so the configured address must be the final one. */
export function redirected(what: string, res: AxiosResponse, setting: string): string {
  const location = typeof res.headers.location === 'string' ? res.headers.location.slice(0, 200) : 'another address';
  return `${what} answered ${res.status}, a redirect to ${location}: the bot does not follow redirects (its token would go along); set ${setting} to the address it redirects to`;
}
