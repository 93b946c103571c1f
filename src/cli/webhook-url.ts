import { loadManifest } from './manifest.js';

/**
 * The URL Chatwoot must post to: PUBLIC_URL + the manifest's webhook path. With WEBHOOK_TOKEN (Chatwoot
 * before 4.13, no signatures) the token rides in the query, where the bot checks it.
 */
export function expectedWebhookUrl(publicUrl: string, webhookToken?: string): string {
  const base = `${publicUrl.replace(/\/+$/, '')}${loadManifest().webhookPath}`;
  return webhookToken ? `${base}?token=${encodeURIComponent(webhookToken)}` : base;
}

/** A webhook URL fit to print: a token in its query is replaced by "…". */
export function printableUrl(url: string | null | undefined): string {
  if (!url) return '(none)';
  return url.replace(/([?&]token=)[^&#]*/g, '$1…');
}
