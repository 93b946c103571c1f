/**
 * A fake Chatwoot (v4.15.1 by default; `version` plays 4.13.0–4.15.1) on 127.0.0.1 for tests: the bot-token and admin REST endpoints the service uses
 * (chatwoot.md §5–§6), every request recorded and checked against the OpenAPI contract, failure
 * injection, and optional echo of the bot's own messages as signed webhooks (what Chatwoot really does).
 *
 * Pieces: chatwoot/routes.ts (endpoints), chatwoot/auth.ts (tokens and each version's bot rights),
 * chatwoot/teams.ts (teams listing), chatwoot/api-index.ts (GET /api, the version), chatwoot/state.ts (data),
 * chatwoot/presenters.ts (JSON shapes), chatwoot/echo.ts (webhooks back to the bot), chatwoot/delivery.ts
 * (how Chatwoot delivers a webhook: retries, timeout, opening the conversation on a final failure),
 * chatwoot/dashboard-apps.ts (Dashboard Apps and the conversation screen that frames them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createContractValidator, type ContractValidator } from '../helpers/openapi.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { API_INDEX_PATH, apiIndexJson } from './chatwoot/api-index.js';
import { authenticate, botAccessible, chatwootVersion, type AuthConfig } from './chatwoot/auth.js';
import { createAutomationMessage } from './chatwoot/automation.js';
import { createCustomerMessage, setTranscript } from './chatwoot/customer.js';
import { DashboardApps, findDashboardAppRoute, hostPage } from './chatwoot/dashboard-apps.js';
import { BOT_FAILURE_ACTIVITY, FAILURE_HANDLED_EVENTS, WebhookDelivery, type DeliveryRecord } from './chatwoot/delivery.js';
import { EchoSender } from './chatwoot/echo.js';
import { renderOutgoingContent, type LiquidContext } from './chatwoot/liquid.js';
import { dropUnderscoreHeaders } from './chatwoot/nginx.js';
import { ADMIN_USER, conversationWebhookData, messageWebhook } from './chatwoot/presenters.js';
import { ACCOUNT_NAME, ChatwootState } from './chatwoot/state.js';
import { findRoute, NOT_FOUND, type Reply } from './chatwoot/routes.js';
import { DEFAULT_TEAMS, findTeamRoute, TeamDirectory } from './chatwoot/teams.js';
import type { CannedResponse, ConversationState, ConversationStatus, FakeChatwoot, FakeChatwootOptions, RecordedRequest, StoredMessage } from './chatwoot/types.js';
import {
  flatHeaders,
  matchesFilter,
  parseJson,
  readBody,
  resetConnection,
  sendEmpty,
  sendJson,
  sendText,
  splitUrl,
  startLoopbackServer,
  type RequestFilter,
} from './common/http.js';

export type * from './chatwoot/types.js';
export type { DeliveryAttempt, DeliveryRecord } from './chatwoot/delivery.js';
export type { RequestFilter } from './common/http.js';

export async function startFakeChatwoot(opts: FakeChatwootOptions = {}): Promise<FakeChatwoot> {
  const auth: AuthConfig = {
    botToken: opts.botToken ?? 'bot-token',
    adminToken: opts.adminToken ?? 'admin-token',
    accountId: opts.accountId ?? 1,
    botId: opts.botId ?? 4,
    botName: opts.botName ?? 'Assistente Acme',
  };
  // The version sets what the bot token may do, as that release's BOT_ACCESSIBLE_ENDPOINTS does.
  const version = chatwootVersion(opts.version ?? '4.15.1');
  const teams = new TeamDirectory();
  for (const team of opts.teams ?? DEFAULT_TEAMS) teams.add({ ...team, accountId: team.accountId ?? auth.accountId });
  const state = new ChatwootState(opts.inboxId ?? 7, teams);
  const dashboardApps = new DashboardApps();
  let signedInAgent: { id: number; name: string; email: string } | undefined;
  const validator: ContractValidator | null = opts.validate === false ? null : createContractValidator(opts.specPath);
  const accountSettings = { keep_pending_on_bot_failure: opts.keepPendingOnBotFailure ?? false };
  const target = opts.delivery ?? opts.echo;
  const delivery = target ? new WebhookDelivery(target, onBotFailure, opts.deliveryTiming) : null;
  const echo = opts.echo && delivery ? new EchoSender(delivery) : null;
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const canned: Array<{ filter: RequestFilter; queue: CannedResponse[] }> = [];
  let delayMs = 0;

  function checkContract(r: RecordedRequest): void {
    const where = `${r.method} ${r.path}`;
    const contentType = r.headers['content-type'] ?? '';
    if (r.rawBody.trim() !== '' && r.body === null) {
      violations.push(`${where}: body is not JSON (content-type ${contentType || 'none'}); the fake only checks JSON bodies`);
    }
    if (validator) for (const v of validator.validateRequest(r.method, r.path, r.body)) violations.push(`${where}: ${v}`);
    // A source_id makes Chatwoot treat the message as already sent by the channel: it is never delivered.
    if (r.method === 'POST' && /\/messages\/?$/.test(r.path) && r.body && typeof r.body === 'object' && 'source_id' in r.body) {
      violations.push(`${where}: source_id must never be sent (Chatwoot would not deliver the message)`);
    }
  }

  function takeCanned(method: string, path: string): CannedResponse | undefined {
    const index = canned.findIndex((c) => c.queue.length > 0 && matchesFilter(c.filter, method, path));
    if (index === -1) return undefined;
    const rule = canned[index]!;
    const response = rule.queue.shift();
    if (rule.queue.length === 0) canned.splice(index, 1);
    return response;
  }

  function echoMessage(conv: ConversationState, message: StoredMessage): void {
    echo?.send(messageWebhook(state, conv, message, 'message_created'));
  }

  /**
   * Chatwoot's handle_failure for a delivery that failed for good (lib/webhooks/trigger.rb
   * update_conversation_status): only message events of a message that exists (a payload with an id
   * counts as one), only a pending conversation, not with keep_pending_on_bot_failure. The status
   * change then reaches the bot like any other (conversation.open! runs the listeners).
   */
  function onBotFailure(payload: Record<string, unknown>, record: DeliveryRecord): boolean {
    if (!FAILURE_HANDLED_EVENTS.includes(record.event) || record.messageId === null) return false;
    const accountId = Number((payload.account as { id?: unknown } | undefined)?.id ?? auth.accountId);
    const conv = state.conversation(accountId, record.conversationId);
    if (conv.status !== 'pending' || accountSettings.keep_pending_on_bot_failure) return false;
    const at = Date.now();
    conv.status = 'open';
    conv.history.push({ from: 'pending', to: 'open', at, by: 'system' });
    conv.activities.push({ content: BOT_FAILURE_ACTIVITY, at });
    echoStatus(conv, 'pending');
    return true;
  }

  function echoUpdate(conv: ConversationState, message: StoredMessage): void {
    echo?.send(messageWebhook(state, conv, message, 'message_updated'));
  }

  function findMessage(conv: ConversationState, messageId: number): StoredMessage {
    const found = state.messages(conv.accountId, conv.id).find((m) => m.id === messageId);
    if (!found) throw new Error(`fake-chatwoot: no message ${messageId} in conversation ${conv.id}`);
    return found;
  }

  /** The deliveries one status change causes (chatwoot.md §1, §4), in Chatwoot's dispatch order. */
  function echoStatus(conv: ConversationState, from: ConversationStatus): void {
    if (!echo || !opts.echo?.statusEvents) return;
    const data = conversationWebhookData(state, conv);
    if (conv.status === 'open' || conv.status === 'resolved') {
      echo.send({ ...data, event: `conversation_${conv.status === 'open' ? 'opened' : 'resolved'}` });
    }
    // v4.15 sends changed_attributes null here: status_change is cleared before the callback runs.
    echo.send({ ...data, event: 'conversation_status_changed', changed_attributes: null });
    echo.send({
      ...data,
      event: 'conversation_updated',
      changed_attributes: [{ status: { previous_value: from, current_value: conv.status } }],
    });
  }

  /** Liquidable#message_drops for a message in `conv`; `agent` = the sender, else the assignee. */
  function renderOutgoing(conv: ConversationState, content: string, sender: StoredMessage['sender']): string {
    const assignee = conv.assigneeType === 'User' && conv.assigneeId !== null ? { id: conv.assigneeId, name: `Agent ${conv.assigneeId}`, availableName: `Agent ${conv.assigneeId}`, email: `agent${conv.assigneeId}@acme.example` } : null;
    const ctx: LiquidContext = {
      contact: { id: conv.contact.id, name: conv.contact.name, email: null, phoneNumber: conv.contact.phoneNumber, customAttributes: {} },
      agent:
        sender.kind === 'agent_bot'
          ? { id: sender.id, name: sender.name, availableName: null, email: null }
          : sender.kind === 'user'
            ? { id: sender.id, name: sender.name, availableName: sender.name, email: ADMIN_USER.email }
            : assignee,
      conversation: { id: conv.id + 500000, displayId: conv.id, customAttributes: conv.customAttributes },
      inbox: { id: conv.inboxId, name: state.inboxName(conv.inboxId) },
      account: { id: conv.accountId, name: ACCOUNT_NAME },
    };
    return renderOutgoingContent(content, ctx, (what) => violations.push(`fake-chatwoot cannot render ${what} (in "${content.slice(0, 80)}")`));
  }

  function route(req: IncomingMessage, r: RecordedRequest): Reply {
    if (r.method === 'GET' && r.path.replace(/\/$/, '') === API_INDEX_PATH) return { status: 200, json: apiIndexJson(version, opts.health ?? { queueServices: 'ok', dataServices: 'ok' }) };
    const found = findRoute(r.method, r.path) ?? findTeamRoute(teams, r.method, r.path) ?? findDashboardAppRoute(dashboardApps, r.method, r.path);
    if (!found) return { status: 404, json: { error: 'Resource could not be found', fake: 'route not implemented by fake-chatwoot' } };
    const { route: handler, params } = found;
    // showAllowed (older option) overrides the version for GET conversation only.
    const botAllowed =
      handler.bot === 'conversations#show' && opts.showAllowed !== undefined ? opts.showAllowed : handler.bot !== false && botAccessible(version, handler.bot);
    const result = authenticate(req, auth, state, botAllowed, params.account ?? null);
    if (!result.ok) return { status: result.status, json: result.body };
    // Display ids start at 1 (a per-account sequence), so conversation 0 never exists: find_by! → 404.
    if (handler.conversation && params.conversation === 0) return NOT_FOUND;
    const conv = handler.conversation ? state.conversation(params.account!, params.conversation!) : undefined;
    if (conv?.missing) return NOT_FOUND;
    const body = r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? r.body : {};
    return handler.handle({
      actor: result.actor,
      params,
      body,
      state,
      conv: conv!,
      onMessage: echoMessage,
      onStatusChange: echoStatus,
      renderOutgoing,
      messageRateLimit: opts.messageRateLimit ?? null,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitUrl(req.url);
    // The dashboard's own pages are not API calls: neither recorded nor checked against the spec.
    const page = req.method === 'GET' ? hostPage(dashboardApps, state, { path, ...(signedInAgent ? { agent: signedInAgent } : {}) }) : null;
    if (page !== null) return sendText(res, 200, page, { 'content-type': 'text/html; charset=utf-8' });
    // Behind a default nginx the header never reaches Chatwoot: it is neither recorded nor authenticated.
    if (opts.dropUnderscoreHeaders) dropUnderscoreHeaders(req);
    const rawBody = (await readBody(req)).toString('utf8');
    const headers = flatHeaders(req);
    const parsed = /json/i.test(headers['content-type'] ?? 'application/json') ? parseJson(rawBody) : undefined;
    const record: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query,
      headers,
      body: parsed ?? null,
      rawBody,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    checkContract(record);

    const cannedResponse = takeCanned(record.method, path);
    if (cannedResponse !== undefined) {
      await sleep(delayMs + (cannedResponse === 'reset' ? 0 : (cannedResponse.delayMs ?? 0)));
      if (cannedResponse === 'reset') return resetConnection(res);
      record.status = cannedResponse.status;
      const { body: cannedBody, headers: cannedHeaders = {} } = cannedResponse;
      if (cannedBody === undefined) sendEmpty(res, cannedResponse.status, cannedHeaders);
      else if (typeof cannedBody === 'string') sendText(res, cannedResponse.status, cannedBody, cannedHeaders);
      else sendJson(res, cannedResponse.status, cannedBody, cannedHeaders);
      return;
    }

    // Like a slow Chatwoot: the work happens after the delay even if the client gave up meanwhile.
    if (delayMs > 0) await sleep(delayMs);
    if (server.closed) return;
    const reply = route(req, record);
    record.status = reply.status;
    if (reply.json === undefined) sendEmpty(res, reply.status);
    else sendJson(res, reply.status, reply.json);
  }

  const server = await startLoopbackServer(handle);

  const fake: FakeChatwoot = {
    url: server.url,
    version,
    requests,
    echoes: echo?.records ?? [],
    deliveries: delivery?.records ?? [],
    accountSettings,
    deliver: (payload, o) => {
      if (!delivery) throw new Error('fake-chatwoot: deliver() needs the `delivery` (or `echo`) option: where and with which secret to send');
      return delivery.deliver(payload, o).finished;
    },
    agentBots: state.agentBots,
    inboxes: state.inboxes,
    dashboardApps: dashboardApps.apps,
    addDashboardApp: (app) => dashboardApps.add({ ...app, accountId: app.accountId ?? auth.accountId }),
    signIn: (agent) => {
      signedInAgent = agent;
    },
    violations: () => [...violations],
    messages: (account, conversation, filter = {}) =>
      state.messages(account, conversation).filter((m) => filter.private === undefined || m.private === filter.private),
    conversation: (account, conversation) => state.conversation(account, conversation),
    setConversation: (account, conversation, patch) => Object.assign(state.conversation(account, conversation), patch),
    failNext: (match, responses) => {
      canned.push({ filter: match, queue: [...responses] });
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    waitFor: (predicate, timeoutMs = 5000) =>
      waitUntil(() => predicate(fake), {
        timeoutMs,
        describe: () =>
          `fake-chatwoot saw ${requests.length} request(s); last: ` +
          requests.slice(-8).map((r) => `${r.method} ${r.path} → ${r.status}`).join('; '),
      }),
    automationMessage: (account, conversation, action) => {
      const conv = state.conversation(account, conversation);
      const stored = createAutomationMessage(state, conv, action, renderOutgoing);
      echoMessage(conv, stored);
      return stored;
    },
    customerMessage: (account, conversation, message) => {
      const conv = state.conversation(account, conversation);
      const stored = createCustomerMessage(state, conv, message);
      echoMessage(conv, stored);
      if (message.audio && (opts.edition ?? 'enterprise') === 'enterprise') echoUpdate(conv, stored);
      return stored;
    },
    transcribe: (account, conversation, messageId, text) => {
      const conv = state.conversation(account, conversation);
      const stored = findMessage(conv, messageId);
      setTranscript(stored, text);
      echoUpdate(conv, stored);
    },
    failDelivery: (account, conversation, messageId, error = '131047: Re-engagement message') => {
      const conv = state.conversation(account, conversation);
      const stored = findMessage(conv, messageId);
      stored.content_attributes = { ...stored.content_attributes, external_error: error };
      echoUpdate(conv, stored);
    },
    addInbox: (inbox) => state.addInbox(inbox, auth.accountId),
    addAgentBot: (bot) => state.addAgentBot(bot, auth.accountId),
    addTeam: (team) => teams.add({ ...team, accountId: team.accountId ?? auth.accountId }),
    close: async () => {
      await echo?.close();
      delivery?.close();
      await server.close();
    },
  };
  return fake;
}
