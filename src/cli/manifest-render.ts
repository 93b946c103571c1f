import type { Manifest, ManifestSetting } from './manifest.js';

/**
 * What README.md and app.json say about settings, rendered from manifest.json so they cannot drift:
 * `npm run manifest:sync` writes them, test/unit/manifest.test.ts fails when they differ.
 */

export const README_TABLE_START = '<!-- settings:start (generated from manifest.json by `npm run manifest:sync`) -->';
export const README_TABLE_END = '<!-- settings:end -->';

export function renderSettingsTable(manifest: Manifest): string {
  const rows = manifest.settings.map((s) => `| \`${s.name}\` | ${required(s)} | ${s.default === null ? '—' : `\`${s.default}\``} | ${s.secret ? 'yes' : 'no'} | ${cell(s.description)} |`);
  return ['| Setting | Required | Default | Secret | What it is |', '|---|---|---|---|---|', ...rows].join('\n');
}

function required(s: ManifestSetting): string {
  const base = s.required ? 'yes' : 'no';
  return s.setBy === 'install' ? `${base} (printed by \`install\`)` : s.scope === 'cli' ? 'CLI only' : base;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** README with its settings table replaced by the rendering; throws when the markers are missing. */
export function replaceSettingsTable(readme: string, manifest: Manifest): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README.md lacks the settings markers ${README_TABLE_START} … ${README_TABLE_END}`);
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${renderSettingsTable(manifest)}\n${readme.slice(end)}`;
}

/** The settings table currently in the README, or null without markers. */
export function currentSettingsTable(readme: string): string | null {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start === -1 || end === -1 || end < start) return null;
  return readme.slice(start + README_TABLE_START.length, end).trim();
}

export interface AppJsonEnvEntry {
  description: string;
  required: boolean;
}

/**
 * app.json `env`: every setting Heroku does not provide itself. Settings `install` prints are not
 * required at deploy time: the app's URL (PUBLIC_URL) exists only after the deploy, and `install` needs it.
 */
export function renderAppJsonEnv(manifest: Manifest): Record<string, AppJsonEnvEntry> {
  const env: Record<string, AppJsonEnvEntry> = {};
  for (const s of manifest.settings) {
    if (s.herokuProvides) continue;
    const notes = [s.default !== null ? `Default: ${s.default}.` : '', s.setBy === 'install' ? 'Set it after the deploy with the value `install` prints.' : ''].filter(Boolean);
    env[s.name] = { description: [s.description, ...notes].join(' '), required: s.required && s.setBy === undefined };
  }
  return env;
}

/**
 * .env.example: every setting with its description; required ones uncommented with their example,
 * optional ones commented out with their default, so a copied file starts the bot on the defaults.
 */
export function renderEnvExample(manifest: Manifest): string {
  const lines = ['# Copy to .env and fill in. Generated from manifest.json by `npm run manifest:sync`; the README lists the same settings.'];
  for (const s of manifest.settings) {
    lines.push('', `# ${s.description.replace(/\n/g, ' ')}`);
    const value = s.secret ? '' : (s.example ?? s.default ?? '');
    lines.push(s.required ? `${s.name}=${value}` : `# ${s.name}=${s.default ?? value}`);
  }
  return `${lines.join('\n')}\n`;
}
