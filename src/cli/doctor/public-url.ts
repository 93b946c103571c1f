import { judgeHost } from '../private-address.js';
import { fail, ok, PROBLEMS, warn, type CheckResult } from './report.js';

/** PUBLIC_URL set, and an address Chatwoot 4.14+ will post to (its SSRF guard refuses private ones). */
export async function checkPublicUrl(publicUrl: string | undefined, resolve?: (host: string) => Promise<string[]>): Promise<CheckResult> {
  if (!publicUrl) return fail(PROBLEMS.publicUrlMissing, "needed to check the bot's webhook URL in Chatwoot");
  const verdict = await judgeHost(new URL(publicUrl).hostname, resolve);
  if (!verdict.private) return ok(`PUBLIC_URL ${publicUrl} is a public address`);
  return warn(
    `PUBLIC_URL ${publicUrl} is private: ${verdict.why}`,
    'Chatwoot 4.14+ refuses to send webhooks to private addresses ("has no public ip addresses") and hands every conversation to your team. Give the bot a public address, or run a self-hosted Chatwoot (4.14.1+) with SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true.',
  );
}
