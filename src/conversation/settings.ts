import type { Config } from '../config/index.js';
import { inboxSettingsSchema, resolveInboxSettings, type GlobalTurnSettings, type ResolvedInboxSettings } from '../config/inbox-settings.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

/** How long a change made with `inbox-config` takes to reach running instances. */
export const SETTINGS_TTL_MS = 5000;

/**
 * Per-inbox settings, resolved over the global configuration and cached briefly: intake asks for
 * them on every webhook and must not pay a store read each time.
 */
export class InboxSettingsProvider {
  private readonly cache = new Map<number, { at: number; value: ResolvedInboxSettings }>();
  private readonly global: GlobalTurnSettings;

  constructor(
    private readonly store: Pick<Store, 'getInboxSettings'>,
    config: Config,
    private readonly log: Logger,
  ) {
    this.global = {
      hermesUrl: config.hermes.url,
      hermesApiKey: config.hermes.apiKey,
      instructions: config.hermes.instructions,
      debounceMs: config.turns.debounceMs,
      debounceMaxMs: config.turns.debounceMaxMs,
      fallbackMessage: config.turns.fallbackMessage,
      sessionPolicy: config.turns.sessionPolicy,
    };
  }

  async forInbox(inboxId: number | null, now = Date.now()): Promise<ResolvedInboxSettings> {
    if (inboxId === null) return resolveInboxSettings(this.global, null);
    const hit = this.cache.get(inboxId);
    if (hit && now - hit.at < SETTINGS_TTL_MS) return hit.value;
    const stored = await this.store.getInboxSettings(inboxId);
    const parsed = stored ? inboxSettingsSchema.safeParse(stored) : null;
    if (parsed && !parsed.success) {
      // A bad row must not take the inbox down: fall back to the defaults and say so.
      this.log.error({ inbox: inboxId, problems: parsed.error.issues.map((i) => i.message) }, 'stored inbox settings are invalid; using defaults');
    }
    const value = resolveInboxSettings(this.global, parsed?.success ? parsed.data : null);
    this.cache.set(inboxId, { at: now, value });
    return value;
  }
}
