import axios, { type AxiosResponse } from 'axios';
import { randomUUID } from 'node:crypto';
import { networkReason } from '../../net/http-errors.js';
import { expectedWebhookUrl } from '../webhook-url.js';
import { chatwootStyleProbe, plainProbe, probeHeaders } from './probe-events.js';
import { fail, ok, PROBLEMS, type CheckResult } from './report.js';

export interface RunningBotProbe {
  publicUrl: string;
  /** The secret to sign with: Chatwoot's Webhook Secret when the administrator token showed it, else ours. */
  secret: string | undefined;
  secretSource: 'chatwoot' | 'env';
  webhookToken: string | undefined;
  /** Where requests for PUBLIC_URL really go (identity, except in tests). */
  reach?: (publicUrl: string) => string;
  timeoutMs?: number;
}

type Answer = { res: AxiosResponse } | { error: string };

/**
 * Proves the bot that really runs, through the same way Chatwoot comes: `GET PUBLIC_URL/healthz`, then
 * a correctly signed, harmless event to the webhook URL, which the bot must answer "ignored" — DNS,
 * TLS, the proxy and the running process's secret in one go. A second event, written the way Chatwoot
 * writes JSON, catches a proxy that re-encodes bodies (the first, plain one, passes it).
 */
export async function checkRunningBot(p: RunningBotProbe): Promise<CheckResult> {
  const base = (p.reach ?? ((u) => u))(p.publicUrl.replace(/\/+$/, ''));
  const shown = p.publicUrl.replace(/\/+$/, '');
  // Bodies go out and come back as raw text: the signature covers the exact bytes.
  const http = axios.create({ timeout: p.timeoutMs ?? 5000, maxRedirects: 0, validateStatus: () => true, transformRequest: [(d: unknown) => d], transformResponse: [(d: unknown) => d] });
  const request = async (method: 'get' | 'post', url: string, body?: string, headers?: Record<string, string>): Promise<Answer> => {
    try {
      return { res: await http.request({ method, url, data: body, headers: headers ?? {} }) };
    } catch (error) {
      return { error: networkReason(error) };
    }
  };

  const health = await request('get', `${base}/healthz`);
  const healthProblem = judge(health, `${shown}/healthz`);
  if (healthProblem) return healthProblem;
  if ((json((health as { res: AxiosResponse }).res) as { status?: unknown } | null)?.status !== 'ok') {
    return fail(PROBLEMS.notThisBot, `${shown}/healthz answers, but not {"status":"ok"}: ${excerpt((health as { res: AxiosResponse }).res)}`);
  }

  // expectedWebhookUrl carries ?token= for WEBHOOK_TOKEN; the printed form never shows it.
  const webhook = expectedWebhookUrl(base, p.webhookToken);
  const webhookShown = `${shown}${new URL(expectedWebhookUrl(shown)).pathname}`;
  const signer = p.secret ? (p.secretSource === 'chatwoot' ? "Chatwoot's Webhook Secret" : 'CHATWOOT_WEBHOOK_SECRET') : 'WEBHOOK_TOKEN';
  const post = (body: string) => request('post', webhook, body, probeHeaders(body, p.secret));

  const plain = await post(plainProbe(randomUUID()));
  const plainProblem = judge(plain, webhookShown) ?? judgeWebhook(plain, webhookShown, signer, false);
  if (plainProblem) return plainProblem;
  if (p.secret) {
    const styled = await post(chatwootStyleProbe(randomUUID()));
    const styledProblem = judge(styled, webhookShown) ?? judgeWebhook(styled, webhookShown, signer, true);
    if (styledProblem) return styledProblem;
  }
  return ok(`The bot runs behind ${shown}: /healthz answers, and it accepts a test event signed with ${signer} (and ignores it)`);
}

/** Transport-level answers: no answer, TLS, the proxy's own 5xx, a redirect. Null = the bot answered. */
function judge(answer: Answer, where: string): CheckResult | null {
  if ('error' in answer) {
    if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH/i.test(answer.error)) {
      return fail(PROBLEMS.botTls, `${where}: ${answer.error}`);
    }
    return fail(PROBLEMS.botUnreachable, `${where}: ${answer.error}`);
  }
  const { res } = answer;
  if (res.status === 502 || res.status === 503 || res.status === 504) {
    return fail(PROBLEMS.botUnreachable, `${where} answered ${res.status}: something answers there, but the bot behind it does not`);
  }
  if (res.status >= 300 && res.status < 400) {
    const location = typeof res.headers.location === 'string' ? res.headers.location.slice(0, 200) : 'another address';
    return fail(PROBLEMS.notThisBot, `${where} redirects (${res.status}) to ${location}: Chatwoot posts webhooks to the address itself; set PUBLIC_URL to the final one`);
  }
  return null;
}

/** What the bot's webhook route said about the signed test event. */
function judgeWebhook(answer: Answer, where: string, signer: string, chatwootStyle: boolean): CheckResult | null {
  const res = (answer as { res: AxiosResponse }).res;
  const body = json(res) as { status?: unknown; reason?: unknown } | null;
  if (res.status === 200 && body?.status === 'ignored') return null;
  const reason = typeof body?.reason === 'string' ? body.reason : '';
  if (res.status === 401 && reason === 'signature mismatch') {
    return chatwootStyle
      ? fail(PROBLEMS.bodyRewritten, `a plain test event passed, but one written the way Chatwoot writes JSON (UTF-8, \\u003c escapes, 1.0) was refused at ${where}`)
      : fail(PROBLEMS.runningSecretDiffers, `the bot behind ${where} refused a test event signed with ${signer}`);
  }
  if (res.status === 401 && /^missing X-Chatwoot-(Signature|Timestamp)$/.test(reason)) return fail(PROBLEMS.headersDropped, `the bot behind ${where} says: ${reason}`);
  if (res.status === 401 && /^stale /.test(reason)) return fail(PROBLEMS.clockSkew, `the bot behind ${where} says: ${reason}`);
  if (res.status === 401 && /webhook token$/.test(reason)) return fail(PROBLEMS.runningSecretDiffers, `the bot behind ${where} refused the test event's WEBHOOK_TOKEN (${reason})`);
  return fail(PROBLEMS.notThisBot, `${where} answered the signed test event with ${excerpt(res)}, not {"status":"ignored"}`);
}

function json(res: AxiosResponse): unknown {
  if (typeof res.data !== 'string') return res.data ?? null;
  try {
    return JSON.parse(res.data);
  } catch {
    return null;
  }
}

function excerpt(res: AxiosResponse): string {
  const text = (typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '')).replace(/\s+/g, ' ').trim().slice(0, 120);
  return `${res.status}${text ? ` ${text}` : ''}`;
}
