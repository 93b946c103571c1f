import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * manifest.json: the bot's identity (name, description, avatar, webhook path, events) and every setting
 * it reads. `install` creates the Chatwoot bot from it; README's configuration table and app.json are
 * rendered from it (render.ts); test/unit/manifest.test.ts keeps it equal to the config loader.
 */
const settingSchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    /** `service`: read by the config loader (and the CLI); `cli`: read only by the CLI. */
    scope: z.enum(['service', 'cli']),
    description: z.string().min(10),
    required: z.boolean(),
    secret: z.boolean(),
    /** The default as it would be written in the environment; null = none (unset). */
    default: z.string().nullable(),
    /** A valid sample value (tests load a configuration made of the examples). */
    example: z.string(),
    /** Produced by `install` (the bot's token and secret): an operator cannot know it before. */
    setBy: z.literal('install').optional(),
    /** Heroku sets it (PORT; DATABASE_URL from the Postgres add-on): not asked for by app.json. */
    herokuProvides: z.boolean().optional(),
  })
  .strict();

const manifestSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().min(1),
    avatarUrl: z.string().url(),
    webhookPath: z.string().startsWith('/'),
    events: z.array(z.string().min(1)).min(1),
    settings: z.array(settingSchema).min(1),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestSetting = z.infer<typeof settingSchema>;

let cached: Manifest | undefined;

/** The repository root: the nearest folder above this file holding manifest.json (src/cli or dist/src/cli). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'manifest.json')) && existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('manifest.json not found above the CLI; it ships with the package, next to package.json');
}

export function manifestPath(): string {
  return join(packageRoot(), 'manifest.json');
}

/** Reads and validates manifest.json (once). Read with fs, not `import … with { type: 'json' }`: Node 20 warns on JSON modules. */
export function loadManifest(): Manifest {
  if (cached) return cached;
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(manifestPath(), 'utf8')));
  if (!parsed.success) {
    throw new Error(`manifest.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const names = parsed.data.settings.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`manifest.json lists the setting ${duplicate} twice`);
  cached = parsed.data;
  return cached;
}

export function manifestSetting(name: string): ManifestSetting | undefined {
  return loadManifest().settings.find((s) => s.name === name);
}

/** The package's version (package.json next to manifest.json), for `--version`. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version');
  return pkg.version;
}
