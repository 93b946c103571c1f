/**
 * Access to the project's shared folder (docs, contracts, fixtures) that lives next to the repository,
 * not inside it. Tests resolve it at run time so no machine-specific path is baked into the code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: this file lives in <root>/test/helpers. */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The shared folder: $SHARED_DIR if set, else `<repo root>/../shared`. Throws naming the path tried. */
export function sharedDir(): string {
  const fromEnv = process.env.SHARED_DIR?.trim();
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot(), '..', 'shared');
  if (!existsSync(dir)) {
    const how = fromEnv ? 'from SHARED_DIR' : 'default <repo root>/../shared; set SHARED_DIR to override';
    throw new Error(`Shared folder not found at ${dir} (${how})`);
  }
  return dir;
}

/** Path of the Chatwoot OpenAPI contract in the shared folder. */
export function chatwootSpecPath(): string {
  return join(sharedDir(), 'contracts', 'chatwoot-openapi.json');
}

// Raw text cache: fixtures are read once per process; parsing on every call hands out independent copies.
const fixtureText = new Map<string, string>();

/**
 * A Chatwoot webhook fixture from `<shared>/fixtures/chatwoot/<name>.json` (name without `.json`).
 * Every call returns a fresh deep copy, so a test may mutate it freely.
 */
export function loadFixture<T = any>(name: string): T {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  let text = fixtureText.get(file);
  if (text === undefined) {
    const dir = join(sharedDir(), 'fixtures', 'chatwoot');
    const path = join(dir, file);
    if (!existsSync(path)) {
      const available = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
      throw new Error(`Fixture ${path} not found; available: ${available.map((f) => f.slice(0, -5)).join(', ')}`);
    }
    text = readFileSync(path, 'utf8');
    fixtureText.set(file, text);
  }
  return JSON.parse(text) as T;
}
