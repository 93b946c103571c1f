import axios, { type AxiosInstance } from 'axios';
import { networkReason, redirected } from '../net/http-errors.js';
import { explainAdminFailure } from './chatwoot-errors.js';
import { CliError } from './command.js';

/** An agent bot as Chatwoot's admin API shows it; `access_token` and `secret` only to administrators. */
export interface AgentBot {
  id: number;
  name: string;
  description: string | null;
  outgoing_url: string | null;
  thumbnail?: string | null;
  account_id?: number | null;
  access_token?: string;
  /** Absent before Chatwoot 4.13 (no signed webhooks). */
  secret?: string;
}

export interface Inbox {
  id: number;
  name: string;
  channel_type: string;
}

/** A Dashboard App (_dashboard_app.json.jbuilder): a tab beside the conversation that frames `content[].url`. */
export interface DashboardApp {
  id: number;
  title: string;
  content: Array<{ url: string; type: string }>;
}

export interface BotFields {
  name?: string;
  description?: string;
  outgoing_url?: string;
  avatar_url?: string;
}

/**
 * The administrator's side of Chatwoot (chatwoot.md §6): agent bots and inbox connections, with an
 * administrator's user token. Every failure becomes a CliError with a plain sentence; the token is
 * never part of one.
 */
export class ChatwootAdmin {
  private readonly http: AxiosInstance;

  constructor(
    readonly chatwootUrl: string,
    token: string,
    readonly accountId: number,
    timeoutMs = 15_000,
  ) {
    this.http = axios.create({
      baseURL: chatwootUrl,
      timeout: timeoutMs,
      // The hyphenated spelling survives proxies that drop headers with underscores (nginx default).
      headers: { 'api-access-token': token, 'content-type': 'application/json', accept: 'application/json' },
      validateStatus: () => true,
      maxContentLength: 5 * 1024 * 1024,
      // An admin token must not follow a redirect to another host (custom headers go along); say so instead.
      maxRedirects: 0,
    });
  }

  listBots(): Promise<AgentBot[]> {
    return this.call<AgentBot[]>('get', '/agent_bots');
  }

  createBot(fields: BotFields): Promise<AgentBot> {
    return this.call<AgentBot>('post', '/agent_bots', fields);
  }

  updateBot(id: number, fields: BotFields): Promise<AgentBot> {
    return this.call<AgentBot>('patch', `/agent_bots/${id}`, fields, `Bot ${id} no longer exists in account ${this.accountId}.`);
  }

  async listInboxes(): Promise<Inbox[]> {
    const data = await this.call<{ payload?: Inbox[] }>('get', '/inboxes');
    return (data.payload ?? []).map((i) => ({ id: i.id, name: i.name, channel_type: i.channel_type }));
  }

  /** The bot connected to an inbox, or null (Chatwoot answers `{}` when there is none). */
  async inboxBot(inboxId: number): Promise<AgentBot | null> {
    const data = await this.call<{ agent_bot?: AgentBot | null }>('get', `/inboxes/${inboxId}/agent_bot`, undefined, this.noInbox(inboxId));
    return data?.agent_bot ?? null;
  }

  /** Connects a bot to an inbox (replacing any other), or disconnects with null. Chatwoot answers 200 with an empty body. */
  async setInboxBot(inboxId: number, botId: number | null): Promise<void> {
    await this.call('post', `/inboxes/${inboxId}/set_agent_bot`, { agent_bot: botId }, this.noInbox(inboxId));
  }

  /** The account's teams (teams_controller#index). */
  async listTeams(): Promise<Array<{ id: number; name: string }>> {
    const data = await this.call<Array<{ id: number; name: string }>>('get', '/teams');
    return (Array.isArray(data) ? data : []).map((t) => ({ id: t.id, name: t.name }));
  }

  /** The account's Dashboard Apps (dashboard_apps_controller#index; any user of the account may manage them). */
  async listDashboardApps(): Promise<DashboardApp[]> {
    const data = await this.call<DashboardApp[]>('get', '/dashboard_apps');
    return Array.isArray(data) ? data : [];
  }

  /** Creates or updates a Dashboard App; the controller permits only title and content items' url and type. */
  saveDashboardApp(app: { id?: number; title: string; url: string }): Promise<DashboardApp> {
    const body = { dashboard_app: { title: app.title, content: [{ url: app.url, type: 'frame' }] } };
    return app.id === undefined
      ? this.call<DashboardApp>('post', '/dashboard_apps', body)
      : this.call<DashboardApp>('patch', `/dashboard_apps/${app.id}`, body, `Dashboard App ${app.id} no longer exists in account ${this.accountId}.`);
  }

  private noInbox(inboxId: number): string {
    return `Account ${this.accountId} has no inbox ${inboxId} (see: chatwoot-hermes-bot inboxes).`;
  }

  private async call<T>(method: 'get' | 'post' | 'patch', path: string, body?: unknown, notFound?: string): Promise<T> {
    const url = `/api/v1/accounts/${this.accountId}${path}`;
    const ctx = { chatwootUrl: this.chatwootUrl, accountId: this.accountId, ...(notFound ? { notFound } : {}) };
    let res;
    try {
      res = await this.http.request({ method, url, data: body });
    } catch (error) {
      throw new CliError(explainAdminFailure({ status: null, body: null, networkReason: networkReason(error) }, ctx));
    }
    if (res.status >= 300 && res.status < 400) throw new CliError(redirected(`${this.chatwootUrl} (${method.toUpperCase()} ${url})`, res, 'CHATWOOT_URL'));
    if (res.status < 200 || res.status >= 300) throw new CliError(explainAdminFailure({ status: res.status, body: res.data }, ctx));
    if (typeof res.data === 'string' && res.data.trim() !== '') {
      throw new CliError(`${this.chatwootUrl} did not answer like Chatwoot (no JSON for ${method.toUpperCase()} ${url}): is CHATWOOT_URL the address you open Chatwoot at?`);
    }
    // An empty body (set_agent_bot) arrives as '' from axios.
    return (res.data === '' ? undefined : res.data) as T;
  }
}
