/**
 * Headless Chromium for the bot panel's browser test: Debian's `chromium` package driven by
 * playwright-core (no browser download). Without the browser the suite is skipped with a loud notice,
 * never silently; with CI=1 or REQUIRE_BROWSER=1 (.ci/run installs Chromium and sets it) it fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function browserRequired(): boolean {
  return process.env.CI === '1' || process.env.REQUIRE_BROWSER === '1';
}

/** `describe` that runs only with Chromium, fails without it when required, and says so loudly otherwise. */
export function describeBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, fn);
    return;
  }
  if (browserRequired()) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`CI=1 or REQUIRE_BROWSER=1 but there is no browser at ${CHROMIUM_PATH}: apt-get install -y chromium`);
      });
    });
    return;
  }
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!!! BROWSER TESTS SKIPPED: "${name}"\n!!! No Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium); these tests did NOT run.\n${line}\n\n`);
  describe.skip(`${name} [SKIPPED: no Chromium]`, fn);
}

/**
 * A fresh headless Chromium with its own profile directory (Playwright takes it as the persistent
 * context's directory rather than a --user-data-dir flag), removed on close.
 */
export async function launchChromium(opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'cwhb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    colorScheme: opts.colorScheme ?? 'light',
    viewport: { width: 640, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
