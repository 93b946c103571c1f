/**
 * manifest.json is the single description of the bot's identity and settings. These tests fail when
 * the config loader, README.md, app.json, the Procfile or the webhook route say something else.
 * After changing the manifest: `npm run manifest:sync` rewrites README's table and app.json's env.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeConfigFromEnv } from '../../src/cli/env.js';
import { loadManifest } from '../../src/cli/manifest.js';
import { currentSettingsTable, renderAppJsonEnv, renderEnvExample, renderSettingsTable } from '../../src/cli/manifest-render.js';
import { PROBLEMS } from '../../src/cli/doctor/report.js';
import { classify } from '../../src/chatwoot/events.js';
import { loadConfig } from '../../src/config/index.js';
import { envSchema, SECRET_ENV } from '../../src/config/schema.js';
import { inboxSettingsSchema } from '../../src/config/inbox-settings.js';
import { WEBHOOK_PATH } from '../../src/http/app.js';
import { repoRoot } from '../helpers/shared.js';

const manifest = loadManifest();
const root = repoRoot();
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const shape = envSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;
const service = manifest.settings.filter((s) => s.scope === 'service');
const examples = Object.fromEntries(manifest.settings.map((s) => [s.name, s.example]));

describe('manifest.json and the config loader agree', () => {
  it('lists exactly the settings the loader reads', () => {
    const loader = Object.keys(shape).sort();
    const listed = service.map((s) => s.name).sort();
    expect({ missingFromManifest: loader.filter((n) => !listed.includes(n)), unknownToLoader: listed.filter((n) => !loader.includes(n)) }).toEqual({
      missingFromManifest: [],
      unknownToLoader: [],
    });
  });

  it('has the loader\'s defaults and required settings', () => {
    for (const s of service) {
      const unset = shape[s.name]!.safeParse(undefined);
      const loaderDefault = unset.success && unset.data !== undefined ? String(unset.data) : null;
      expect({ name: s.name, default: s.default }).toEqual({ name: s.name, default: loaderDefault });
      expect({ name: s.name, required: s.required }).toEqual({ name: s.name, required: !unset.success });
    }
  });

  it('marks as secret exactly what the loader never prints', () => {
    expect(service.filter((s) => s.secret).map((s) => s.name).sort()).toEqual([...SECRET_ENV].sort());
    expect(manifest.settings.find((s) => s.name === 'CHATWOOT_ADMIN_TOKEN')?.secret).toBe(true);
  });

  it('gives a valid example for every setting: the examples together are a working configuration', () => {
    for (const s of service) expect({ name: s.name, ok: shape[s.name]!.safeParse(s.example).success }).toEqual({ name: s.name, ok: true });
    expect(() => loadConfig(examples)).not.toThrow();
  });

  it('the CLI builds the store configuration exactly as the loader does (migrate runs with partial settings)', () => {
    expect(storeConfigFromEnv(examples)).toEqual(loadConfig(examples).store);
    const postgres = { ...examples, DATABASE_POOL_MAX: '4', DATABASE_SSL: 'require' };
    expect(storeConfigFromEnv(postgres)).toEqual(loadConfig(postgres).store);
  });

  it('names the webhook route the bot serves', () => {
    expect(manifest.webhookPath).toBe(WEBHOOK_PATH);
  });

  it('lists only events the bot handles', () => {
    for (const event of manifest.events) expect(classify({ event })).not.toMatchObject({ reason: expect.stringContaining('is not handled') });
    expect(classify({ event: 'webwidget_triggered' })).toMatchObject({ reason: 'event webwidget_triggered is not handled' });
  });
});

describe('README.md follows the manifest', () => {
  const readme = read('README.md');

  it('carries the rendered configuration table (run `npm run manifest:sync` after editing manifest.json)', () => {
    expect(currentSettingsTable(readme)).toBe(renderSettingsTable(manifest));
  });

  it('starts with the fresh-clone commands and has the sections an admin needs', () => {
    const head = readme.split('\n').slice(0, 12).join('\n');
    for (const command of ['npm install', 'npm start', 'npm test', 'npm run demo']) expect(head).toContain(command);
    for (const section of ['## Quick start', '## Install in Chatwoot', '## Configuration', '## Deploy to Heroku', '## Run on your own server', '## Troubleshooting', '## Architecture', '## Performance']) {
      expect(readme).toContain(section);
    }
  });

  it("explains every ✗ the doctor can print, by its headline", () => {
    const troubleshooting = readme.slice(readme.indexOf('## Troubleshooting'));
    for (const problem of Object.values(PROBLEMS)) expect(troubleshooting).toContain(problem.headline);
  });
});

describe('app.json (Heroku Deploy button) follows the manifest', () => {
  const app = JSON.parse(read('app.json'));
  const pkg = JSON.parse(read('package.json'));

  it('asks for every setting Heroku does not provide, with the manifest\'s words', () => {
    expect(app.env).toEqual(renderAppJsonEnv(manifest));
    const providedByHeroku = manifest.settings.filter((s) => s.herokuProvides).map((s) => s.name);
    expect(providedByHeroku.sort()).toEqual(['DATABASE_URL', 'PORT']);
    for (const s of manifest.settings.filter((x) => !x.herokuProvides)) expect(app.env[s.name]).toBeDefined();
  });

  it('has the bot\'s identity, the Postgres add-on and the Node buildpack', () => {
    expect(app).toMatchObject({ name: pkg.name, description: manifest.description, logo: manifest.avatarUrl });
    expect(app.addons.map((a: { plan: string }) => a.plan.split(':')[0])).toContain('heroku-postgresql');
    expect(app.buildpacks).toEqual([{ url: 'heroku/nodejs' }]);
  });

  it('package.json gives Heroku a Node version, a build, a start and the CLI bin', () => {
    // Heroku picks the newest Node that engines allows: exactly the line CI tests (24 LTS).
    expect(pkg.engines.node).toMatch(/^>=24\.\d+ <25$/);
    expect(pkg.scripts.build).toBeDefined();
    // `npm start` runs the bot exactly as the Procfile's web process does (same node flags).
    const web = /^web: (.+)$/m.exec(read('Procfile'))?.[1];
    expect(web).toMatch(/^node .*dist\/src\/main\.js$/);
    expect(pkg.scripts.start).toBe(web);
    expect(pkg.bin['chatwoot-hermes-bot']).toBe('dist/src/cli/index.js');
    expect(read('src/cli/index.ts').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('.env.example follows the manifest', () => {
  it('lists every setting as the manifest describes it', () => {
    expect(read('.env.example'), 'run `npm run manifest:sync`').toBe(renderEnvExample(manifest));
  });
});

describe('README documents every per-inbox setting', () => {
  it('has a row for each key inbox-config accepts', () => {
    const section = read('README.md').split('### Every per-inbox setting')[1] ?? '';
    const missing = Object.keys(inboxSettingsSchema.shape).filter((k) => !section.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });

  it('npm install refuses another Node line with one sentence, and accepts the one engines names', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.scripts.preinstall).toBe('node scripts/check-node.cjs');
    const accepted = spawnSync(process.execPath, ['scripts/check-node.cjs'], { encoding: 'utf8' });
    expect(process.versions.node.split('.')[0]).toBe('24');
    expect(accepted.status).toBe(0);
    // The same script under a faked older version string: refused, naming the version and the fix.
    const refused = spawnSync(process.execPath, ['-e', "Object.defineProperty(process.versions, 'node', { value: '20.20.2' }); require('./scripts/check-node.cjs')"], {
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'chatwoot-hermes-bot needs Node.js 24 (LTS); this is Node.js 20.20.2. Install Node 24 first (see the README, "Set-up"), then run npm install again.',
    );
  });
});
