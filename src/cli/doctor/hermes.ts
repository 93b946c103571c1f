import axios from 'axios';
import { networkReason } from '../../net/http-errors.js';
import { HermesClient, HermesError } from '../../hermes/client.js';
import { assessToolsets, describeRisky, SAFE_PROFILE } from '../../hermes/toolsets.js';
import type { Store } from '../../store/store.js';
import { fail, ok, PROBLEMS, warn, type CheckResult } from './report.js';

const TIMEOUT_MS = 5000;
const SESSION_HEADER = 'x-hermes-session-id';

/**
 * One Hermes API server (the global one, or an inbox's own profile): reachable, key accepted,
 * /v1/capabilities advertising X-Hermes-Session-Id, without which every turn would be stateless, and
 * GET /v1/toolsets showing no toolset that lets a customer reach the Hermes host (see toolsets.ts).
 * Read-only calls: no agent run, no session created.
 */
export async function checkHermes(label: string, url: string, apiKey: string): Promise<CheckResult> {
  let capabilities: Record<string, unknown>;
  try {
    capabilities = await client(url, apiKey).capabilities(TIMEOUT_MS);
  } catch (error) {
    if (!(error instanceof HermesError)) return fail(PROBLEMS.hermesUnreachable, `${label} at ${url} (${networkReason(error)})`);
    if (error.kind === 'unauthorized') return fail(PROBLEMS.hermesKeyRefused, `${label} at ${url} answered ${error.status}`);
    if (error.status === 404) return olderBuild(label, url, apiKey);
    return fail(PROBLEMS.hermesNotApiServer, `${label} at ${url}: GET /v1/capabilities answered ${error.status ?? 'nonsense'}`);
  }
  const features = (capabilities.features ?? {}) as Record<string, unknown>;
  const header = typeof features.session_continuity_header === 'string' ? features.session_continuity_header : null;
  if (!header || header.toLowerCase() !== SESSION_HEADER) {
    return fail(PROBLEMS.hermesNoSessionHeader, `${label} at ${url} does not list X-Hermes-Session-Id in /v1/capabilities`);
  }
  return checkTools(label, url, apiKey, `${label} reachable at ${url}; key accepted; offers ${header}`);
}

function client(url: string, apiKey: string): HermesClient {
  return new HermesClient({ baseUrl: url, apiKey });
}

/**
 * The tools the api_server platform gives its agent, i.e. every customer (GET /v1/toolsets). A risky
 * one turns the Hermes line into a ✗; safe tools are listed under the ✓.
 */
async function checkTools(label: string, url: string, apiKey: string, reachable: string): Promise<CheckResult> {
  let toolsets: Awaited<ReturnType<HermesClient['toolsets']>>;
  try {
    toolsets = await client(url, apiKey).toolsets(TIMEOUT_MS);
  } catch (error) {
    const why = error instanceof HermesError ? error.message : networkReason(error);
    return warn(`${reachable}, but its tools could not be read (${why})`, `Check by hand that ${SAFE_PROFILE} is set in Hermes' config.yaml.`);
  }
  if (toolsets === null) {
    return warn(
      `${reachable}, but it has no GET /v1/toolsets: the tools it gives customers are unknown`,
      `Make sure Hermes' config.yaml has ${SAFE_PROFILE}, or upgrade Hermes Agent so doctor can check it.`,
    );
  }
  const { risky, unknown, enabled } = assessToolsets(toolsets);
  if (risky.length > 0) {
    return fail(PROBLEMS.hermesRiskyTools, `${label} at ${url} enables ${describeRisky(risky)}`);
  }
  const offered = `tools for customers: ${enabled.length > 0 ? enabled.join(', ') : 'none'}`;
  if (unknown.length > 0) {
    return warn(
      `${reachable}; it also offers customers toolsets this bot does not know: ${unknown.join(', ')}`,
      'Plugin toolsets: make sure none of them reaches the Hermes host or other customers\' data, or leave them out of platform_toolsets.api_server.',
      [offered],
    );
  }
  return ok(reachable, [offered]);
}

/** No /v1/capabilities: an older Hermes build, or not Hermes at all. /v1/models (authenticated) tells which. */
async function olderBuild(label: string, url: string, apiKey: string): Promise<CheckResult> {
  let status: number;
  try {
    status = (await axios.get(`${url}/v1/models`, { headers: { authorization: `Bearer ${apiKey}` }, timeout: TIMEOUT_MS, validateStatus: () => true })).status;
  } catch (error) {
    return fail(PROBLEMS.hermesUnreachable, `${label} at ${url} (${networkReason(error)})`);
  }
  if (status === 401 || status === 403) return fail(PROBLEMS.hermesKeyRefused, `${label} at ${url} answered ${status}`);
  if (status !== 200) return fail(PROBLEMS.hermesNotApiServer, `${label} at ${url}: neither /v1/capabilities nor /v1/models exist`);
  return warn(
    `${label} reachable at ${url} and key accepted, but it has no /v1/capabilities (an older build): session support is unconfirmed`,
    'Upgrade Hermes Agent; builds from before April 2026 ignore X-Hermes-Session-Id and answer every message without history.',
  );
}

/**
 * Strict Hermes builds accept only session ids they issued; the bot then falls back to a header-less
 * first turn and keeps Hermes' id (mode "server"). The store is the evidence: doctor cannot probe for it
 * without running an agent turn.
 */
export async function strictBuildWarning(store: Store): Promise<CheckResult | null> {
  const server = (await store.listSessions()).filter((s) => s.mode === 'server');
  if (server.length === 0) return null;
  return warn(
    `${server.length} conversation${server.length === 1 ? ' uses a session id' : 's use session ids'} issued by Hermes: this Hermes is a strict build that refuses the bot's own ids`,
    'It works: the bot falls back by itself and keeps the id Hermes issues. But those ids do not name the conversation (see them with: chatwoot-hermes-bot sessions), and every new session starts with one request without the session header. Current Hermes releases accept the bot\'s ids again: upgrade when you can.',
  );
}
