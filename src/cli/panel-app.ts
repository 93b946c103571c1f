import { generateKey, hashKey, keyMatches, panelUrl, parsePanelUrl } from '../dashboard/key.js';
import type { Store } from '../store/store.js';
import type { ChatwootAdmin, DashboardApp } from './chatwoot-admin.js';

/** The tab's title in Chatwoot, beside "Messages". */
export const PANEL_TITLE = 'Bot';

export interface PanelAppResult {
  action: 'created' | 'updated' | 'unchanged';
  /** The app URL without its key, fit for printing. */
  shownUrl: string;
  /** A new key was made (the old app URL stops working). */
  newKey: boolean;
}

/** Our Dashboard App in the account: the one framing a bot panel URL of this account, whatever its host. */
export function findPanelApp(apps: DashboardApp[], accountId: number): { app: DashboardApp; url: ReturnType<typeof parsePanelUrl> } | null {
  for (const app of apps) {
    for (const item of app.content ?? []) {
      const url = parsePanelUrl(item.url);
      if (url && url.accountId === accountId) return { app, url };
    }
  }
  return null;
}

/** The URL as it may be shown: the key replaced by "…". */
export function hideKey(url: string): string {
  return url.replace(/key=[^&]*/, 'key=…');
}

/**
 * Creates or updates the account's bot panel (a Dashboard App whose URL carries the account's key),
 * pointing at `publicUrl`. The key is kept while the app still carries the one the store knows; it is
 * made anew when there is none, when the app lost it, or on `rotate`. The store's digest is written
 * before Chatwoot is told, so a failure in between leaves a panel that refuses its old key until
 * this runs again, never one that accepts a key nobody registered.
 */
export async function ensurePanelApp(deps: { admin: ChatwootAdmin; store: Pick<Store, 'getDashboardKeyHash' | 'saveDashboardKeyHash'> }, req: { publicUrl: string; rotate: boolean; now: number }): Promise<PanelAppResult> {
  const { admin, store } = deps;
  const accountId = admin.accountId;
  const base = req.publicUrl.replace(/\/+$/, '');
  const ours = findPanelApp(await admin.listDashboardApps(), accountId);
  const storedHash = await store.getDashboardKeyHash(accountId);
  const keyStillValid = !req.rotate && ours?.url && storedHash !== null && keyMatches(ours.url.key, storedHash);
  if (keyStillValid && ours.url!.base === base) {
    return { action: 'unchanged', shownUrl: hideKey(panelUrl(base, accountId, ours.url!.key)), newKey: false };
  }
  let key: string;
  if (keyStillValid) key = ours.url!.key;
  else {
    key = generateKey();
    await store.saveDashboardKeyHash(accountId, hashKey(key), req.now);
  }
  const url = panelUrl(base, accountId, key);
  // A title the team changed in Chatwoot's screens is kept.
  await admin.saveDashboardApp({ ...(ours ? { id: ours.app.id } : {}), title: ours?.app.title ?? PANEL_TITLE, url });
  return { action: ours ? 'updated' : 'created', shownUrl: hideKey(url), newKey: !keyStillValid };
}

/** What install and `dashboard-key rotate` print after ensurePanelApp; never the key itself. */
export function describePanelResult(result: PanelAppResult, accountId: number): string[] {
  const what =
    result.action === 'unchanged'
      ? `The bot panel (Dashboard App) of account ${accountId} is already installed; nothing changed.`
      : `${result.action === 'created' ? 'Created' : 'Updated'} the bot panel (Dashboard App) of account ${accountId}${result.newKey ? ', with a new key' : ''}.`;
  return [what, `  App URL: ${result.shownUrl} (the key is kept in Chatwoot and as a digest in the bot's store)`];
}
