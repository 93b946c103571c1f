/**
 * What a default nginx in front of Chatwoot does to a request's headers: `underscores_in_headers` is
 * off by default, so a header whose name has an underscore is dropped before Rails sees it
 * (Chatwoot's own deployment/nginx_chatwoot.conf turns it on; most reverse proxies in front of a
 * self-hosted Chatwoot do not). `api_access_token` is such a header; `api-access-token` is not.
 */
import type { IncomingMessage } from 'node:http';

export function dropUnderscoreHeaders(req: IncomingMessage): string[] {
  const dropped = Object.keys(req.headers).filter((name) => name.includes('_'));
  for (const name of dropped) delete req.headers[name];
  return dropped;
}
