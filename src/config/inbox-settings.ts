import { z } from 'zod';
import { DEFAULT_HANDOFF_KEYWORDS, DEFAULT_HANDOFF_MARKER } from '../safety/index.js';

/**
 * What an inbox may override (stored in the bot's store, set with `chatwoot-hermes-bot inbox-config`).
 * Every field is optional in storage; `resolveInboxSettings` fills in the defaults, so an inbox with
 * no row behaves exactly like the global configuration.
 */
export const inboxSettingsSchema = z
  .object({
    /** The app can switch itself off for an inbox while Chatwoot keeps the bot connected. */
    enabled: z.boolean(),
    /** Another Hermes profile for this inbox (URL and key travel together). */
    hermesUrl: z.string().url(),
    hermesApiKey: z.string().min(1),
    instructions: z.string(),
    debounceMs: z.number().int().min(0).max(600_000),
    fallbackMessage: z.string(),
    /** Sent to the customer when they ask for a human (keywords) before the conversation is opened. */
    handoffMessage: z.string(),
    handoffLabel: z.string().min(1),
    handoffTeamId: z.number().int().positive(),
    /** Label that keeps the bot silent in a conversation while it is there. */
    botOffLabel: z.string().min(1),
    handoffMarker: z.string().min(1),
    handoffPhrases: z.array(z.string().min(1)),
    handoffKeywords: z.array(z.string().min(1)),
    leakFragments: z.array(z.string().min(1)),
    /** Open the conversation when a human replies, so Chatwoot shows that a human owns it. */
    openOnTakeover: z.boolean(),
    sessionPolicy: z.enum(['conversation', 'reset-on-resolve']),
    /** Give Hermes a per-contact memory scope (X-Hermes-Session-Key) across conversations. */
    contactMemory: z.boolean(),
    /** How long a voice note waits for Chatwoot's transcript (message_updated), in ms. */
    voiceWaitMs: z.number().int().min(0).max(120_000),
    /** Chatwoot < 4.9 sends text to WhatsApp raw: convert **bold** to *bold* ourselves. */
    legacyWhatsAppFormat: z.boolean(),
  })
  .partial()
  .strict();

export type InboxSettingsInput = z.infer<typeof inboxSettingsSchema>;

/** Settings that may stay unset after resolution: no instructions, no message, no team. */
type StaysOptional = 'instructions' | 'fallbackMessage' | 'handoffMessage' | 'handoffTeamId';

/** Every setting of an inbox after `resolveInboxSettings`: the schema's fields, defaults filled in. */
export type ResolvedInboxSettings = Required<Omit<InboxSettingsInput, StaysOptional>> & {
  [K in StaysOptional]: InboxSettingsInput[K] | undefined;
} & {
  /** Global only (DEBOUNCE_MAX_MS), never below the inbox's debounce. */
  debounceMaxMs: number;
};

/** The global side of the defaults: what the environment configures for every inbox. */
export interface GlobalTurnSettings {
  hermesUrl: string;
  hermesApiKey: string;
  instructions: string | undefined;
  debounceMs: number;
  debounceMaxMs: number;
  fallbackMessage: string | undefined;
  sessionPolicy: 'conversation' | 'reset-on-resolve';
}

export function resolveInboxSettings(global: GlobalTurnSettings, stored: InboxSettingsInput | null): ResolvedInboxSettings {
  const s = stored ?? {};
  const debounceMs = s.debounceMs ?? global.debounceMs;
  return {
    enabled: s.enabled ?? true,
    hermesUrl: (s.hermesUrl ?? global.hermesUrl).replace(/\/+$/, ''),
    hermesApiKey: s.hermesApiKey ?? global.hermesApiKey,
    instructions: s.instructions ?? global.instructions,
    debounceMs,
    debounceMaxMs: Math.max(global.debounceMaxMs, debounceMs),
    fallbackMessage: s.fallbackMessage ?? global.fallbackMessage,
    handoffMessage: s.handoffMessage,
    handoffLabel: s.handoffLabel ?? 'bot-handoff',
    handoffTeamId: s.handoffTeamId,
    botOffLabel: s.botOffLabel ?? 'bot-off',
    handoffMarker: s.handoffMarker ?? DEFAULT_HANDOFF_MARKER,
    handoffPhrases: s.handoffPhrases ?? [],
    handoffKeywords: s.handoffKeywords ?? [...DEFAULT_HANDOFF_KEYWORDS],
    leakFragments: s.leakFragments ?? [],
    openOnTakeover: s.openOnTakeover ?? true,
    sessionPolicy: s.sessionPolicy ?? global.sessionPolicy,
    contactMemory: s.contactMemory ?? false,
    voiceWaitMs: s.voiceWaitMs ?? 15_000,
    legacyWhatsAppFormat: s.legacyWhatsAppFormat ?? false,
  };
}

/** Keys whose values are secrets: shown masked by the CLI, never logged. */
export const SECRET_INBOX_KEYS: ReadonlyArray<keyof InboxSettingsInput> = ['hermesApiKey'];

/**
 * Parses `key=value` pairs from the CLI into validated settings. Lists take comma-separated values
 * or a JSON array, booleans true/false, numbers digits; `key=` (empty) removes the override.
 */
export function parseInboxSettingAssignments(current: InboxSettingsInput, assignments: string[]): InboxSettingsInput {
  const next: Record<string, unknown> = { ...current };
  const shape = inboxSettingsSchema.shape as Record<string, z.ZodType>;
  const problems: string[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      problems.push(`"${assignment}" is not key=value`);
      continue;
    }
    const key = assignment.slice(0, eq).trim();
    const raw = assignment.slice(eq + 1);
    const field = shape[key];
    if (!field) {
      problems.push(`unknown setting "${key}" (known: ${Object.keys(shape).join(', ')})`);
      continue;
    }
    if (raw === '') {
      delete next[key];
      continue;
    }
    next[key] = coerce(field, raw);
  }
  const parsed = inboxSettingsSchema.safeParse(next);
  if (!parsed.success) for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  if (problems.length > 0) throw new Error(`Invalid inbox settings:\n  - ${problems.join('\n  - ')}`);
  return parsed.data!;
}

function coerce(field: z.ZodType, raw: string): unknown {
  const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
  if (inner instanceof z.ZodBoolean) return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (inner instanceof z.ZodNumber) return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (inner instanceof z.ZodArray) {
    // A JSON array keeps commas inside items ("Um momento, vou verificar"); otherwise commas separate.
    if (raw.trim().startsWith('[')) {
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    }
    return raw.split(',').map((v) => v.trim()).filter(Boolean);
  }
  return raw;
}
