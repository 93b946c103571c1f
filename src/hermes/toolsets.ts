import type { Logger } from '../logger.js';
import { HermesError, type HermesClient } from './client.js';

/**
 * What the model behind the bot may do, as Hermes' `GET /v1/toolsets` reports it for the api_server
 * platform (api_server.py `_handle_toolsets`: every configurable toolset of hermes_cli/tools_config.py
 * with `enabled` resolved from `platform_toolsets.api_server`, default the "hermes-api-server" set of
 * toolsets.py, which includes terminal, file, code execution, delegation and cron).
 *
 * The bot cannot take tools away per request (chat completions has no such field), and every WhatsApp
 * customer can ask the model to use any tool it has. So a customer-facing profile must not have these.
 */
export const RISKY_TOOLSETS: Readonly<Record<string, string>> = {
  terminal: 'runs shell commands on the Hermes host',
  file: 'reads and writes files on the Hermes host',
  code_execution: 'runs code on the Hermes host',
  delegation: 'starts sub-agents with the same tools',
  cronjob: 'schedules jobs that later run with the agent\'s tools, unwatched',
  browser: 'drives a browser from the Hermes host, private network included',
  computer_use: 'controls the desktop of the Hermes host',
  skills: 'creates and rewrites skill files and scripts on the Hermes host',
  homeassistant: 'controls your smart-home devices',
  session_search: 'reads other customers\' conversations',
  memory: 'writes notes that reach every later conversation',
  spotify: 'acts on the Spotify account of the Hermes owner',
  discord: 'acts on the Discord account of the Hermes owner',
  discord_admin: 'administers the Discord server of the Hermes owner',
  yuanbao: 'sends messages from the Yuanbao account of the Hermes owner',
};

/** Toolsets that touch neither the host nor other people's data. */
export const SAFE_TOOLSETS: ReadonlySet<string> = new Set(['web', 'vision', 'video', 'image_gen', 'video_gen', 'tts', 'todo', 'clarify', 'x_search', 'context_engine']);

/** The profile the README recommends; `no_mcp` keeps configured MCP servers away too (/v1/toolsets does not list them). */
export const SAFE_PROFILE = 'platform_toolsets: {api_server: [web, vision, todo, no_mcp]}';

export interface Toolset {
  name: string;
  enabled: boolean;
}

export interface ToolsetAssessment {
  /** Enabled toolsets a customer must not reach, with what each lets them do. */
  risky: Array<{ name: string; why: string }>;
  /** Enabled toolsets this bot does not know (plugins): not judged, only named. */
  unknown: string[];
  enabled: string[];
}

export function assessToolsets(toolsets: Toolset[]): ToolsetAssessment {
  const enabled = toolsets.filter((t) => t.enabled).map((t) => t.name);
  return {
    enabled,
    risky: enabled.filter((n) => n in RISKY_TOOLSETS).map((name) => ({ name, why: RISKY_TOOLSETS[name]! })),
    unknown: enabled.filter((n) => !(n in RISKY_TOOLSETS) && !SAFE_TOOLSETS.has(n)),
  };
}

/** One line naming each risky toolset and what it allows: for the start-up warning and doctor. */
export function describeRisky(risky: ToolsetAssessment['risky']): string {
  return risky.map((r) => `${r.name} (${r.why})`).join(', ');
}

/**
 * At start: warn in the log when the Hermes profile offers customers risky tools. Never blocks or fails
 * the start (Hermes may be down for a moment; `doctor` is the place for a verdict).
 */
export async function warnAboutToolsets(hermes: HermesClient, where: string, log: Logger): Promise<void> {
  let toolsets: Toolset[] | null;
  try {
    toolsets = await hermes.toolsets();
  } catch (error) {
    log.debug({ hermes: where, err: error instanceof HermesError ? error.message : String(error) }, 'could not read Hermes toolsets at start');
    return;
  }
  if (toolsets === null) {
    log.warn({ hermes: where }, 'this Hermes has no GET /v1/toolsets: check yourself that its api_server profile gives customers no terminal, file, code, delegation or cron tools');
    return;
  }
  const { risky } = assessToolsets(toolsets);
  if (risky.length === 0) return;
  log.warn(
    { hermes: where, toolsets: risky.map((r) => r.name) },
    `Hermes offers every customer risky tools: ${describeRisky(risky)}. Set ${SAFE_PROFILE} in Hermes' config.yaml (README: Securing Hermes for customers)`,
  );
}
