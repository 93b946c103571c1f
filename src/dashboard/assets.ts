import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the panel's page, read once at start: the bot serves it itself (no CDN). */
export interface Asset {
  body: Buffer;
  type: string;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'panel.css': 'text/css; charset=utf-8',
  'panel.js': 'text/javascript; charset=utf-8',
};

/**
 * `public/dashboard/` at the project's root, found from this module whether it runs from `src/`
 * (tsx) or from `dist/src/` (the build), by walking up to the directory that holds package.json.
 */
export function panelAssetsDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'public', 'dashboard');
    dir = dirname(dir);
  }
  throw new Error(`cannot find the bot panel's files (public/dashboard) above ${from}`);
}

export function loadPanelAssets(dir = panelAssetsDir()): Map<string, Asset> {
  return new Map(Object.entries(FILES).map(([name, type]) => [name, { body: readFileSync(join(dir, name)), type }]));
}
