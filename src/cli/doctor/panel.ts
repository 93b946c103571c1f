import { keyMatches, PANEL_PATH } from '../../dashboard/key.js';
import type { Store } from '../../store/store.js';
import type { ChatwootAdmin } from '../chatwoot-admin.js';
import { CliError } from '../command.js';
import { findPanelApp, hideKey } from '../panel-app.js';
import { ok, warn, type CheckResult } from './report.js';

const FIX = 'Run: chatwoot-hermes-bot install (where the bot runs: it registers the panel at PUBLIC_URL with a key this store knows).';

/**
 * The bot panel (a Dashboard App) points at PUBLIC_URL/dashboard/ and carries the key whose digest
 * this store holds. A warning, not a failure: the bot answers customers without its panel.
 */
export async function checkPanel(admin: ChatwootAdmin, publicUrl: string | undefined, store: Pick<Store, 'getDashboardKeyHash'> | null): Promise<CheckResult> {
  let found: ReturnType<typeof findPanelApp>;
  try {
    found = findPanelApp(await admin.listDashboardApps(), admin.accountId);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return warn(`The bot panel was not checked: ${error.message}`, FIX);
  }
  if (!found?.url) return warn(`The bot panel is not installed in account ${admin.accountId} (no Dashboard App frames this bot's /dashboard/)`, FIX);
  const { app, url } = found;
  const base = publicUrl?.replace(/\/+$/, '');
  if (url.base !== base) {
    return warn(`The bot panel "${app.title}" points at ${url.base}${PANEL_PATH}, not at PUBLIC_URL ${base ?? '(not set)'}`, FIX);
  }
  if (store) {
    const hash = await store.getDashboardKeyHash(admin.accountId);
    if (hash === null || !keyMatches(url.key, hash)) {
      return warn(`The bot panel "${app.title}" carries a key this store does not know: the bot refuses the panel's requests`, FIX);
    }
  }
  return ok(`The bot panel "${app.title}" is at ${hideKey(`${base}${PANEL_PATH}#account=${url.accountId}&key=k`)}${store ? ", with this store's key" : ''}`);
}
