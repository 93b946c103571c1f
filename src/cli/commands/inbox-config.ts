import { inboxSettingsSchema, parseInboxSettingAssignments, type InboxSettingsInput } from '../../config/inbox-settings.js';
import { SETTINGS_TTL_MS } from '../../conversation/settings.js';
import { parseId } from '../args.js';
import { CliError, JSON_OPTION, printJson, wantsJson, type CliIo, type Command } from '../command.js';
import { MARK } from '../format.js';
import { describeOverrides, publicOverrides } from '../inbox-overrides.js';
import { resolveSecretAssignments } from '../secret-assignments.js';
import { withStore } from '../store.js';

/** What each per-inbox key means. Typed over the schema: a new setting cannot be added without a line here. */
const KEYS: Record<keyof InboxSettingsInput, string> = {
  enabled: 'false = the bot stays silent in this inbox although Chatwoot keeps it connected',
  hermesUrl: 'another Hermes API server (profile) for this inbox; set hermesApiKey with it',
  hermesApiKey: "that server's API key (stored, never shown)",
  instructions: 'system instructions for this inbox, instead of HERMES_INSTRUCTIONS',
  debounceMs: 'quiet time before answering, instead of DEBOUNCE_MS',
  fallbackMessage: 'message to the customer when the bot hands over after a failure, instead of FALLBACK_MESSAGE',
  handoffMessage: 'message to the customer when they ask for a human',
  handoffLabel: 'label put on handed-over conversations (default bot-handoff)',
  handoffTeamId: 'team that handed-over conversations are assigned to',
  botOffLabel: 'label that keeps the bot silent in a conversation (default bot-off)',
  handoffMarker: 'marker Hermes puts in a reply to hand over; removed before sending (default [HANDOFF])',
  handoffPhrases: 'phrases in a reply that make the bot hand over after sending it (comma-separated or JSON)',
  handoffKeywords: 'customer words that ask for a human (replaces the built-in list)',
  leakFragments: 'texts a reply must never contain (blocked, handed over)',
  openOnTakeover: 'false = a human reply does not open the conversation',
  sessionPolicy: 'conversation or reset-on-resolve, instead of SESSION_POLICY',
  contactMemory: 'true = Hermes memory per contact across conversations (X-Hermes-Session-Key)',
  voiceWaitMs: "how long a voice note waits for Chatwoot's transcript",
  legacyWhatsAppFormat: 'true for Chatwoot before 4.9: convert **bold** to WhatsApp *bold* here',
};

export const inboxConfig: Command = {
  name: 'inbox-config',
  summary: "Show or change an inbox's settings (Hermes profile, instructions, debounce, fallback, hand-off)",
  synopsis: '<inbox-id> [key=value…]',
  details: [
    'Without key=value: shows what the inbox overrides. With them: changes those overrides; `key=`',
    '(empty) removes one, so the global setting applies again. Lists take comma-separated values or a',
    `JSON array. The running bot picks changes up within ${SETTINGS_TTL_MS / 1000} s. Stored in the bot's store (DATA_DIR or DATABASE_URL),`,
    'which must already exist (the bot or `migrate` created it) unless --create is given: run it where the bot runs.',
    'A secret is read from standard input with key=- (printed nowhere, kept out of shell history).',
    '',
    'Keys:',
    ...Object.entries(KEYS).map(([k, v]) => `  ${k.padEnd(21)} ${v}`),
    '',
    'Examples:',
    '  chatwoot-hermes-bot inbox-config 7 instructions="You sell bicycles in Lisbon." debounceMs=4000',
    '  printf \'%s\' "$INBOX_7_KEY" | chatwoot-hermes-bot inbox-config 7 hermesUrl=http://10.0.0.5:8642 hermesApiKey=- handoffTeamId=3',
    '  chatwoot-hermes-bot inbox-config 7 enabled=false',
  ].join('\n'),
  options: {
    create: { type: 'boolean', help: 'Create the store if there is none here (otherwise a write refuses, so it cannot land in a store no bot reads)' },
    ...JSON_OPTION,
  },
  async run(io, args) {
    const [rawId, ...given] = args.positionals;
    const inboxId = parseId(rawId, 'The inbox id');
    const assignments = await resolveSecretAssignments(io, given);
    const writing = assignments.length > 0;
    const opening = { mustExist: !writing || args.values.create !== true, createHint: writing ? 'or pass --create to start a new store here' : undefined };
    return withStore(io, opening, async ({ store, where, created }) => {
      const stored = (await store.getInboxSettings(inboxId)) ?? {};
      if (!writing) {
        const problems = invalidity(stored);
        if (wantsJson(args)) return done(io, { inboxId, store: where, storeCreated: false, saved: false, settings: publicOverrides(stored), invalid: problems, warnings: [] });
        show(io.out, inboxId, stored, where);
        if (problems) io.out(`${MARK.warn} These stored settings are invalid (${problems}); the bot uses the defaults in this inbox. Fix them with key=value, or remove a bad key with key=.`);
        return 0;
      }
      let next: InboxSettingsInput;
      try {
        // Starts from the stored row even when it is invalid: the assignments may be what repairs it.
        next = parseInboxSettingAssignments(stored as InboxSettingsInput, assignments);
      } catch (error) {
        throw new CliError((error as Error).message, 2);
      }
      await store.saveInboxSettings(inboxId, next, Date.now());
      const warnings =
        next.hermesUrl && !next.hermesApiKey
          ? [`hermesUrl is set without hermesApiKey: the global HERMES_API_KEY will be sent to ${next.hermesUrl}. Set hermesApiKey=- (read from standard input) if that server has its own key.`]
          : [];
      if (wantsJson(args)) return done(io, { inboxId, store: where, storeCreated: created, saved: true, settings: publicOverrides(next as Record<string, unknown>), invalid: null, warnings });
      if (created) io.out(`${MARK.ok} Created a new store: ${where}.`);
      io.out(`${MARK.ok} Saved the settings of inbox ${inboxId} (${where}); the running bot applies them within ${SETTINGS_TTL_MS / 1000} s.`);
      show(io.out, inboxId, next as Record<string, unknown>, null);
      for (const warning of warnings) io.out(`${MARK.warn} ${warning}`);
      return 0;
    });
  },
};

/**
 * `inbox-config --json`, one shape for showing and saving: the inbox's overrides after the command
 * (secrets "(set, hidden)"), the store it read or wrote, whether it created that store, and why stored
 * settings are invalid (null when valid).
 */
interface InboxConfigJson {
  inboxId: number;
  store: string;
  storeCreated: boolean;
  saved: boolean;
  settings: Record<string, unknown>;
  invalid: string | null;
  warnings: string[];
}

function done(io: CliIo, result: InboxConfigJson): number {
  printJson(io, result);
  return 0;
}

function invalidity(stored: Record<string, unknown>): string | null {
  const parsed = inboxSettingsSchema.safeParse(stored);
  return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ');
}

function show(out: (text: string) => void, inboxId: number, settings: Record<string, unknown>, where: string | null): void {
  const lines = describeOverrides(settings, 200);
  if (where) out(`Inbox ${inboxId} (${where}):`);
  if (lines.length === 0) out('  no overrides: the global settings apply.');
  for (const line of lines) out(`  ${line}`);
}
