import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { ConversationKey } from '../domain/conversation.js';
import { networkReason, redirected } from '../net/http-errors.js';
import { refusedToBots } from './bot-rights.js';
import { ChatwootError, ChatwootUnreachableError } from './errors.js';
import { liquidSafe } from './liquid.js';

export { ChatwootError } from './errors.js';
import { parseRetryAfter, withRetry, type RetryPolicy } from '../util/retry.js';


/** What a bot may read of a conversation right before posting (REST show: status and labels). */
export interface ConversationSnapshot {
  status: string;
  labels: string[];
}

export interface ChatwootClientOptions {
  baseUrl: string;
  botToken: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/**
 * The bot-token REST calls (chatwoot.md §5). Only endpoints in Chatwoot's BOT_ACCESSIBLE_ENDPOINTS.
 * Retries 429 and 5xx; every other answer is final. The token travels in `api-access-token`: Rails
 * reads it as HTTP_API_ACCESS_TOKEN just like the spec's `api_access_token`
 * (app/controllers/api/base_controller.rb, concerns/access_token_auth_helper.rb), and nginx, which
 * drops headers with underscores by default (`underscores_in_headers off`), lets it through.
 */
export class ChatwootClient {
  private readonly http: AxiosInstance;
  private readonly retry: RetryPolicy;
  /** Older Chatwoot (before #14655) answers 401 to a bot reading a conversation; we then stop asking. */
  private showSupported = true;

  constructor(options: ChatwootClientOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? 15_000,
      headers: { 'api-access-token': options.botToken, 'content-type': 'application/json' },
      validateStatus: () => true,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
      // Chatwoot answers small JSON; refuse anything absurd rather than buffer it.
      maxContentLength: 5 * 1024 * 1024,
      // Never follow a redirect: every call here is a POST or a token-bearing GET, a followed POST turns
      // into a GET, and follow-redirects forwards custom headers (api-access-token) to another host.
      maxRedirects: 0,
    });
    this.retry = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8000, ...options.retry };
  }

  /**
   * Posts a message. `beforeRetry` lets the caller check for a witness (our echo) before posting again.
   * The content is posted Liquid-safe (liquid.ts): Chatwoot stores, sends and echoes exactly `content`.
   */
  async postMessage(
    key: ConversationKey,
    message: { content: string; private: boolean },
    beforeRetry?: () => Promise<boolean>,
  ): Promise<{ id: number | null }> {
    const res = await this.call(
      'post',
      `${base(key)}/messages`,
      { content: liquidSafe(message.content), message_type: 'outgoing', private: message.private },
      beforeRetry ? { beforeRetry } : {},
    );
    const id = (res.data as { id?: unknown } | undefined)?.id;
    return { id: typeof id === 'number' ? id : null };
  }

  async toggleStatus(key: ConversationKey, status: 'open' | 'pending' | 'resolved'): Promise<void> {
    await this.call('post', `${base(key)}/toggle_status`, { status });
  }

  async typing(key: ConversationKey, on: boolean): Promise<void> {
    await this.call('post', `${base(key)}/toggle_typing_status`, { typing_status: on ? 'on' : 'off' }, { policy: { attempts: 1 } });
  }

  /** The conversation as Chatwoot sees it now, or null where this Chatwoot does not let bots read it. */
  async getConversation(key: ConversationKey): Promise<ConversationSnapshot | null> {
    if (!this.showSupported) return null;
    try {
      const res = await this.call('get', base(key), undefined);
      const data = res.data as { status?: string; labels?: string[] };
      return { status: String(data.status ?? 'unknown'), labels: data.labels ?? [] };
    } catch (error) {
      // Only Chatwoot's "not authorized for bots" means this release never lets bots read it; any
      // other 401 (a token revoked meanwhile) must not switch the pre-post check off for good.
      if (refusedToBots(error)) {
        this.showSupported = false;
        return null;
      }
      throw error;
    }
  }

  async getLabels(key: ConversationKey): Promise<string[]> {
    const res = await this.call('get', `${base(key)}/labels`, undefined);
    return ((res.data as { payload?: string[] }).payload ?? []).map(String);
  }

  /** Chatwoot replaces the whole label set; callers merge first (see addLabels). */
  async setLabels(key: ConversationKey, labels: string[]): Promise<void> {
    await this.call('post', `${base(key)}/labels`, { labels });
  }

  async addLabels(key: ConversationKey, labels: string[]): Promise<void> {
    const current = await this.getLabels(key);
    const merged = [...new Set([...current, ...labels])];
    if (merged.length !== current.length) await this.setLabels(key, merged);
  }

  async assignTeam(key: ConversationKey, teamId: number): Promise<void> {
    await this.call('post', `${base(key)}/assignments`, { team_id: teamId });
  }

  private async call(
    method: 'get' | 'post',
    url: string,
    body: unknown,
    { beforeRetry, policy = {} }: { beforeRetry?: () => Promise<boolean>; policy?: Partial<RetryPolicy> } = {},
  ): Promise<AxiosResponse> {
    // Whether any attempt may have reached Chatwoot (answered, or cut mid-request): only when none
    // did is the failure a proof that nothing was stored.
    let reached = false;
    return withRetry(
      { ...this.retry, ...policy },
      async () => {
        let res: AxiosResponse;
        try {
          res = await this.http.request({ method, url, data: body });
        } catch (error) {
          const reason = networkReason(error);
          if (reason !== 'ECONNREFUSED') reached = true;
          const message = `Chatwoot ${method.toUpperCase()} ${url} failed: ${reason}`;
          throw reached ? new ChatwootError(message, null, true) : new ChatwootUnreachableError(message);
        }
        reached = true;
        if (res.status >= 200 && res.status < 300) return res;
        if (res.status >= 300 && res.status < 400) throw new ChatwootError(redirected(`Chatwoot ${method.toUpperCase()} ${url}`, res, 'CHATWOOT_URL'), res.status, false);
        const retryable = res.status === 429 || res.status >= 500;
        throw new ChatwootError(
          `Chatwoot ${method.toUpperCase()} ${url} answered ${res.status}${errorText(res.data)}`,
          res.status,
          retryable,
          parseRetryAfter(res.headers['retry-after']),
        );
      },
      (error) =>
        error instanceof ChatwootError
          ? { retryable: error.retryable, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) }
          : { retryable: false },
      beforeRetry ? async () => beforeRetry() : undefined,
    );
  }
}

function base(key: ConversationKey): string {
  return `/api/v1/accounts/${key.accountId}/conversations/${key.conversationId}`;
}

function errorText(data: unknown): string {
  const message = typeof data === 'object' && data !== null ? (data as { error?: unknown; message?: unknown }).error ?? (data as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
}

