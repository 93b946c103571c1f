import { createServer, type Server } from 'node:http';
import type Koa from 'koa';

/**
 * How long a client may take to send a request. Chatwoot sends a webhook in one go and gives up on
 * the answer after 5 s; a client still sending headers after 10 s, or a body after 20 s, is not
 * Chatwoot: it only holds a socket and memory (a slow-client attack, the chaos suite's bad-input
 * fault). Node's own defaults (60 s for headers, 300 s for a request, checked every 30 s) let 1,000
 * such clients stay for minutes.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 20_000;
/** How often Node looks for requests past those limits; its default (30 s) would triple them. */
const CHECK_EVERY_MS = 1000;
/** Idle keep-alive sockets outlive any proxy's in front (they commonly keep 60 s). */
const KEEP_ALIVE_MS = 65_000;

export interface ServerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The app's HTTP server, with the limits above (tests may shorten them). */
export function createHttpServer(app: Koa, limits: ServerLimits = {}): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      requestTimeout: limits.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: CHECK_EVERY_MS,
    },
    app.callback(),
  );
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return server;
}
