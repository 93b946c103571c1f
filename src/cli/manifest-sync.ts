/**
 * `npm run manifest:sync`: after editing manifest.json, rewrite README's configuration table, the
 * env section of app.json and .env.example from it. The manifest test tells you when this is needed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, packageRoot } from './manifest.js';
import { renderAppJsonEnv, renderEnvExample, replaceSettingsTable } from './manifest-render.js';

const root = packageRoot();
const manifest = loadManifest();

const readmePath = join(root, 'README.md');
writeFileSync(readmePath, replaceSettingsTable(readFileSync(readmePath, 'utf8'), manifest));

const appJsonPath = join(root, 'app.json');
const app = JSON.parse(readFileSync(appJsonPath, 'utf8')) as Record<string, unknown>;
app.description = manifest.description;
app.logo = manifest.avatarUrl;
app.env = renderAppJsonEnv(manifest);
writeFileSync(appJsonPath, `${JSON.stringify(app, null, 2)}\n`);

writeFileSync(join(root, '.env.example'), renderEnvExample(manifest));

process.stdout.write('README.md (configuration table), app.json (env) and .env.example now follow manifest.json.\n');
