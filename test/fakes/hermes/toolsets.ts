/**
 * GET /v1/toolsets as api_server.py `_handle_toolsets` answers it (v2026.7.20): every configurable
 * toolset (hermes_cli/tools_config.py CONFIGURABLE_TOOLSETS, labels as stored there, emoji included)
 * with `enabled` for the api_server platform, `configured`, and its tools (toolsets.py).
 *
 * `enabled`: with no `platform_toolsets.api_server` in config.yaml, Hermes falls back to the
 * "hermes-api-server" composite and enables each toolset whose tools it contains
 * (tools_config.py `_get_platform_tools`) — the DEFAULT_ENABLED list below. With a list of
 * configurable names, exactly those are enabled (composite names in the list are not modelled here).
 */
import type { HermesReply } from './responses.js';

const CATALOG: Array<[name: string, label: string, description: string, tools: string[]]> = [
  ['web', '🔍 Web Search & Scraping', 'web_search, web_extract', ['web_extract', 'web_search']],
  ['browser', '🌐 Browser Automation', 'navigate, click, type, scroll', ['browser_back', 'browser_cdp', 'browser_click', 'browser_console', 'browser_dialog', 'browser_get_images', 'browser_navigate', 'browser_press', 'browser_scroll', 'browser_snapshot', 'browser_type', 'browser_vision', 'web_search']],
  ['terminal', '💻 Terminal & Processes', 'terminal, process', ['process', 'terminal']],
  ['file', '📁 File Operations', 'read, write, patch, search', ['patch', 'read_file', 'search_files', 'write_file']],
  ['code_execution', '⚡ Code Execution', 'execute_code', ['execute_code']],
  ['vision', '👁️  Vision / Image Analysis', 'vision_analyze', ['vision_analyze']],
  ['video', '🎬 Video Analysis', 'video_analyze (requires video-capable model)', ['video_analyze']],
  ['image_gen', '🎨 Image Generation', 'image_generate', ['image_generate']],
  ['video_gen', '🎬 Video Generation', 'video_generate (text/image/reference)', ['video_generate', 'xai_video_edit', 'xai_video_extend']],
  ['x_search', '🐦 X (Twitter) Search', 'x_search (requires xAI OAuth or XAI_API_KEY)', ['x_search']],
  ['tts', '🔊 Text-to-Speech', 'text_to_speech', ['text_to_speech']],
  ['skills', '📚 Skills', 'list, view, manage', ['skill_manage', 'skill_view', 'skills_list']],
  ['todo', '📋 Task Planning', 'todo', ['todo']],
  ['memory', '💾 Memory', 'persistent memory across sessions', ['memory']],
  ['context_engine', '🧩 Context Engine', 'runtime tools from the active context engine', []],
  ['session_search', '🔎 Session Search', 'search past conversations', ['session_search']],
  ['clarify', '❓ Clarifying Questions', 'clarify', ['clarify']],
  ['delegation', '👥 Task Delegation', 'delegate_task', ['delegate_task']],
  ['cronjob', '⏰ Cron Jobs', 'create/list/update/pause/resume/run, with optional attached skills', ['cronjob']],
  ['homeassistant', '🏠 Home Assistant', 'smart home device control', ['ha_call_service', 'ha_get_state', 'ha_list_entities', 'ha_list_services']],
  ['spotify', '🎵 Spotify', 'playback, search, playlists, library', ['spotify_albums', 'spotify_devices', 'spotify_library', 'spotify_playback', 'spotify_playlists', 'spotify_queue', 'spotify_search']],
  ['discord', '💬 Discord (read/participate)', 'fetch messages, search members, create thread', ['discord']],
  ['discord_admin', '🛡️  Discord Server Admin', 'list channels/roles, pin, assign roles', ['discord_admin']],
  ['yuanbao', '🤖 Yuanbao', 'group info, member queries, DM', ['yb_query_group_info', 'yb_query_group_members', 'yb_search_sticker', 'yb_send_dm', 'yb_send_sticker']],
  ['computer_use', '🖱️  Computer Use (macOS/Windows/Linux)', 'background desktop control via cua-driver', ['computer_use']],
];

/** Enabled for api_server when config.yaml says nothing: the toolsets inside "hermes-api-server". */
export const DEFAULT_API_SERVER_TOOLSETS = ['web', 'browser', 'terminal', 'file', 'code_execution', 'vision', 'image_gen', 'skills', 'todo', 'memory', 'session_search', 'delegation', 'cronjob'];

/** Toolsets that need credentials (`_toolset_has_keys`); the rest count as configured. */
const NEEDS_KEYS = new Set(['x_search', 'homeassistant', 'spotify', 'discord', 'discord_admin', 'yuanbao', 'video_gen']);

export function toolsetsReply(platformToolsets: string[] | null): HermesReply {
  const enabled = new Set(platformToolsets ?? DEFAULT_API_SERVER_TOOLSETS);
  // A name outside the catalog stands for a plugin's toolset: `_get_effective_configurable_toolsets`
  // appends plugin toolsets after the built-in ones (their labels start with 🔌).
  const plugins = [...enabled].filter((n) => !CATALOG.some(([name]) => name === n));
  const rows = [...CATALOG, ...plugins.map((n): (typeof CATALOG)[number] => [n, `🔌 ${n}`, `plugin toolset ${n}`, [n]])];
  const data = rows.map(([name, label, description, tools]) => ({
    name,
    label,
    description,
    enabled: enabled.has(name),
    configured: !NEEDS_KEYS.has(name),
    tools,
  }));
  return { kind: 'json', status: 200, body: { object: 'list', platform: 'api_server', data } };
}
